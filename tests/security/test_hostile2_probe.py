"""Hostile probe, second round, against a real uvicorn server: every kind of bad input gets a
clear 4xx (never a 5xx, never a dead process), nothing is partly written, and what a caller may
read or call is decided by the service, not by the request."""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid

import pytest
from rdflib import Literal

from graph_service.model.graphs import Stage
from graph_service.model.namespaces import DBP
from tests.conftest import LiveServer
from tests.security.conftest import Canary
from tests.security.support import BASE, TURTLE, Fleet, stored_demo_battery

SPARQL_JSON = {"Accept": "application/sparql-results+json"}


@pytest.fixture(scope="module")
def live(server_factory_module) -> LiveServer:
    return server_factory_module(load_reference_ontologies=False, body_read_timeout_seconds=1)


@pytest.fixture(scope="module")
def stored(live: LiveServer) -> Fleet:
    return stored_demo_battery(live)


def _alive(live: LiveServer) -> None:
    with live.client() as anonymous:
        assert anonymous.get("/health").status_code == 200


def _raw(live: LiveServer, request: bytes, wait: float = 10) -> tuple[bytes, float]:
    host, port = live.url.removeprefix("http://").split(":")
    started = time.monotonic()
    with socket.create_connection((host, int(port)), timeout=wait) as connection:
        connection.sendall(request)
        answer = b""
        while True:
            try:
                data = connection.recv(65536)
            except TimeoutError:
                break
            if not data:
                break
            answer += data
    return answer, time.monotonic() - started


def test_body_shorter_than_content_length_is_a_408_not_a_held_connection(
        live: LiveServer) -> None:
    token = live.token()
    answer, took = _raw(live, (
        b"POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: text/turtle\r\n"
        b"Authorization: Bearer " + token.encode() + b"\r\n"
        b"Content-Length: 1000\r\n\r\n<urn:a> <urn:b> <urn:c> ."))
    assert answer.startswith(b"HTTP/1.1 408"), answer[:300]
    assert b"25 bytes of the 1000" in answer
    assert took < 8
    _alive(live)


def test_deeply_nested_and_oversized_bodies_are_4xx(live: LiveServer) -> None:
    with live.client(live.token()) as admin:
        nested = admin.post("/validate", content=b"[" * 200_000 + b"]" * 200_000,
                            headers={"Content-Type": "application/ld+json"})
        assert nested.status_code == 400, nested.text[:300]
        turtle = admin.post("/validate", content=b"<urn:a> <urn:b> " + b"(" * 100_000,
                            headers=TURTLE)
        assert 400 <= turtle.status_code < 500, turtle.text[:300]
        big = admin.post("/validate", content=b" " * (17 * 1024 * 1024), headers=TURTLE)
        assert big.status_code == 413
    _alive(live)


@pytest.mark.parametrize("content_type", [
    "text/turtle; charset=latin-1", "text/turtle; charset=utf-16", "application/ld+json; x=\"",
    "", "multipart/form-data; boundary=x", "text/turtle, application/ld+json",
    "application/x-www-form-urlencoded",
])
def test_odd_content_types_and_charsets_are_4xx(live: LiveServer, content_type: str) -> None:
    body = "<urn:a> <urn:b> \"caf\u00e9\" .".encode("latin-1")
    with live.client(live.token()) as admin:
        answer = admin.post("/validate", content=body, headers={"Content-Type": content_type})
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.text[:300])
    assert answer.json()["detail"]


