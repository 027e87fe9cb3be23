"""Issue 14, finding 5: the public lineage graph republished ``dbp:currentStatus`` and
``dbp:closedAt`` (status reused/waste, end-of-life dates), although the ontology classifies
battery status as legitimate-interest data (Annex XIII 4(c)). One classification per fact, in
every graph a role can read."""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, XSD

from graph_service.model.graphs import Stage
from graph_service.model.namespaces import DBP
from tests.security.support import Fleet, stored_demo_battery

STATUS = "https://w3id.org/dbp/vocab/status/"
PATHWAY = "https://w3id.org/dbp/vocab/pathway/"


@pytest.fixture(scope="module")
def fleet() -> Fleet:
    from tests.conftest import make_settings, start_server

    with start_server(make_settings()) as server:
        fleet = stored_demo_battery(server)
        # The battery is recycled: its passport closes (a legitimate-interest fact).
        document = fleet.document(Stage.SERVICE)
        record = URIRef(f"{fleet.battery}/service/waste")
        document.add((fleet.battery, DBP.hasServiceRecord, record))
        document.add((record, RDF.type, DBP.ServiceRecord))
        document.add((record, DBP.serviceType, URIRef("https://w3id.org/dbp/vocab/service/inspection")))
        document.add((record, DBP.resultingStatus, URIRef(STATUS + "waste")))
        document.add((record, DBP.completedAt, Literal("2026-05-01T10:00:00Z",
                                                       datatype=XSD.dateTime)))
        with fleet.client("repairer") as client:
            answer = fleet.post(client, document)
        assert answer.status_code == 200, answer.text
        yield fleet


def _ask(fleet: Fleet, role: str, pattern: str) -> bool:
    with fleet.client(role, fleet.manufacturer if role == "oem" else None) as client:
        answer = client.get("/sparql", params={"query": f"PREFIX dbp: <{DBP}> ASK {{ {pattern} }}"},
                            headers={"Accept": "application/sparql-results+json"})
    assert answer.status_code == 200, answer.text
    return answer.json()["boolean"]


@pytest.mark.parametrize("pattern", [
    "?battery dbp:currentStatus ?status",
    "?passport dbp:closedAt ?when",
    "?passport dbp:issueReason ?status",
    "?passport dbp:passportState ?state",
])
def test_the_public_does_not_read_status_facts_of_the_lineage(fleet: Fleet, pattern: str) -> None:
    assert not _ask(fleet, "public", pattern)
    assert not _ask(fleet, "public", f"GRAPH ?g {{ {pattern} }}")


def test_the_public_still_reads_which_passports_a_battery_has(fleet: Fleet) -> None:
    assert _ask(fleet, "public", f"?p dbp:passportOf <{fleet.battery}> ; dbp:passportNumber 1")


def test_legitimate_interest_readers_see_the_status_and_closure(fleet: Fleet) -> None:
    assert _ask(fleet, "recycler", f"<{fleet.battery}> dbp:currentStatus <{STATUS}waste>")
    assert _ask(fleet, "oem", f"?p dbp:passportOf <{fleet.battery}> ; dbp:closedAt ?when")


def test_the_public_history_shows_no_status_or_closure(fleet: Fleet) -> None:
    with fleet.client("public") as client:
        history = client.get(f"/batteries/{fleet.battery_id}/history").json()
    assert history["passports"], history
    for passport in history["passports"]:
        assert passport.get("reason") is None and passport.get("closed_at") is None
        assert passport.get("state") is None
    with fleet.client("recycler") as client:
        history = client.get(f"/batteries/{fleet.battery_id}/history").json()
    assert history["passports"][-1]["state"] == "closed"
