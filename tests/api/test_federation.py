"""Federation both ways with a real `oxigraph serve` on loopback; no SSRF."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from rdflib import URIRef

from graph_service.model.iris import IriMinter
from graph_service.services.fleet.demo import demo_passport
from tests.conftest import LiveServer
from tests.support.oxigraph_server import OxigraphServer, running_oxigraph_server

JSON = {"Accept": "application/sparql-results+json"}


@pytest.fixture
def oxigraph() -> Iterator[OxigraphServer]:
    with running_oxigraph_server() as server:
        httpx.post(server.update_url, data={
            "update": "INSERT DATA { <urn:partner:pack1> <urn:partner:soh> 91 }"},
        ).raise_for_status()
        yield server


def test_outbound_service_to_an_allow_listed_endpoint(server_factory,
                                                     oxigraph: OxigraphServer) -> None:
    live: LiveServer = server_factory(service_allowlist=[oxigraph.query_url])
    query = (f"SELECT ?soh WHERE {{ SERVICE <{oxigraph.query_url}> "
             "{ <urn:partner:pack1> <urn:partner:soh> ?soh } }")
    response = live.client().get("/sparql", params={"query": query}, headers=JSON)
    assert response.status_code == 200, response.text
    assert [b["soh"]["value"] for b in response.json()["results"]["bindings"]] == ["91"]


@pytest.mark.parametrize("target", [
    "http://127.0.0.1:1/sparql",  # a loopback port that is not allow-listed
    "http://169.254.169.254/latest/meta-data",  # cloud metadata (SSRF classic)
    "http://[::1]:8080/sparql",
    "file:///etc/passwd",
])
def test_service_to_anything_else_is_refused(server_factory, oxigraph: OxigraphServer,
                                             target: str) -> None:
    live: LiveServer = server_factory(service_allowlist=[oxigraph.query_url])
    query = f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}"
    response = live.client().get("/sparql", params={"query": query}, headers=JSON)
    assert response.status_code == 403
    assert "allow" in response.json()["detail"].lower()


def test_service_with_a_variable_endpoint_is_refused(server_factory,
                                                     oxigraph: OxigraphServer) -> None:
    live: LiveServer = server_factory(service_allowlist=[oxigraph.query_url])
    query = "SELECT * WHERE { BIND(<urn:x> AS ?e) SERVICE ?e { ?s ?p ?o } }"
    assert live.client().get("/sparql", params={"query": query}).status_code == 403


def test_inbound_our_endpoint_works_as_a_service_target(live_server: LiveServer,
                                                        oxigraph: OxigraphServer) -> None:
    minter = IriMinter("http://127.0.0.1:8000/")
    admin = live_server.client(live_server.token("admin"))
    body = demo_passport(minter, 4).serialize(format="turtle").encode()
    assert admin.post("/passports", content=body,
                      headers={"Content-Type": "text/turtle"}).status_code == 201
    query = ("SELECT ?id WHERE { SERVICE <" + live_server.sparql + "> "
             "{ ?b <https://w3id.org/dbp#batteryId> ?id } }")
    response = httpx.post(oxigraph.query_url, data={"query": query}, headers=JSON, timeout=60)
    assert response.status_code == 200, response.text
    ids = [b["id"]["value"] for b in response.json()["results"]["bindings"]]
    assert ids == ["BP-000004"]
    # The remote engine is an anonymous caller: legitimate-interest data stays invisible.
    hidden = ("SELECT ?n WHERE { SERVICE <" + live_server.sparql + "> "
              "{ ?b <https://w3id.org/dbp#cellCount> ?n } }")
    response = httpx.post(oxigraph.query_url, data={"query": hidden}, headers=JSON, timeout=60)
    assert response.json()["results"]["bindings"] == []


def test_allow_listed_service_joins_like_service(server_factory,
                                                 oxigraph: OxigraphServer) -> None:
    """The answer of an allow-listed endpoint is spliced in as VALUES: it joins with the rest of
    its group (here inside OPTIONAL) as the SERVICE result would, with the query's prefixes."""
    live: LiveServer = server_factory(load_reference_ontologies=False,
                                      service_allowlist=[oxigraph.query_url])
    query = (f"PREFIX p: <urn:partner:>\nSELECT ?pack ?soh WHERE {{ "
             f"VALUES ?pack {{ p:pack1 p:pack2 }} OPTIONAL {{ SERVICE <{oxigraph.query_url}> "
             "{ ?pack p:soh ?soh } } } ORDER BY ?pack")
    response = live.client().get("/sparql", params={"query": query}, headers=JSON)
    assert response.status_code == 200, response.text
    rows = [(b["pack"]["value"], b.get("soh", {}).get("value"))
            for b in response.json()["results"]["bindings"]]
    assert rows == [("urn:partner:pack1", "91"), ("urn:partner:pack2", None)]


