"""Issue 17: a query worker lets the engine write JSON and TSV answers (several times faster than
building them in Python); the answers must carry exactly the terms the Python writer carried, and
the row cap must hold whichever path writes them.

Real parts: an on-disk pyoxigraph store, real worker processes (``QueryIsolation``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import URIRef

from graph_service.store.base import QueryKind, RdfFormat, ResultTooLarge
from graph_service.store.isolation import QueryIsolation
from graph_service.store.oxigraph import OxigraphStore
from graph_service.store.query_worker import ROW_BYTES_BUDGET
from graph_service.store.result_formats import (
    ENGINE_SOLUTION_FORMATS,
    JSON,
    TSV,
    serialize_solutions,
)

EX = "http://example.org/"
# Terms whose text a writer can get wrong: boundary whitespace, carriage returns, tabs, quotes,
# markup characters, non-ASCII, language tags, datatypes, blank nodes.
AWKWARD = [
    ox.Literal(" leading and trailing "),
    ox.Literal("carriage\r\nreturn and\ttab"),
    ox.Literal('quote " and backslash \\ and <&>'),
    ox.Literal("Zellchemie: Nickel-Mangan-Kobalt, 55 °C, ✓"),
    ox.Literal("Akku", language="de"),
    ox.Literal("12.5", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")),
    ox.Literal("2024-03-01", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")),
    ox.NamedNode(f"{EX}iri?with=query&and#fragment"),
]


def _awkward_ntriples() -> list[str]:
    """The awkward terms as N-Triples, one subject each, and a blank-node subject."""
    lines = [f"<{EX}s{i}> <{EX}p> {term} ." for i, term in enumerate(AWKWARD)]
    lines.append(f'_:b1 <{EX}p> "blank" .')
    return lines


SELECT_ALL = "SELECT ?s ?o ?unbound WHERE { ?s <http://example.org/p> ?o } ORDER BY STR(?o)"


@pytest.fixture(scope="module")
def isolation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[QueryIsolation]:
    folder: Path = tmp_path_factory.mktemp("worker-answers")
    store = OxigraphStore(folder / "store")
    lines = _awkward_ntriples()
    lines.extend(f'<{EX}long{i}> <{EX}long> "{"x" * 3 * ROW_BYTES_BUDGET}" .' for i in range(2))
    store.load("\n".join(lines).encode(), RdfFormat.N_TRIPLES, graph=URIRef(f"{EX}graph"))
    pool = QueryIsolation(store, folder / "snapshots", workers=1, memory_limit=0, sandbox="off")
    try:
        yield pool
    finally:
        pool.close()
        store.close()


def _answer(isolation: QueryIsolation, text: str, media_type: str, max_rows: int = 100):
    return isolation.run(text, default_graph=[f"{EX}graph"], named_graphs=None, base_iri=None,
                         timeout=60, max_rows=max_rows,
                         media_types={QueryKind.SELECT: media_type})


def _python_writer(store_text: str, media_type: str) -> bytes:
    """The same answer written by our Python writer (the reference for the engine's)."""
    store = ox.Store()
    store.extend(ox.parse("\n".join(_awkward_ntriples()).encode(),
                          format=ox.RdfFormat.N_TRIPLES))
    solutions = store.query(store_text)
    names = [v.value for v in solutions.variables]
    return serialize_solutions(list(solutions), names, media_type)


def _terms(body: bytes, media_type: str) -> list[dict[str, str]]:
    engine_format = ENGINE_SOLUTION_FORMATS[media_type]
    solutions = ox.parse_query_results(body, format=engine_format)
    names = [v.value for v in solutions.variables]
    return [{n: str(row[n]) for n in names if row[n] is not None} for row in solutions]


@pytest.mark.parametrize("media_type", [JSON, TSV])
def test_engine_written_answer_carries_the_same_terms(isolation: QueryIsolation,
                                                      media_type: str) -> None:
    answer = _answer(isolation, SELECT_ALL, media_type)
    assert answer.media_type == media_type
    assert answer.rows == len(AWKWARD) + 1
    written = _terms(answer.body, media_type)
    # Blank node labels are the engine's own; compare them by kind.
    reference = _terms(_python_writer(SELECT_ALL, media_type), media_type)
    assert [{k: v if not v.startswith("_:") else "_:" for k, v in row.items()}
            for row in written] == [
        {k: v if not v.startswith("_:") else "_:" for k, v in row.items()} for row in reference]
    # (terms in N-Triples form) the carriage return is kept, not turned into a line feed
    assert any(r"carriage\r\nreturn" in row["o"] for row in written)
    assert all("unbound" not in row for row in written)


@pytest.mark.parametrize("media_type", [JSON, TSV])
def test_row_cap_holds_on_the_engine_path(isolation: QueryIsolation, media_type: str) -> None:
    with pytest.raises(ResultTooLarge):
        _answer(isolation, SELECT_ALL, media_type, max_rows=3)
    assert _answer(isolation, SELECT_ALL + " LIMIT 3", media_type, max_rows=3).rows == 3


def test_rows_past_the_byte_budget_are_counted_one_by_one(isolation: QueryIsolation) -> None:
    long_rows = "SELECT ?s ?o WHERE { ?s <http://example.org/long> ?o } ORDER BY ?s"
    # Two rows of 3 x the per-row budget each: within a cap of 2 rows they are answered (the
    # worker evaluates again and writes them itself) ...
    answer = _answer(isolation, long_rows, JSON, max_rows=2)
    assert answer.rows == 2
    long_literal = f'"{"x" * 3 * ROW_BYTES_BUDGET}"'
    assert [row["o"] for row in _terms(answer.body, JSON)] == [long_literal] * 2
    # ... and past a cap of 1 row refused as too large, not a memory failure.
    with pytest.raises(ResultTooLarge):
        _answer(isolation, long_rows, JSON, max_rows=1)


def test_empty_and_variable_free_answers_count_their_rows(isolation: QueryIsolation) -> None:
    for text, rows in (("SELECT * WHERE {}", 1), ("SELECT ?x WHERE { FILTER(false) }", 0),
                       ("SELECT ?y WHERE { VALUES ?x { 1 2 3 } }", 3)):
        for media_type in (JSON, TSV):
            answer = _answer(isolation, text, media_type)
            assert answer.rows == rows, (text, media_type)
            assert len(_terms(answer.body, media_type)) == rows
