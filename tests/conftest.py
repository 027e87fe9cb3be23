"""Shared fixtures: settings, in-process services, and a real uvicorn server on 127.0.0.1.

The server fixtures run the real application under uvicorn in a background thread and talk to
it over TCP, so every HTTP test exercises the same stack a client sees.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from rdflib import Graph

from graph_service.api.app import create_app
from graph_service.api.server_protocol import header_deadline_protocol
from graph_service.config import Settings, address_base_iri
from graph_service.container import Services, build_services
from graph_service.services.access import Role
from graph_service.services.fleet.demo import write_demo_organisations
from graph_service.store import open_memory_store
from graph_service.store.base import GraphStore

TEST_ORGANISATIONS = Path(__file__).resolve().parent / "data" / "organisations.ttl"


def register_test_organisations(services: Services) -> None:
    """The records of every organisation the demo fleet and tests/data name (passports may only
    name registered organisations)."""
    write_demo_organisations(services)
    extra = Graph().parse(TEST_ORGANISATIONS, format="turtle")
    extra.parse(TEST_ORGANISATIONS.parent / "catenax" / "organisations.ttl", format="turtle")
    extra.parse(TEST_ORGANISATIONS.parent / "batterypass" / "organisations.ttl", format="turtle")
    extra.parse(TEST_ORGANISATIONS.parent / "battinfo" / "organisations.ttl", format="turtle")
    for org in set(extra.subjects()):
        org_id = str(org).rsplit("/", 1)[-1]
        record = Graph()
        iri = services.minter.organisation(org_id)  # the server's own base IRI
        for _, p, o in extra.triples((org, None, None)):
            record.add((iri, p, o))
        checked = services.organisations.checked(org_id, record)
        services.store.apply(services.organisations.changes(org_id, checked))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_settings(**overrides: object) -> Settings:
    """Test settings: in-memory store, loopback, no .env influence."""
    values: dict[str, object] = {
        "environment": "test",
        "store": ":memory:",
        "host": "127.0.0.1",
        "base_iri": "http://127.0.0.1:8000/",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@dataclass
class LiveServer:
    """A running uvicorn server; ``url`` is its base URL (no trailing slash)."""

    url: str
    services: Services
    server: uvicorn.Server
    thread: threading.Thread

    @property
    def sparql(self) -> str:
        return f"{self.url}/sparql"

    def token(self, role: Role | str = Role.ADMIN, organisation: str | None = "test-org") -> str:
        role = Role(role)
        return self.services.principals.create(role, organisation).token

    def client(self, token: str | None = None, **kwargs: object) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60, **kwargs)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)

    # A module fixture shares one server: ``with start_server(...) as live: yield live`` stops
    # it however the module's tests end.
    def __enter__(self) -> LiveServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_server(settings: Settings, store: GraphStore | None = None, *,
                 organisations: bool = True) -> LiveServer:
    """A real server; ``organisations``: register the demo organisations first (passports may
    only name registered organisations, and their records are not passport data)."""
    port = free_port()
    update: dict[str, object] = {"port": port}
    if settings.base_iri_derived:  # the base IRI follows the address (make_settings(base_iri=""))
        update["base_iri"] = address_base_iri(settings.host, port)
    settings = settings.model_copy(update=update)
    app = create_app(settings, store)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                            access_log=False, lifespan="on",
                            http=header_deadline_protocol(settings.header_read_timeout_seconds))
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    if organisations:
        register_test_organisations(app.state.services)
    return LiveServer(f"http://127.0.0.1:{port}", app.state.services, server, thread)


@pytest.fixture(scope="session")
def settings() -> Settings:
    return make_settings()


@pytest.fixture
def services() -> Services:
    """Fresh in-process services over an empty in-memory store (ontology loaded, demo
    organisations registered)."""
    services = build_services(make_settings(), open_memory_store())
    register_test_organisations(services)
    return services


@pytest.fixture
def server_factory() -> Iterator[Callable[..., LiveServer]]:
    """Start servers with custom settings; all are stopped at the end of the test."""
    started: list[LiveServer] = []

    def factory(store: GraphStore | None = None, **overrides: object) -> LiveServer:
        live = start_server(make_settings(**overrides), store)
        started.append(live)
        return live

    yield factory
    for live in started:
        live.stop()


@pytest.fixture
def addressed_server(server_factory: Callable[..., LiveServer]) -> LiveServer:
    """A server whose base IRI is its own address (http://127.0.0.1:{port}/), so every IRI it
    mints and every link it sends dereferences, as with `dbp serve` and no DBP_BASE_IRI."""
    return server_factory(base_iri="", enable_update=True)


@pytest.fixture
def live_server(server_factory: Callable[..., LiveServer]) -> LiveServer:
    """A server over an empty in-memory store, with SPARQL Update enabled for admins."""
    return server_factory(enable_update=True)
