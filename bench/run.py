"""``python -m bench``: benchmarks side by side with Oxigraph server and rdflib-endpoint.

Per fleet size of the SPARQL comparison (default 1 000 batteries; ``--sizes``, ``--with-50k``):

1. SPARQL latency/throughput of six researcher queries (queries/*.rq) through our ``/sparql``
   (real uvicorn server, researcher token: access control on), ``oxigraph serve`` loaded with
   the same quads (the researcher's graphs as ``default-graph-uri``), and rdflib-endpoint (an
   rdflib Dataset of the researcher's graphs; slow, so fewer requests) - sequential and with N
   concurrent clients; row counts are compared before anything is timed;
2. the HTTP layer's own overhead (same query in-process vs through ``/sparql``);
3. ingest: bulk import with validation; POST /passports of fresh passports per fleet size;
4. rules: derivation per battery per fleet size; /procedure and /pathway latency;
5. SHACL: our engine (Validator) vs pySHACL, one passport and many;
6. peak RSS of each server process;
7. the scale section (bench/scale.py): on on-disk stores of 1 000, 10 000 and 50 000 batteries
   (``--scale-sizes``), validate+commit and POST /passports per passport, derivation per battery,
   /procedure and /pathway, the six queries in-process, the server's RSS. Stores above the
   template size are renamed copies of a generated template fleet (bench/fleet.py); with
   ``--workdir`` the template and the stores are kept and reused by later runs;
8. the fleet section (bench/fleet_queries.py, ``--fleet-queries 10000[,100000]``): the published
   fleet queries, detailed and summary style, embedded in-process, through our ``/sparql`` and
   on Virtuoso 7, all loaded from the same N-Quads shards; quads per passport triple; the bulk
   import rate (services/interop/bulk.py) with worker processes and in-process.

Fleets are filled with ``write_demo_fleet(validate=False, derive=False)`` (derivation and
validation are what is measured, on the measured batteries only). Writes docs/benchmarks.md and
docs/benchmarks.json (``--out``). ``--smoke`` runs tiny sizes in well under a minute.
``python -m bench --render docs/benchmarks.json`` rewrites the markdown from the JSON;
``python -m bench --merge fleet OTHER/benchmarks.json docs/benchmarks.json`` takes one section
from a run of its own (with that run's date, commit and command) and re-renders.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import gc
import io
import json
import os
import pstats
import shutil
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

from bench import fleet as fleet_stores
from bench import machine, normalise, report, scale
from bench.load import Measurement, QueryFailed, concurrent, count_rows, send, sequential
from bench.queries import BenchQuery, load_queries
from bench.servers import (
    Server,
    ServerError,
    oxigraph_bulk_load,
    oxigraph_post_store,
    start_ours,
    start_oxigraph,
    start_rdflib,
    wait_ready,
)
from bench.stats import geometric_mean, median, ratio, summary_ms

REPO_ROOT = Path(__file__).resolve().parent.parent
BASE_IRI = "http://127.0.0.1:8000/"
ENGINES = ("ours", "oxigraph", "rdflib-endpoint")
RESULTS_JSON = "application/sparql-results+json"


@dataclass
class Config:
    sizes: list[int]
    out: Path
    smoke: bool
    disk: bool
    disk_only: bool
    requests: int
    clients: int
    per_client: int
    heavy_seconds: float
    heavy_requests: int
    rdflib_requests: int
    rdflib_max: int
    rdflib_budget: float
    rdflib_timeout: float
    ingest_posts: int
    derivations: int
    route_requests: int
    bulk_validated: int
    shacl_many: list[int]
    shacl_runs: int
    profile: bool
    shacl: bool
    seed: int
    workdir: Path | None
    scale_sizes: list[int]
    template_size: int
    scale_query_runs: int
    scale_query_budget: float
    scale_fleet_queries_up_to: int
    fleet_query_sizes: list[int]
    fleet_query_runs: int
    fleet_query_budget: float
    fleet_embedded_up_to: int | None
    virtuoso: bool
    virtuoso_memory_mb: int
    bulk_passports: int

    def as_dict(self) -> dict:
        data = dict(self.__dict__)
        # Folder names only: the report is committed, the machine's paths are not.
        data["out"] = self.out.name
        data["workdir"] = None if self.workdir is None else self.workdir.name
        return data


def parse_args(argv: list[str] | None) -> Config:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="How long it takes (2-core machine, measured 2026-11): the 1 000-battery SPARQL "
               "comparison ~45 min - fill 2.7 min, loading the servers 1-4 min, rdflib-endpoint "
               "restarts after each timeout ~3 min, the six queries on ours and Oxigraph ~20 "
               "min; SHACL (100 passports through pySHACL) ~6 min. Scale stores: 10 000 "
               "batteries ~17 min and 50 000 ~75 min to build (23 M and 117 M quads, ~5 and "
               "~24 GB on disk) - pass --workdir to keep them for later runs. A 10 000-battery "
               "SPARQL comparison in memory needs ~25 GB RAM: use --disk-only. "
               "`python -m bench --render docs/benchmarks.json` rewrites the markdown.")
    parser.add_argument("--smoke", action="store_true",
                        help="tiny fleets, a few requests: checks that everything runs (<1 min)")
    parser.add_argument("--sizes", default=None,
                        help="comma-separated fleet sizes of the SPARQL comparison (default 1000; "
                             "smoke 3,6; 'none' skips it)")
    parser.add_argument("--with-50k", action="store_true", help="add a 50 000-battery fleet")
    parser.add_argument("--with-100k", action="store_true", help="add a 100 000-battery fleet")
    parser.add_argument("--disk", action="store_true",
                        help="also compare on-disk stores (ours vs oxigraph serve --location)")
    parser.add_argument("--disk-only", action="store_true",
                        help="only on-disk stores (large fleets: no in-memory server copies)")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "docs",
                        help="directory for benchmarks.md and benchmarks.json (default docs/)")
    parser.add_argument("--requests", type=int, default=None,
                        help="sequential requests per query and engine (default 30)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (default 8)")
    parser.add_argument("--per-client", type=int, default=None,
                        help="requests per concurrent client (default 5)")
    parser.add_argument("--heavy-seconds", type=float, default=1.0,
                        help="a query whose first request took longer on ours or Oxigraph is "
                             "heavy: it gets --heavy-requests sequential requests and one per "
                             "concurrent client (default 1.0)")
    parser.add_argument("--heavy-requests", type=int, default=5,
                        help="sequential requests per heavy query and engine (default 5)")
    parser.add_argument("--rdflib-requests", type=int, default=None,
                        help="sequential requests per query for rdflib-endpoint (default 3)")
    parser.add_argument("--rdflib-max", type=int, default=None,
                        help="largest fleet served by rdflib-endpoint (default 1000)")
    parser.add_argument("--rdflib-budget", type=float, default=60.0,
                        help="seconds per query and mode before rdflib-endpoint timing stops")
    parser.add_argument("--rdflib-timeout", type=float, default=120.0,
                        help="seconds before one rdflib-endpoint request is given up (default 120)")
    parser.add_argument("--ingest-posts", type=int, default=None,
                        help="fresh passports POSTed per fleet size (default 20)")
    parser.add_argument("--derivations", type=int, default=None,
                        help="batteries derived per fleet size (default 20)")
    parser.add_argument("--bulk-validated", type=int, default=None,
                        help="passports in the validated bulk import (default 100)")
    parser.add_argument("--shacl-1k", action="store_true",
                        help="also validate 1 000 passports with both SHACL engines (slow)")
    parser.add_argument("--no-shacl", action="store_true",
                        help="skip the SHACL engine comparison and the validated bulk import")
    parser.add_argument("--no-profile", action="store_true",
                        help="skip the cProfile of one ingest on the largest fleet")
    parser.add_argument("--scale-sizes", default=None,
                        help="stored fleet sizes for the scale section (writes, derivation, "
                             "routes, queries on disk; default 1000,10000,50000; smoke 3,6; "
                             "'none' skips it)")
    parser.add_argument("--template-size", type=int, default=None,
                        help="generated batteries the larger scale fleets are copied from "
                             "(default 1000)")
    parser.add_argument("--scale-query-budget", type=float, default=None,
                        help="seconds per query and scale size (default 120)")
    parser.add_argument("--scale-fleet-queries-up-to", type=int, default=None,
                        help="largest scale size that runs the fleet-wide queries; larger "
                             "sizes run the per-battery ones only (default 10000; smoke 3)")
    parser.add_argument("--fleet-queries", default=None,
                        help="fleet sizes of the fleet section (issue 17: the fleet queries, "
                             "detailed and summary style, embedded, /sparql and Virtuoso on "
                             "the same quads; e.g. 10000 or 10000,100000; default none; "
                             "smoke 6)")
    parser.add_argument("--fleet-query-runs", type=int, default=3,
                        help="runs per query, style and engine in the fleet section (default 3)")
    parser.add_argument("--fleet-query-budget", type=float, default=180.0,
                        help="seconds per query, style and engine before runs stop (at least "
                             "one run; default 180)")
    parser.add_argument("--fleet-embedded-up-to", type=int, default=None,
                        help="largest fleet size of the fleet section that builds the embedded "
                             "store (and runs the embedded and /sparql columns); larger sizes "
                             "run on Virtuoso only (the embedded store takes ~0.74 GB per 1 000 "
                             "batteries; default: every size)")
    parser.add_argument("--no-virtuoso", action="store_true",
                        help="fleet section without Virtuoso")
    parser.add_argument("--virtuoso-memory-mb", type=int, default=6000,
                        help="Virtuoso page buffers in the fleet section (default 6000)")
    parser.add_argument("--bulk-import", type=int, default=None,
                        help="passports in the bulk import measurement of the fleet section "
                             "(default 200, smoke 4; 0 skips it)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=None,
                        help="where dumps and on-disk stores go (default: a temporary directory)")
    args = parser.parse_args(argv)

    smoke = args.smoke

    def pick(value: int | None, full: int, tiny: int) -> int:
        return value if value is not None else (tiny if smoke else full)

    if args.sizes == "none":
        sizes = []
    elif args.sizes:
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    else:
        sizes = [3, 6] if smoke else [1000]
    if args.with_50k:
        sizes.append(50000)
    if args.with_100k:
        sizes.append(100000)
    if args.scale_sizes == "none":
        scale_sizes: list[int] = []
    elif args.scale_sizes:
        scale_sizes = sorted({int(s) for s in args.scale_sizes.split(",") if s.strip()})
    else:
        scale_sizes = [3, 6] if smoke else [1000, 10000, 50000]
    many = [] if smoke else [100]  # smoke: one passport only (pySHACL takes ~3 s each)
    if args.shacl_1k:
        many.append(1000)
    return Config(
        sizes=sorted(set(sizes)), out=args.out, smoke=smoke, disk=args.disk or args.disk_only,
        disk_only=args.disk_only,
        requests=pick(args.requests, 30, 2), clients=args.clients,
        per_client=pick(args.per_client, 5, 1),
        heavy_seconds=args.heavy_seconds, heavy_requests=args.heavy_requests,
        rdflib_requests=pick(args.rdflib_requests, 3, 1),
        rdflib_max=pick(args.rdflib_max, 1000, min(sizes) if sizes else 0),
        rdflib_budget=args.rdflib_budget, rdflib_timeout=args.rdflib_timeout,
        ingest_posts=pick(args.ingest_posts, 20, 2),
        derivations=pick(args.derivations, 20, 2),
        route_requests=pick(None, 20, 2),
        bulk_validated=pick(args.bulk_validated, 100, 3),
        shacl_many=many, shacl_runs=pick(None, 5, 1),
        profile=not args.no_profile, shacl=not args.no_shacl, seed=args.seed,
        workdir=args.workdir,
        scale_sizes=scale_sizes,
        template_size=pick(args.template_size, 1000, 3),
        scale_query_runs=pick(None, 5, 1),
        scale_query_budget=args.scale_query_budget or (10.0 if smoke else 120.0),
        scale_fleet_queries_up_to=pick(args.scale_fleet_queries_up_to, 10000, 3),
        fleet_query_sizes=sorted({int(x) for x in (args.fleet_queries or (
            "6" if smoke else "")).split(",") if x.strip() and x.strip() != "none"}),
        fleet_query_runs=args.fleet_query_runs if not smoke else 1,
        fleet_query_budget=args.fleet_query_budget,
        fleet_embedded_up_to=args.fleet_embedded_up_to,
        virtuoso=not args.no_virtuoso,
        virtuoso_memory_mb=args.virtuoso_memory_mb if not smoke else 256,
        bulk_passports=pick(args.bulk_import, 200, 4),
    )


def log(message: str) -> None:
    print(f"[bench {datetime.now().strftime('%H:%M:%S')}] {message}", file=sys.stderr,
          flush=True)


# ---------------------------------------------------------------------------------------------
# services and fleets
# ---------------------------------------------------------------------------------------------
def settings(store: str = ":memory:"):
    from graph_service.config import Settings

    return Settings(_env_file=None, store=store, host="127.0.0.1",  # type: ignore[call-arg]
                    base_iri=BASE_IRI)


def build(store_path: str = ":memory:"):
    from graph_service.container import build_services

    return build_services(settings(store_path))


@dataclass
class Fleet:
    size: int
    services: object
    dump: Path
    readable_dump: Path | None
    readable_graphs: list[str]
    researcher_token: str
    admin_token: str
    info: dict


def make_fleet(size: int, config: Config, workdir: Path) -> Fleet:
    from graph_service.services.access import Principal, Role
    from graph_service.services.fleet.demo import write_demo_fleet
    from graph_service.store.base import RdfFormat

    services = build()
    before = services.store.count()
    log(f"filling a fleet of {size} batteries (validate=False, derive=False)")
    started = time.perf_counter()
    triples = write_demo_fleet(services, size, seed=config.seed, validate=False, derive=False)
    fill = time.perf_counter() - started
    researcher = services.principals.create(Role.RESEARCHER, None, "benchmark researcher")
    admin = services.principals.create(Role.ADMIN, "bench", "benchmark admin")
    dataset = services.sparql.dataset_for(Principal("bench", Role.RESEARCHER))
    graphs = [str(g) for g in dataset.default_graph if g is not None]
    started = time.perf_counter()
    data = services.store.dump(RdfFormat.N_QUADS)
    dump_seconds = time.perf_counter() - started
    dump = workdir / f"fleet-{size}.nq"
    dump.write_bytes(data)
    readable_dump = None
    readable_quads = 0
    if size <= config.rdflib_max:
        # Only the graphs a researcher reads: rdflib-endpoint ignores default-graph-uri.
        endings = tuple(f"<{g}> .".encode() for g in graphs)
        readable_dump = workdir / f"fleet-{size}-researcher.nq"
        with readable_dump.open("wb") as out:
            for line in data.splitlines():
                if line.rstrip().endswith(endings):
                    out.write(line + b"\n")
                    readable_quads += 1
    quads = services.store.count()
    del data
    gc.collect()
    info = {
        "batteries": size,
        "passport_triples": triples,
        "quads": quads,
        "fleet_quads": quads - before,
        "researcher_quads": readable_quads or None,
        "fill_seconds": round(fill, 2),
        "fill_passports_per_s": round(size / fill, 1),
        "fill_triples_per_s": round(triples / fill),
        "dump_seconds": round(dump_seconds, 2),
        "dump_bytes": dump.stat().st_size,
    }
    log(f"fleet {size}: {quads} quads, filled in {fill:.1f} s, dump {info['dump_bytes']:,} B")
    return Fleet(size, services, dump, readable_dump, graphs, researcher.token, admin.token, info)


# ---------------------------------------------------------------------------------------------
# SPARQL: three engines
# ---------------------------------------------------------------------------------------------
@contextlib.contextmanager
def running_servers(fleet: Fleet, config: Config, workdir: Path, storage: str,
                    with_rdflib: bool) -> Iterator[dict[str, Server]]:
    servers: dict[str, Server] = {}
    starts: dict[str, float] = {}
    try:
        store = ":memory:"
        oxigraph_location = None
        oxigraph_load = 0.0
        if storage == "disk":
            store = str(workdir / f"ours-{fleet.size}")
            oxigraph_location = workdir / f"oxigraph-{fleet.size}"
            # Left over by an interrupted run: a non-empty store would be served as it is,
            # without this run's data and tokens.
            for leftover in (Path(store), oxigraph_location):
                shutil.rmtree(leftover, ignore_errors=True)
            log("oxigraph load (on disk)")
            oxigraph_load = oxigraph_bulk_load(oxigraph_location, fleet.dump, workdir)
        starts["ours"] = time.perf_counter()
        servers["ours"] = start_ours(fleet.dump, store, workdir, base_iri=BASE_IRI,
                                     token=fleet.researcher_token)
        if with_rdflib and fleet.readable_dump is not None:
            starts["rdflib-endpoint"] = time.perf_counter()
            servers["rdflib-endpoint"] = start_rdflib(fleet.readable_dump, workdir)
        starts["oxigraph"] = time.perf_counter()
        servers["oxigraph"] = start_oxigraph(workdir, location=oxigraph_location,
                                             default_graphs=fleet.readable_graphs)
        wait_ready(servers["oxigraph"], "/query?query=ASK%20%7B%7D", 120)
        if oxigraph_location is None:
            log("loading the dump into oxigraph serve (POST /store)")
            oxigraph_post_store(servers["oxigraph"], fleet.dump)
            servers["oxigraph"].load_seconds = time.perf_counter() - starts["oxigraph"]
        else:
            servers["oxigraph"].load_seconds = oxigraph_load
        wait_ready(servers["ours"], "/health", 1800)
        servers["ours"].load_seconds = time.perf_counter() - starts["ours"]
        if "rdflib-endpoint" in servers:
            wait_ready(servers["rdflib-endpoint"], "/", 3600)
            servers["rdflib-endpoint"].load_seconds = \
                time.perf_counter() - starts["rdflib-endpoint"]
        for server in servers.values():
            if server.sampler is not None:
                server.rss_after_load = server.sampler.current()
        log(f"servers ready ({storage}): " + ", ".join(
            f"{n} {s.load_seconds:.1f} s" for n, s in servers.items()))
        yield servers
    finally:
        for server in servers.values():
            server.stop()


def server_info(server: Server) -> dict:
    sampler = server.sampler
    info = {
        "load_seconds": round(server.load_seconds, 2),
        "rss_after_load_mb": round(server.rss_after_load / 2**20, 1),
        "rss_peak_mb": round(sampler.high_water_mark() / 2**20, 1) if sampler else None,
    }
    if server.restarts:
        info["restarts"] = server.restarts
    return info


def verify_rows(fleet: Fleet, servers: dict[str, Server], queries: list[BenchQuery],
                config: Config) -> tuple[dict, dict[str, dict[str, str]], dict]:
    """Row counts of every query on every engine and in-process. An engine whose count differs
    from ours (a mismatch), or that fails or times out, is not timed for that query."""
    from graph_service.services.access import Principal, Role

    services = fleet.services
    dataset = services.sparql.dataset_for(Principal("bench", Role.RESEARCHER))
    rows: dict = {}
    excluded: dict[str, dict[str, str]] = {name: {} for name in servers}
    first: dict = {name: {} for name in servers}  # seconds of the row-count request
    timeouts: dict[str, dict[str, float]] = {}
    for query in queries:
        counts: dict[str, int] = {
            "in-process": len(services.sparql.run_query(query.text, dataset))}
        errors: dict[str, str] = {}
        for name, server in list(servers.items()):
            timeout = config.rdflib_timeout if name == "rdflib-endpoint" else 600
            with server.client(timeout) as client:
                started = time.perf_counter()
                try:
                    counts[name] = count_rows(send(client, server, query))
                except QueryFailed as exc:
                    errors[name] = str(exc)
                    if "Timeout" in str(exc):
                        errors[name] = f"timed out after {timeout:g} s"
                        timeouts.setdefault(name, {})[query.key] = timeout
                first[name][query.key] = time.perf_counter() - started
            if name == "rdflib-endpoint" and name in errors and fleet.readable_dump is not None:
                # rdflib-endpoint evaluates on its event loop and cannot be cancelled: a query
                # the client gave up on would delay every later request, so restart it.
                log(f"restarting rdflib-endpoint after: {errors[name]}")
                restarts = server.restarts + 1
                server.stop()
                started = time.perf_counter()
                servers[name] = start_rdflib(fleet.readable_dump, server.log_path.parent)
                wait_ready(servers[name], "/", 3600)
                servers[name].load_seconds = time.perf_counter() - started
                servers[name].rss_after_load = servers[name].sampler.current()  # type: ignore[union-attr]
                servers[name].restarts = restarts
        reference = counts.get("ours")
        match = all(v == reference for v in counts.values())
        for name in servers:
            if name in errors:
                excluded[name][query.key] = f"not timed: {errors[name]}"
            elif counts[name] != reference:
                excluded[name][query.key] = "not timed: row count differs from ours"
        rows[query.key] = {**counts, "match": match, **({"errors": errors} if errors else {})}
        log(f"rows {query.key}: {counts}{' errors: ' + str(errors) if errors else ''}")
    first["timeouts"] = timeouts
    return rows, excluded, first


def measure_sparql(servers: dict[str, Server], queries: list[BenchQuery], config: Config,
                   excluded: dict[str, dict[str, str]], first: dict) -> dict:
    result: dict = {"sequential": {}, "concurrent": {}}
    for query in queries:
        sequential_results: dict = {}
        concurrent_results: dict = {}
        # The same request counts for both fast engines, chosen from their first requests: a
        # fleet-wide query taking seconds gets fewer samples (the run stays within an hour).
        heavy = max(first.get(name, {}).get(query.key, 0.0)
                    for name in servers if name != "rdflib-endpoint") > config.heavy_seconds
        for name, server in servers.items():
            reason = excluded.get(name, {}).get(query.key)
            if reason:
                skipped: dict = {"note": reason}
                timed_out = first.get("timeouts", {}).get(name, {}).get(query.key)
                if timed_out:
                    skipped["timed_out_after_s"] = timed_out
                sequential_results[name] = skipped
                concurrent_results[name] = dict(skipped)
                continue
            slow = name == "rdflib-endpoint"
            timeout = config.rdflib_timeout if slow else 300.0
            checked = first.get(name, {}).get(query.key, 0.0)
            if slow and checked > config.rdflib_budget:
                # The row-count request alone exceeded the budget: it is the only sample.
                seq = Measurement(durations=[checked], note=(
                    f"one request (the row-count check, {checked:.0f} s) exceeded the "
                    f"{config.rdflib_budget:g} s budget; not repeated"))
            else:
                seq = sequential(server, query,
                                 config.rdflib_requests if slow else
                                 config.heavy_requests if heavy else config.requests,
                                 budget_seconds=config.rdflib_budget if slow else None,
                                 timeout=timeout, warmup=not slow)
            sequential_results[name] = seq.as_dict()
            per_request = median(seq.durations) or 0.0
            if slow and per_request * config.clients > config.rdflib_budget:
                conc = Measurement(clients=config.clients, note=(
                    f"not run: {config.clients} requests at {per_request:.1f} s each exceed "
                    f"the {config.rdflib_budget:g} s budget"))
            else:
                conc = concurrent(server, query, config.clients,
                                  1 if slow or heavy else config.per_client, timeout=timeout)
            concurrent_results[name] = conc.as_dict()
            log(f"{query.key} {name}: seq p50 {seq.as_dict()['p50_ms']} ms, "
                f"{config.clients} clients {conc.as_dict().get('throughput_qps')} q/s")
        result["sequential"][query.key] = sequential_results
        result["concurrent"][query.key] = concurrent_results
    result["ratios"] = ratios(result, queries)
    return result


def ratios(result: dict, queries: list[BenchQuery]) -> dict:
    """Throughput of ours divided by the other engine's (> 1: ours is faster)."""
    table: dict = {}
    for mode in ("sequential", "concurrent"):
        per_query: dict = {}
        for query in queries:
            entry = result[mode][query.key]
            ours = entry.get("ours", {}).get("throughput_qps")
            per_query[query.key] = {}
            for other in ENGINES[1:]:
                if other not in entry:
                    continue
                theirs = entry[other]
                per_query[query.key][f"ours/{other}"] = ratio(ours, theirs.get("throughput_qps"))
                if theirs.get("timed_out_after_s") and ours:
                    # the other engine needed more than the timeout: a lower bound
                    per_query[query.key][f"ours/{other}_at_least"] = round(
                        ours * theirs["timed_out_after_s"], 1)
        geomean = {
            key: geometric_mean([q[key] if q.get(key) is not None else q.get(f"{key}_at_least")
                                 for q in per_query.values()])
            for key in ("ours/oxigraph", "ours/rdflib-endpoint")
        }
        table[mode] = {"per_query": per_query, "geomean": geomean,
                       "note": "ours/X_at_least: X timed out; geomean uses those lower bounds"}
    return table


