"""Issue 14, finding 1: the SERVICE allow-list could be bypassed by syntax.

``ex:a\\'`` and ``ex:a\\#`` are legal prefixed names (PN_LOCAL_ESC); the hand-written scanner took
them for the start of a string or a comment, never saw the SERVICE behind them, and the engine
POSTed to the named URL (an anonymous, full-read SSRF). Whatever the syntax, the server must never
connect to an endpoint that is not allow-listed, and a refused call answers one fixed message (no
network error text: no port-scan oracle).
"""

from __future__ import annotations

import httpx
import pytest

from graph_service.services.access import ANONYMOUS
from graph_service.services.sparql import SparqlService
from tests.security.conftest import Canary

JSON = {"Accept": "application/sparql-results+json"}
SPARQL_QUERY = {"Content-Type": "application/sparql-query"}


def probes(target: str) -> list[str]:
    """The exact probes of the finding, and the same idea spelled other ways."""
    folder = target.rsplit("/", 1)[0] + "/"
    return [
        # the two probes of the finding
        "PREFIX ex: <http://ex/> SELECT * WHERE { BIND(ex:a\\' AS ?z) "
        f"SERVICE <{target}> {{ ?s ?p ?o }} BIND('' AS ?w) }}",
        "PREFIX ex: <http://ex/> SELECT * WHERE { BIND(ex:a\\# AS ?z) "
        f"SERVICE <{target}> {{ ?s ?p ?o }} BIND('' AS ?w) }}",
        # a double quote and a long-string quote as local-name escapes
        'PREFIX ex: <http://ex/> SELECT * WHERE { BIND(ex:a\\" AS ?z) '
        f"SERVICE <{target}> {{ ?s ?p ?o }} }}",
        # the keyword written with code-point escapes (SPARQL 1.1 section 19.2)
        f"SELECT * WHERE {{ \\u0053ERVICE <{target}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ \\U00000053\\U00000045RVICE <{target}> {{ ?s ?p ?o }} }}",
        # a code-point escape that ends a comment early: the SERVICE is on a line of its own
        f"SELECT * WHERE {{ # nothing here\\u000A SERVICE <{target}> {{ ?s ?p ?o }} }}",
        # lower case, SILENT, nested in OPTIONAL / a subquery / FILTER EXISTS
        f"select * where {{ service silent <{target}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ OPTIONAL {{ SERVICE <{target}> {{ ?s ?p ?o }} }} }}",
        f"SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }} }} }}",
        f"ASK {{ FILTER EXISTS {{ SERVICE <{target}> {{ ?s ?p ?o }} }} }}",
        # the target through a prefix and through BASE
        f"PREFIX t: <{folder}> SELECT * WHERE {{ SERVICE t:sparql {{ ?s ?p ?o }} }}",
        f"BASE <{folder}> SELECT * WHERE {{ SERVICE <sparql> {{ ?s ?p ?o }} }}",
        # a variable endpoint
        f"SELECT * WHERE {{ BIND(<{target}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
    ]


NETWORK_WORDS = ("connection refused", "port", "connect", "timed out", "dns", "resolve",
                 "reset", "os error")


def _assert_refused(response: httpx.Response) -> None:
    assert 400 <= response.status_code < 500, response.text
    detail = response.json()["detail"].lower()
    for word in NETWORK_WORDS:
        assert word not in detail, (word, detail)


@pytest.mark.parametrize("probe", range(len(probes("x"))))
def test_no_syntax_reaches_a_host_that_is_not_allow_listed(server_factory, canary: Canary,
                                                          probe: int) -> None:
    live = server_factory(load_reference_ontologies=False,
                          service_allowlist=["http://127.0.0.1:1/allowed"])
    query = probes(canary.url)[probe]
    with live.client() as client:
        for response in (client.get("/sparql", params={"query": query}, headers=JSON),
                         client.post("/sparql", content=query, headers=SPARQL_QUERY | JSON)):
            _assert_refused(response)
    assert canary.connections == [], f"the server connected to the canary for {query!r}"


def test_a_refused_service_says_nothing_about_the_target(server_factory, canary: Canary) -> None:
    """A listening port and a closed one get the same answer: no port-scan oracle."""
    live = server_factory(load_reference_ontologies=False)
    template = ("PREFIX ex: <http://ex/> SELECT * WHERE { BIND(ex:a\\' AS ?z) "
                "SERVICE <%s> { ?s ?p ?o } }")
    with live.client() as client:
        answers = [client.get("/sparql", params={"query": template % url}, headers=JSON)
                   for url in (canary.url, "http://127.0.0.1:1/sparql",
                               "http://192.0.2.1:8080/sparql")]
    for answer in answers:
        _assert_refused(answer)
    assert len({(a.status_code, a.json()["detail"]) for a in answers}) == 1
    assert canary.connections == []


def test_in_process_evaluation_fails_closed(services, canary: Canary) -> None:
    """The in-process path (an in-memory store of the test fixture: no sandbox) refuses what it
    cannot prove free of SERVICE calls; it never lets the engine try."""
    import asyncio

    sparql: SparqlService = services.sparql
    dataset = sparql.dataset_for(ANONYMOUS)
    for query in probes(canary.url):
        with pytest.raises(Exception) as raised:
            asyncio.run(sparql.query(query, dataset))
        assert "allow" in str(raised.value).lower() or "cannot be checked" in str(
            raised.value).lower(), (query, raised.value)
    assert canary.connections == []
