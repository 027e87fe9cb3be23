"""Query timeouts (server-wide and per request), isolation of runaway queries, rate limits."""

from __future__ import annotations

import statistics
import threading
import time

import httpx
import pytest

from graph_service.model.graphs import AccessGroup
from graph_service.store.base import RdfFormat

EX = "http://example.org/hardening#"
PREFIX = f"PREFIX ex: <{EX}>\n"
SPARQL_QUERY = {"Content-Type": "application/sparql-query"}
RUNAWAY_TRIPLES = 20_000
# A cartesian product of 400 million pairs (minutes of work) that yields a row every few
# thousand pairs: the engine hands rows over regularly, so the per-row deadline check stops it.
RUNAWAY = PREFIX + (f"SELECT ?a ?b WHERE {{ ?a ex:n ?x . ?b ex:n ?y "
                    f"FILTER(?x + ?y = {RUNAWAY_TRIPLES - 1}) }}")
SIMPLE = PREFIX + "ASK { ex:s1 ex:n 1 }"


def _load_numbers(live, count: int) -> None:
    lines = [f"<{EX}s{i}> <{EX}n> {i} ." for i in range(count)]
    live.services.store.load("\n".join(lines).encode(), RdfFormat.TURTLE,
                             graph=live.services.layout.view(AccessGroup.PUBLIC))


def _latency(client: httpx.Client, path: str, **kwargs: object) -> float:
    started = time.perf_counter()
    response = client.get(path, **kwargs)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.text
    return elapsed


def _median_latencies(client: httpx.Client, samples: int) -> dict[str, float]:
    simple, health = [], []
    for _ in range(samples):
        simple.append(_latency(client, "/sparql", params={"query": SIMPLE}))
        health.append(_latency(client, "/health"))
    return {"simple": statistics.median(simple), "health": statistics.median(health)}


def _in_flight(client: httpx.Client) -> float:
    for line in client.get("/metrics").text.splitlines():
        if line.startswith("dbp_sparql_queries_in_flight "):
            return float(line.split()[1])
    raise AssertionError("no dbp_sparql_queries_in_flight in /metrics")


def test_runaway_queries_time_out_and_others_stay_fast(server_factory) -> None:
    """Two runaway queries with a 2 s per-request timeout (the server allows 30 s) get 503 with
    Retry-After at their own deadline; meanwhile a simple query and /health answer about as
    fast as before (each compared with its own median before the runaways started)."""
    live = server_factory(load_reference_ontologies=False, query_timeout=30, query_workers=4)
    _load_numbers(live, RUNAWAY_TRIPLES)
    request_timeout = 2.0
    with live.client() as client:
        _median_latencies(client, 5)  # warm up
        before = _median_latencies(client, 15)

        results: dict[int, tuple[httpx.Response, float]] = {}

        def runaway(n: int) -> None:
            with live.client() as own:
                started = time.perf_counter()
                response = own.post("/sparql", content=RUNAWAY, headers=SPARQL_QUERY,
                                     params={"timeout": request_timeout})
                results[n] = (response, time.perf_counter() - started)

        threads = [threading.Thread(target=runaway, args=(n,)) for n in range(2)]
        for thread in threads:
            thread.start()
        time.sleep(0.3)  # both are being evaluated now
        during = _median_latencies(client, 10)
        runaways_still_running = all(thread.is_alive() for thread in threads)
        for thread in threads:
            thread.join(timeout=60)

        for response, elapsed in results.values():
            assert response.status_code == 503, response.text
            assert response.headers["Retry-After"] == "1"
            assert response.headers["content-type"].startswith("application/problem+json")
            assert "2 s" in response.json()["detail"]
            # The request's own limit applied, not the server's 30 s.
            assert request_timeout <= elapsed < live.services.settings.query_timeout
        assert runaways_still_running, "the runaway queries ended before the measurement"
        factor = {name: during[name] / before[name] for name in before}
        # Latency ratios are measured by bench, not asserted here; what this test holds is the
        # order: twenty requests were answered while both runaways were still being evaluated
        # (a shared thread pool would have made them wait for the runaways' deadline).
        print(f"median latency before {before}, during two runaways {during}, ratio {factor}")

        # Streaming rows, the runaways checked their deadline per row: their threads are free.
        deadline = time.monotonic() + 10
        while _in_flight(client) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _in_flight(client) == 0


def test_a_huge_query_text_does_not_stall_other_requests(server_factory) -> None:
    """Inspecting a big query's text (FROM, SERVICE) takes Python time: it happens on a query
    thread, so /health keeps answering meanwhile instead of waiting for it."""
    live = server_factory(load_reference_ontologies=False)
    # A long VALUES block: a megabyte of short tokens, a second of Python tokenising
    big = "ASK { VALUES ?x { " + "<urn:x:1> " * 120_000 + "} }"
    with live.client() as client:
        before = statistics.median(_latency(client, "/health") for _ in range(15))
        done = threading.Event()
        answers: list[httpx.Response] = []

        took: list[float] = []

        def send_big() -> None:
            with live.client() as own:
                started = time.perf_counter()
                answers.append(own.post("/sparql", content=big, headers=SPARQL_QUERY))
                took.append(time.perf_counter() - started)
            done.set()

        thread = threading.Thread(target=send_big)
        thread.start()
        time.sleep(0.1)  # the server is reading or tokenising the query now
        during = []
        while not done.is_set() and len(during) < 50:
            during.append(_latency(client, "/health"))
        thread.join(timeout=120)
    assert answers and answers[0].status_code == 200, answers
    print(f"/health median before {before:.4f} s; during a 1.2 MB query ({took[0]:.2f} s): "
          f"{len(during)} answers, median {statistics.median(during):.4f} s")
    # On the event loop, the first /health would wait for the whole inspection and at most
    # one or two could be answered before the big query's answer: order, not duration.
    assert len(during) >= 5, f"only {len(during)} /health answers while the big query ran"


