"""What every caller reads about custody and organisations (docs/access.md, Custody and
Organisation records): the custody graph as a named graph (not merged into the default graph,
where the identity data already states the same custodians), the organisation records in every
default graph, and that only our organisation IRIs can be custodians."""

from __future__ import annotations

import pytest
from rdflib import URIRef

from graph_service.model.graphs import Stage
from graph_service.model.iris import IriMinter
from graph_service.model.namespaces import DBP, SCHEMA
from graph_service.services.fleet.demo import demo_passport
from tests.conftest import LiveServer

MINTER = IriMinter("http://127.0.0.1:8000/")
BATTERY = MINTER.battery("BP-000001")
JSON = {"Accept": "application/sparql-results+json"}
TURTLE = {"Content-Type": "text/turtle"}


@pytest.fixture
def server(live_server: LiveServer) -> LiveServer:
    admin = live_server.client(live_server.token("admin", "ops"))
    passport = demo_passport(MINTER, 1)
    answer = admin.post("/passports", content=passport.serialize(format="turtle").encode(),
                        headers=TURTLE)
    assert answer.status_code == 201, answer.text
    return live_server


def _select(server: LiveServer, token: str | None, query: str) -> list[dict]:
    answer = server.client(token).get("/sparql", params={"query": query}, headers=JSON)
    assert answer.status_code == 200, answer.text
    return answer.json()["results"]["bindings"]


def test_everyone_reads_the_custody_graph_by_name_and_once_in_the_default_graph(
        server: LiveServer) -> None:
    custody = server.services.layout.custody
    record = server.services.custody.record("BP-000001")
    assert record is not None and record.manufacturer and record.operator
    for token in (None, server.token("oem", "nordcell"), server.token("researcher", "lab")):
        named = _select(server, token, f"SELECT ?m ?o WHERE {{ GRAPH <{custody}> {{ "
                                       f"<{BATTERY}> <{DBP.manufacturer}> ?m ; "
                                       f"<{DBP.operator}> ?o }} }}")
        assert [(r["m"]["value"], r["o"]["value"]) for r in named] == [
            (str(MINTER.organisation(record.manufacturer)),
             str(MINTER.organisation(record.operator)))]
        # The default graph holds the identity data's statement only (no second copy).
        merged = _select(server, token, f"SELECT ?m WHERE {{ <{BATTERY}> "
                                        f"<{DBP.manufacturer}> ?m }}")
        assert len(merged) == 1
    with server.client() as public:
        answer = public.get("/batteries/BP-000001/custody")
    assert answer.status_code == 200
    assert answer.json() == {"battery": "BP-000001", "manufacturer": record.manufacturer,
                             "operator": record.operator}


def test_organisation_records_are_in_every_default_graph(server: LiveServer) -> None:
    record = server.services.custody.record("BP-000001")
    assert record is not None and record.manufacturer
    query = (f"SELECT ?name WHERE {{ <{BATTERY}> <{DBP.manufacturer}> ?org . "
             f"?org <{DBP.name}> ?name }}")
    for token in (None, server.token("oem", "nordcell"), server.token("recycler", "r")):
        assert len(_select(server, token, query)) == 1


def test_only_our_organisation_iris_can_be_custodians(server: LiveServer) -> None:
    """A manufacturer named by another IRI (a Wikidata entity) is description: the manufacturer
    may state it, and it changes nothing in the custody record."""
    record = server.services.custody.record("BP-000001")
    assert record is not None and record.manufacturer
    oem = server.client(server.token("oem", record.manufacturer))
    services = server.services
    passport = services.store.graph(services.layout.source("BP-000001", Stage.IDENTITY))
    passport.add((BATTERY, SCHEMA.manufacturer,
                  URIRef("https://www.wikidata.org/wiki/Q695251")))
    answer = oem.post("/passports", content=passport.serialize(format="turtle").encode(),
                      headers=TURTLE)
    assert answer.status_code == 200 and answer.json()["committed"], answer.text
    assert server.services.custody.record("BP-000001") == record


def test_a_dataset_built_before_a_transfer_never_shows_the_battery_to_its_old_holder(
        services) -> None:
    """Datasets come from a partition index cached per organisation (another process may hold
    one from before a transfer). A partition is named by its custody pair and a transfer moves
    the battery's data out of it, so such a stale dataset hides the battery from its new holder
    at worst, never shows it to the old one."""
    from graph_service.services.access import Principal, Role

    admin = Principal("admin", Role.ADMIN, "ops")
    passport = demo_passport(MINTER, 1)
    assert services.ingest.submit(passport.serialize(format="turtle").encode(), "text/turtle",
                                  principal=admin).committed
    record = services.custody.record("BP-000001")
    assert record is not None and record.operator
    new = next(o for o in ("gridstore", "citybus") if o != record.operator)
    query = f"ASK {{ <{BATTERY}> <{DBP.cellCount}> ?n }}"
    old_operator = Principal("old", Role.OPERATOR, record.operator)
    new_operator = Principal("new", Role.OPERATOR, new)
    old_stale = services.sparql.dataset_for(old_operator)
    new_stale = services.sparql.dataset_for(new_operator)
    assert services.sparql.run_query(query, old_stale).boolean
    assert not services.sparql.run_query(query, new_stale).boolean

    services.transfers.transfer("BP-000001", "operator", new, admin)

    assert not services.sparql.run_query(query, old_stale).boolean
    assert not services.sparql.run_query(query, new_stale).boolean  # hidden until refreshed
    assert services.sparql.run_query(query, services.sparql.dataset_for(new_operator)).boolean
    assert not services.sparql.run_query(
        query, services.sparql.dataset_for(old_operator)).boolean
