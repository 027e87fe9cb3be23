"""A corpus of malformed requests: every one gets a 4xx problem JSON whose ``detail`` says what
was wrong - never a 5xx, never a traceback or a server file path."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from tests.conftest import LiveServer, make_settings, start_server

TURTLE = {"Content-Type": "text/turtle"}
JSONLD = {"Content-Type": "application/ld+json"}
PLAIN_JSON = {"Content-Type": "application/json"}
SPARQL_QUERY = {"Content-Type": "application/sparql-query"}
SPARQL_UPDATE = {"Content-Type": "application/sparql-update"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
BATTERY_PACK = "https://w3id.org/emmo/domain/battery#battery_be3b35a7_75a3_4be0_9265_beb178ea7b00"

LEAKS = ("Traceback", 'File "', "/work/", "site-packages", ".py\"", "graph_service/")


def _nested(levels: int) -> bytes:
    text = '"leaf"'
    for _ in range(levels):
        text = '{"a": ' + text + "}"
    return text.encode()


@dataclass
class Case:
    name: str
    method: str
    path: str
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    admin: bool = False
    # words the detail must contain (case-insensitive): it says what was wrong
    says: tuple[str, ...] = ()


FIVE_MB = b"x" * (5 * 1024 * 1024)

CORPUS = [
    # -- Turtle -----------------------------------------------------------------------------------
    Case("turtle cut off", "POST", "/passports", b"@prefix ex: <http://x/> . ex:a ex:b",
         TURTLE, says=("line",)),
    Case("turtle garbage", "POST", "/validate", b"@@@ not turtle", TURTLE),
    Case("turtle bad language tag", "POST", "/passports",
         b'<http://x/a> <http://x/p> "v"@a-b-c-d-e-f-g-h-i-j .', TURTLE, says=("language",)),
    Case("rdf/xml unclosed", "POST", "/passports", b"<rdf:RDF", {
        "Content-Type": "application/rdf+xml"}),
    Case("rdf/xml external entity", "POST", "/passports",
         b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
         b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
         b'<rdf:Description rdf:about="http://x/a"><rdf:value>&e;</rdf:value>'
         b"</rdf:Description></rdf:RDF>", {"Content-Type": "application/rdf+xml"}),
    # -- JSON-LD and plain JSON -------------------------------------------------------------------
    Case("json-ld cut off", "POST", "/passports", b'{"@context": ', JSONLD, says=("json",)),
    Case("json-ld context not allowed", "POST", "/passports",
         b'{"@context": 42, "@id": "http://x/a"}', JSONLD, says=("@context",)),
    Case("json-ld remote context", "POST", "/passports",
         b'{"@context": "http://169.254.169.254/latest", "@id": "http://x/a"}', JSONLD,
         says=("context",)),
    Case("json-ld @type not an iri", "POST", "/passports",
         b'{"@id": "http://x/a", "http://x/p": {"@value": "o", "@type": "x y"}}', JSONLD,
         says=("iri",)),
    Case("plain json syntax", "POST", "/passports", b'{"batteryId": }', PLAIN_JSON,
         says=("json",)),
    Case("plain json not an object", "POST", "/passports", b'"a string"', PLAIN_JSON,
         says=("object",)),
    Case("plain json NaN", "POST", "/passports", b'{"batteryId": NaN}', PLAIN_JSON),
    Case("json nested 200 levels", "POST", "/passports", _nested(200), PLAIN_JSON,
         says=("nests",)),
    Case("json-ld nested 200 levels", "POST", "/validate", _nested(200), JSONLD,
         says=("nests",)),
    Case("json nested 5000 levels", "POST", "/passports", _nested(5000), PLAIN_JSON,
         says=("nests",)),
    Case("json arrays nested 100000 levels", "POST", "/passports",
         b"[" * 100_000 + b"]" * 100_000, JSONLD, says=("nests",)),
    # -- SPARQL -----------------------------------------------------------------------------------
    Case("sparql cut off", "POST", "/sparql", b"SELECT * WHERE {", SPARQL_QUERY,
         says=("error at",)),
    Case("sparql by GET cut off", "GET", "/sparql?query=SELECT%20*%20WHERE%20%7B",
         says=("error at",)),
    Case("sparql update cut off", "POST", "/sparql", b"INSERT DATA {", SPARQL_UPDATE,
         admin=True, says=("error at",)),
    Case("sparql form cut off", "POST", "/sparql", b"query=SELECT%20*%20WHERE%20%7B", FORM),
    Case("sparql query sent as update", "POST", "/sparql", b"SELECT * WHERE {}", SPARQL_UPDATE,
         admin=True),
    Case("sparql update by GET", "GET", "/sparql?update=CLEAR%20ALL", says=("POST",)),
    Case("sparql empty", "POST", "/sparql", b"   ", SPARQL_QUERY, says=("empty",)),
    # -- 5 MB literal -----------------------------------------------------------------------------
    Case("5 MB literal in a passport", "POST", "/passports",
         b"<http://x/a> a <" + BATTERY_PACK.encode() + b'> ; <http://x/p> "' + FIVE_MB + b'" .',
         TURTLE, says=("battery",)),
    Case("5 MB literal in a broken query", "POST", "/sparql",
         b'SELECT * WHERE { ?s ?p "' + FIVE_MB + b'" ', SPARQL_QUERY, says=("error at",)),
    # -- invalid IRIs -----------------------------------------------------------------------------
    Case("iri with a space (turtle)", "POST", "/passports",
         b'<http://exa mple.org> <http://x/p> "o" .', TURTLE, says=("iri",)),
    Case("iri with a space (sparql)", "POST", "/sparql",
         b"SELECT * WHERE { <http://exa mple.org> ?p ?o }", SPARQL_QUERY, says=("iri",)),
    Case("javascript: iri as a passport", "POST", "/passports",
         b'<javascript:alert(1)> <http://x/p> "o" .', TURTLE, says=("battery",)),
    Case("javascript: iri as a graph", "GET", "/store?graph=javascript:alert(1)", admin=True,
         says=("iri",)),
    Case("iri with a space as a graph", "GET", "/store?graph=http://exa%20mple.org",
         admin=True, says=("iri",)),
    Case("iri with a space as a graph to delete", "DELETE",
         "/store?graph=http://exa%20mple.org", admin=True, says=("iri",)),
    Case("iri with a space as default-graph-uri", "GET",
         "/sparql?query=ASK%7B%7D&default-graph-uri=http://exa%20mple.org", admin=True,
         says=("default-graph-uri",)),
    Case("relative named-graph-uri", "GET",
         "/sparql?query=ASK%7B%7D&named-graph-uri=relative", admin=True,
         says=("named-graph-uri",)),
    Case("invalid iri as a linked-data path", "GET", "/id/x%3Cscript%3E",
         says=("iri",)),
    # -- NUL bytes --------------------------------------------------------------------------------
    Case("NUL in a turtle iri", "POST", "/passports", b'<http://x/a\x00> <http://x/p> "o" .',
         TURTLE, says=("iri",)),
    Case("NUL in plain json", "POST", "/passports", b'{"batteryId": "a\x00b"}', PLAIN_JSON,
         says=("json",)),
    Case("NUL in a battery id", "GET", "/batteries/a%00b/history", says=("battery id",)),
    Case("NUL in the battery parameter", "POST", "/passports?battery=a%00b",
         b'<http://x/a> <http://x/p> "o" .', TURTLE, says=("battery id",)),
    Case("NUL in a linked-data path", "GET", "/id/battery/a%00b", says=("iri",)),
    Case("NUL in a named-graph-uri", "GET",
         "/sparql?query=ASK%7B%7D&named-graph-uri=http://x/%00", admin=True,
         says=("named-graph-uri",)),
    # -- invalid UTF-8 ----------------------------------------------------------------------------
    Case("invalid utf-8 turtle", "POST", "/passports", b'<http://x/a> <http://x/p> "\xff" .',
         TURTLE, says=("utf-8",)),
    Case("invalid utf-8 json", "POST", "/passports", b'{"batteryId": "\xff"}', PLAIN_JSON,
         says=("utf-8",)),
    Case("invalid utf-8 json-ld", "POST", "/validate", b'{"@id": "\xff"}', JSONLD,
         says=("utf-8",)),
    Case("invalid utf-8 query", "POST", "/sparql", b'ASK { ?s ?p "\xff" }', SPARQL_QUERY,
         says=("utf-8",)),
    Case("invalid utf-8 form", "POST", "/sparql", b"query=\xff", FORM, says=("utf-8",)),
    # -- wrong content types ----------------------------------------------------------------------
    Case("passport as text/plain", "POST", "/passports", b"x", {"Content-Type": "text/plain"},
         says=("content-type",)),
    Case("passport without content type", "POST", "/passports", b"x",
         says=("content-type",)),
    Case("passport with a garbage content type", "POST", "/passports", b"x",
         {"Content-Type": ";;;==="}, says=("content-type",)),
    Case("query as application/xml", "POST", "/sparql", b"<x/>",
         {"Content-Type": "application/xml"}, says=("content-type",)),
    Case("graph as text/plain", "PUT", "/store?graph=http://x/g", b"<a> <b> <c> .",
         {"Content-Type": "text/plain"}, admin=True, says=("content-type",)),
    # -- parameters -------------------------------------------------------------------------------
    Case("timeout not a number", "GET", "/sparql?query=ASK%7B%7D&timeout=soon",
         says=("timeout",)),
    Case("audit limit out of range", "GET", "/audit?limit=0", admin=True),
    Case("bad token", "GET", "/sparql?query=ASK%7B%7D",
         headers={"Authorization": "Bearer dbp_000000000000_nope"}),
    Case("bad authorization scheme", "GET", "/sparql?query=ASK%7B%7D",
         headers={"Authorization": "Basic dXNlcjpwYXNz"}, says=("bearer",)),
]


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    with start_server(make_settings(load_reference_ontologies=False, enable_update=True)) as live:
        yield live


@pytest.fixture(scope="module")
def admin(server: LiveServer) -> str:
    return server.token()


def _assert_problem(status: int, content_type: str, text: str, says: tuple[str, ...]) -> None:
    assert 400 <= status < 500, text[:500]
    assert content_type.startswith("application/problem+json"), content_type
    for leak in LEAKS:
        assert leak not in text, f"{leak!r} in {text[:500]}"
    body = json.loads(text)
    assert body["status"] == status
    assert isinstance(body.get("detail"), str) and body["detail"].strip(), body
    for word in says:
        assert word.lower() in body["detail"].lower(), body["detail"]


@pytest.mark.parametrize("case", CORPUS, ids=[c.name for c in CORPUS])
def test_malformed_request_gets_a_4xx_problem(server: LiveServer, admin: str, case: Case) -> None:
    # Writes are refused before their content is read when the caller may not write at all
    # (tests/security/test_hostile_documents.py), so malformed passports are sent by an admin.
    writes = case.method == "POST" and case.path.startswith("/passports")
    with server.client(admin if case.admin or writes else None) as client:
        response = client.request(case.method, case.path, content=case.body,
                                  headers=case.headers)
    _assert_problem(response.status_code, response.headers.get("content-type", ""),
                    response.text, case.says)


def test_huge_content_length_is_refused_before_reading(server: LiveServer) -> None:
    """A declared body of 100 TB is answered 413 at once, without waiting for the bytes."""
    port = int(server.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(b"POST /validate HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     b"Content-Type: text/turtle\r\nContent-Length: 100000000000000\r\n\r\n")
        data = b""
        while b"\r\n\r\n" not in data or not data.rstrip().endswith(b"}"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split()[1])
    content_type = next(line.split(b":", 1)[1].strip().decode()
                        for line in head.split(b"\r\n")[1:]
                        if line.lower().startswith(b"content-type:"))
    _assert_problem(status, content_type, body.decode(), ("limit",))
    assert status == 413
