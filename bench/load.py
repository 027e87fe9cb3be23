"""HTTP load drivers: one query, sequential or from N concurrent client threads (httpx)."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field

import httpx

from bench.queries import BenchQuery
from bench.servers import Server
from bench.stats import summary_ms

RESULTS_JSON = "application/sparql-results+json"


class QueryFailed(RuntimeError):
    """The server answered with an error (or not at all)."""


@dataclass
class Measurement:
    """Durations of successful requests; ``note`` says why fewer were made than asked."""

    durations: list[float] = field(default_factory=list)
    wall_seconds: float = 0.0
    clients: int = 1
    note: str = ""
    error: str = ""

    def as_dict(self) -> dict:
        data: dict = dict(summary_ms(self.durations))
        data["clients"] = self.clients
        if self.durations:
            wall = self.wall_seconds or sum(self.durations)
            data["throughput_qps"] = round(len(self.durations) / wall, 3) if wall else None
            data["wall_s"] = round(wall, 3)
        else:
            data["throughput_qps"] = None
        if self.note:
            data["note"] = self.note
        if self.error:
            data["error"] = self.error
        return data


def send(client: httpx.Client, server: Server, query: BenchQuery) -> bytes:
    """POST the query (application/sparql-query); the answer body, or QueryFailed."""
    try:
        response = client.post(
            server.query_url, params=server.params, content=query.text.encode(),
            headers={"Content-Type": "application/sparql-query", "Accept": RESULTS_JSON},
        )
    except httpx.HTTPError as exc:
        raise QueryFailed(f"{server.name}: {type(exc).__name__}: {exc}") from None
    if not response.is_success:
        raise QueryFailed(f"{server.name} answered {response.status_code}: "
                          f"{response.text[:300]}")
    return response.content


def count_rows(body: bytes) -> int:
    document = json.loads(body)
    if "boolean" in document:
        return 1
    return len(document["results"]["bindings"])


def timed(client: httpx.Client, server: Server, query: BenchQuery) -> float:
    started = time.perf_counter()
    send(client, server, query)
    return time.perf_counter() - started


def sequential(server: Server, query: BenchQuery, requests: int, *,
               budget_seconds: float | None = None, timeout: float = 300.0,
               warmup: bool = True) -> Measurement:
    """``requests`` requests one after the other on one connection (after one warm-up)."""
    result = Measurement()
    with server.client(timeout) as client:
        try:
            warmup_seconds = timed(client, server, query) if warmup else 0.0
            for index in range(requests):
                if budget_seconds is not None and index and \
                        sum(result.durations) + warmup_seconds > budget_seconds:
                    result.note = (f"stopped after {index} of {requests} requests "
                                   f"(time budget {budget_seconds:g} s)")
                    break
                result.durations.append(timed(client, server, query))
        except QueryFailed as exc:
            result.error = str(exc)
    result.wall_seconds = sum(result.durations)
    return result


def concurrent(server: Server, query: BenchQuery, clients: int, per_client: int, *,
               timeout: float = 300.0) -> Measurement:
    """``clients`` threads, each with its own httpx client (one warm-up request each, then
    ``per_client`` timed requests), started together; throughput = requests / wall time."""
    result = Measurement(clients=clients)
    lock = threading.Lock()
    ready = threading.Barrier(clients + 1)
    go = threading.Event()
    errors: list[str] = []

    def worker() -> None:
        mine: list[float] = []
        with server.client(timeout) as client:
            try:
                send(client, server, query)
            except QueryFailed as exc:
                errors.append(str(exc))
            ready.wait()
            go.wait()
            for _ in range(per_client):
                if errors:
                    break
                try:
                    mine.append(timed(client, server, query))
                except QueryFailed as exc:
                    errors.append(str(exc))
                    break
        with lock:
            result.durations.extend(mine)

    threads = [threading.Thread(target=worker, name=f"client-{i}", daemon=True)
               for i in range(clients)]
    for thread in threads:
        thread.start()
    ready.wait()
    started = time.perf_counter()
    go.set()
    for thread in threads:
        thread.join()
    result.wall_seconds = time.perf_counter() - started
    if errors:
        result.error = errors[0]
    return result
