"""Fourth hostile probe, finding 3: an engine's message lost the caller's graph name. An admin's
``... ; DROP GRAPH <http://example.org/absent/graph>`` was answered "The graph <http:/<path>>
does not exist": the filter that keeps local file paths out of answers took every run of two or
more path segments, the authority and path of an IRI among them. The filter (one, for the
embedded store and the query workers) now takes paths that do not continue an IRI or a word;
a local file path is still taken out, and nothing of the refused update is applied."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from graph_service.store.base import engine_message
from tests.conftest import LiveServer

UPDATE = {"Content-Type": "application/sparql-update"}


@pytest.fixture(scope="module")
def server(server_factory_module: Callable[..., LiveServer]) -> LiveServer:
    return server_factory_module(enable_update=True)


def test_a_refused_update_names_the_graph_it_refers_to(server: LiveServer) -> None:
    absent = "http://example.org/absent/graph"
    written = "http://example.org/written/graph"
    with server.client(server.token("admin", "admin-org")) as client:
        response = client.post("/sparql", headers=UPDATE, content=(
            f"INSERT DATA {{ GRAPH <{written}> {{ <http://example.org/a> "
            f"<http://example.org/b> 1 }} }} ; DROP GRAPH <{absent}>").encode())
        assert response.status_code == 400, response.text
        assert f"<{absent}>" in response.json()["detail"]
        assert "<path>" not in response.text
        ask = f"ASK {{ GRAPH <{written}> {{ ?s ?p ?o }} }}"
        asked = client.post("/sparql", data={"query": ask},
                            headers={"Accept": "application/sparql-results+json"})
    assert asked.json()["boolean"] is False


@pytest.mark.parametrize(("text", "kept", "taken"), [
    ("The graph <http://example.org/a/b> does not exist", "<http://example.org/a/b>", None),
    ("IO error: /var/lib/dbp/store/000123.sst: No such file", "IO error: <path>",
     "/var/lib/dbp"),
    ("cannot open '/home/someone/store/LOCK'", "'<path>'", "/home/someone"),
    ("<urn:example:a/b/c> and <https://h.example/x/y/z>", "<https://h.example/x/y/z>", None),
])
def test_local_paths_are_taken_out_and_iris_kept(text: str, kept: str, taken: str | None) -> None:
    message = engine_message(text)
    assert kept in message
    assert taken is None or taken not in message
