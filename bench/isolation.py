"""``python -m bench.isolation``: what running callers' queries in worker processes costs.

Since issue 14 a caller's SPARQL text is evaluated in a killable, sandboxed worker process over
a RocksDB checkpoint of the store (graph_service/store/isolation.py). This measures, at one fleet
size (default 1 000 batteries):

1. in the benchmark process, the same query over the researcher's dataset three ways: in-process
   (``SparqlService.run_query`` + JSON, the path internal queries take), through the worker pool
   (``QueryIsolation.run``: IPC + evaluation + JSON in the worker), and a write followed by the
   query through the pool (the write makes the snapshot stale: a new checkpoint, and the worker
   opens it);
2. over HTTP, ``/sparql`` (every caller's query goes through the pool) against Oxigraph server on
   the same quads: sequential p50 and the throughput of 8 concurrent clients.

Prints two tables and writes ``bench-isolation.json`` into ``--out``. Run it alone on the machine
(``flock /tmp/dbp-bench.lock python -m bench.isolation``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from bench.load import concurrent, sequential
from bench.queries import BenchQuery, load_queries
from bench.run import log, make_fleet, parse_args, running_servers

RESULTS_JSON = "application/sparql-results+json"
SMALL = ("point-lookup", "pack-modules-cells")


def _p50(durations: list[float]) -> float:
    return round(statistics.median(durations) * 1000, 3)


def in_process_table(fleet, queries: list[BenchQuery], runs: int) -> dict:
    from graph_service.services.access import Principal, Role
    from graph_service.store.base import QueryKind

    sparql = fleet.services.sparql
    isolation = sparql.isolation
    assert isolation is not None, "the fleet's store has no worker pool"
    dataset = sparql.dataset_for(Principal("bench", Role.RESEARCHER))
    arguments = {
        "default_graph": [None if g is None else str(g) for g in dataset.default_graph],
        "named_graphs": [str(g) for g in dataset.named_graphs],
        "base_iri": sparql.settings.base_iri, "timeout": 600.0, "max_rows": 100_000,
    }
    media = dict.fromkeys(QueryKind, RESULTS_JSON)
    store = fleet.services.store
    out: dict = {}
    for query in queries:
        local, pooled, after_write = [], [], []
        sparql.run_query(query.text, dataset).serialize(RESULTS_JSON)  # warm-up
        isolation.run(query.text, media_types=media, **arguments)
        for index in range(runs):
            started = time.perf_counter()
            sparql.run_query(query.text, dataset).serialize(RESULTS_JSON)
            local.append(time.perf_counter() - started)
            started = time.perf_counter()
            isolation.run(query.text, media_types=media, **arguments)
            pooled.append(time.perf_counter() - started)
            store.update(f"INSERT DATA {{ GRAPH <urn:bench:writes> {{ "
                         f"<urn:bench:s> <urn:bench:n> {index} }} }}")
            started = time.perf_counter()
            isolation.run(query.text, media_types=media, **arguments)
            after_write.append(time.perf_counter() - started)
        out[query.key] = {
            "in_process_p50_ms": _p50(local), "worker_p50_ms": _p50(pooled),
            "added_ms": round(_p50(pooled) - _p50(local), 3),
            "after_write_p50_ms": _p50(after_write),
            "checkpoint_ms": round(_p50(after_write) - _p50(pooled), 3),
        }
        log(f"in-process {query.key}: {out[query.key]}")
    store.update("DROP SILENT GRAPH <urn:bench:writes>")
    return out


def http_table(fleet, config, workdir: Path, queries: list[BenchQuery], runs: int,
               clients: int, per_client: int, storage: str) -> dict:
    out: dict = {}
    with running_servers(fleet, config, workdir, storage, with_rdflib=False) as servers:
        for query in queries:
            row: dict = {}
            for name in ("ours", "oxigraph"):
                row[name] = {
                    "sequential": sequential(servers[name], query, runs).as_dict(),
                    "concurrent": concurrent(servers[name], query, clients,
                                             per_client).as_dict(),
                }
            ours, other = row["ours"]["concurrent"], row["oxigraph"]["concurrent"]
            if ours.get("throughput_qps") and other.get("throughput_qps"):
                row["ratio_concurrent"] = round(ours["throughput_qps"]
                                                / other["throughput_qps"], 2)
            out[query.key] = row
            log(f"http {query.key}: {row}")
    return out


def _table(header: list[str], rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batteries", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--per-client", type=int, default=25)
    parser.add_argument("--out", type=Path, default=Path("bench-results"))
    parser.add_argument("--storage", choices=("memory", "disk"), default="memory",
                        help="the servers' stores: ours ':memory:' (RocksDB on tmpfs) and "
                        "Oxigraph in memory, or both on disk")
    args = parser.parse_args(argv)
    config = parse_args(["--sizes", str(args.batteries)])
    empty = BenchQuery("ask-empty", "ASK {}", "-", "ASK {}", "ASK {}")
    queries = [empty] + [q for q in load_queries() if q.key in SMALL]
    with tempfile.TemporaryDirectory(prefix="dbp-bench-isolation-") as folder:
        workdir = Path(folder)
        fleet = make_fleet(args.batteries, config, workdir)
        local = in_process_table(fleet, queries, args.runs)
        http = http_table(fleet, config, workdir, queries, args.runs, args.clients,
                          args.per_client, args.storage)
        fleet.services.sparql.shutdown()
        fleet.services.store.close()
    results = {"batteries": args.batteries, "runs": args.runs, "clients": args.clients,
               "storage": args.storage,
               "fleet": fleet.info, "in_process": local, "http": http}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"bench-isolation-{args.storage}.json").write_text(json.dumps(results, indent=2))
    print(f"\nIsolation cost per request, {args.batteries} batteries, researcher dataset, "
          f"p50 of {args.runs} (benchmark process, no HTTP):\n")
    print(_table(["query", "in-process ms", "worker ms", "added ms", "write + query ms",
                  "checkpoint + reopen ms"],
                 [[k, v["in_process_p50_ms"], v["worker_p50_ms"], v["added_ms"],
                   v["after_write_p50_ms"], v["checkpoint_ms"]] for k, v in local.items()]))
    print(f"\n/sparql (isolated workers) vs Oxigraph server ({args.storage}), sequential p50 and "
          f"{args.clients} clients x {args.per_client}:\n")
    rows = []
    for key, row in http.items():
        rows.append([key, row["ours"]["sequential"].get("p50_ms"),
                     row["oxigraph"]["sequential"].get("p50_ms"),
                     row["ours"]["concurrent"].get("throughput_qps"),
                     row["oxigraph"]["concurrent"].get("throughput_qps"),
                     row.get("ratio_concurrent")])
    print(_table(["query", "ours p50 ms", "Oxigraph p50 ms", "ours q/s", "Oxigraph q/s",
                  "ours/Oxigraph"], rows))


if __name__ == "__main__":
    main()