def test_header_injection_and_path_traversal_are_refused(live: LiveServer,
                                                         stored: Fleet) -> None:
    with live.client(live.token("oem", stored.other_manufacturer())) as oem:
        for path in ("/id/battery/X%0d%0aSet-Cookie:%20a=b", "/id/battery/..%2f..%2fgraph",
                     "/batteries/%2e%2e/procedure", "/batteries/BP%00/procedure"):
            answer = oem.get(path)
            assert 400 <= answer.status_code < 500, (path, answer.status_code)
            assert "set-cookie" not in answer.headers
        for graph in (f"{BASE}graph/battery/{stored.battery_id}/../../principals",
                      f"{BASE}graph/principals", f"{BASE}graph/audit",
                      f"{BASE}graph/battery/{stored.battery_id}/manufacturing"):
            answer = oem.get("/store", params={"graph": graph},
                             headers={"Accept": "application/n-triples"})
            # a stage graph answers its part the caller's role may read (public facts only)
            assert answer.status_code in (400, 403, 404) or (
                answer.status_code == 200 and graph.endswith("/manufacturing")), (
                graph, answer.status_code)
            assert "dbp_" not in answer.text and "tokenHash" not in answer.text
        injected = oem.post("/passports?battery=X%0d%0aLocation:%20http://evil",
                            content=b"", headers=TURTLE)
        assert 400 <= injected.status_code < 500
        assert "evil" not in injected.headers.get("location", "")


def test_service_and_load_to_other_hosts_never_reach_them(live: LiveServer,
                                                          canary: Canary) -> None:
    with live.client(live.token("researcher", "uni")) as researcher:
        service = researcher.post("/sparql", data={
            "query": f"SELECT * WHERE {{ SERVICE <{canary.url}> {{ ?s ?p ?o }} }}"},
            headers=SPARQL_JSON)
        assert service.status_code in (400, 403), service.text
        silent = researcher.post("/sparql", data={
            "query": f"SELECT * WHERE {{ SERVICE SILENT <{canary.url}> {{ ?s ?p ?o }} }}"},
            headers=SPARQL_JSON)
        assert silent.status_code in (200, 400, 403), silent.text
        for update in (f"LOAD <{canary.url}>", f"LOAD SILENT <{canary.url}> INTO GRAPH <urn:g>",
                       "INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> <urn:c> } }"):
            answer = researcher.post("/sparql", data={"update": update})
            assert answer.status_code in (400, 403), (update, answer.text)
    with live.client(live.token()) as admin:
        load = admin.post("/sparql", data={"update": f"LOAD <{canary.url}>"})
        assert load.status_code in (400, 403), load.text
    time.sleep(0.5)
    assert canary.connections == []


@pytest.mark.parametrize("query", [
    "SELECT ?g ?p ?o FROM NAMED <{g}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    "SELECT ?p ?o FROM <{g}> WHERE {{ ?s ?p ?o }}",
    "SELECT ?p ?o WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}",
    "SELECT ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g = <{g}>) }}",
    "SELECT ?p ?o WHERE {{ {{ SELECT ?g WHERE {{ GRAPH ?g {{}} }} }} GRAPH ?g {{ ?s ?p ?o }}"
    " FILTER(STRENDS(STR(?g), 'principals')) }}",
    "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}",
    "ASK {{ GRAPH <{g}> {{ ?s ?p ?o }} }}",
])
@pytest.mark.parametrize("graph", ["graph/principals", "graph/audit",
                                   "graph/battery/{id}/manufacturing"])
def test_from_and_graph_tricks_do_not_read_other_graphs(
        live: LiveServer, stored: Fleet, query: str, graph: str) -> None:
    target = f"{BASE}{graph.format(id=stored.battery_id)}"
    with live.client(live.token("oem", stored.other_manufacturer())) as oem:
        answer = oem.post("/sparql", data={"query": query.format(g=target)},
                          headers={"Accept": "application/n-triples, "
                                             "application/sparql-results+json"})
    assert answer.status_code in (200, 400, 403), answer.text
    if answer.status_code == 200:
        text = answer.text
        assert "tokenHash" not in text and "dbp_" not in text
        if "boolean" in text:
            assert json.loads(text)["boolean"] is False
        elif answer.headers["content-type"].startswith("application/sparql-results+json"):
            assert json.loads(text)["results"]["bindings"] == [], text[:500]
        else:
            assert text.strip() == "", text[:500]


