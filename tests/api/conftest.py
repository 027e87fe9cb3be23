"""Fixtures for the HTTP tests: a small Turtle fixture loaded into a real server's view graphs.

The servers skip the 72 000-triple EMMO reference stack (``/ready`` is tested with the root
``live_server``, which loads it). Read-only tests share one server per module (``server``); tests
that write, or need other settings, start their own through the root ``server_factory``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from rdflib import Graph, Namespace

from graph_service.model.graphs import AccessGroup
from graph_service.services.access import Role
from graph_service.store.base import RdfFormat

# The root tests/conftest.py (imported by pytest as the top-level module ``conftest``): its
# function-scoped ``server_factory`` cannot serve the module-scoped ``server`` below.
from conftest import LiveServer, make_settings, start_server  # isort: skip

EX = Namespace("http://example.org/dbp-test#")
PREFIXES = (
    "PREFIX ex: <http://example.org/dbp-test#>\n"
    "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
)

# Anonymous callers read this (it goes into the public view graph).
PUBLIC_TTL = r"""
@prefix ex: <http://example.org/dbp-test#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

ex:battery1 a ex:Battery ;
    ex:label "Battery one"@en , "Batterie eins"@de , "Batterie un"@fr-BE ;
    ex:capacity "75.5"^^xsd:decimal ;
    ex:cycles 1200 ;
    ex:manufactured "2024-03-01"^^xsd:date ;
    ex:note "comma, \"quoted\" and\nnewline" ;
    ex:tabbed "tab\there; back\\slash" ;
    ex:unicode "Akku \u00e4\u00f6\u00fc \u20ac \u96fb\u6c60" ;
    ex:manufacturer ex:acme .

ex:battery2 a ex:Battery ;
    ex:label "Battery two"@en ;
    ex:capacity "60.25"^^xsd:decimal ;
    ex:cycles 300 ;
    ex:manufacturer ex:acme .

ex:acme ex:label "ACME Cells, Inc."@en ;
    ex:homepage <http://example.org/acme?a=1&b=2> .
"""

# Only callers with a legitimate interest (and admins) read this.
RESTRICTED_TTL = r"""
@prefix ex: <http://example.org/dbp-test#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

ex:battery1 ex:stateOfHealth "0.93"^^xsd:decimal ;
    ex:dismantling "remove the <cover> & unscrew" .
"""


def public_graph() -> Graph:
    return Graph().parse(data=PUBLIC_TTL, format="turtle")


def restricted_graph() -> Graph:
    return Graph().parse(data=RESTRICTED_TTL, format="turtle")


def load_fixture(live: LiveServer) -> None:
    layout = live.services.layout
    store = live.services.store
    store.load(PUBLIC_TTL.encode(), RdfFormat.TURTLE, graph=layout.view(AccessGroup.PUBLIC))
    store.load(RESTRICTED_TTL.encode(), RdfFormat.TURTLE,
               graph=layout.view(AccessGroup.LEGITIMATE_INTEREST))


# A query that computes for a while before its first row: a cross product over SLOW_TRIPLES
# triples, counted (16 million combinations, a few seconds; the engine releases the GIL).
SLOW_TRIPLES = 4000
SLOW_QUERY = PREFIXES + "SELECT (COUNT(*) AS ?n) WHERE { ?a ex:n ?x . ?b ex:n ?y }"
FAST_QUERY = PREFIXES + "ASK { ex:battery1 ex:cycles 1200 }"


def load_slow_data(live: LiveServer, triples: int = SLOW_TRIPLES) -> None:
    lines = [f"<{EX}s{i}> <{EX.n}> {i} ." for i in range(triples)]
    live.services.store.load("\n".join(lines).encode(), RdfFormat.TURTLE,
                             graph=live.services.layout.view(AccessGroup.PUBLIC))


def _settings(overrides: dict[str, object]) -> dict[str, object]:
    return {"load_reference_ontologies": False, "enable_update": True, **overrides}


@pytest.fixture
def start(server_factory: Callable) -> Callable:
    """Start a server with the fixture loaded; keyword arguments override settings."""

    def factory(**overrides: object) -> LiveServer:
        live = server_factory(**_settings(overrides))
        load_fixture(live)
        return live

    return factory


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    """One server per test module, fixture loaded, SPARQL Update enabled for admins.

    Shared, so tests using it must not change its data (principals are fine): tests that write
    use ``writable_server``.
    """
    with start_server(make_settings(**_settings({}))) as live:
        load_fixture(live)
        yield live


@pytest.fixture
def writable_server(start: Callable) -> LiveServer:
    """A server of this test's own, fixture loaded, SPARQL Update enabled for admins."""
    return start()


@pytest.fixture(scope="module")
def admin_token(server: LiveServer) -> str:
    return server.token(Role.ADMIN)
