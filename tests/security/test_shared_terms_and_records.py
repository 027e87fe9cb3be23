"""Hostile probe of stop 30: a passport stated facts about what every battery shares.

* An OEM wrote, inside its own battery's passport, the lineage of another manufacturer's battery
  (``<id/passport/OTHER/1> dbp:passportState "active"; dbp:passportNumber 7``): accepted, and the
  other battery's public history showed a forged passport. The foreign-node check knew only the
  IRIs under ``id/battery/OTHER``.
* The same OEM restated a rule parameter (``param:high-voltage-limit dbp:value 100000``), a
  vocabulary concept's label, an ontology property's access group: accepted into the
  legitimate-interest view, where every researcher and every other battery's explanation read
  them beside the real values.

A passport now describes its battery and its nodes only: a triple whose subject is a record the
service keeps (passports' lineage, rules, statistics, audit, principals) or a term every battery
shares (what the ontology, the reference ontologies and the parameters describe, and any IRI of
the ontologies' namespaces) is refused with 422, and nothing is stored.
"""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef

from graph_service.model.graphs import Stage
from graph_service.model.namespaces import DBP, RDFS
from graph_service.model.terms import BATTERY_CLASS
from tests.security.support import MINTER, Fleet

PARAMETER = URIRef("https://w3id.org/dbp/param/high-voltage-limit")


def _refused_and_nothing_stored(fleet: Fleet, document, *named: URIRef) -> str:
    before = fleet.dump()
    with fleet.client("oem", fleet.manufacturer) as client:
        answer = fleet.post(client, document)
    assert answer.status_code == 422, answer.text
    detail = answer.json()["detail"]
    for iri in named:
        assert str(iri) in detail
    assert fleet.dump() == before
    return detail


def test_a_passport_cannot_write_another_batterys_lineage(fleet: Fleet) -> None:
    other = MINTER.passport("BP-000002")
    document = fleet.document(Stage.IDENTITY)
    document.add((other, DBP.passportState, Literal("active")))
    document.add((other, DBP.passportNumber, Literal(7)))
    detail = _refused_and_nothing_stored(fleet, document, other)
    assert "lineage" in detail


def test_a_passport_cannot_write_its_own_lineage_either(fleet: Fleet) -> None:
    """Passport numbers, states and issue reasons are the lineage service's record (Art. 77(6)):
    a document stating them would contradict it."""
    own = MINTER.passport(fleet.battery_id)
    document = fleet.document(Stage.IDENTITY)
    document.add((own, DBP.passportNumber, Literal(9)))
    _refused_and_nothing_stored(fleet, document, own)


@pytest.mark.parametrize("subject, predicate, value", [
    (PARAMETER, DBP.value, Literal(100000)),
    (URIRef("https://w3id.org/dbp/vocab/chemistry/nmc532"), RDFS.label, Literal("HACKED")),
    (DBP.testReport, DBP.accessGroup, DBP.PublicAccess),
    (BATTERY_CLASS, RDFS.label, Literal("HACKED")),
    # Not described anywhere, but in an ontology's namespace: never a battery's node.
    (URIRef("https://w3id.org/emmo#made_up_term"), RDFS.label, Literal("HACKED")),
], ids=["parameter", "vocabulary", "ontology-property", "battinfo-class", "emmo-namespace"])
def test_a_passport_cannot_restate_a_shared_term(fleet: Fleet, subject: URIRef,
                                                  predicate: URIRef, value) -> None:
    document = fleet.document(Stage.IDENTITY)
    document.add((subject, predicate, value))
    _refused_and_nothing_stored(fleet, document, subject)
    if subject == PARAMETER:
        with fleet.client("researcher") as client:
            answer = client.post("/sparql", data={"query": (
                f"SELECT ?v WHERE {{ <{PARAMETER}> <{DBP.value}> ?v }}")},
                headers={"Accept": "application/sparql-results+json"})
        assert answer.status_code == 200, answer.text
        values = {float(b["v"]["value"]) for b in answer.json()["results"]["bindings"]}
        assert values == {60.0}


def test_a_term_only_the_stored_ontology_describes_is_shared_too(fleet: Fleet) -> None:
    """Terms outside our and EMMO's namespaces count by what the ontology graphs hold."""
    services = fleet.server.services
    rows = services.store.query(
        "SELECT DISTINCT ?t WHERE { ?t ?p ?o FILTER(isIRI(?t) && !STRSTARTS(STR(?t), "
        "'https://w3id.org/')) } LIMIT 1",
        default_graph=[services.layout.ontology]).rows()
    term = next(iter(rows))["t"]
    document = fleet.document(Stage.IDENTITY)
    document.add((URIRef(str(term)), RDFS.comment, Literal("restated")))
    _refused_and_nothing_stored(fleet, document, URIRef(str(term)))


def test_the_battery_its_nodes_and_the_terms_as_objects_are_still_accepted(
        fleet: Fleet) -> None:
    document = fleet.document(Stage.IDENTITY)
    document.add((fleet.battery, RDFS.comment, Literal("a note on the pack")))
    with fleet.client("oem", fleet.manufacturer) as client:
        answer = fleet.post(client, document)
    assert answer.status_code in (200, 201), answer.text