# ---------------------------------------------------------------------------------------------
# HTTP overhead, ingest, rules, routes
# ---------------------------------------------------------------------------------------------
def http_overhead(fleet: Fleet, queries: list[BenchQuery], sparql: dict, runs: int) -> dict:
    """Same query in-process (SparqlService.run_query over the researcher's dataset, then JSON
    serialisation, as /sparql does) vs through /sparql (sequential p50)."""
    from graph_service.services.access import Principal, Role

    services = fleet.services
    dataset = services.sparql.dataset_for(Principal("bench", Role.RESEARCHER))
    out: dict = {}
    added: list[float] = []
    added_small: list[float] = []
    for query in queries:
        query_only, total = [], []
        services.sparql.run_query(query.text, dataset)  # warm-up
        for _ in range(runs):
            started = time.perf_counter()
            result = services.sparql.run_query(query.text, dataset)
            middle = time.perf_counter()
            result.serialize(RESULTS_JSON)
            done = time.perf_counter()
            query_only.append(middle - started)
            total.append(done - started)
        http = sparql["sequential"][query.key].get("ours", {}).get("p50_ms")
        native = sparql["sequential"][query.key].get("oxigraph", {}).get("p50_ms")
        in_process = summary_ms(total)["p50_ms"]
        extra = None if http is None or in_process is None else round(http - in_process, 3)
        if extra is not None:
            added.append(extra)
            if query.per_battery:
                added_small.append(extra)
        out[query.key] = {
            "in_process_query_p50_ms": summary_ms(query_only)["p50_ms"],
            "in_process_query_and_json_p50_ms": in_process,
            "http_p50_ms": http,
            "added_ms": extra,
            # The same subtraction for Oxigraph server (its JSON is written in Rust): what
            # any HTTP round trip from this client costs, for comparison.
            "oxigraph_http_p50_ms": native,
            "oxigraph_added_ms": None if native is None or in_process is None
            else round(native - in_process, 3),
        }
    # The goal is about small queries (per-battery lookups): on a fleet-wide query the
    # difference is dominated by run-to-run variation of a second-long evaluation.
    return {"per_query": out, "median_added_ms": median(added),
            "median_added_small_ms": median(added_small),
            "small_queries": [q.key for q in queries if q.per_battery]}


