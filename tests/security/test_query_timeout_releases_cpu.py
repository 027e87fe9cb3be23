"""Issue 14, finding 4: a timed-out query kept its thread (and a core) computing.

With ``timeout=1`` the client got 503 at 1.5 s, but a query that computes long before its first
row (a cartesian product whose FILTER never matches, a deep property path, a huge GROUP BY) went
on in the background for minutes; four of them occupied every query worker. The CPU of a
timed-out query must be released within timeout + 1 s, whatever the query's shape, and other
requests must be served meanwhile.
"""

from __future__ import annotations

import threading
import time

import psutil
import pytest

from tests.conftest import LiveServer

JSON = {"Accept": "application/sparql-results+json"}
TIMEOUT = 1.0
# CPU seconds our process and its children may use in the second that follows timeout + 1 s:
# idle threads, the replacement worker starting and the measurement itself, never a runaway
# (which would use a whole core, about 1 CPU second per second).
IDLE_CPU = 0.35

# Every shape computes for minutes over the ontology graphs before it could yield a first row.
RUNAWAYS = {
    "cartesian-never-matching": (
        "SELECT ?a ?b WHERE { ?a ?p ?x . ?b ?q ?y "
        "FILTER(STR(?x) = CONCAT(STR(?y), 'never-matches')) }"),
    "deep-property-path": (
        "SELECT (COUNT(*) AS ?n) WHERE { ?a (<urn:x:p>|!<urn:x:p>)+ ?b }"),
    "huge-group-by": (
        "SELECT ?x (COUNT(*) AS ?n) WHERE { ?a ?p ?x . ?b ?q ?y } GROUP BY ?x"),
}


def _cpu_seconds() -> float:
    """User + system CPU of this process (it runs the test server) and all its children."""
    me = psutil.Process()
    total = sum(me.cpu_times()[:2])
    for child in me.children(recursive=True):
        try:
            total += sum(child.cpu_times()[:2])
        except psutil.NoSuchProcess:
            continue
    return total


@pytest.fixture(scope="module")
def ontology_server() -> LiveServer:
    from tests.conftest import make_settings, start_server

    live = start_server(make_settings(query_workers=2))
    yield live
    live.stop()


@pytest.mark.parametrize("shape", sorted(RUNAWAYS))
def test_a_timed_out_query_releases_its_cpu(ontology_server: LiveServer, shape: str) -> None:
    live = ontology_server
    answers: dict[str, object] = {}

    def runaway() -> None:
        with live.client() as own:
            started = time.monotonic()
            answers["response"] = own.get("/sparql", headers=JSON,
                                          params={"query": RUNAWAYS[shape], "timeout": TIMEOUT})
            answers["elapsed"] = time.monotonic() - started

    started = time.monotonic()
    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.3)
    # Other callers' requests are served while the runaway computes (the runaway's own client
    # may hold one less than every worker: test_one_client_cannot_hold_every_query_worker.py).
    with live.client(live.token("researcher", "research-org")) as client:
        during = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers=JSON)
        health = client.get("/health")
    thread.join(timeout=60)
    assert during.status_code == 200, during.text
    assert health.status_code == 200
    response = answers["response"]
    assert response.status_code == 503, response.text  # type: ignore[attr-defined]
    # From timeout + 1 s on, nothing of ours computes any more.
    time.sleep(max(0.0, started + TIMEOUT + 1.0 - time.monotonic()))
    before = _cpu_seconds()
    time.sleep(1.0)
    used = _cpu_seconds() - before
    assert used < IDLE_CPU, (
        f"{used:.2f} CPU seconds used in the second after timeout + 1 s ({shape}): the query "
        "is still being computed")
    # The service still answers queries afterwards.
    with live.client() as client:
        after = client.get("/sparql", params={"query": "ASK {}"}, headers=JSON)
    assert after.status_code == 200 and after.json()["boolean"] is True
