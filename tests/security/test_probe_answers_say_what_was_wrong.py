"""Hostile probe of stop 30: refusals that did not say what was wrong.

* A gzip body (Content-Encoding: gzip) was parsed as Turtle: "'\\x1f' is not allowed at the
  beginning of a prefix name"; brotli was read as plain text. Now 415, naming the encoding.
* ``{"@context": {"@import": "file:///etc/passwd"}}`` answered the JSON-LD library's own text
  ("No LoadDocumentCallback ..."); ``@import`` is resolved like any context now: never fetched,
  and refused with what is available.
* The service's own JSON-LD answers name ``{base}context.jsonld``, which was refused on input: a
  document the service wrote could not be sent back.
* ``/store?graph=file:///etc/passwd`` said "must be an absolute IRI" of an absolute IRI.
"""

from __future__ import annotations

import gzip

import pytest

from tests.conftest import LiveServer
from tests.security.support import stored_demo_battery

TURTLE = (b"@prefix dbp: <https://w3id.org/dbp#> .\n"
          b"<http://127.0.0.1:8000/id/battery/X1> dbp:batteryId \"X1\" .\n")


@pytest.fixture(scope="module")
def live(server_factory_module) -> LiveServer:
    return server_factory_module(load_reference_ontologies=False)


@pytest.mark.parametrize("encoding", ["gzip", "br", "deflate"])
def test_a_compressed_body_is_a_415_naming_the_encoding(live: LiveServer, encoding: str) -> None:
    with live.client() as anonymous:
        answer = anonymous.post("/validate", content=gzip.compress(TURTLE), headers={
            "Content-Type": "text/turtle", "Content-Encoding": encoding})
    assert answer.status_code == 415, answer.text
    assert encoding in answer.json()["detail"] and "uncompressed" in answer.json()["detail"]


def test_import_of_a_local_file_context_is_refused_with_what_is_available(
        live: LiveServer) -> None:
    body = b'{"@context": {"@import": "file:///etc/passwd"}, "@id": "urn:x", "urn:p": "v"}'
    with live.client() as anonymous:
        answer = anonymous.post("/validate", content=body,
                                headers={"Content-Type": "application/ld+json"})
    assert answer.status_code == 400, answer.text
    detail = answer.json()["detail"]
    assert "file:///etc/passwd" in detail and "never fetched" in detail
    assert "LoadDocumentCallback" not in answer.text


def test_the_services_own_json_ld_answer_can_be_sent_back(live: LiveServer) -> None:
    fleet = stored_demo_battery(live)
    with live.client(live.token()) as admin:
        described = admin.get(f"/id/battery/{fleet.battery_id}",
                              headers={"Accept": "application/ld+json"})
        assert described.status_code == 200, described.text
        assert f"{live.url}/context.jsonld" in described.text
        again = admin.post(f"/validate?battery={fleet.battery_id}", content=described.content,
                           headers={"Content-Type": "application/ld+json"})
    # Read back as a passport: valid or not, never refused for its context.
    assert again.status_code in (200, 422), again.text
    assert "context" not in again.json().get("detail", "")


def test_a_graph_store_iri_of_another_scheme_says_which_schemes(live: LiveServer) -> None:
    with live.client(live.token()) as admin:
        answer = admin.get("/store", params={"graph": "file:///etc/passwd"})
    assert answer.status_code == 400
    assert "http:, https: or urn:" in answer.json()["detail"]