def request_floor(servers: dict[str, Server], runs: int) -> dict:
    """The per-request cost without work: ``ASK {}`` on ours and on Oxigraph server, and our
    ``GET /health`` (no store, no thread hop), sequential p50 from the same client."""
    empty = BenchQuery("ask-empty", "empty ASK", "-", "ASK {}", "ASK {}")
    out: dict = {}
    for name in ("ours", "oxigraph"):
        if name in servers:
            out[f"ask_empty_{name}"] = sequential(servers[name], empty, runs).as_dict()
    durations = []
    with servers["ours"].client(60) as client:
        health = f"{servers['ours'].url}/health"
        client.get(health)
        for _ in range(runs):
            started = time.perf_counter()
            client.get(health).raise_for_status()
            durations.append(time.perf_counter() - started)
    out["health_ours"] = summary_ms(durations)
    return out


def fresh_passports(fleet: Fleet, count: int, seed: int) -> list[tuple[str, bytes]]:
    """Passports of batteries after the fleet's last one (+1 for the warm-up request)."""
    from graph_service.services.fleet.demo import battery_id, demo_passport

    minter = fleet.services.minter
    return [
        (battery_id(index),
         demo_passport(minter, index, seed).serialize(format="turtle").encode())
        for index in range(fleet.size + 1, fleet.size + count + 2)
    ]


