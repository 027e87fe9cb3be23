"""Fixtures of the security regressions: a canary TCP listener that must never be called;
``server_factory_module`` starts servers shared by a module's tests; ``fleet`` is one stored
demo battery on a server of the test's own; the real ``oxigraph serve``
behind the remote adapter comes from the store tests."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest

from tests.conftest import LiveServer, make_settings, start_server
from tests.security.support import Fleet, stored_demo_battery
from tests.store.conftest import (
    oxigraph_server,
    remote_engine,
    remote_server,
    remote_store,
    virtuoso_server,
)

__all__ = [
    "Canary",
    "canary",
    "fleet",
    "oxigraph_server",
    "remote_engine",
    "remote_server",
    "remote_store",
    "server_factory_module",
    "virtuoso_server",
]


@dataclass
class Canary:
    """A TCP listener on 127.0.0.1 that records every connection it receives (and answers
    nothing useful). A SERVICE call that reaches it is a server-side request we must not make."""

    port: int
    connections: list[tuple[str, int]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sparql"


@pytest.fixture
def canary() -> Iterator[Canary]:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    listener.settimeout(0.2)
    found = Canary(listener.getsockname()[1])
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, address = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            found.connections.append(address)
            # A SPARQL answer, so that a leak would also be visible in the response body.
            try:
                connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results"
                                   b"+json\r\nContent-Length: 62\r\nConnection: close\r\n\r\n"
                                   b'{"head":{"vars":["s"]},"results":{"bindings":[{"s":'
                                   b'{"type":"uri"}}]}}'[:62])
            finally:
                connection.close()

    thread = threading.Thread(target=accept, name="canary", daemon=True)
    thread.start()
    yield found
    stop.set()
    thread.join(timeout=5)
    listener.close()


@pytest.fixture(scope="module")
def server_factory_module() -> Iterator[Callable[..., LiveServer]]:
    started: list[LiveServer] = []

    def factory(**overrides: object) -> LiveServer:
        live = start_server(make_settings(**overrides))
        started.append(live)
        return live

    yield factory
    for live in started:
        live.stop()


@pytest.fixture
def fleet(server_factory: Callable[..., LiveServer]) -> Fleet:
    """Demo battery 13 stored on a server of this test's own (tests that write change it).
    A module whose tests only read overrides it with a module-scoped one over
    ``server_factory_module``."""
    return stored_demo_battery(server_factory())
