"""Realistic Catena-X 6.1.0 documents (tests/data/catenax/*.json, written from the aspect model):
each is valid against the official schema, imports (mapping -> SHACL -> commit -> derivation),
holds exactly its reviewed EMMO / BattINFO / dbp triples (tests/data/catenax/expected/), and
comes back leaf for leaf; a second round trip changes nothing."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from rdflib import Graph, Literal

from graph_service.container import Services
from graph_service.services.interop.catenax import normalise
from graph_service.services.interop.diff import diff
from tests.services.interop.conftest import ADMIN, DATA, body_of, load
from tests.services.interop.support import semantic_subgraph

# file -> (battery id, high voltage: isolation steps of the rules)
DOCUMENTS = {
    "complete.json": ("CX-EV-0001", True),
    "minimal.json": ("CX-ESS-0002", True),
    # "CX/EV 0003#A" and "EDGE/CASE #1 ä": sanitised, and 8 hex digits of their SHA-256
    "quirks.json": ("CX-EV-0003-A-603097f1", True),
    "utf16-bom.json": ("CX-EV-0016", True),
    "utf8-bom.json": ("CX-LMT-0036", False),
    "lfp-city-bus.json": ("CX-BUS-LFP-0042", True),
    "nca-performance-ev.json": ("CX-NCA-7731", True),
    "lmt-ebike-nmc622.json": ("EBIKE-36V-14AH-000918", False),
    "stationary-lfp-container.json": ("ESS-CONT-344-0007", True),
    "sodium-ion-repurposed.json": ("NA-TEL-48-2210", False),
    "portable-lco.json": ("PT-LCO-0001", False),
    "edge-values.json": ("EDGE-CASE-1--1cca6f83", True),
    "remanufactured-nmc532.json": ("RM-532-0099", True),
}
# rules: locking out applies only to high-voltage batteries (with a service disconnect, or
# the system lock-out of a pack without one)
HV_ONLY_STEPS = {"lock-out-tag", "lock-out-tag-system"}


def value_set(graph: Graph) -> set[tuple[Any, ...]]:
    """Triples compared by literal value (the store writes canonical lexical forms)."""
    result = set()
    for s, p, o in graph:
        if isinstance(o, Literal):
            value = o.toPython()
            if isinstance(value, float | Decimal):
                value = float(value)
            result.add((s, p, ("literal", value, o.datatype if not isinstance(
                value, float) else None)))
        else:
            result.add((s, p, o))
    return result


def test_at_least_ten_documents_are_checked() -> None:
    assert len(DOCUMENTS) >= 10
    assert {p.name for p in DATA.glob("*.json")} >= set(DOCUMENTS)


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_document_imports_with_its_expected_graph_and_round_trips(
        name: str, services: Services, schema_validator: Any) -> None:
    bid, high_voltage = DOCUMENTS[name]
    body = (DATA / name).read_bytes()
    document = services.imports.registry.importer("catenax").read(body).value
    assert sorted(e.message for e in schema_validator.iter_errors(document)) == []

    result = services.imports.import_document(body, "catenax", ADMIN)
    assert result.battery_id == bid and result.version == "6.1.0"
    assert result.ingest.committed and result.ingest.report.conforms

    # The stored EMMO / BattINFO / dbp triples are exactly the reviewed ones.
    stored = services.imports.stored_graph(bid)
    expected = Graph().parse(DATA / "expected" / f"{name.removesuffix('.json')}.ttl")
    assert value_set(semantic_subgraph(stored)) == value_set(expected)

    derived = services.store.graph(services.layout.derived(bid))
    steps = {str(o).rsplit("/", 1)[-1] for o in derived.objects(None, None)
             if "/derived/isolation/" in str(o)}
    assert bool(HV_ONLY_STEPS & steps) is high_voltage

    # Every leaf comes back (modulo the documented normalisations), and again.
    exported = services.imports.export_document(bid, "catenax")
    assert exported.complete and exported.version == "6.1.0"
    assert sorted(e.message for e in schema_validator.iter_errors(exported.document)) == []
    first = diff(json.loads(json.dumps(document)), exported.document, normalise)
    assert first.identical, first.details()
    services.imports.import_document(body_of(exported.document), "catenax", ADMIN)
    again = services.imports.export_document(bid, "catenax")
    assert again.document == exported.document


def test_reimporting_the_same_bytes_changes_nothing(services: Services) -> None:
    body = (DATA / "minimal.json").read_bytes()
    services.imports.import_document(body, "catenax", ADMIN)
    before = services.store.count()
    again = services.imports.import_document(body, "catenax", ADMIN)
    assert not again.ingest.committed
    assert services.store.count() == before


def test_bulk_reimport_keeps_the_first_receipt_and_changes_nothing(services: Services) -> None:
    """A document received again through the bulk pipeline (``dbp import``, JSON Lines) is not a
    new receipt: its source record keeps the first time and submitter, so nothing is written -
    as through POST /import. (The bulk workers see no stored data; the parent decides.)"""
    import time

    from rdflib.namespace import PROV

    from graph_service.model.namespaces import DBP
    from graph_service.services.access import Principal, Role
    from graph_service.services.interop.bulk import BulkDocument, BulkImporter, prepare_partner

    body = (DATA / "lfp-city-bus.json").read_bytes()
    first = services.imports.import_document(body, "catenax", ADMIN)
    bid = first.battery_id

    def receipt() -> tuple[str, str]:
        stored = services.imports.stored_identity(bid)
        source = stored.value(services.minter.battery(bid), PROV.wasDerivedFrom)
        return (str(stored.value(source, DBP.receivedAt)),
                str(stored.value(source, PROV.wasAttributedTo)))

    before, count, versions = receipt(), services.store.count(), \
        services.ingest.history.next_number(bid)
    time.sleep(1.05)  # receipts are stamped to the second: a new one would differ
    other = Principal("bulk-other", Role.ADMIN)
    submitter = str(services.ingest.audit.principal_iri(other))
    report = BulkImporter(services).run([BulkDocument("again", body)],
                                        prepare_partner("catenax", submitter), other, workers=0)
    [outcome] = report.outcomes
    assert outcome.error is None and not outcome.committed
    assert receipt() == before
    assert before[1] != submitter
    assert services.ingest.history.next_number(bid) == versions
    assert services.store.count() == count


def test_received_document_is_recorded_with_its_provenance(services: Services) -> None:
    import hashlib

    from rdflib.namespace import PROV

    from graph_service.model.namespaces import DBP

    body = (DATA / "utf16-bom.json").read_bytes()
    result = services.imports.import_document(body, "catenax", ADMIN)
    stored = services.imports.stored_graph(result.battery_id)
    sources = list(stored.objects(services.minter.battery(result.battery_id),
                                  PROV.wasDerivedFrom))
    assert len(sources) == 1
    source = sources[0]
    assert str(stored.value(source, DBP.contentHash)) == \
        "sha256:" + hashlib.sha256(body).hexdigest()
    assert (str(stored.value(source, DBP.sourceFormat)),
            str(stored.value(source, DBP.formatVersion))) == ("catenax", "6.1.0")
    assert stored.value(source, DBP.receivedAt) is not None
    assert str(stored.value(source, PROV.wasAttributedTo)).endswith("/id/principal/t")
    text = str(stored.value(source, DBP.documentText))
    assert json.loads(text) == load("utf16-bom.json")  # the decoded text, as received


def test_unknown_keys_are_warned_with_their_path_kept_and_exported(services: Services) -> None:
    result = services.imports.import_document((DATA / "nca-performance-ev.json").read_bytes(),
                                              "catenax", ADMIN)
    unknown = {w.path for w in result.warnings if w.kind == "unknown-key"}
    assert unknown == {"$['x-oem-signature']",
                       "$.identification.identification['x-plant-line']",
                       "$.performance.rated['x-oem-thermal-model']"}
    exported = services.imports.export_document(result.battery_id, "catenax").document
    assert exported["x-oem-signature"] == "sig:ab12"
    assert exported["identification"]["identification"]["x-plant-line"] == {"line": 3,
                                                                            "shift": "B"}


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_a_document_never_describes_an_organisation(name: str, services: Services) -> None:
    """Organisations are described by their own records (custody, docs/access.md): a passport
    names our organisation IRIs as objects only, never as the subject of a triple; the BPNs
    the document gives stay on passport-scoped nodes under the battery IRI."""
    partner = services.imports.registry.importer("catenax")
    mapped = partner.to_graph(partner.read((DATA / name).read_bytes()), services.minter)
    organisations = str(services.minter.organisation("x"))[:-1]
    battery = str(services.minter.battery(mapped.battery_id))
    assert not [s for s in mapped.graph.subjects() if str(s).startswith(organisations)]
    links = {(p, o) for s, p, o in mapped.graph if str(o).startswith(organisations)}
    assert links and {str(p) for p, _ in links} <= {"https://w3id.org/dbp#manufacturer",
                                                     "https://w3id.org/dbp#operator"}
    assert all(str(s) == battery for s, _p, o in mapped.graph
               if str(o).startswith(organisations))
    subjects = {str(s) for s in mapped.graph.subjects()}
    assert all(s == battery or s.startswith(f"{battery}/") for s in subjects)