@pytest.mark.parametrize("authorization", [
    "Bearer", "Bearer dbp_", "Bearer dbp_x_y", "Bearer " + "A" * 60_000, "Basic YTpi",
    "Bearer dbp_\u00e9_x", "bearer\tdbp_x", "Bearer a b c", "Bearer dbp_x_y\x00",
])
def test_token_misuse_is_401_never_5xx(live: LiveServer, authorization: str) -> None:
    body = b"<urn:a> <urn:b> <urn:c> ."
    answer, _ = _raw(live, b"POST /passports HTTP/1.1\r\nHost: x\r\n"
                     b"Content-Type: text/turtle\r\nAuthorization: "
                     + authorization.encode("utf-8") + b"\r\nConnection: close\r\n"
                     b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
    status = int(answer.split(b" ", 2)[1])
    assert status in (400, 401, 403, 431), answer[:300]
    _alive(live)


def test_token_of_a_revoked_principal_and_token_in_the_query_are_refused(
        live: LiveServer) -> None:
    from graph_service.services.access import Role

    principal = live.services.principals.create(Role.OEM, "rev-org")
    live.services.principals.revoke(principal.principal.id)
    with live.client(principal.token) as revoked:
        assert revoked.post("/passports", content=b"", headers=TURTLE).status_code == 401
    with live.client() as anonymous:
        answer = anonymous.post(f"/passports?access_token={live.token()}", content=b"",
                                headers=TURTLE)
    assert answer.status_code in (401, 403), answer.text


@pytest.mark.parametrize("organisation", [
    "\uff41\uff43\uff4d\uff45",  # fullwidth 'acme'
    "acme\u0301", "ac\u200bme", "ACME", "acme/../x", "ac%2Fme",
])
def test_unicode_and_look_alike_organisation_ids_are_refused_or_distinct(
        live: LiveServer, organisation: str) -> None:
    with live.client(live.token()) as admin:
        answer = admin.put(f"/organisations/{organisation}", headers=TURTLE, content=(
            f'<{BASE}id/org/{organisation}> <https://w3id.org/dbp#name> "X" .').encode())
    assert answer.status_code < 500, answer.text
    if answer.status_code < 300:
        assert answer.json()["iri"] != f"{BASE}id/org/acme"


@pytest.mark.parametrize("literal", [
    '"1e999999"^^<http://www.w3.org/2001/XMLSchema#double>',
    '"' + "9" * 5000 + '"^^<http://www.w3.org/2001/XMLSchema#integer>',
    "9" * 5000,
    '"' + "9" * 5000 + '.5"^^<http://www.w3.org/2001/XMLSchema#decimal>',
    '"NaN"^^<http://www.w3.org/2001/XMLSchema#decimal>',
    '"99999999999-01-01"^^<http://www.w3.org/2001/XMLSchema#date>',
])
def test_huge_numeric_literals_never_5xx(live: LiveServer, stored: Fleet,
                                         literal: str) -> None:
    document = stored.document(Stage.RATED_PERFORMANCE) if Stage.RATED_PERFORMANCE in \
        stored.stages else stored.document(Stage.DESIGN)
    body = document.serialize(format="nt").encode() + (
        f"<{stored.battery}> <https://w3id.org/dbp#ratedCapacity> {literal} .\n").encode()
    before = stored.dump()
    with live.client(live.token()) as admin:
        answer = admin.post(f"/passports?battery={stored.battery_id}", content=body,
                            headers={"Content-Type": "application/n-triples"})
    assert answer.status_code in (200, 400, 413, 422), (answer.status_code, answer.text[:300])
    if answer.status_code != 200:
        assert stored.dump() == before
    _alive(live)


def test_two_concurrent_writes_to_one_passport_both_answer_and_keep_versions_whole(
        live: LiveServer, stored: Fleet) -> None:
    document = stored.document(Stage.IDENTITY)
    bodies = []
    for name in ("first", "second"):
        copy = stored.document(Stage.IDENTITY)
        copy.set((stored.battery, DBP.model, Literal(f"model {name}")))
        bodies.append(copy.serialize(format="turtle").encode())
    answers: list[int] = []
    token = live.token()

    def write(body: bytes) -> None:
        with live.client(token) as admin:
            answers.append(admin.post(f"/passports?battery={stored.battery_id}", content=body,
                                      headers=TURTLE).status_code)

    threads = [threading.Thread(target=write, args=(b,)) for b in bodies * 3]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(status in (200, 409, 429) for status in answers), answers
    with live.client(token) as admin:
        read = admin.get(f"/id/battery/{stored.battery_id}",
                         headers={"Accept": "application/n-triples"})
    models = [line for line in read.text.splitlines() if "#model>" in line
              and line.startswith(f"<{stored.battery}>")]
    assert len(models) == 1, models
    assert document is not None


def test_bulk_import_with_one_bad_passport_commits_the_others_only(
        live: LiveServer, stored: Fleet) -> None:
    from graph_service.services.fleet.demo import demo_passport
    from tests.security.support import MINTER

    lines = []
    for index in (41, 42):
        passport = demo_passport(MINTER, index)
        lines.append(json.loads(passport.serialize(format="json-ld")))
    bad = json.loads(demo_passport(MINTER, 43).serialize(format="json-ld"))
    bad_id = f"http://127.0.0.1:8000/id/battery/BP-000043 {uuid.uuid4().hex[:4]}"
    for node in bad:
        if node.get("@id") == f"{BASE}id/battery/BP-000043":
            node["@id"] = bad_id
    body = b"\n".join(json.dumps(line).encode() for line in (lines[0], bad, lines[1]))
    with live.client(live.token()) as admin:
        answer = admin.post("/import", content=body,
                            headers={"Content-Type": "application/x-ndjson"})
    assert answer.status_code < 500, answer.text[:500]
    stored_ids = {b for b in ("BP-000041", "BP-000042", "BP-000043")
                  if live.services.custody.record(b) is not None}
    assert "BP-000043" not in stored_ids, answer.text[:500]


@pytest.mark.parametrize("graph", ["graph/principals", "graph/audit",
                                   "graph/battery/{id}/manufacturing"])
def test_protocol_dataset_parameters_do_not_read_other_graphs(
        live: LiveServer, stored: Fleet, graph: str) -> None:
    target = f"{BASE}{graph.format(id=stored.battery_id)}"
    with live.client(live.token("oem", stored.other_manufacturer())) as oem:
        for parameter, query in (
                ("default-graph-uri", "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"),
                ("named-graph-uri", "SELECT ?g ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")):
            answer = oem.get("/sparql", params={"query": query, parameter: target},
                             headers=SPARQL_JSON)
            assert answer.status_code in (200, 400, 403), answer.text
            if answer.status_code == 200:
                assert answer.json()["results"]["bindings"] == [], answer.text[:300]


@pytest.mark.parametrize("endpoint", ["?endpoint", "<{self}/sparql>", "<http://[::1]:1/x>",
                                      "<file:///etc/passwd>", "<http://0x7f.1:1/sparql>"])
def test_service_to_a_variable_self_or_odd_host_is_refused(live: LiveServer,
                                                          endpoint: str) -> None:
    query = ("SELECT * WHERE { VALUES ?endpoint { <http://127.0.0.1:1/> } "
             f"SERVICE {endpoint.format(self=live.url)} {{ ?s ?p ?o }} }}")
    with live.client(live.token("researcher", "uni")) as researcher:
        answer = researcher.post("/sparql", data={"query": query}, headers=SPARQL_JSON)
    assert answer.status_code in (400, 403), answer.text
    _alive(live)
