"""Fixtures of the store tests: real stores only (pyoxigraph in memory and on disk, and a real
``oxigraph serve`` process behind the remote adapter)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from graph_service.store.oxigraph import OxigraphStore
from graph_service.store.remote import RemoteStore
from tests.support.oxigraph_server import (
    OxigraphServer,
    OxigraphServerUnavailable,
    running_oxigraph_server,
)


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    """One ``oxigraph serve`` for the session; each remote store test starts from it empty."""
    try:
        with running_oxigraph_server(tmp_path_factory.mktemp("oxigraph-server")) as server:
            yield server
    except OxigraphServerUnavailable as exc:
        pytest.skip(str(exc))


@pytest.fixture
def remote_store(oxigraph_server: OxigraphServer) -> Iterator[RemoteStore]:
    store = RemoteStore(
        oxigraph_server.query_url, oxigraph_server.update_url, oxigraph_server.store_url,
        timeout=30,
    )
    store.update("DROP ALL")
    yield store
    store.update("DROP ALL")
    store.close()


@pytest.fixture
def memory_store() -> Iterator[OxigraphStore]:
    store = OxigraphStore(None)
    yield store
    store.close()


@pytest.fixture
def disk_store(tmp_path: Path) -> Iterator[OxigraphStore]:
    store = OxigraphStore(tmp_path / "store")
    yield store
    store.close()


@pytest.fixture(params=["memory", "disk"])
def embedded_store(request: pytest.FixtureRequest) -> OxigraphStore:
    """The embedded adapter, in memory and on disk (RocksDB)."""
    return request.getfixturevalue(f"{request.param}_store")