def measure_ingest_http(server: Server, fleet: Fleet, passports: list[tuple[str, bytes]]) -> dict:
    """POST /passports of fresh demo passports (validate, derive, commit), one at a time."""
    durations = []
    statuses: dict[int, int] = {}
    headers = {"Authorization": f"Bearer {fleet.admin_token}", "Content-Type": "text/turtle"}
    with httpx.Client(timeout=300, verify=False, headers=headers) as client:
        for position, (_, body) in enumerate(passports):
            started = time.perf_counter()
            response = client.post(f"{server.url}/passports", content=body)
            elapsed = time.perf_counter() - started
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            if not response.is_success:
                return {"error": f"POST /passports answered {response.status_code}: "
                                 f"{response.text[:300]}"}
            if position:  # the first one warms caches
                durations.append(elapsed)
    data = summary_ms(durations)
    data["passports_per_s"] = round(len(durations) / sum(durations), 2) if durations else None
    data["statuses"] = {str(k): v for k, v in statuses.items()}
    return data


def available_routes() -> set[str]:
    from graph_service.api.app import create_app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate operation ids are not ours to report
        return set(create_app(settings()).openapi().get("paths", {}))


def measure_routes(server: Server, fleet: Fleet, battery_ids: list[str], requests: int) -> dict:
    routes = available_routes()
    out: dict = {}
    for name in ("procedure", "pathway"):
        path = f"/batteries/{{battery_id}}/{name}"
        if path not in routes:
            out[name] = {"note": f"GET {path} does not exist in this build; not measured"}
            continue
        durations = []
        error = ""
        with httpx.Client(timeout=120, verify=False, headers={
                "Authorization": f"Bearer {fleet.researcher_token}",
                "Accept": "application/json"}) as client:
            targets = [battery_ids[i % len(battery_ids)] for i in range(requests + 1)]
            for position, bid in enumerate(targets):
                started = time.perf_counter()
                response = client.get(f"{server.url}/batteries/{bid}/{name}")
                elapsed = time.perf_counter() - started
                if not response.is_success:
                    error = f"GET {path} for {bid}: {response.status_code} {response.text[:200]}"
                    break
                if position:
                    durations.append(elapsed)
        out[name] = summary_ms(durations)
        if error:
            out[name]["error"] = error
    return out


