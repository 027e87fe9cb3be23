"""Crash safety: SIGKILL the server while it acknowledges writes; nothing acknowledged is lost and
nothing is half-written.

One passport write is one store transaction: its stage graphs, the access views, the version
record, the audit record and the derived graph commit together or not at all. The test streams
distinct demo passports from three clients into a real ``python -m graph_service serve`` process
on an on-disk store, kills it with SIGKILL mid-stream, starts it again on the same store and
checks every battery it ever sent:

* acknowledged (201): all its stage graphs, its batteryId in the public view, its derived graph
  (with isolation steps when the pack is high-voltage), exactly one version;
* not acknowledged (in flight at the kill): either all of that, or nothing at all.

Three rounds on the same store.
"""

from __future__ import annotations

import itertools
import random
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from graph_service.model.graphs import AccessGroup, GraphLayout, Stage
from graph_service.services.fleet.demo import battery_id

from .conftest import (
    BASE_IRI,
    MINTER,
    ServedStore,
    create_admin_token,
    is_high_voltage,
    passport_body,
    passport_graph,
)

ROUNDS = 3
CLIENTS = 3
ACKS_BEFORE_KILL = 2  # per round; then kill at a random moment of the next write

LAYOUT = GraphLayout(BASE_IRI)
TURTLE = {"Content-Type": "text/turtle"}


@dataclass
class Stream:
    """What the clients sent and what the server acknowledged."""

    acked: dict[int, list[str]] = field(default_factory=dict)  # index -> stages in the answer
    ack_times: list[float] = field(default_factory=list)
    attempted: set[int] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class Bodies:
    """Turtle of demo passport ``index``, made on first use (about 0.15 s each): the clients
    make the next ones while the server works."""

    def __init__(self) -> None:
        self._made: dict[int, bytes] = {}
        self._lock = threading.Lock()

    def __getitem__(self, index: int) -> bytes:
        with self._lock:
            made = self._made.get(index)
        if made is None:
            made = passport_body(index)
            with self._lock:
                self._made[index] = made
        return made


def _write_until_stopped(url: str, token: str, indices: itertools.count, stream: Stream,
                         stop: threading.Event, bodies: Bodies) -> None:
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"},
                      timeout=60) as client:
        while not stop.is_set():
            with stream.lock:
                index = next(indices)
                stream.attempted.add(index)
            try:
                response = client.post("/passports", content=bodies[index], headers=TURTLE)
            except httpx.HTTPError:
                return  # the server is gone: this write is unacknowledged
            if response.status_code == 201:
                with stream.lock:
                    stream.acked[index] = response.json()["stages"]
                    stream.ack_times.append(time.monotonic())
            else:
                with stream.lock:
                    stream.errors.append(f"passport {index}: {response.status_code} "
                                         f"{response.text[:500]}")
                return


