"""The REST and SPARQL workload that ``bench/revisions.py`` runs on each revision.

Run as a script with the revision's checkout as working directory and first on ``PYTHONPATH``, so
it measures that revision's code: it uses only what every revision since the partner formats
landed has (``tests.conftest.start_server``, the documented EV pack, the HTTP API), never an
internal module whose path a refactoring may move. Prints one JSON object: operation ->
durations in seconds.

    python bench/revision_workload.py --passports 20 --reads 15
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path

import httpx

EXAMPLE = Path("docs/examples/ev-pack.json")  # relative to the revision's checkout
EXAMPLE_ID = "EV-BOLT-0042"
RESULTS_JSON = "application/sparql-results+json"


def _fresh_passport(text: str, number: int) -> bytes:
    """The documented EV pack under a battery id of its own (a fresh battery per write)."""
    return text.replace(EXAMPLE_ID, f"REV-{number:05d}").encode()


def _timed(durations: list[float], call: Callable[[], httpx.Response]) -> None:
    started = time.perf_counter()
    response = call()
    durations.append(time.perf_counter() - started)
    if response.status_code >= 400:
        raise SystemExit(f"{response.request.method} {response.request.url}: "
                         f"{response.status_code} {response.text[:300]}")


def run_workload(passports: int, reads: int) -> dict[str, list[float]]:
    from graph_service.services.access import Role
    from tests.conftest import make_settings, start_server

    live = start_server(make_settings())
    try:
        text = EXAMPLE.read_text(encoding="utf-8")
        if EXAMPLE_ID not in text:
            raise SystemExit(f"{EXAMPLE} no longer names {EXAMPLE_ID}")
        admin = live.client(live.token(Role.ADMIN))
        researcher = live.client(live.token(Role.RESEARCHER))
        times: dict[str, list[float]] = {}

        posts = times.setdefault("POST /passports (fresh EV pack)", [])
        for number in range(passports):
            _timed(posts, lambda n=number: admin.post(
                "/passports", content=_fresh_passport(text, n),
                headers={"Content-Type": "application/json"}))

        battery = "REV-00000"
        reads_of: dict[str, Callable[[], httpx.Response]] = {
            "GET /batteries (page of 50)": lambda: admin.get("/batteries",
                                                             params={"limit": 50}),
            "GET /batteries/{id}": lambda: admin.get(f"/batteries/{battery}"),
            "GET /batteries/{id}/procedure": lambda: admin.get(
                f"/batteries/{battery}/procedure"),
            "GET /batteries/{id}/pathway": lambda: admin.get(f"/batteries/{battery}/pathway"),
            "GET /batteries/{id}/events": lambda: admin.get(f"/batteries/{battery}/events"),
            "GET /id/battery/{id} (Turtle)": lambda: admin.get(
                f"/id/battery/{battery}", headers={"Accept": "text/turtle"},
                follow_redirects=True),
            "/sparql ASK {} (researcher)": lambda: researcher.post(
                "/sparql", data={"query": "ASK {}"}, headers={"Accept": RESULTS_JSON}),
            "/sparql passport overview (researcher)": lambda: researcher.post(
                "/sparql", data={"query": Path("queries/passport-overview.rq").read_text()},
                headers={"Accept": RESULTS_JSON}),
        }
        for name, call in reads_of.items():
            call()  # warm: first-use caches are not what is compared
            durations = times.setdefault(name, [])
            for _ in range(reads):
                _timed(durations, call)
        return times
    finally:
        live.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--passports", type=int, default=20)
    parser.add_argument("--reads", type=int, default=15)
    args = parser.parse_args()
    print(json.dumps(run_workload(args.passports, args.reads)))


if __name__ == "__main__":
    main()
