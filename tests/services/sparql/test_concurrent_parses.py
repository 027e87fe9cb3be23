"""Bench smoke of stop 30: /sparql answered 500 ("Param.postParse2() missing 1 required positional
argument: 'tokenList'") when a request's SERVICE check parsed its text while the app parsed the
rule analyses in its background thread: rdflib's SPARQL grammar (pyparsing) is not thread-safe.
Every parse holds one lock now; parses from many threads at once all succeed."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from graph_service.services.sparql.query_analysis import (
    analyse_query,
    parses_as_update,
    read_predicates,
)

BASE = "http://127.0.0.1:8000/"


def _service_query(i: int) -> str:
    # "SERVICE" makes the analysis parse; the literal makes every text new (no cache).
    return (f'SELECT * WHERE {{ ?s <urn:p> "{i}" . '
            f"SERVICE <http://example.org/sparql> {{ ?s ?p ?o }} }}")


def _rule_text(i: int) -> str:
    return (f"PREFIX dbp: <https://w3id.org/dbp#> CONSTRUCT {{ ?b dbp:x ?o }} WHERE {{ "
            f'?b dbp:batteryId ?id ; dbp:model ?o . FILTER(?id != "{i}") '
            f"OPTIONAL {{ ?b dbp:chemistry ?c }} }}")


def _parse(i: int) -> tuple[bool, bool, bool]:
    analysis = analyse_query(_service_query(i), BASE)
    update = parses_as_update(f'INSERT DATA {{ <urn:s> <urn:p> "{i}" }}')
    predicates = read_predicates(_rule_text(i), BASE)
    return analysis.parsed, update, predicates is not None


def test_many_threads_parse_at_once_without_failures() -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(_parse, range(160)))
    assert results == [(True, True, True)] * 160
