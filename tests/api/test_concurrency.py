"""A slow query must not hold up other callers: queries run on their own worker threads."""

from __future__ import annotations

import threading
import time

import httpx

from .conftest import FAST_QUERY, PREFIXES, SLOW_QUERY, SLOW_TRIPLES, load_slow_data

SPARQL_QUERY = {"Content-Type": "application/sparql-query"}


class Clock:
    """Requests sent from threads; records when each was sent and when its answer arrived."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.sent: dict[str, float] = {}
        self.done: dict[str, float] = {}
        self.answers: dict[str, httpx.Response] = {}
        self.threads: list[threading.Thread] = []

    def start(self, name: str, method: str, path: str, **kwargs: object) -> None:
        def run() -> None:
            with httpx.Client(base_url=self.url, timeout=60) as client:
                self.sent[name] = time.monotonic()
                self.answers[name] = client.request(method, path, **kwargs)
            self.done[name] = time.monotonic()

        thread = threading.Thread(target=run, name=f"client-{name}")
        thread.start()
        self.threads.append(thread)

    def join(self) -> None:
        for thread in self.threads:
            thread.join(timeout=60)
            assert not thread.is_alive()

    def took(self, name: str) -> float:
        return self.done[name] - self.sent[name]


def test_fast_query_returns_while_a_slow_query_runs(writable_server) -> None:
    load_slow_data(writable_server)
    clock = Clock(writable_server.url)
    clock.start("slow", "POST", "/sparql", content=SLOW_QUERY, headers=SPARQL_QUERY)
    time.sleep(0.3)  # the slow query is now being evaluated
    clock.start("fast", "GET", "/sparql", params={"query": FAST_QUERY})
    clock.start("health", "GET", "/health")
    clock.join()

    slow = clock.answers["slow"]
    assert slow.status_code == 200, slow.text
    assert int(slow.json()["results"]["bindings"][0]["n"]["value"]) == SLOW_TRIPLES**2
    assert clock.answers["fast"].json()["boolean"] is True
    assert clock.answers["health"].json()["status"] == "ok"
    timings = {name: round(clock.took(name), 2) for name in clock.done}
    assert clock.done["fast"] < clock.done["slow"], timings
    assert clock.done["health"] < clock.done["slow"], timings


def test_fast_query_returns_while_a_large_result_is_serialised(writable_server) -> None:
    """A result at the row limit takes seconds to write as CSV; that must not stall others."""
    load_slow_data(writable_server)
    large = PREFIXES + "SELECT * WHERE { ?a ex:n ?x . ?b ex:n ?y } LIMIT 100000"
    clock = Clock(writable_server.url)
    clock.start("large", "POST", "/sparql", content=large,
                headers={**SPARQL_QUERY, "Accept": "text/csv"})
    time.sleep(0.3)  # evaluated by now (~0.1 s); being serialised
    clock.start("fast", "GET", "/sparql", params={"query": FAST_QUERY})
    clock.start("health", "GET", "/health")
    clock.join()

    assert clock.answers["large"].status_code == 200
    assert clock.answers["large"].text.count("\r\n") == 100_001
    assert clock.answers["fast"].json()["boolean"] is True
    timings = {name: round(clock.took(name), 2) for name in clock.done}
    # Order, not duration: the small requests are answered while the large one is still written.
    assert clock.done["fast"] < clock.done["large"], timings
    assert clock.done["health"] < clock.done["large"], timings