def measure_rules(fleet: Fleet, count: int) -> dict:
    """RuleRunner.derive of stored batteries (reads their source graphs from the store)."""
    from graph_service.services.fleet.demo import battery_id

    rules = fleet.services.rules
    step = max(1, fleet.size // max(1, count))
    targets = [battery_id(1 + (i * step) % fleet.size) for i in range(count + 1)]
    durations = []
    for position, bid in enumerate(targets):
        started = time.perf_counter()
        rules.derive(bid)
        if position:
            durations.append(time.perf_counter() - started)
    return summary_ms(durations)


def profile_ingest(fleet: Fleet, top: int = 25, *, warm_up: bool = True) -> dict:
    """cProfile of one in-process ingest (submit_graph: validate, derive, commit) of a fresh
    passport into the fleet's store."""
    from graph_service.services.access import Principal, Role
    from graph_service.services.fleet.demo import battery_id, demo_passport

    services = fleet.services
    principal = Principal(id="bench", role=Role.ADMIN)
    index = fleet.size + 1000
    if warm_up:
        services.ingest.submit_graph(demo_passport(services.minter, index),
                                     principal=principal)
    graph = demo_passport(services.minter, index + 1)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    services.ingest.submit_graph(graph, principal=principal)
    profiler.disable()
    elapsed = time.perf_counter() - started
    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream)
    stats.sort_stats("cumulative")
    rows = []
    for (filename, line, function), (_, calls, _, cumulative, _) in sorted(
            stats.stats.items(), key=lambda item: item[1][3], reverse=True):  # type: ignore[attr-defined]
        name = _short(filename, line, function)
        if name.startswith(("<", "~")) or "bench/run.py" in name:
            continue
        rows.append({"function": name, "calls": calls, "cumulative_ms": round(cumulative * 1000,
                                                                              1)})
        if len(rows) >= top:
            break
    return {"case": f"ingest.submit_graph of fresh passport {battery_id(index + 1)} "
                    f"with {fleet.size} batteries stored", "seconds": round(elapsed, 3),
            "top": rows}


