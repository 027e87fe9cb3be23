"""ontology/alignment.ttl holds only axioms the shipped EMMO stack entails, and is current."""

from __future__ import annotations

import importlib.util

from rdflib import Graph, URIRef
from rdflib.namespace import RDFS

from graph_service.config import REPO_ROOT
from graph_service.store.base import GraphStore
from tests.ontology.conftest import MERGED, reference_dir

ALIGNMENT = REPO_ROOT / "ontology" / "alignment.ttl"


def test_every_alignment_axiom_is_entailed_by_the_reference(reference_store: GraphStore) -> None:
    axioms = list(Graph().parse(ALIGNMENT).subject_objects(RDFS.subClassOf))
    assert len(axioms) > 100
    missing = []
    for child, parent in axioms:
        result = reference_store.query(
            "ASK { GRAPH ?g { ?c <http://www.w3.org/2000/01/rdf-schema#subClassOf>+ ?p } }",
            bindings={"c": child, "p": parent})
        if not result.boolean:
            missing.append(f"{child} -> {parent}")
    assert not missing, "not entailed upstream:\n" + "\n".join(missing)


def test_alignment_file_is_current(reference_store: GraphStore) -> None:
    spec = importlib.util.spec_from_file_location(
        "gen_alignment", REPO_ROOT / "scripts" / "gen_alignment.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    expected = module.render(reference_dir() / MERGED)
    assert ALIGNMENT.read_text(encoding="utf-8") == expected, (
        "ontology/alignment.ttl is stale: run `python scripts/gen_alignment.py`")


def test_battery_classes_reach_battery_without_the_reference() -> None:
    graph = Graph().parse(ALIGNMENT)
    battery = URIRef(
        "https://w3id.org/emmo/domain/battery#battery_74ed2670_657d_4f0b_b0a6_3f13bc2e9c17")
    for label, iri in {
        "BatteryPack": "battery_be3b35a7_75a3_4be0_9265_beb178ea7b00",
        "BatteryCell": "battery_68ed592a_7924_45d0_a108_94d6275d57f0",
        "PouchCell": "battery_392b3f47_d62a_4bd4_a819_b58b09b8843a",
    }.items():
        child = URIRef(f"https://w3id.org/emmo/domain/battery#{iri}")
        assert (child, RDFS.subClassOf, battery) in graph, label
