"""The partner JSON-LD context: generated from the ontology, and it round-trips passports."""

from __future__ import annotations

import importlib.util
import json

from rdflib import Graph, URIRef

from graph_service.config import REPO_ROOT
from graph_service.model.iris import IriMinter
from graph_service.services.fleet.demo import demo_passport

CONTEXT_FILE = REPO_ROOT / "ontology" / "context.jsonld"


def _generator():  # scripts/ is not a package
    spec = importlib.util.spec_from_file_location("gen_context",
                                                  REPO_ROOT / "scripts" / "gen_context.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_context_file_is_up_to_date_with_the_ontology() -> None:
    assert CONTEXT_FILE.read_text(encoding="utf-8") == _generator().render(), (
        "ontology/context.jsonld is stale: run `python scripts/gen_context.py`")


def test_every_dbp_term_has_a_context_entry() -> None:
    context = json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))["@context"]
    ontology = Graph().parse(REPO_ROOT / "ontology" / "dbp.ttl")
    terms = {str(s) for s in ontology.subjects() if str(s).startswith("https://w3id.org/dbp#")}
    defined = {v if isinstance(v, str) else v["@id"] for v in context.values()
               if isinstance(v, str | dict)}
    assert terms - defined == set()


def test_a_demo_passport_compacted_with_the_context_expands_to_the_same_graph() -> None:
    original = demo_passport(IriMinter("http://127.0.0.1:8000/"), 3)
    context = json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))["@context"]
    compact = original.serialize(format="json-ld", context=context)
    document = json.loads(compact)
    # Partners see readable names, not opaque EMMO IRIs.
    text = json.dumps(document)
    assert '"hasProperty"' in text and '"BatteryPack"' in text
    again = Graph().parse(data=compact, format="json-ld")
    assert set(again) == set(original)
    assert (URIRef("http://127.0.0.1:8000/id/battery/BP-000003"), None, None) in again
