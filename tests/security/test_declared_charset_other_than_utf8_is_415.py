"""Third hostile probe: a body declared in another character encoding was read as UTF-8.

A SPARQL query sent as ``charset=ebcdic`` (or a passport as ``charset=latin-1`` whose bytes
happen to be ASCII) was evaluated or stored as if it were UTF-8; a body whose bytes are not UTF-8
got "not valid UTF-8", which does not say the declared encoding is the problem. Every text format
we read is UTF-8: another declared charset is 415 naming it. XML carries its own encoding
declaration (read by the XML parser), so RDF/XML keeps its charset parameter.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.conftest import LiveServer

ASK = b"ASK { ?s ?p ?o }"
TURTLE = b'<urn:example:a> <urn:example:b> "c" .'
RDF_XML = ('<?xml version="1.0" encoding="ISO-8859-1"?>\n'
           '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
           'xmlns:ex="urn:example:"><rdf:Description rdf:about="urn:example:a">'
           '<ex:b>caf\u00e9</ex:b></rdf:Description></rdf:RDF>').encode("latin-1")


@pytest.fixture(scope="module")
def live(server_factory_module: Callable[..., LiveServer]) -> LiveServer:
    return server_factory_module()


@pytest.mark.parametrize(("path", "body", "media_type"), [
    ("/sparql", ASK, "application/sparql-query"),
    ("/validate", TURTLE, "text/turtle"),
    ("/sparql", b"query=ASK%20%7B%7D", "application/x-www-form-urlencoded"),
])
@pytest.mark.parametrize("charset", ["ebcdic", "latin-1", '"UTF-16"'])
def test_a_body_declared_in_another_charset_is_415_naming_it(
        live: LiveServer, path: str, body: bytes, media_type: str, charset: str) -> None:
    with live.client(live.token()) as admin:
        answer = admin.post(path, content=body,
                            headers={"Content-Type": f"{media_type}; charset={charset}"})
    assert answer.status_code == 415, answer.text
    assert charset.strip('"').lower() in answer.json()["detail"].lower()


@pytest.mark.parametrize("charset", ["utf-8", "UTF-8", '"utf-8"', "us-ascii"])
def test_utf8_and_ascii_declarations_are_read(live: LiveServer, charset: str) -> None:
    with live.client(live.token()) as admin:
        answer = admin.post("/sparql", content=ASK, headers={
            "Content-Type": f"application/sparql-query; charset={charset}",
            "Accept": "application/sparql-results+json"})
    assert answer.status_code == 200, answer.text
    assert "boolean" in answer.json()


def test_rdf_xml_keeps_its_own_encoding_declaration(live: LiveServer) -> None:
    with live.client(live.token()) as admin:
        answer = admin.post("/validate", content=RDF_XML,
                            headers={"Content-Type": "application/rdf+xml; charset=ISO-8859-1"})
    assert answer.status_code != 415, answer.text
    assert answer.status_code < 500