def _short(filename: str, line: int, function: str) -> str:
    for marker in ("/site-packages/", str(REPO_ROOT) + "/"):
        if marker in filename:
            filename = filename.split(marker, 1)[1]
    return f"{filename}:{line}({function})"


# ---------------------------------------------------------------------------------------------
# size-independent sections
# ---------------------------------------------------------------------------------------------
def measure_bulk_validated(config: Config) -> dict:
    """write_demo_fleet(validate=True) into a fresh in-memory store (derivation included)."""
    from graph_service.services.fleet.demo import write_demo_fleet

    services = build()
    before = services.store.count()
    count = config.bulk_validated
    log(f"bulk import with validation: {count} passports")
    started = time.perf_counter()
    triples = write_demo_fleet(services, count, seed=config.seed, validate=True)
    elapsed = time.perf_counter() - started
    quads = services.store.count() - before
    services.store.close()
    return {
        "passports": count, "seconds": round(elapsed, 2), "passport_triples": triples,
        "quads_written": quads, "passports_per_s": round(count / elapsed, 2),
        "triples_per_s": round(triples / elapsed), "quads_per_s": round(quads / elapsed),
        "note": "validate=True, derive=True (the defaults): generation, SHACL, rules, bulk load",
    }


def measure_shacl(config: Config) -> dict:
    """Validator.validate vs pyshacl.validate: one passport (repeated), then N passports
    validated one after the other, as ingest does (a merged graph of many passports is not a
    passport: shared organisation and site nodes make it non-conforming)."""
    import logging

    import pyshacl

    from graph_service.services.fleet.demo import demo_passport

    logging.getLogger("pyshacl").setLevel(logging.ERROR)
    services = build()
    validator = services.validator
    minter = services.minter
    verdicts: dict[str, set[bool]] = {"ours": set(), "pyshacl": set()}

    def ours(graph) -> float:
        started = time.perf_counter()
        verdicts["ours"].add(validator.validate(graph, keep_report_graph=False).conforms)
        return time.perf_counter() - started

    def reference(closed) -> float:
        started = time.perf_counter()
        conforms, _, _ = pyshacl.validate(closed, shacl_graph=validator.shapes, advanced=True,
                                          allow_warnings=True)
        verdicts["pyshacl"].add(bool(conforms))
        return time.perf_counter() - started

    out: dict = {}
    one = demo_passport(minter, 1, config.seed)
    ours(one)  # warm-up (class closure cache)
    closed = validator.engine_graph(one)
    log("pySHACL on one passport")
    out["1"] = _shacl_entry(len(one), 1, [ours(one) for _ in range(config.shacl_runs)],
                            [reference(closed) for _ in range(max(1, min(3, config.shacl_runs)))])
    for count in config.shacl_many:
        graphs = [demo_passport(minter, index, config.seed) for index in range(1, count + 1)]
        mine = [ours(graph) for graph in graphs]
        log(f"pySHACL on {count} passports, one at a time")
        closed_graphs = [validator.engine_graph(graph) for graph in graphs]
        theirs = [reference(closed) for closed in closed_graphs]
        out[str(count)] = _shacl_entry(sum(len(g) for g in graphs), count, mine, theirs)
    services.store.close()
    return {"passports": out, "conforms": {k: sorted(v) for k, v in verdicts.items()},
            "note": (
                "ours: Validator.validate (type closure + pyshacl-turbo + report parsing); "
                "pySHACL: pyshacl.validate(advanced=True) on Validator.engine_graph (the "
                "same closed data; building it is not timed for pySHACL); N passports = N "
                "validations of one passport each, total time")}


