"""The same end-to-end flows over the store adapters: the embedded pyoxigraph store and external
SPARQL 1.1 stores (a real `oxigraph serve` process, and a real Virtuoso 7 through its adapter)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rdflib import Graph, Literal

from graph_service.model.iris import IriMinter
from graph_service.model.namespaces import DBP
from graph_service.services.fleet.demo import demo_passport
from tests.conftest import LiveServer, make_settings, start_server
from tests.support.oxigraph_server import running_oxigraph_server
from tests.support.virtuoso_server import VirtuosoUnavailable, running_virtuoso_server

MINTER = IriMinter("http://127.0.0.1:8000/")
TTL = {"Content-Type": "text/turtle"}
JSON = {"Accept": "application/sparql-results+json"}


@pytest.fixture(scope="module", params=["embedded", "remote", "virtuoso"])
def server(request: pytest.FixtureRequest) -> Iterator[LiveServer]:
    if request.param == "embedded":
        with start_server(make_settings()) as live:
            yield live
        return
    if request.param == "virtuoso":
        try:
            virtuoso_context = running_virtuoso_server()
            virtuoso = virtuoso_context.__enter__()
        except VirtuosoUnavailable as exc:
            pytest.skip(str(exc))
        try:
            with start_server(make_settings(
                store_backend="remote", remote_engine="virtuoso",
                remote_query_url=virtuoso.query_url, remote_update_url=virtuoso.update_url,
                remote_store_url=virtuoso.store_url, remote_username=virtuoso.username,
                remote_password=virtuoso.password)) as live:
                yield live
        finally:
            virtuoso_context.__exit__(None, None, None)
        return
    with running_oxigraph_server() as oxigraph, start_server(make_settings(
        store_backend="remote", remote_query_url=oxigraph.query_url,
        remote_update_url=oxigraph.update_url, remote_store_url=oxigraph.store_url)) as live:
        yield live


@pytest.fixture(scope="module")
def admin_token(server: LiveServer) -> str:
    token = server.token("admin")
    body = demo_passport(MINTER, 1).serialize(format="turtle").encode()
    response = server.client(token).post("/passports", content=body, headers=TTL)
    assert response.status_code == 201, response.text
    return token


def test_ingest_validates_commits_and_derives(server: LiveServer, admin_token: str) -> None:
    invalid = demo_passport(MINTER, 2)
    invalid.set((MINTER.battery("BP-000002"), DBP.cellCount, Literal(0)))
    response = server.client(admin_token).post(
        "/passports", content=invalid.serialize(format="turtle").encode(), headers=TTL)
    assert response.status_code == 422
    ask = "ASK { <http://127.0.0.1:8000/id/battery/BP-000002> ?p ?o }"
    assert server.client(admin_token).get("/sparql", params={"query": ask},
                                          headers=JSON).json()["boolean"] is False
    procedure = server.client(admin_token).get("/batteries/BP-000001/procedure")
    assert procedure.status_code == 200, procedure.text
    steps = procedure.json()["isolationSteps"]
    assert steps and steps[0]["sequence"] <= steps[-1]["sequence"]


def test_sparql_access_control_holds(server: LiveServer, admin_token: str) -> None:
    query = ("SELECT ?n WHERE { <http://127.0.0.1:8000/id/battery/BP-000001> "
             "<https://w3id.org/dbp#cellCount> ?n }")
    public = server.client().get("/sparql", params={"query": query}, headers=JSON)
    assert public.json()["results"]["bindings"] == []
    researcher = server.client(server.token("researcher", "uni")).get(
        "/sparql", params={"query": query}, headers=JSON)
    assert len(researcher.json()["results"]["bindings"]) == 1


def test_graph_store_and_linked_data(server: LiveServer, admin_token: str) -> None:
    identity = "http://127.0.0.1:8000/graph/battery/BP-000001/identity"
    response = server.client().get("/store", params={"graph": identity},
                                   headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = Graph().parse(data=response.text, format="turtle")
    assert (MINTER.battery("BP-000001"), DBP.batteryId, Literal("BP-000001")) in graph
    page = server.client().get("/id/battery/BP-000001", headers={"Accept": "text/turtle"})
    assert page.status_code == 200 and "BP-000001" in page.text


def test_versions_and_history(server: LiveServer, admin_token: str) -> None:
    changed = demo_passport(MINTER, 1)
    changed.set((MINTER.battery("BP-000001"), DBP.model, Literal("Model B")))
    response = server.client(admin_token).post(
        "/passports", content=changed.serialize(format="turtle").encode(), headers=TTL)
    assert response.status_code == 200, response.text
    history = server.client(admin_token).get("/batteries/BP-000001/history").json()
    assert [v["number"] for v in history["versions"]] == [1, 2]
    old = server.client().get("/batteries/BP-000001/versions/1",
                              headers={"Accept": "text/turtle"}).text
    assert "Model B" not in old


def test_custody_partitions_and_transfers(server: LiveServer, admin_token: str) -> None:
    """BP-000001: made by rheinvolt, operated by citybus (the demo generator's choice)."""
    query = ("SELECT ?n WHERE { <http://127.0.0.1:8000/id/battery/BP-000001> "
             "<https://w3id.org/dbp#cellCount> ?n }")

    def reads(token: str) -> bool:
        answer = server.client(token).get("/sparql", params={"query": query}, headers=JSON)
        assert answer.status_code == 200, answer.text
        return bool(answer.json()["results"]["bindings"])

    own, other = server.token("oem", "rheinvolt"), server.token("oem", "nordcell")
    old, new = server.token("operator", "citybus"), server.token("operator", "gridstore")
    assert reads(own) and not reads(other) and reads(old) and not reads(new)
    moved = server.client(own).post("/batteries/BP-000001/custody",
                                    json={"role": "operator", "organisation": "gridstore"})
    assert moved.status_code == 200, moved.text
    assert reads(own) and reads(new) and not reads(old)
    assert server.client(other).post(
        "/batteries/BP-000001/custody",
        json={"role": "operator", "organisation": "citybus"}).status_code == 403


def test_custody_migration_over_each_engine(server: LiveServer, admin_token: str,
                                            request: pytest.FixtureRequest) -> None:
    """The start-up migration (custody records, partition index, partitions, lineage status
    facts) is plain SPARQL Update: over every engine it rebuilds exactly what writes produce,
    and a second run changes nothing."""
    from graph_service.services.access.migration import (
        as_before_custody,
        layout_version,
        migrate_custody,
    )
    from graph_service.store.base import RdfFormat

    if request.node.callspec.params.get("server") == "virtuoso":
        # Known defect, kept visible: after a transfer, the migration's
        # INSERT ... WHERE over Virtuoso 7.2 leaves out of the new partition the xsd:anyURI
        # literals and a double of the battery (7 quads); embedded and oxigraph serve rebuild
        # exactly. Only a pre-custody store on Virtuoso is migrated, so no live data is lost.
        request.applymarker(pytest.mark.xfail(strict=False, reason=(
            "Virtuoso's INSERT ... WHERE drops anyURI/double literals in the custody migration")))
    services = server.services
    store, layout = services.store, services.layout
    index = str(DBP.partitionCustodian)

    def dump() -> tuple[list[str], set[str]]:
        """The store's quads, and apart from them the partition index (which keeps the pairs
        of earlier transfers: a harmless empty partition, which the migration does not
        recreate)."""
        lines = store.dump(RdfFormat.N_QUADS).decode("utf-8").splitlines()
        return (sorted(line for line in lines if index not in line),
                {line for line in lines if index in line})

    expected, expected_index = dump()
    as_before_custody(services)
    assert layout_version(store, layout) == 0
    assert services.custody.record("BP-000001") is None
    lineage = services.lineage.restricted_predicates()
    assert migrate_custody(store, layout, services.minter, lineage)
    services.custody.forget_cached_partitions()
    migrated, migrated_index = dump()
    assert migrated == expected
    assert migrated_index and migrated_index <= expected_index
    assert not migrate_custody(store, layout, services.minter, lineage)
    assert services.custody.record("BP-000001") is not None


def _identity_document(server: LiveServer, battery_id: str, manufacturer: str) -> Graph:
    """Demo battery 1's identity-stage part as a new battery of ``manufacturer``."""
    from graph_service.model.graphs import Stage
    from graph_service.services.passports.classify import classify
    from tests.security.support import fresh_identifiers, renamed

    passport = demo_passport(MINTER, 1)
    classes = classify(passport, server.services.ingest._annotations())
    identity = Graph()
    for triple in passport:
        if classes[triple].stage is Stage.IDENTITY:
            identity.add(triple)
    new = MINTER.battery(battery_id)
    document = renamed(identity, MINTER.battery("BP-000001"), new)
    document.set((new, DBP.batteryId, Literal(battery_id)))
    fresh_identifiers(document, new, battery_id)
    document.remove((new, DBP.operator, None))
    document.set((new, DBP.manufacturer, MINTER.organisation(manufacturer)))
    return document


def test_shared_site_is_decided_over_each_engine(server: LiveServer, admin_token: str) -> None:
    """Who may describe a shared site is answered by the engine (statement look-ups, a join
    with the custody graph): the same answers over every store adapter."""
    from rdflib import URIRef

    plant = URIRef("http://127.0.0.1:8000/id/site/rheinvolt-plant")
    for battery_id, organisation, status in (("BP-000777", "nordcell", 422),
                                             ("BP-000778", "rheinvolt", 201)):
        document = _identity_document(server, battery_id, organisation)
        assert (plant, DBP.name, None) in document
        document.set((plant, DBP.name, Literal(f"Plant renamed by {organisation}")))
        answer = server.client(server.token("oem", organisation)).post(
            f"/passports?battery={battery_id}", headers=TTL,
            content=document.serialize(format="turtle").encode())
        assert answer.status_code == status, (organisation, answer.text)
        if status == 422:  # the describing battery is not named to a caller who cannot read it
            detail = answer.json()["detail"]
            assert str(plant) in detail and "BP-000001" not in detail, detail
