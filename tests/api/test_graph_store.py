"""SPARQL 1.1 Graph Store HTTP Protocol at /store, with ingest's validation and access rules."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from graph_service.model.graphs import Stage
from graph_service.model.iris import IriMinter
from graph_service.model.namespaces import DBP
from graph_service.services.fleet.demo import demo_passport
from graph_service.services.passports.classify import classify
from tests.conftest import LiveServer

MINTER = IriMinter("http://127.0.0.1:8000/")
BID = "BP-000003"
BATTERY = MINTER.battery(BID)
USAGE = f"http://127.0.0.1:8000/graph/battery/{BID}/usage"
IDENTITY = f"http://127.0.0.1:8000/graph/battery/{BID}/identity"
TTL = {"Content-Type": "text/turtle"}


@pytest.fixture
def server(live_server: LiveServer) -> LiveServer:
    admin = live_server.client(live_server.token("admin"))
    body = demo_passport(MINTER, 3).serialize(format="turtle").encode()
    assert admin.post("/passports", content=body, headers=TTL).status_code == 201
    return live_server


def _usage_graph(server: LiveServer) -> Graph:
    passport = demo_passport(MINTER, 3)
    classes = classify(passport, server.services.ingest._annotations())
    usage = Graph()
    for triple, cls in classes.items():
        if cls.stage is Stage.USAGE:
            usage.add(triple)
    return usage


def _operator_token(server: LiveServer) -> str:
    passport = demo_passport(MINTER, 3)
    operator = passport.value(BATTERY, DBP.operator)
    return server.token("operator", str(operator).rsplit("/", 1)[-1])


def test_get_stage_graph_returns_what_the_caller_may_read(server: LiveServer) -> None:
    public = server.client().get("/store", params={"graph": IDENTITY},
                                 headers={"Accept": "text/turtle"})
    assert public.status_code == 200
    graph = Graph().parse(data=public.text, format="turtle")
    assert (BATTERY, DBP.batteryId, Literal(BID)) in graph
    assert (BATTERY, DBP.batteryStatus, None) not in graph  # legitimate interest
    assert server.client().get("/store", params={"graph": USAGE}).status_code == 404
    researcher = server.client(server.token("researcher", "uni"))
    assert researcher.get("/store", params={"graph": USAGE}).status_code == 200
    head = researcher.head("/store", params={"graph": USAGE})
    assert head.status_code == 200 and head.content == b""
    assert server.client().get(
        "/store", params={"graph": "http://127.0.0.1:8000/graph/audit"}).status_code == 404


def test_put_replaces_a_stage_through_validation_and_permissions(server: LiveServer) -> None:
    usage = _usage_graph(server)
    record = URIRef(f"{BATTERY}/usage/99")
    usage.add((BATTERY, DBP.hasUsageRecord, record))
    usage.add((record, RDF.type, DBP.UsageRecord))
    usage.add((record, DBP.recordedAt, Literal("2026-09-01T00:00:00Z", datatype=XSD.dateTime)))
    usage.add((record, DBP.deepDischargeEventCount, Literal(0)))
    body = usage.serialize(format="turtle").encode()
    # An OEM may not write usage data: 403, nothing changes.
    oem = server.client(server.token("oem", "someone"))
    assert oem.put("/store", params={"graph": USAGE}, content=body, headers=TTL).status_code \
        == 403
    operator = server.client(_operator_token(server))
    response = operator.put("/store", params={"graph": USAGE}, content=body, headers=TTL)
    # A usage record without any quantity is invalid (shapes): 422 and nothing stored.
    assert response.status_code == 422, response.text
    assert (record, None, None) not in server.services.store.graph(URIRef(USAGE))
    usage.remove((record, None, None))
    usage.remove((BATTERY, DBP.hasUsageRecord, record))
    made = demo_passport(MINTER, 3).value(BATTERY, DBP.manufacturingDate).toPython()
    new_date = made.replace(year=made.year + 1)
    usage.set((BATTERY, DBP.putIntoServiceDate, Literal(new_date, datatype=XSD.date)))
    response = operator.put("/store", params={"graph": USAGE},
                            content=usage.serialize(format="turtle").encode(), headers=TTL)
    assert response.status_code in (201, 204), response.text
    stored = server.services.store.graph(URIRef(USAGE))
    assert (BATTERY, DBP.putIntoServiceDate, Literal(new_date, datatype=XSD.date)) in stored


def test_put_of_data_of_another_stage_is_rejected(server: LiveServer) -> None:
    admin = server.client(server.token("admin"))
    wrong = Graph()
    wrong.add((BATTERY, DBP.model, Literal("Sneaky model")))  # identity data
    response = admin.put("/store", params={"graph": USAGE},
                         content=wrong.serialize(format="turtle").encode(), headers=TTL)
    assert response.status_code == 422
    assert "identity" in response.json()["detail"]


def test_delete_empties_a_stage_and_updates_the_views(server: LiveServer) -> None:
    admin = server.client(server.token("admin"))
    assert admin.delete("/store", params={"graph": USAGE}).status_code == 204
    assert not server.services.store.contains_graph(URIRef(USAGE))
    ask = f"ASK {{ <{BATTERY}> <{DBP.hasUsageRecord}> ?r }}"
    result = admin.get("/sparql", params={"query": ask},
                       headers={"Accept": "application/sparql-results+json"})
    assert result.json()["boolean"] is False
    history = admin.get(f"/batteries/{BID}/history").json()
    assert history["versions"][-1]["stages"] == ["usage"]


def test_other_graphs_are_admin_only_and_need_updates_enabled(server: LiveServer) -> None:
    body = b"<urn:a> <urn:b> <urn:c> ."
    researcher = server.client(server.token("researcher", "uni"))
    assert researcher.put("/store", params={"graph": "urn:graph:x"}, content=body,
                          headers=TTL).status_code == 403
    admin = server.client(server.token("admin"))
    assert admin.put("/store", params={"graph": "urn:graph:x"}, content=body,
                     headers=TTL).status_code == 204
    assert admin.get("/store", params={"graph": "urn:graph:x"},
                     headers={"Accept": "application/n-triples"}).text.strip() == body.decode()
    assert admin.delete("/store", params={"graph": "urn:graph:x"}).status_code == 204
    assert admin.get("/store", params={"graph": "urn:graph:x"}).status_code == 404


def test_protocol_errors(server: LiveServer) -> None:
    client = server.client()
    assert client.get("/store").status_code == 400
    assert client.get("/store", params={"graph": "x", "default": ""}).status_code == 400
    admin = server.client(server.token("admin"))
    bad = admin.put("/store", params={"graph": USAGE}, content=b"<a> <b> .", headers=TTL)
    assert bad.status_code == 400 and "line" in bad.json()