def _presence(client: httpx.Client, index: int) -> dict[str, bool]:
    """Which parts of battery ``index`` the store holds, in one admin query."""
    bid = battery_id(index)
    battery = MINTER.battery(bid)
    parts = {f"stage:{stage.value}": f"GRAPH <{LAYOUT.source(bid, stage)}> {{ ?s ?p ?o }}"
             for stage in Stage}
    parts["derived"] = f"GRAPH <{LAYOUT.derived(bid)}> {{ ?s ?p ?o }}"
    parts["isolation"] = (f"GRAPH <{LAYOUT.derived(bid)}> "
                          f"{{ <{battery}> <https://w3id.org/dbp#hasIsolationStep> ?step }}")
    parts["view"] = (f"GRAPH <{LAYOUT.view(AccessGroup.PUBLIC)}> "
                     f"{{ <{battery}> <https://w3id.org/dbp#batteryId> ?id }}")
    names = list(parts)
    binds = " ".join(f"BIND(EXISTS {{ {parts[n]} }} AS ?v{i})" for i, n in enumerate(names))
    response = client.get("/sparql", params={"query": f"SELECT * WHERE {{ {binds} }}"},
                          headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    row = response.json()["results"]["bindings"][0]
    return {name: row[f"v{i}"]["value"] == "true" for i, name in enumerate(names)}


def _versions(client: httpx.Client, index: int) -> int:
    response = client.get(f"/batteries/{battery_id(index)}/history")
    assert response.status_code == 200, response.text
    return len(response.json()["versions"])


def _expected_stages(client: httpx.Client, index: int, bodies: Bodies) -> list[str]:
    """The stages of a passport that was never acknowledged: ask the server (dry run)."""
    response = client.post("/validate", content=bodies[index], headers=TURTLE)
    assert response.status_code == 200, response.text
    return response.json()["stages"]


def _check(url: str, token: str, stream: Stream, bodies: Bodies,
           checked: set[int]) -> dict[str, object]:
    """Every battery sent so far; versions are counted once, after the round that sent it."""
    counts: dict[str, object] = {"acked": 0, "unacked-present": 0, "unacked-absent": 0}
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"},
                      timeout=60) as client:
        for index in sorted(stream.attempted):
            present = _presence(client, index)
            acked = index in stream.acked
            if not acked and not any(present.values()):
                counts["unacked-absent"] += 1  # type: ignore[operator]
                continue
            stages = (stream.acked[index] if acked
                      else _expected_stages(client, index, bodies))
            whole = {f"stage:{s.value}": s.value in stages for s in Stage}
            whole.update(derived=True, view=True,
                         isolation=is_high_voltage(passport_graph(index), index))
            if acked:
                assert present == whole, f"acknowledged passport {index} is not whole: {present}"
            else:
                assert present == whole, (
                    f"unacknowledged passport {index} is half-written: {present}")
            if index not in checked:
                assert _versions(client, index) == 1
                checked.add(index)
            counts["acked" if acked else "unacked-present"] += 1  # type: ignore[operator]
    return counts


@pytest.mark.slow
def test_acknowledged_writes_survive_sigkill_and_nothing_is_half_written(
        tmp_path: Path) -> None:
    store = tmp_path / "store"
    started = time.monotonic()
    token = create_admin_token(store)
    bodies = Bodies()
    # The writers share one token; all of them must be able to have a write in flight.
    server = ServedStore(store, tmp_path, DBP_INGEST_CONCURRENCY=str(CLIENTS))
    stream = Stream()
    indices = itertools.count(1)
    rng = random.Random(1542)
    report = []
    checked: set[int] = set()
    try:
        server.start()
        setup = time.monotonic() - started
        for round_number in range(1, ROUNDS + 1):
            round_started = time.monotonic()
            stop = threading.Event()
            target = len(stream.acked) + ACKS_BEFORE_KILL
            clients = [
                threading.Thread(target=_write_until_stopped,
                                 args=(server.url, token, indices, stream, stop, bodies),
                                 name=f"writer-{round_number}-{n}")
                for n in range(CLIENTS)
            ]
            for thread in clients:
                thread.start()
            deadline = time.monotonic() + 60
            while len(stream.acked) < target and time.monotonic() < deadline:
                time.sleep(0.02)
            assert not stream.errors, stream.errors
            assert len(stream.acked) >= target, "the server acknowledged too few writes"
            # The clients keep writing (the server takes one write at a time). Kill late in
            # the next write, where its commit happens: at 70-105 % of the time a write has
            # been taking since the last acknowledgement.
            times = stream.ack_times[-ACKS_BEFORE_KILL:]
            per_write = (times[-1] - times[0]) / max(1, len(times) - 1)
            time.sleep(max(0.0, times[-1] + rng.uniform(0.7, 1.05) * per_write
                           - time.monotonic()))
            server.kill()
            stop.set()
            for thread in clients:
                thread.join(timeout=60)
                assert not thread.is_alive()
            killed = time.monotonic()
            server.start()
            restarted = time.monotonic()
            counts = _check(server.url, token, stream, bodies, checked)
            counts["seconds"] = {"writes": round(killed - round_started, 1),
                                 "restart": round(restarted - killed, 1),
                                 "check": round(time.monotonic() - restarted, 1)}
            report.append(counts)
    finally:
        server.stop()
    print(f"crash-safety: store and token {setup:.1f} s; rounds: {report}")
    assert report[-1]["acked"] == len(stream.acked) >= ROUNDS * ACKS_BEFORE_KILL
