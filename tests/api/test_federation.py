"""Federation both ways with a real `oxigraph serve` on loopback; no SSRF."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from graph_service.model.iris import IriMinter
from graph_service.services.demo import demo_passport
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
