"""Versions, old versions by access group, passport lineage (Art. 77(6)) and the audit trail."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from graph_service.model.iris import IriMinter
from graph_service.model.namespaces import DBP
from graph_service.services.fleet.demo import demo_passport
from tests.conftest import LiveServer

MINTER = IriMinter("http://127.0.0.1:8000/")
BID = "BP-000001"
BATTERY = MINTER.battery(BID)
STATUS = "https://w3id.org/dbp/vocab/status/"


def _turtle(graph: Graph) -> bytes:
    return graph.serialize(format="turtle").encode()


@pytest.fixture
def server(live_server: LiveServer) -> LiveServer:
    admin = live_server.client(live_server.token("admin"))
    response = admin.post("/passports", content=_turtle(demo_passport(MINTER, 1)),
                          headers={"Content-Type": "text/turtle"})
    assert response.status_code == 201, response.text
    return live_server


def _service_update(status: str, when: str) -> Graph:
    graph = Graph()
    record = URIRef(f"{BATTERY}/service/{status}")
    graph.add((BATTERY, DBP.hasServiceRecord, record))
    graph.add((record, RDF.type, DBP.ServiceRecord))
    graph.add((record, DBP.serviceType, URIRef("https://w3id.org/dbp/vocab/service/repurposing")))
    graph.add((record, DBP.resultingStatus, URIRef(STATUS + status)))
    graph.add((record, DBP.completedAt, Literal(when, datatype=XSD.dateTime)))
    return graph


def test_every_accepted_write_is_a_version_readable_per_access_group(server: LiveServer) -> None:
    admin = server.client(server.token("admin"))
    changed = demo_passport(MINTER, 1)
    changed.set((BATTERY, DBP.model, Literal("Renamed model")))
    assert admin.post("/passports", content=_turtle(changed),
                      headers={"Content-Type": "text/turtle"}).status_code == 200
    history = admin.get(f"/batteries/{BID}/history").json()
    assert [v["number"] for v in history["versions"]] == [1, 2]
    assert history["versions"][1]["stages"] == ["identity"]

    def version(token: str | None, number: int) -> Graph:
        response = server.client(token).get(f"/batteries/{BID}/versions/{number}",
                                            headers={"Accept": "text/turtle"})
        assert response.status_code == 200, response.text
        return Graph().parse(data=response.text, format="turtle")

    public_v1 = version(None, 1)
    assert (BATTERY, DBP.batteryId, Literal(BID)) in public_v1
    assert (BATTERY, DBP.cellCount, None) not in public_v1  # legitimate interest
    assert str(public_v1.value(BATTERY, DBP.model)) != "Renamed model"
    assert str(version(None, 2).value(BATTERY, DBP.model)) == "Renamed model"
    researcher_v1 = version(server.token("researcher", "uni"), 1)
    assert (BATTERY, DBP.cellCount, None) in researcher_v1
    assert (BATTERY, DBP.testReport, None) not in researcher_v1  # authority only
    assert (BATTERY, DBP.testReport, None) in version(server.token("authority", "msa"), 1)
    assert server.client().get(f"/batteries/{BID}/versions/9").status_code == 404
    # Who changed what is not public.
    assert server.client().get(f"/batteries/{BID}/history").json()["versions"] == []


def test_repurposing_issues_a_linked_passport_and_recycling_closes_it(server: LiveServer) -> None:
    admin = server.client(server.token("admin"))
    response = admin.post(f"/passports?battery={BID}",
                          content=_turtle(_service_update("repurposed", "2026-01-10T08:00:00Z")),
                          headers={"Content-Type": "text/turtle"})
    assert response.status_code == 200, response.text
    # Which passports exist, when and how they link is public; why a passport was issued and
    # whether it is closed is battery status (Annex XIII 4(c)), legitimate-interest data.
    recycler = server.client(server.token("recycler", "recycling-org"))
    for reader in (server.client(), recycler):
        passports = reader.get(f"/batteries/{BID}/history").json()["passports"]
        assert [p["number"] for p in passports] == [1, 2]
        first, second = passports
        assert first["successor"] == second["iri"] and second["predecessor"] == first["iri"]
        assert second["issued_at"].startswith("2026-01-10")
    public = server.client().get(f"/batteries/{BID}/history").json()["passports"]
    assert {(p["reason"], p["state"], p["closed_at"]) for p in public} == {(None, None, None)}
    assert second["reason"] == "repurposed"
    assert first["state"] == "closed" and second["state"] == "active"

    eol = Graph()
    record = URIRef(f"{BATTERY}/end-of-life/9")
    eol.add((BATTERY, DBP.hasEndOfLifeRecord, record))
    eol.add((record, RDF.type, DBP.EndOfLifeRecord))
    eol.add((record, DBP.pathway, URIRef("https://w3id.org/dbp/vocab/pathway/recycling")))
    eol.add((record, DBP.completedAt, Literal("2026-06-01T10:00:00Z", datatype=XSD.dateTime)))
    # The demo passport may already hold an end-of-life stage; replace it with this record.
    assert admin.post(f"/passports?battery={BID}", content=_turtle(eol),
                      headers={"Content-Type": "text/turtle"}).status_code == 200
    passports = recycler.get(f"/batteries/{BID}/history").json()["passports"]
    assert passports[-1]["state"] == "closed"
    assert passports[-1]["closed_at"].startswith("2026-06-01")
    # The lineage is queryable over SPARQL both ways, by anyone; its status facts by callers
    # with a legitimate interest.
    links = ("PREFIX dbp: <https://w3id.org/dbp#> PREFIX prov: <http://www.w3.org/ns/prov#> "
             f"ASK {{ ?new prov:wasRevisionOf ?old . ?old dbp:succeededBy ?new ; "
             f"dbp:passportOf <{BATTERY}> }}")
    status = (f"ASK {{ <{BATTERY}> <https://w3id.org/dbp#currentStatus> <{STATUS}waste> }}")

    def ask(client, query: str) -> bool:
        return client.get("/sparql", params={"query": query},
                          headers={"Accept": "application/sparql-results+json"}).json()["boolean"]

    assert ask(server.client(), links) and ask(recycler, links)
    assert ask(recycler, status) and not ask(server.client(), status)
    # A closed passport stays readable.
    assert server.client().get(f"/batteries/{BID}/versions/1").status_code == 200


def test_audit_trail_records_writes_and_denials_for_admin_and_authority(
        server: LiveServer) -> None:
    operator = server.client(server.token("operator", "some-operator"))
    denied = operator.post("/passports", content=_turtle(demo_passport(MINTER, 1)),
                           headers={"Content-Type": "text/turtle"})
    assert denied.status_code == 403
    records = server.client(server.token("authority", "msa")).get(
        "/audit", params={"battery": BID}).json()
    outcomes = {(r["operation"], r["outcome"]) for r in records}
    assert ("write-passport", "accepted") in outcomes
    assert ("write-passport", "denied") in outcomes
    assert all(r["battery"] == str(BATTERY) for r in records)
    assert server.client(server.token("researcher", "uni")).get("/audit").status_code == 403
    assert server.client().get("/audit").status_code == 403
