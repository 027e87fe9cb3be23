"""Finding (third hostile probe): one anonymous client sending runaway SPARQL queries in parallel
(a three-way cartesian product under COUNT) held every query worker until the queries' 30 s
deadlines; every other caller's query - an ``ASK {}`` by an OEM - waited 29 s for a worker. A
caller (a principal; anonymous callers per client address) may now have at most one query less
in progress than there are workers (``DBP_QUERY_CONCURRENCY``); more get 429 with Retry-After at
once, and another caller's query is answered while the runaways run."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import LiveServer, make_settings, start_server

JSON = {"Accept": "application/sparql-results+json"}
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
WORKERS = 3
TIMEOUT = 12


@pytest.fixture(scope="module")
def live() -> Iterator[LiveServer]:
    with start_server(make_settings(query_workers=WORKERS)) as server:
        yield server


def test_one_client_cannot_hold_every_query_worker(live: LiveServer) -> None:
    answers: list[httpx.Response] = []

    def runaway() -> None:
        with live.client() as own:
            answers.append(own.get("/sparql", headers=JSON,
                                   params={"query": RUNAWAY, "timeout": TIMEOUT}))

    threads = [threading.Thread(target=runaway) for _ in range(WORKERS + 2)]
    for thread in threads:
        thread.start()
    time.sleep(1.0)
    with live.client(live.token("oem", "rheinvolt")) as other:
        started = time.monotonic()
        answer = other.get("/sparql", params={"query": "ASK {}"}, headers=JSON)
        waited = time.monotonic() - started
    for thread in threads:
        thread.join(timeout=TIMEOUT + 30)
    assert answer.status_code == 200 and answer.json()["boolean"] is True, answer.text
    assert waited < TIMEOUT / 2, f"another caller's query waited {waited:.1f} s"
    refused = [a for a in answers if a.status_code == 429]
    assert len(refused) == 3, [a.status_code for a in answers]
    for response in refused:
        assert response.headers["Retry-After"]
        assert "SPARQL queries from this address (anonymous) are already in progress" in \
            response.json()["detail"], response.text
    assert all(a.status_code in (429, 503) for a in answers), [a.status_code for a in answers]


def test_the_limit_is_per_caller(live: LiveServer) -> None:
    """Sequential queries of one caller are never refused."""
    with live.client() as client:
        for _ in range(WORKERS + 2):
            assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 200