@pytest.mark.timeout(60)
def test_query_inspection_of_pathological_text_finishes() -> None:
    """The dataset/SERVICE tokenizer once rescanned every name run from each character: 80 kB of
    "a.a.a..." held the GIL (and so the whole server) for about a minute. Each of these texts is
    ten times that; linear inspection takes well under a second each, the quadratic one would
    take hours and hit the timeout. A FROM behind the noise must still be found.
    (The scaling table is ``python -m bench.query_inspection``.)"""
    from graph_service.services.sparql.query_text import inspect_query

    for unit in ("a.", "a-", "ex:a.", 'x"'):
        noise = unit * 400_000
        assert inspect_query('ASK { ?s ?p "" }\n' + noise).default_graphs == (), unit
        found = inspect_query("SELECT * FROM <urn:g:1> WHERE { ?s ?p ?o }\n" + noise)
        assert found.default_graphs == ("urn:g:1",), (unit, found)


def test_timeout_parameter_is_capped_and_validated(server_factory) -> None:
    live = server_factory(load_reference_ontologies=False, query_timeout=1)
    _load_numbers(live, RUNAWAY_TRIPLES)
    with live.client() as client:
        # Asking for more than the server allows gets the server's limit.
        started = time.perf_counter()
        response = client.get("/sparql", params={"query": RUNAWAY, "timeout": 600})
        assert response.status_code == 503
        assert time.perf_counter() - started < 60
        assert "1 s" in response.json()["detail"]
        # A form-encoded query may carry it in the body.
        form = client.post("/sparql", data={"query": SIMPLE, "timeout": "0.5"})
        assert form.status_code == 200, form.text
        for bad in ("0", "-1", "abc", "nan", "inf"):
            for answer in (client.get("/sparql", params={"query": SIMPLE, "timeout": bad}),
                           client.post("/sparql", content=SIMPLE, headers=SPARQL_QUERY,
                                       params={"timeout": bad})):
                assert 400 <= answer.status_code < 500, (bad, answer.text)
                assert answer.headers["content-type"].startswith("application/problem+json")
                assert "timeout" in answer.text


@pytest.fixture
def limited(server_factory):
    return server_factory(load_reference_ontologies=False, rate_limit_per_minute=5)


def test_rate_limit_per_principal_with_retry_after(limited) -> None:
    alice, bob = limited.token("researcher", "uni"), limited.token("researcher", "lab")
    with limited.client(alice) as client:
        statuses = [client.get("/sparql", params={"query": "ASK {}"}).status_code
                    for _ in range(5)]
        assert statuses == [200] * 5
        refused = client.get("/sparql", params={"query": "ASK {}"})
        assert refused.status_code == 429
        assert refused.headers["content-type"].startswith("application/problem+json")
        retry = int(refused.headers["Retry-After"])
        assert 1 <= retry <= 12  # one token comes back every 60/5 s
        assert "5 requests per minute" in refused.json()["detail"]
        # Probes and scrapes are never limited.
        assert client.get("/health").status_code == 200
        assert client.get("/ready").status_code == 200
        metrics = client.get("/metrics")
        assert metrics.status_code == 200
        assert "dbp_rate_limited_total 1.0" in metrics.text
    # Another principal has a bucket of its own; so has an anonymous caller (its IP).
    with limited.client(bob) as client:
        assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 200
    with limited.client() as client:
        assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 200


def test_rate_limit_counts_bad_tokens_against_the_address(limited) -> None:
    with limited.client("dbp_000000000000_guess") as client:
        statuses = [client.get("/sparql", params={"query": "ASK {}"}).status_code
                    for _ in range(6)]
    assert statuses == [401] * 5 + [429]
    # The same address, anonymous now, has used its minute.
    with limited.client() as client:
        assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 429


def test_rate_limit_off_by_default(server_factory) -> None:
    live = server_factory(load_reference_ontologies=False)
    with live.client() as client:
        assert all(client.get("/sparql", params={"query": "ASK {}"}).status_code == 200
                   for _ in range(30))


def test_token_bucket_refills() -> None:
    from graph_service.api.limits import TokenBucketLimiter

    now = [0.0]
    bucket = TokenBucketLimiter(60, clock=lambda: now[0], max_keys=2)
    assert all(bucket.acquire("a") is None for _ in range(60))
    wait = bucket.acquire("a")
    assert wait == pytest.approx(1.0)
    now[0] += 1.0
    assert bucket.acquire("a") is None
    bucket.acquire("b")
    bucket.acquire("c")
    assert len(bucket) == 2  # the least recently used key was forgotten
