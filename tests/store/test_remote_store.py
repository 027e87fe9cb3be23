"""The remote adapter against a real ``oxigraph serve`` process.

``TestRemoteStoreContract`` runs the whole store contract of ``test_oxigraph_store.py`` over
HTTP; the functions below cover what only the remote adapter does (batching, the wire protocol,
an unreachable server).
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from rdflib import Graph, Literal, Namespace
from rdflib.compare import isomorphic

from graph_service.store.base import ChangeSet, QuerySyntaxError, RdfFormat
from graph_service.store.remote import _BATCH, RemoteStore, RemoteStoreError
from tests.support.oxigraph_server import (
    OxigraphServer,
    oxigraph_executable,
    running_oxigraph_server,
)
from tests.support.virtuoso_server import VirtuosoServer

from . import test_oxigraph_store as contract  # a module, so its test class is not re-collected

pytestmark = pytest.mark.skipif(
    oxigraph_executable() is None, reason="the `oxigraph` executable is not installed"
)

EX = Namespace("http://example.org/")
G_A = EX["graph/a"]


class TestRemoteStoreContract(contract.TestStoreContract):
    @pytest.fixture
    def store(self, remote_store: RemoteStore) -> RemoteStore:
        return remote_store


def test_bulk_load_sends_batches(remote_store: RemoteStore):
    total = _BATCH + 3
    quads = ((EX[f"s{i}"], EX.p, Literal(i), G_A) for i in range(total))

    assert remote_store.bulk_load(quads) == total

    assert remote_store.count(G_A) == total


def test_loaded_data_is_visible_through_the_graph_store_protocol(
    remote_store: RemoteStore, remote_server: OxigraphServer | VirtuosoServer
):
    remote_store.load(contract.SAMPLE_TTL.encode(), RdfFormat.TURTLE, graph=G_A)
    auth = (httpx.DigestAuth(remote_server.username, remote_server.password)
            if isinstance(remote_server, VirtuosoServer) else None)

    response = httpx.get(
        remote_server.store_url, params={"graph": str(G_A)},
        headers={"Accept": "application/n-triples"}, auth=auth,
    )

    assert response.status_code == 200
    assert isomorphic(Graph().parse(data=response.text, format="nt"), contract.sample_graph())


def test_server_syntax_errors_keep_their_position(remote_store: RemoteStore):
    with pytest.raises(QuerySyntaxError) as caught:
        remote_store.query("PREFIX ex: <http://example.org/>\nSELECT * WHERE { ?s ex:p }")

    assert caught.value.line == 2
    assert caught.value.column is not None


def test_bindings_work_for_construct_and_ask(remote_store: RemoteStore):
    remote_store.apply(ChangeSet(insert=[(EX.c1, EX.p, Literal("one"), None),
                                         (EX.c2, EX.p, Literal("two"), None)]))

    construct = remote_store.query(
        "CONSTRUCT { ?s <http://example.org/q> ?o } WHERE { ?s ?p ?o }",
        bindings={"s": EX.c2},
    )
    ask = remote_store.query("ASK { ?s ?p 'one' }", bindings={"s": EX.c2})

    assert set(construct.triples()) == {(EX.c2, EX.q, Literal("two"))}
    assert ask.boolean is False


def test_a_stopped_server_raises_remote_store_error(tmp_path: Path):
    with running_oxigraph_server(tmp_path) as server:
        store = RemoteStore(server.query_url, server.update_url, server.store_url, timeout=5)
        store.update("INSERT DATA { <http://example.org/s> <http://example.org/p> 1 }")
        assert store.count() == 1
    assert not server.is_running()

    with pytest.raises(RemoteStoreError):
        store.count()
    with pytest.raises(RemoteStoreError):
        store.apply(ChangeSet(insert=[(EX.s, EX.p, EX.o, None)]))
    store.close()


def test_each_server_starts_empty(tmp_path: Path, remote_store: RemoteStore):
    remote_store.apply(ChangeSet(insert=[(EX.s, EX.p, EX.o, G_A)]))

    with running_oxigraph_server(tmp_path) as server:
        other = RemoteStore(server.query_url, server.update_url)
        try:
            assert other.count() == 0
            assert server.url != remote_store.query_url.rsplit("/", 1)[0]
        finally:
            other.close()
