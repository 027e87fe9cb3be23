"""Hostile probe of stop 30: a query nesting 3 000 groups (or a FILTER of 20 000 chained
additions, or 5 000 nested parentheses) overflowed the engine's stack: the query worker died and
the caller got 503 "retry" - anonymous, cheap, repeatable, and with queries run in-process it
would have killed the service. Such texts are a client error now: 400 with where, the same
for updates; the workers and the service live on.
"""

from __future__ import annotations

import pytest

from graph_service.services.sparql.query_text import MAX_CHAINED_OPERATORS, MAX_NESTING
from tests.conftest import LiveServer

HOSTILE = {
    "nested-groups": "SELECT * WHERE " + "{" * 3000 + "?s ?p ?o" + "}" * 3000,
    "nested-parentheses": "ASK { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }",
    "chained-additions": "ASK { FILTER(" + "+".join(["1"] * 20000) + " > 0) }",
    "chained-unions": "SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * 20000) + " }",
}


@pytest.fixture(scope="module")
def live(server_factory_module) -> LiveServer:
    return server_factory_module(load_reference_ontologies=False, enable_update=True)


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_query_the_engine_would_abort_on_is_a_400_and_nothing_dies(
        live: LiveServer, name: str) -> None:
    with live.client() as anonymous:
        answer = anonymous.post("/sparql", data={"query": HOSTILE[name]})
        assert answer.status_code == 400, answer.text
        assert "too complex" in answer.json()["detail"]
        assert answer.json().get("line") == 1 and answer.json().get("column")
        assert anonymous.get("/health").status_code == 200
        still = anonymous.post("/sparql", data={"query": "ASK { }"},
                               headers={"Accept": "application/sparql-results+json"})
    assert still.status_code == 200 and still.json()["boolean"] is True


def test_an_update_the_engine_would_abort_on_is_a_400(live: LiveServer) -> None:
    update = "INSERT { <urn:a> <urn:b> 1 } WHERE " + "{" * 3000 + "}" * 3000
    with live.client(live.token()) as admin:
        answer = admin.post("/sparql", data={"update": update})
    assert answer.status_code == 400, answer.text
    assert "too complex" in answer.json()["detail"]


def test_deep_but_sane_queries_still_run(live: LiveServer) -> None:
    depth = MAX_NESTING - 2
    nested = "SELECT * WHERE " + "{" * depth + "?s ?p ?o" + "}" * depth
    chained = "ASK { FILTER(" + "+".join(["1"] * (MAX_CHAINED_OPERATORS // 2)) + " > 0) }"
    with live.client() as anonymous:
        for query in (nested, chained):
            answer = anonymous.post("/sparql", data={"query": query},
                                    headers={"Accept": "application/sparql-results+json"})
            assert answer.status_code == 200, answer.text