def _shacl_entry(triples: int, passports: int, ours: list[float],
                 reference: list[float]) -> dict:
    if passports == 1:
        mine, theirs = summary_ms(ours), summary_ms(reference)
    else:  # total time for all passports, one validation each
        mine = {"n": passports, "p50_ms": round(sum(ours) * 1000, 1),
                "per_passport_p50_ms": summary_ms(ours)["p50_ms"]}
        theirs = {"n": passports, "p50_ms": round(sum(reference) * 1000, 1),
                  "per_passport_p50_ms": summary_ms(reference)["p50_ms"]}
    return {"triples": triples, "ours": mine, "pyshacl": theirs,
            "speedup": ratio(theirs["p50_ms"], mine["p50_ms"])}


# ---------------------------------------------------------------------------------------------
# the run
# ---------------------------------------------------------------------------------------------
def run_size(size: int, config: Config, workdir: Path, queries: list[BenchQuery],
             largest: bool) -> dict:
    load_before = _loadavg()
    fleet = make_fleet(size, config, workdir)
    entry: dict = {**fleet.info, "storage": {}}
    with_rdflib = size <= config.rdflib_max
    storages = ["disk"] if config.disk_only else ["memory", "disk"] if config.disk else ["memory"]
    for storage in storages:
        primary = storage == storages[0]  # HTTP overhead, writes and routes: measured once
        with running_servers(fleet, config, workdir, storage,
                             with_rdflib and storage == "memory") as servers:
            rows, excluded, first = verify_rows(fleet, servers, queries, config)
            sparql = measure_sparql(servers, queries, config, excluded, first)
            section: dict = {"rows": rows, **sparql}
            if primary:
                floor = request_floor(servers, config.requests)
                for name in ("rdflib-endpoint", "oxigraph"):
                    if name in servers:
                        section.setdefault("servers", {})[name] = server_info(servers[name])
                        servers[name].stop()
                log("HTTP overhead")
                entry["http_overhead"] = {
                    **http_overhead(fleet, queries, sparql, config.requests), "floor": floor}
                log(f"POST /passports x {config.ingest_posts}")
                passports = fresh_passports(fleet, config.ingest_posts, config.seed)
                entry["ingest_http"] = measure_ingest_http(servers["ours"], fleet, passports)
                entry["routes"] = measure_routes(servers["ours"], fleet,
                                                 [bid for bid, _ in passports],
                                                 config.route_requests)
            section.setdefault("servers", {})
            for name, server in servers.items():
                if name not in section["servers"]:
                    section["servers"][name] = server_info(server)
            if not with_rdflib and storage == "memory":
                section["note"] = (f"rdflib-endpoint not run above {config.rdflib_max} "
                                   "batteries (--rdflib-max)")
            entry["storage"][storage] = section
    log(f"rules: {config.derivations} derivations")
    entry["rules"] = measure_rules(fleet, config.derivations)
    if largest and config.profile:
        log("profiling one ingest")
        entry["profile"] = profile_ingest(fleet, warm_up=not config.smoke)
    entry["loadavg"] = {"before": load_before, "after": _loadavg()}
    fleet.services.store.close()
    for path in (fleet.dump, fleet.readable_dump):
        if path is not None:
            path.unlink(missing_ok=True)
    del fleet
    gc.collect()
    return entry


def run_scale(config: Config, workdir: Path, queries: list[BenchQuery]) -> dict:
    """The scale section (bench/scale.py) over on-disk stores of each scale size."""
    from graph_service.store import open_store

    template = fleet_stores.template_dump(workdir, config.template_size, config.seed, build,
                                          log)
    entries = []
    for size in config.scale_sizes:
        load_before = _loadavg()
        try:
            path, fill = fleet_stores.scale_store(
                workdir, size, template, config.template_size, seed=config.seed,
                base_iri=BASE_IRI, open_store=lambda p: open_store(settings(p)), log=log)

            def start_server(store: Path) -> Server:
                server = start_ours(Path(os.devnull), str(store), workdir, base_iri=BASE_IRI,
                                    token="")
                wait_ready(server, "/health", 1800)
                return server

            entry = scale.measure_scale_size(size, path, fill, config, workdir, build=build,
                                             queries=queries, log=log, base_iri=BASE_IRI,
                                             start_server=start_server)
        except (ServerError, OSError, RuntimeError) as exc:
            log(f"scale size {size} failed: {exc}")
            entry = {"batteries": size, "error": str(exc)}
        entry["loadavg"] = {"before": load_before, "after": _loadavg()}
        entries.append(entry)
    return {"template_batteries": config.template_size, "sizes": entries,
            "ratios": scale.scale_ratios(entries), "method": scale.__doc__}


def run_fleet(config: Config, workdir: Path) -> dict:
    """The fleet section (bench/fleet_queries.py)."""
    from bench import fleet_queries

    def start_server(store: Path) -> Server:
        server = start_ours(Path(os.devnull), str(store), workdir, base_iri=BASE_IRI, token="")
        wait_ready(server, "/health", 1800)
        return server

    return fleet_queries.run_fleet_section(config, workdir, build=build, settings=settings,
                                           log=log, base_iri=BASE_IRI,
                                           start_server=start_server)


def _loadavg() -> list[float] | None:
    """1/5/15-minute load averages: other work on the machine skews every number."""
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except OSError:
        return None


