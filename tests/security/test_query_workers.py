"""The query worker processes: a crash answers 503 and the next query works; workers killed
while passports are written lose no acknowledged write; the sandbox is really installed."""

from __future__ import annotations

import os
import random
import signal
import threading
import time

import psutil

from graph_service.model.iris import IriMinter
from graph_service.services.fleet.demo import battery_id, demo_passport
from graph_service.store.base import QueryKind

JSON = {"Accept": "application/sparql-results+json"}
RUNAWAY = ("SELECT ?a ?b WHERE { ?a ?p ?x . ?b ?q ?y "
           "FILTER(STR(?x) = CONCAT(STR(?y), 'never-matches')) }")


def _busy_worker(live) -> int:
    """The pid of the worker that is computing (the one using CPU)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for pid in live.services.sparql.isolation.worker_pids():
            try:
                if psutil.Process(pid).cpu_percent(interval=0.1) > 20:
                    return pid
            except psutil.NoSuchProcess:
                continue
    raise AssertionError("no worker is computing")


def test_a_worker_that_aborts_gives_503_and_the_next_query_works(server_factory) -> None:
    live = server_factory(query_workers=2)
    answers: list = []

    def runaway() -> None:
        with live.client() as own:
            answers.append(own.get("/sparql", params={"query": RUNAWAY}, headers=JSON))

    thread = threading.Thread(target=runaway)
    thread.start()
    os.kill(_busy_worker(live), signal.SIGABRT)  # as a Rust abort or the OOM killer would
    thread.join(timeout=60)
    (response,) = answers
    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"] == "1"
    assert "query process stopped" in response.json()["detail"]
    with live.client() as client:
        after = client.get("/sparql", params={"query": "ASK {}"}, headers=JSON)
    assert after.status_code == 200 and after.json()["boolean"] is True


def test_workers_are_sandboxed(server_factory, canary) -> None:
    """A worker cannot open an internet socket, whatever the engine is asked."""
    live = server_factory(load_reference_ontologies=False)
    isolation = live.services.sparql.isolation
    assert isolation is not None and isolation.sandboxed
    with live.client() as client:
        assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 200
    # The engine itself, asked directly for a SERVICE call (no analysis in front), fails.
    media = dict.fromkeys(QueryKind, "application/sparql-results+json")
    try:
        isolation.run(f"SELECT * WHERE {{ SERVICE <{canary.url}> {{ ?s ?p ?o }} }}",
                      default_graph=None, named_graphs=None, base_iri=None, timeout=5,
                      max_rows=10, media_types=media)
    except Exception as exc:
        assert "not permitted" in str(exc).lower(), exc
    else:
        raise AssertionError("the sandboxed engine answered a SERVICE call")
    assert canary.connections == []


def test_acknowledged_writes_survive_killed_workers(server_factory) -> None:
    """Passports are written while readers query and a killer SIGKILLs query workers at
    random: every acknowledged passport is readable afterwards, each reader saw its own
    acknowledged writes, and /sparql and the store agree on the number of quads."""
    live = server_factory(load_reference_ontologies=False, query_workers=2)
    minter = IriMinter(live.services.settings.base_iri)
    token = live.token("admin")
    acknowledged: list[str] = []
    seen_own: list[bool] = []
    stop = threading.Event()
    kills = 0

    def writer() -> None:
        with live.client(token) as client:
            for n in range(1, 7):
                body = demo_passport(minter, n).serialize(format="turtle").encode()
                response = client.post("/passports", content=body,
                                       headers={"Content-Type": "text/turtle"})
                if response.status_code == 201:
                    acknowledged.append(battery_id(n))
                    # Read your own write, through a worker, right after the acknowledgement.
                    for _ in range(3):
                        check = client.get("/sparql", headers=JSON, params={
                            "query": "ASK { ?b <https://w3id.org/dbp#batteryId> "
                                     f"\"{battery_id(n)}\" }}"})
                        if check.status_code == 200:
                            seen_own.append(check.json()["boolean"])
                            break

    # The reader is a principal of its own: one caller may have one query less in progress
    # than there are workers (tests/security/test_one_client_cannot_hold_every_query_worker.py).
    reader_token = live.token("admin")

    def reader() -> None:
        with live.client(reader_token) as client:
            while not stop.is_set():
                response = client.get("/sparql", headers=JSON, params={
                    "query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"})
                assert response.status_code in (200, 503), response.text

    def killer() -> None:
        nonlocal kills
        while not stop.is_set():
            time.sleep(random.uniform(0.05, 0.3))
            pids = live.services.sparql.isolation.worker_pids()
            if pids:
                try:
                    os.kill(random.choice(pids), signal.SIGKILL)
                    kills += 1
                except ProcessLookupError:
                    pass

    threads = [threading.Thread(target=reader), threading.Thread(target=killer)]
    for thread in threads:
        thread.start()
    write = threading.Thread(target=writer)
    write.start()
    write.join(timeout=600)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)

    assert len(acknowledged) == 6 and kills > 0
    assert seen_own and all(seen_own), seen_own
    with live.client(token) as client:
        for identifier in acknowledged:
            found = client.get("/sparql", headers=JSON, params={
                "query": f"ASK {{ ?b <https://w3id.org/dbp#batteryId> \"{identifier}\" }}"})
            assert found.status_code == 200 and found.json()["boolean"] is True, identifier
        counted = client.get("/sparql", headers=JSON, params={
            "query": "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION "
                     "{ GRAPH ?g { ?s ?p ?o } } }"})
    assert counted.status_code == 200
    over_http = int(counted.json()["results"]["bindings"][0]["n"]["value"])
    sparql = live.services.sparql
    in_process = sparql.run_query("SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION "
                                  "{ GRAPH ?g { ?s ?p ?o } } }", sparql.full_dataset())
    assert over_http == int(next(in_process.rows())["n"])
