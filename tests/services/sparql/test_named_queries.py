"""The named-query runner (services/sparql/named_queries.py) and the facade's query files
(queries/facade/*.rq): every file is a well-formed query with a header, and values reach a
query only as bound terms of variables the file declares."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from graph_service.services.sparql import Dataset
from graph_service.services.sparql.named_queries import (
    FACADE_QUERIES_DIR,
    INTERNAL_QUERIES_DIR,
    NamedQueries,
    NamedQueryError,
    UndeclaredBinding,
    load_named_queries,
    parse_named_query,
)
from graph_service.store import open_memory_store
from graph_service.store.base import GraphStore

EX = "http://example.org/named-queries#"
GRAPH = URIRef(EX + "graph")
DATASET = Dataset(default_graph=(GRAPH,), named_graphs=())
QUERY_FILES = sorted(FACADE_QUERIES_DIR.glob("*.rq"))


@pytest.fixture
def store() -> GraphStore:
    store = open_memory_store()
    store.update(
        "PREFIX dbp: <https://w3id.org/dbp#>\n"
        f"INSERT DATA {{ GRAPH <{GRAPH}> {{\n"
        f'  <{EX}a> dbp:batteryId "A" ; dbp:model "Pack \\"}} DROP ALL" .\n'
        f'  <{EX}b> dbp:batteryId "B" ; dbp:model "Other" .\n'
        f'  <{EX}c> dbp:batteryId "C" .\n'
        "} }")
    return store


def test_there_are_facade_query_files() -> None:
    assert len(QUERY_FILES) >= 30
    assert set(load_named_queries()) == {path.stem for path in QUERY_FILES}


@pytest.mark.parametrize("path", QUERY_FILES, ids=[p.stem for p in QUERY_FILES])
def test_every_facade_query_file_parses(path: Path) -> None:
    """Each file, with and without its optional filter lines, is a query the engine accepts
    (evaluated over an empty store through the store layer; a syntax error would raise)."""
    query = parse_named_query(path)
    assert query.id == path.stem and query.answers
    store = open_memory_store()
    for bound in (frozenset(), query.binds):
        result = store.query(query.text_for(bound), default_graph=[GRAPH], named_graphs=[])
        assert result.kind.value in ("select", "graph", "ask")


INTERNAL_FILES = sorted([*INTERNAL_QUERIES_DIR.glob("*.rq"), *INTERNAL_QUERIES_DIR.glob("*.ru")])


@pytest.mark.parametrize("path", INTERNAL_FILES, ids=[p.name for p in INTERNAL_FILES])
def test_every_internal_query_and_update_file_runs(path: Path) -> None:
    """Each internal file has a header and runs through the runner with its bindings (an
    update with every binding as a VALUES block), over an empty store."""
    query = parse_named_query(path)
    assert query.id == path.stem and query.answers
    store = open_memory_store()
    runner = NamedQueries(store, directory=INTERNAL_QUERIES_DIR)
    # A list binding (a VALUES block) fits every file; single terms are substituted, which
    # pyoxigraph allows only for projected variables (the callers' own use is tested with them).
    bindings = {name: [URIRef(EX + name)] for name in query.binds}
    if query.is_update:
        runner.update(query.id, **bindings)
    else:
        runner.run(query.id, DATASET, **bindings)
    assert runner.executed[query.id] == 1


def test_an_update_file_binds_through_values_and_changes_only_the_bound_graph() -> None:
    store = open_memory_store()
    other = URIRef(EX + "other")
    store.update(f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <{EX}a> <{EX}p> 1 . <{EX}b> <{EX}p> 2 }} "
                 f"GRAPH <{other}> {{ <{EX}a> <{EX}p> 1 }} }}")
    runner = NamedQueries(store, directory=INTERNAL_QUERIES_DIR)

    runner.update("graph-minus-graph", graph=GRAPH, without=other)

    assert set(store.graph(GRAPH)) == {(URIRef(EX + "b"), URIRef(EX + "p"), Literal(2))}
    assert len(store.graph(other)) == 1
    with pytest.raises(NamedQueryError, match="is an update"):
        runner.select("graph-minus-graph", DATASET)
    with pytest.raises(NamedQueryError, match="is a query"):
        runner.update("meta-values")
    with pytest.raises(UndeclaredBinding):
        runner.update("graph-minus-graph", graph=GRAPH, battery=other)


def test_the_runner_refuses_a_variable_the_file_does_not_declare(store: GraphStore) -> None:
    runner = NamedQueries(store)
    with pytest.raises(UndeclaredBinding, match=r"\?battery.*binds: \?s"):
        runner.select("node-properties", DATASET, battery=URIRef(EX + "a"))
    assert runner.total() == 0  # refused before anything ran


def test_an_unknown_query_id_is_refused(store: GraphStore) -> None:
    with pytest.raises(NamedQueryError, match="no query file"):
        NamedQueries(store).select("no-such-query", DATASET)


def test_a_list_binding_reads_every_bound_node_in_one_query(store: GraphStore) -> None:
    runner = NamedQueries(store)
    rows = runner.select("node-properties", DATASET, s=[URIRef(EX + "a"), URIRef(EX + "c")])
    assert {(str(r["s"]), str(r["o"])) for r in rows} == {
        (EX + "a", "A"), (EX + "a", 'Pack "} DROP ALL'), (EX + "c", "C")}
    assert runner.executed["node-properties"] == 1


def test_a_bound_literal_is_a_value_never_query_text(store: GraphStore) -> None:
    """A caller's text with quotes and braces is matched as a string, in a list binding and in
    a single one alike."""
    runner = NamedQueries(store)
    hostile = Literal('Pack "} DROP ALL')
    assert [str(r["b"]) for r in runner.select("battery-list", DATASET, model=hostile)] == [
        EX + "a"]
    assert runner.select("battery-list", DATASET, model=Literal('"} } #')) == []
    assert len(store.query(f"SELECT * WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}")) == 5


def test_an_iri_that_is_not_one_is_refused_in_a_list_binding(store: GraphStore) -> None:
    with pytest.raises(NamedQueryError, match="not an IRI"):
        NamedQueries(store).select("node-properties", DATASET,
                                   s=[URIRef(EX + "a> } ; DROP ALL ; SELECT * { <x")])


def test_limit_and_offset_are_integers_only(store: GraphStore) -> None:
    runner = NamedQueries(store)
    rows = runner.select("battery-list", DATASET, limit=1, offset=1)
    assert [str(r["id"]) for r in rows] == ["B"]
    with pytest.raises(TypeError):
        runner.select("battery-list", DATASET, limit="1 } DROP ALL")  # type: ignore[arg-type]


def test_an_unbound_optional_filter_line_is_left_out(store: GraphStore) -> None:
    runner = NamedQueries(store)
    assert [str(r["id"]) for r in runner.select("battery-list", DATASET)] == ["A", "B", "C"]
    text = runner.get("battery-list").text_for(frozenset({"model"}))
    assert "dbp:model ?m" in text and "dbp:chemistry ?chemistry" not in text


def test_a_query_file_needs_its_header(tmp_path: Path) -> None:
    (tmp_path / "nameless.rq").write_text("SELECT * WHERE { ?s ?p ?o }\n")
    with pytest.raises(NamedQueryError, match="# id: nameless"):
        parse_named_query(tmp_path / "nameless.rq")
    (tmp_path / "filtered.rq").write_text(
        "# id: filtered\n# binds: ?s\n# answers: a test\n"
        "SELECT * WHERE { ?s ?p ?o . ?s ?q ?x . # only if ?x is bound\n}\n")
    with pytest.raises(NamedQueryError, match="only if"):
        parse_named_query(tmp_path / "filtered.rq")