def size_ratios(sizes: list[dict]) -> dict:
    """Each larger fleet against the smallest: per-passport ingest, derivation, routes."""
    if len(sizes) < 2:
        return {}
    base = sizes[0]
    out = {}
    for entry in sizes[1:]:
        key = f"{entry['batteries']}/{base['batteries']}"
        out[key] = {
            "ingest_post_p50": ratio(entry.get("ingest_http", {}).get("p50_ms"),
                                     base.get("ingest_http", {}).get("p50_ms")),
            "derivation_p50": ratio(entry["rules"].get("p50_ms"), base["rules"].get("p50_ms")),
            "procedure_p50": ratio(entry.get("routes", {}).get("procedure", {}).get("p50_ms"),
                                   base.get("routes", {}).get("procedure", {}).get("p50_ms")),
            "pathway_p50": ratio(entry.get("routes", {}).get("pathway", {}).get("p50_ms"),
                                 base.get("routes", {}).get("pathway", {}).get("p50_ms")),
        }
    return out


def render(path: Path) -> int:
    """Rewrite benchmarks.md next to an existing benchmarks.json (no measuring)."""
    results = json.loads(path.read_text(encoding="utf-8"))
    results["goals"] = report.goals(results)
    path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    report.write_markdown(path.parent / "benchmarks.md", results)
    log(f"rendered {path.parent / 'benchmarks.md'} from {path}")
    return 0


def merge(section: str, measured: Path, into: Path) -> int:
    """Put one section of another run's benchmarks.json (e.g. the fleet section, hours long,
    run on its own) into ``into``, with that run's date, commit, command and duration, then
    re-render the markdown beside ``into``."""
    source = json.loads(measured.read_text(encoding="utf-8"))
    if section not in source:
        log(f"{measured} has no section {section!r}")
        return 1
    results = json.loads(into.read_text(encoding="utf-8"))
    meta = source["meta"]
    run = {"date": meta["date"], "commit": meta["machine"]["source"].get("commit"),
           "command": meta.get("command", "python -m bench"),
           "duration_s": meta.get("duration_s"), "loadavg": meta.get("loadavg_after")}
    merged = {**source[section], "run": run}
    earlier = results.get(section) or {}
    if section == "fleet" and earlier.get("sizes"):
        # Fleet sizes measured in separate runs (a 100 000-battery size takes hours) sit side
        # by side, each with its own run; a size measured again is replaced.
        for entry in merged["sizes"]:
            entry["run"] = run
        measured_now = {entry["batteries"] for entry in merged["sizes"]}
        kept = [{"run": earlier.get("run"), **entry} for entry in earlier["sizes"]
                if entry["batteries"] not in measured_now]
        merged["sizes"] = sorted(kept + merged["sizes"], key=lambda entry: entry["batteries"])
        if "bulk_import" not in merged and "bulk_import" in earlier:
            merged["bulk_import"] = earlier["bulk_import"]
            merged["bulk_import_run"] = earlier.get("bulk_import_run") or earlier.get("run")
    results[section] = merged
    into.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return render(into)


def _without_paths(args: list[str]) -> list[str]:
    """The command line as committed in the report: this machine's folders named OUT / WORK."""
    names = {"--out": "OUT", "--workdir": "WORK"}
    out: list[str] = []
    for arg in args:
        option, _, value = arg.partition("=")
        if value and option in names:
            out.append(f"{option}={names[option]}")
        elif out and out[-1] in names:
            out.append(names[out[-1]])
        else:
            out.append(arg)
    return out


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--render"] and len(args) == 2:
        return render(Path(args[1]))
    if args[:1] == ["--merge"] and len(args) == 4:
        return merge(args[1], Path(args[2]), Path(args[3]))
    config = parse_args(argv)
    queries = load_queries()
    started = time.perf_counter()
    results: dict = {
        "meta": {
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "mode": "smoke" if config.smoke else "full",
            "command": "python -m bench " + " ".join(_without_paths(args)),
            "machine": machine.describe(),
            "config": config.as_dict(),
        },
        "queries": [{k: v for k, v in q.__dict__.items() if k != "text"} for q in queries],
        "sizes": [],
    }
    with contextlib.ExitStack() as cleanup:
        if config.workdir is None:
            workdir = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="bench-")))
        else:
            workdir = config.workdir
            workdir.mkdir(parents=True, exist_ok=True)
        for position, size in enumerate(config.sizes):
            try:
                results["sizes"].append(run_size(size, config, workdir, queries,
                                                 largest=position == len(config.sizes) - 1))
            except (ServerError, OSError) as exc:
                log(f"size {size} failed: {exc}")
                results["sizes"].append({"batteries": size, "error": str(exc)})
            for leftover in [*workdir.glob(f"ours-{size}"), *workdir.glob(f"oxigraph-{size}")]:
                shutil.rmtree(leftover, ignore_errors=True)
        done = [s for s in results["sizes"] if "error" not in s]
        results["size_ratios"] = size_ratios(done)
        if config.scale_sizes:
            results["scale"] = run_scale(config, workdir, queries)
        if config.fleet_query_sizes:
            results["fleet"] = run_fleet(config, workdir)
        if config.shacl:
            results["ingest_bulk"] = measure_bulk_validated(config)
            log("SHACL engines")
            results["shacl"] = measure_shacl(config)
            log("blank-node labelling and document limits")
            results["normalisation"] = normalise.measure(smoke=config.smoke)
    results["meta"]["sizes_run"] = [s["batteries"] for s in results["sizes"] if "error" not in s]
    results["meta"]["duration_s"] = round(time.perf_counter() - started, 1)
    results["meta"]["loadavg_after"] = _loadavg()
    results["goals"] = report.goals(results)
    config.out.mkdir(parents=True, exist_ok=True)
    (config.out / "benchmarks.json").write_text(json.dumps(results, indent=2) + "\n",
                                                encoding="utf-8")
    report.write_markdown(config.out / "benchmarks.md", results)
    log(f"wrote {config.out / 'benchmarks.md'} and benchmarks.json in "
        f"{results['meta']['duration_s']} s")
    mismatched = [
        (s["batteries"], storage, key)
        for s in results["sizes"] for storage, section in s.get("storage", {}).items()
        for key, rows in section.get("rows", {}).items() if not rows["match"]
    ]
    failed = [s["batteries"] for s in results["sizes"] if "error" in s]
    if mismatched:
        log(f"row counts differ between engines: {mismatched}")
    if failed:
        log(f"sizes that failed: {failed}")
    return 1 if mismatched or failed else 0
