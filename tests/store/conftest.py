"""Fixtures of the store tests: real stores only (pyoxigraph in memory and on disk, and real
``oxigraph serve`` and Virtuoso 7 processes behind the remote adapters)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from graph_service.store.base import ChangeSet
from graph_service.store.oxigraph import OxigraphStore
from graph_service.store.remote import RemoteStore
from graph_service.store.virtuoso import VirtuosoStore
from tests.support.oxigraph_server import (
    OxigraphServer,
    OxigraphServerUnavailable,
    running_oxigraph_server,
)
from tests.support.virtuoso_server import (
    VirtuosoServer,
    VirtuosoUnavailable,
    running_virtuoso_server,
)

REMOTE_ENGINES = ["oxigraph", "virtuoso"]


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    """One ``oxigraph serve`` for the session; each remote store test starts from it empty."""
    try:
        with running_oxigraph_server(tmp_path_factory.mktemp("oxigraph-server")) as server:
            yield server
    except OxigraphServerUnavailable as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    """One Virtuoso 7 for the session; each remote store test starts from it empty."""
    try:
        with running_virtuoso_server(tmp_path_factory.mktemp("virtuoso-server")) as server:
            yield server
    except VirtuosoUnavailable as exc:
        pytest.skip(str(exc))


def connect(engine: str, server: OxigraphServer | VirtuosoServer, timeout: float = 30
            ) -> RemoteStore:
    """The adapter for ``engine`` connected to ``server``."""
    if engine == "virtuoso":
        assert isinstance(server, VirtuosoServer)
        return VirtuosoStore(server.query_url, server.update_url, server.store_url,
                             timeout=timeout, username=server.username,
                             password=server.password)
    return RemoteStore(server.query_url, server.update_url, server.store_url, timeout=timeout)


def empty(store: RemoteStore) -> None:
    """Remove every quad we stored (Virtuoso refuses DROP ALL: its own graphs stay)."""
    if isinstance(store, VirtuosoStore):
        store.apply(ChangeSet(drop_graphs=store.graphs()))
        store.update("DROP SILENT DEFAULT")
    else:
        store.update("DROP ALL")


@pytest.fixture(params=REMOTE_ENGINES)
def remote_engine(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def remote_server(remote_engine: str, request: pytest.FixtureRequest
                  ) -> OxigraphServer | VirtuosoServer:
    return request.getfixturevalue(f"{remote_engine}_server")


@pytest.fixture
def remote_store(remote_engine: str, remote_server: OxigraphServer | VirtuosoServer
                 ) -> Iterator[RemoteStore]:
    store = connect(remote_engine, remote_server)
    empty(store)
    yield store
    empty(store)
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
