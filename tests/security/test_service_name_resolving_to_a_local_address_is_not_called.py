"""An allow-listed SERVICE endpoint named by a host name is only called at a public address.

Finding (left alone in stop 32, fixed since): the allow-list compared endpoint IRIs only, and the
HTTP client resolved the name when it connected. A name whose DNS answer is (or later becomes,
DNS rebinding) 127.0.0.1 or a private address made the service POST callers' queries to a local
host - the store, an admin port, a cloud metadata service. The name is now resolved once, every
address must be public (or in DBP_SERVICE_PRIVATE_NETWORKS), and the connection goes to the
address that was checked.

DNS is outside our control and has no rebinding server here, so the resolver is replaced for the
test's reserved name only (``.example`` never resolves); everything else resolves as usual.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator

import httpx
import pytest

from tests.conftest import LiveServer
from tests.security.conftest import Canary
from tests.support.oxigraph_server import OxigraphServer, running_oxigraph_server

JSON = {"Accept": "application/sparql-results+json"}
SPARQL_QUERY = {"Content-Type": "application/sparql-query"}
PARTNER = "partner-endpoint.example"
NETWORK_WORDS = ("127.0.0.1", "connection", "refused", "resolve", "dns", "private")


@pytest.fixture
def partner_dns(monkeypatch: pytest.MonkeyPatch) -> Callable[[list[str]], list[int]]:
    """Make PARTNER resolve to the given answers in turn (the last one repeats); returns the
    list that counts the lookups."""
    real = socket.getaddrinfo
    lookups: list[int] = []
    answers: list[list[str]] = []

    def getaddrinfo(host: str, port: int, *args: object, **kwargs: object) -> list[tuple]:
        if host != PARTNER:
            return real(host, port, *args, **kwargs)
        lookups.append(port)
        addresses = answers[min(len(lookups), len(answers)) - 1]
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "",
                 (a, port)) for a in addresses]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)

    def answer_with(*sequence: list[str]) -> list[int]:
        answers.extend(sequence)
        return lookups

    return answer_with


@pytest.fixture
def partner() -> Iterator[OxigraphServer]:
    with running_oxigraph_server() as server:
        httpx.post(server.update_url, data={
            "update": "INSERT DATA { <urn:partner:pack1> <urn:partner:soh> 91 }"},
        ).raise_for_status()
        yield server


def _ask(live: LiveServer, endpoint: str, *, silent: bool = False) -> httpx.Response:
    keyword = "SERVICE SILENT" if silent else "SERVICE"
    query = f"SELECT ?soh WHERE {{ {keyword} <{endpoint}> {{ ?pack <urn:partner:soh> ?soh }} }}"
    with live.client() as client:
        return client.post("/sparql", content=query, headers=SPARQL_QUERY | JSON)


@pytest.mark.parametrize("local", ["127.0.0.1", "10.0.0.5", "169.254.169.254", "::1",
                                   "::ffff:127.0.0.1", "0.0.0.0"])
def test_a_name_resolving_to_a_local_address_is_not_called(server_factory, canary: Canary,
                                                           partner_dns, local: str) -> None:
    endpoint = f"http://{PARTNER}:{canary.port}/sparql"
    lookups = partner_dns([local])
    live = server_factory(load_reference_ontologies=False, service_allowlist=[endpoint])
    response = _ask(live, endpoint)
    assert response.status_code == 502, response.text
    detail = response.json()["detail"].lower()
    assert "no usable answer" in detail
    assert not any(word in detail for word in NETWORK_WORDS), detail
    assert lookups, "the endpoint's name was never resolved"
    assert canary.connections == []
    # SERVICE SILENT answers one empty solution, as for any failed call, and still calls nobody.
    silent = _ask(live, endpoint, silent=True)
    assert silent.status_code == 200, silent.text
    assert silent.json()["results"]["bindings"] == [{}]
    assert canary.connections == []


def test_one_local_address_among_public_ones_refuses_the_call(server_factory, canary: Canary,
                                                              partner_dns) -> None:
    endpoint = f"http://{PARTNER}:{canary.port}/sparql"
    partner_dns(["93.184.215.14", "127.0.0.1"])
    live = server_factory(load_reference_ontologies=False, service_allowlist=[endpoint])
    assert _ask(live, endpoint).status_code == 502
    assert canary.connections == []


def test_the_connection_goes_to_the_address_that_was_checked(server_factory, canary: Canary,
                                                             partner_dns) -> None:
    """DNS rebinding: a public answer at the check, 127.0.0.1 at any later look-up. The call
    connects to the checked (here unreachable) public address, never to the canary."""
    endpoint = f"http://{PARTNER}:{canary.port}/sparql"
    lookups = partner_dns(["192.88.99.200"], ["127.0.0.1"])
    live = server_factory(load_reference_ontologies=False, service_allowlist=[endpoint])
    response = _ask(live, endpoint)
    assert response.status_code == 502, response.text
    assert len(lookups) == 1, "the name was resolved again after it was checked"
    assert canary.connections == []


def test_an_operator_listed_private_network_is_called_under_the_endpoints_name(
        server_factory, partner: OxigraphServer, partner_dns) -> None:
    """With the network listed, a name at a private address works like any endpoint; the
    request carries the endpoint's own Host, though the connection went to the checked
    address."""
    port = httpx.URL(partner.query_url).port
    endpoint = f"http://{PARTNER}:{port}/query"
    partner_dns(["127.0.0.1"])
    live = server_factory(load_reference_ontologies=False, service_allowlist=[endpoint],
                          service_private_networks=["127.0.0.0/8"])
    response = _ask(live, endpoint)
    assert response.status_code == 200, response.text
    assert [b["soh"]["value"] for b in response.json()["results"]["bindings"]] == ["91"]


def test_an_endpoint_written_as_an_address_is_called_as_written(
        server_factory, partner: OxigraphServer) -> None:
    live = server_factory(load_reference_ontologies=False,
                          service_allowlist=[partner.query_url])
    response = _ask(live, partner.query_url)
    assert response.status_code == 200, response.text
    assert [b["soh"]["value"] for b in response.json()["results"]["bindings"]] == ["91"]


def test_the_networks_setting_takes_cidr_and_refuses_anything_else() -> None:
    from pydantic import ValidationError

    from graph_service.config import Settings

    settings = Settings(service_private_networks=["10.20.0.0/16", "fd00::/8"])
    assert [str(n) for n in settings.service_private_networks] == ["10.20.0.0/16", "fd00::/8"]
    with pytest.raises(ValidationError):
        Settings(service_private_networks=["partner-vpn"])
