"""Concurrent writers and readers: no lost updates, last writer wins, every accepted write is a
version, and readers never see half a passport.

The service serialises passport writes in the process (validation, versioning, derivation and
the commit of one write happen under one lock) and commits each as one store transaction, so:

* writes to different batteries never overwrite each other;
* concurrent writes to the same battery are applied one after another: the last to commit wins,
  and each accepted write that changed data becomes a version with its own number;
* a reader sees each passport as it was before or after a write, never in between.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict

import httpx
from rdflib import Literal

from graph_service.model.namespaces import DBP
from graph_service.services.fleet.demo import battery_id

from .conftest import MINTER, passport_graph

TURTLE = {"Content-Type": "text/turtle"}
JSON = {"Accept": "application/sparql-results+json"}
DIFFERENT = range(1, 9)  # 8 writers, one new battery each
SAME = 50  # 4 writers on this battery
SAME_WRITERS = 4
READERS = 3

MODELS = ("PREFIX dbp: <https://w3id.org/dbp#> SELECT ?b ?model ?id WHERE { "
          "?b dbp:model ?model OPTIONAL { ?b dbp:batteryId ?id } }")


def _variant(writer: int) -> tuple[bytes, str]:
    graph = passport_graph(SAME)
    model = f"Concurrent variant {writer}"
    graph.set((MINTER.battery(battery_id(SAME)), DBP.model, Literal(model)))
    return graph.serialize(format="turtle").encode(), model


def test_concurrent_writes_and_reads(server_factory) -> None:
    # All writers share one token here; the per-principal submission limit (429 beyond it)
    # is tested in tests/security; this test needs every write in flight at once.
    server = server_factory(ingest_concurrency=len(DIFFERENT) + SAME_WRITERS)
    token = server.token()
    original = passport_graph(SAME)
    original_model = str(original.value(MINTER.battery(battery_id(SAME)), DBP.model))
    with server.client(token) as client:
        created = client.post("/passports", content=original.serialize(format="turtle"),
                              headers=TURTLE)
        assert created.status_code == 201, created.text

    bodies = {i: passport_graph(i).serialize(format="turtle").encode() for i in DIFFERENT}
    variants = {w: _variant(w) for w in range(SAME_WRITERS)}
    answers: dict[str, httpx.Response] = {}
    problems: list[str] = []
    reads = defaultdict(int)
    writing = threading.Event()
    writing.set()
    start = threading.Barrier(len(DIFFERENT) + SAME_WRITERS + READERS)

    def write(name: str, body: bytes) -> None:
        with server.client(token) as client:
            start.wait()
            answers[name] = client.post("/passports", content=body, headers=TURTLE)

    allowed_models = {original_model, *(model for _, model in variants.values())}

    def read(reader: int) -> None:
        with server.client() as client:
            start.wait()
            while writing.is_set():
                response = client.get("/sparql", params={"query": MODELS}, headers=JSON)
                if response.status_code != 200:
                    problems.append(f"reader {reader}: {response.status_code}")
                    return
                models: dict[str, list[str]] = defaultdict(list)
                for row in response.json()["results"]["bindings"]:
                    if "id" not in row:
                        problems.append(f"model without batteryId: {row}")
                    models[row["b"]["value"]].append(row["model"]["value"])
                for battery, seen in models.items():
                    if len(seen) != 1:
                        problems.append(f"{battery} has {len(seen)} models at once: {seen}")
                same = models.get(str(MINTER.battery(battery_id(SAME))))
                if same is None or same[0] not in allowed_models:
                    problems.append(f"battery {SAME} seen as {same}")
                reads[reader] += 1
                time.sleep(0.02)  # readers in this process compete with the server for the GIL

    threads = [threading.Thread(target=write, args=(f"new-{i}", bodies[i])) for i in DIFFERENT]
    threads += [threading.Thread(target=write, args=(f"same-{w}", variants[w][0]))
                for w in range(SAME_WRITERS)]
    readers = [threading.Thread(target=read, args=(r,)) for r in range(READERS)]
    for thread in threads + readers:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
        assert not thread.is_alive()
    writing.clear()
    for thread in readers:
        thread.join(timeout=60)

    assert not problems, problems[:10]
    assert sum(reads.values()) >= 10 * READERS, "the readers did not overlap the writes"
    print(f"{sum(reads.values())} consistent reads during {len(answers)} writes")

    # No lost updates: every new battery is there, whole, with its own data.
    for i in DIFFERENT:
        answer = answers[f"new-{i}"]
        assert answer.status_code == 201, answer.text
        assert answer.json()["version"] == 1
    with server.client() as client:
        rows = client.get("/sparql", params={"query": MODELS}, headers=JSON).json()
    stored = {row["b"]["value"]: row["model"]["value"] for row in rows["results"]["bindings"]}
    for i in DIFFERENT:
        expected = passport_graph(i).value(MINTER.battery(battery_id(i)), DBP.model)
        assert stored[str(MINTER.battery(battery_id(i)))] == str(expected)

    # Same battery: each accepted write is a version; the last committed one is what is stored.
    same_answers = {w: answers[f"same-{w}"] for w in range(SAME_WRITERS)}
    for answer in same_answers.values():
        assert answer.status_code == 200, answer.text
        assert answer.json()["committed"] is True
    numbers = sorted(answer.json()["version"] for answer in same_answers.values())
    assert numbers == list(range(2, 2 + SAME_WRITERS)), numbers
    last_writer = max(same_answers, key=lambda w: same_answers[w].json()["version"])
    assert stored[str(MINTER.battery(battery_id(SAME)))] == variants[last_writer][1]
    with server.client(token) as client:
        history = client.get(f"/batteries/{battery_id(SAME)}/history")
    assert history.status_code == 200, history.text
    versions = [v["number"] for v in history.json()["versions"]]
    assert sorted(versions) == list(range(1, 2 + SAME_WRITERS)), versions