def test_remote_blank_nodes_become_skolem_iris(server_factory,
                                               oxigraph: OxigraphServer) -> None:
    httpx.post(oxigraph.update_url, data={
        "update": "INSERT DATA { _:cell <urn:partner:voltage> 3.6 }"}).raise_for_status()
    live: LiveServer = server_factory(load_reference_ontologies=False,
                                      service_allowlist=[oxigraph.query_url])
    query = (f"SELECT ?cell WHERE {{ SERVICE <{oxigraph.query_url}> "
             "{ ?cell <urn:partner:voltage> ?v } }")
    response = live.client().get("/sparql", params={"query": query}, headers=JSON)
    assert response.status_code == 200, response.text
    (cell,) = [b["cell"] for b in response.json()["results"]["bindings"]]
    assert cell["type"] == "uri"
    assert cell["value"].startswith("http://127.0.0.1:8000/.well-known/genid/")


def test_a_failing_allow_listed_endpoint(server_factory) -> None:
    """SILENT: one empty solution; otherwise 502 with a fixed text (no network details)."""
    closed = "http://127.0.0.1:1/sparql"
    live: LiveServer = server_factory(load_reference_ontologies=False,
                                      service_allowlist=[closed])
    with live.client() as client:
        silent = client.get("/sparql", headers=JSON, params={
            "query": f"SELECT ?x WHERE {{ BIND(1 AS ?x) SERVICE SILENT <{closed}> "
                     "{ ?s ?p ?o } }"})
        loud = client.get("/sparql", headers=JSON, params={
            "query": f"SELECT ?x WHERE {{ BIND(1 AS ?x) SERVICE <{closed}> {{ ?s ?p ?o }} }}"})
    assert silent.status_code == 200, silent.text
    assert [b["x"]["value"] for b in silent.json()["results"]["bindings"]] == ["1"]
    assert loud.status_code == 502
    assert loud.json()["detail"] == "the federated SERVICE endpoint gave no usable answer"


def test_update_federates_and_refuses_load(server_factory, oxigraph: OxigraphServer) -> None:
    live: LiveServer = server_factory(load_reference_ontologies=False, enable_update=True,
                                      service_allowlist=[oxigraph.query_url])
    admin = live.client(live.token("admin"))
    update = {"Content-Type": "application/sparql-update"}
    copied = admin.post("/sparql", headers=update, content=(
        "INSERT { GRAPH <urn:copy> { ?s <urn:partner:soh> ?o } } WHERE { SERVICE <"
        f"{oxigraph.query_url}> {{ ?s <urn:partner:soh> ?o }} }}"))
    assert copied.status_code == 204, copied.text
    assert live.services.store.count(URIRef("urn:copy")) == 1
    load = admin.post("/sparql", headers=update, content=f"LOAD <{oxigraph.query_url}>")
    assert load.status_code == 403
    elsewhere = admin.post("/sparql", headers=update, content=(
        "INSERT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:1/x> { ?s ?p ?o } }"))
    assert elsewhere.status_code == 403
