"""Pre-bound variables become a VALUES block at the start of the WHERE group (store/values.py).

Oxigraph's planner ignores a substituted value under GROUP BY and scanned every battery's
versions on each write; the VALUES block makes it a constant. These tests hold where the block
goes, where it must not go, and that the answers are those of substitution."""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef

from graph_service.store.oxigraph import OxigraphStore
from graph_service.store.values import where_group_start, with_values_block

B = "<urn:b:1>"


@pytest.mark.parametrize(("query", "expected"), [
    ("SELECT ?x WHERE { ?x ?p ?o }", "SELECT ?x WHERE { VALUES (?b) { (<urn:b:1>) }  ?x ?p ?o }"),
    ("SELECT * { ?x ?p ?o }", "SELECT * { VALUES (?b) { (<urn:b:1>) }  ?x ?p ?o }"),
    ("ASK { ?x ?p ?o }", "ASK { VALUES (?b) { (<urn:b:1>) }  ?x ?p ?o }"),
    ("PREFIX e: <urn:e:{}> CONSTRUCT { ?x e:p \"{\" } WHERE { ?x ?p ?o }",
     "PREFIX e: <urn:e:{}> CONSTRUCT { ?x e:p \"{\" } WHERE { VALUES (?b) { (<urn:b:1>) }  "
     "?x ?p ?o }"),
    ("# a comment with { WHERE {\nSELECT (COUNT(*) AS ?n) WHERE { ?x ?p ?o } GROUP BY ?b",
     "# a comment with { WHERE {\nSELECT (COUNT(*) AS ?n) WHERE { VALUES (?b) { (<urn:b:1>) }  "
     "?x ?p ?o } GROUP BY ?b"),
    ("select ?x where { { select ?x where { ?x ?p ?o } } }",
     "select ?x where { VALUES (?b) { (<urn:b:1>) }  { select ?x where { ?x ?p ?o } } }"),
    ("DESCRIBE ?x WHERE { ?x ?p ?o }", "DESCRIBE ?x WHERE { VALUES (?b) { (<urn:b:1>) }  "
     "?x ?p ?o }"),
])
def test_block_opens_the_where_group(query: str, expected: str) -> None:
    assert with_values_block(query, {"b": B}) == expected


@pytest.mark.parametrize("query", [
    "DESCRIBE <urn:x>",  # no group at all
    "CONSTRUCT WHERE { ?x ?p ?o }",  # the short form allows triples only
    "SELECT ?x WHERE",  # not a query: leave it to the engine's error message
])
def test_no_block_where_none_may_go(query: str) -> None:
    assert where_group_start(query) is None
    assert with_values_block(query, {"b": B}) is None


def test_strings_and_iris_with_braces_are_skipped() -> None:
    query = ("SELECT ?x (CONCAT('{', \"}\") AS ?y) FROM <urn:g:x> "
             'WHERE { ?x ?p """ { """ }')
    start = where_group_start(query)
    assert start is not None and query[:start].endswith("WHERE {")


@pytest.fixture
def store() -> OxigraphStore:
    store = OxigraphStore()
    graph = URIRef("urn:graph:v")
    quads = []
    for battery in range(50):
        for version in range(1, 4):
            v = URIRef(f"urn:b:{battery}/version/{version}")
            quads += [(v, URIRef("urn:p:of"), URIRef(f"urn:b:{battery}"), graph),
                      (v, URIRef("urn:p:n"), Literal(version), graph)]
    store.bulk_load(quads)
    return store


def test_grouped_query_with_bindings_answers_for_the_bound_battery_only(store) -> None:
    result = store.query(
        "SELECT ?battery (MAX(?n) AS ?last) (COUNT(?v) AS ?count) WHERE { "
        "?v <urn:p:of> ?battery ; <urn:p:n> ?n } GROUP BY ?battery",
        bindings={"battery": URIRef("urn:b:7")}, default_graph=[URIRef("urn:graph:v")])
    rows = list(result.rows())
    assert rows == [{"battery": URIRef("urn:b:7"), "last": Literal(3), "count": Literal(3)}]


def test_bound_value_is_visible_to_bind(store) -> None:
    result = store.query("SELECT ?battery ?text WHERE { BIND(STR(?battery) AS ?text) }",
                         bindings={"battery": URIRef("urn:b:7")})
    assert [row["text"] for row in result.rows()] == [Literal("urn:b:7")]


def test_literal_values_are_escaped(store) -> None:
    tricky = Literal('a "quoted" } value\n')
    result = store.query("SELECT ?v WHERE { BIND(?v AS ?w) }", bindings={"v": tricky})
    assert [row["v"] for row in result.rows()] == [tricky]
