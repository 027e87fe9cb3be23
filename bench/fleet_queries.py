"""Fleet section (issue 17): the published fleet-wide queries, detailed and summary style, on the
same quads in three places: embedded in-process, through our ``/sparql``, and Virtuoso 7.

For each fleet size (``--fleet-queries 10000[,100000]``) the fleet is built by bench/fleet.py
(gzip N-Quads shards of renamed template copies, summary facts included), bulk-loaded into an
on-disk embedded store and - the same shard files - into a Virtuoso started on 127.0.0.1 with a
private database (tests/support/virtuoso_server.py). Every query runs over the researcher's
dataset (the same default graphs on every engine), a few runs within a time budget each; row
counts are compared between engines and between the two styles of a query. Also measured:
quads per passport triple of the stored fleet, and the bulk import rate (services/interop/
bulk.py) with worker processes and in-process.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import fleet as fleets
from bench.stats import summary_ms

QUERIES_DIR = Path(__file__).resolve().parent.parent / "queries"
# (key, detailed file, summary file)
FLEET_QUERIES = [
    ("soh-by-chemistry", "fleet-soh-by-chemistry.rq", "fleet-soh-by-chemistry-summary.rq"),
    ("soh-by-year", "fleet-soh-by-manufacturing-year.rq",
     "fleet-soh-by-manufacturing-year-summary.rq"),
    ("range-filter", "packs-by-voltage-and-energy.rq", "packs-by-voltage-and-energy-summary.rq"),
    ("overview", "passport-overview.rq", "passport-overview-summary.rq"),
    ("subclass-closure", "battery-nodes-by-battinfo-class.rq",
     "battery-nodes-by-battinfo-class-summary.rq"),
]
STYLES = ("detailed", "summary")
ENGINES = ("embedded", "embedded_pruned", "sparql", "virtuoso")


def _text(name: str) -> str:
    return (QUERIES_DIR / name).read_text(encoding="utf-8")


def _order() -> list[tuple[str, str, str]]:
    """Every summary query first, then the detailed ones: an embedded query past its deadline
    may go on computing in the background (in-process queries cannot always be stopped), and
    must not slow down the fast queries measured after it."""
    summaries = [(key, "summary", summary) for key, _, summary in FLEET_QUERIES]
    return summaries + [(key, "detailed", detailed) for key, detailed, _ in FLEET_QUERIES]


def _timed(run: Callable[[], int], runs: int, budget: float) -> dict:
    """Up to ``runs`` runs within ``budget`` seconds (at least one); p50 and rows."""
    durations: list[float] = []
    rows = None
    end = time.perf_counter() + budget
    error = None
    while len(durations) < runs and (not durations or time.perf_counter() < end):
        started = time.perf_counter()
        try:
            rows = run()
        except Exception as exc:  # a failing engine is reported, not fatal
            error = f"{type(exc).__name__}: {str(exc)[:200]}"
            break
        durations.append(time.perf_counter() - started)
    out: dict = {**summary_ms(durations), "rows": rows} if durations else {}
    if error:
        out["error"] = error
    return out


def measure_fleet_size(size: int, path: Path | None, fill: dict, shards: list[Path],
                       config: Any, workdir: Path, *, build: Callable[[str], Any],
                       log: Callable[[str], None], start_server: Callable[[Path], Any]) -> dict:
    """The fleet queries at one size: embedded and through /sparql on the on-disk store at
    ``path`` (None: not built at this size, Virtuoso only), then on Virtuoso."""
    from graph_service.services.access import Principal, Role

    entry: dict = {"batteries": size, "fill": fill, "queries": {}}
    # Fleet quads (not the ontology and reference stack) per passport triple.
    entry["quads_per_passport_triple"] = round(
        fill["fleet_quads"] / fill["passport_triples"], 2) \
        if fill.get("passport_triples") and fill.get("fleet_quads") else None
    # The researcher's graphs depend on the layout, not on the data: an empty store names them
    # when the embedded store is not built at this size.
    services = build(":memory:" if path is None else str(path))
    dataset = services.sparql.dataset_for(Principal("bench", Role.RESEARCHER))  # no custody
    graphs = [g for g in dataset.default_graph if g is not None]
    results: dict = {key: {style: {} for style in STYLES} for key, _, _ in FLEET_QUERIES}
    if path is None:
        services.store.close()
    else:
        _embedded_and_sparql(size, path, services, dataset, results, config, log=log,
                             start_server=start_server)

    if config.virtuoso:
        try:
            entry["virtuoso"] = _virtuoso(results, shards, graphs, config, workdir, log)
        except (RuntimeError, OSError) as exc:  # keep what the other engines measured
            log(f"virtuoso failed: {exc}")
            entry["virtuoso"] = {"error": str(exc)[-300:]}
    for key in results:
        for style in STYLES:
            counts = {engine: r.get("rows") for engine, r in results[key][style].items()
                      if r.get("rows") is not None}
            results[key][style]["rows_match"] = len(set(counts.values())) <= 1
        results[key]["styles_match"] = _styles_match(results[key])
    entry["queries"] = results
    return entry


def _styles_match(styles: dict) -> bool | None:
    """Whether both styles of a query returned as many rows, on the first engine that ran both
    (embedded, else Virtuoso); None when no engine did (unknown, never a vacuous yes)."""
    for engine in ("embedded", "virtuoso"):
        rows = [styles[style].get(engine, {}).get("rows") for style in STYLES]
        if None not in rows:
            return rows[0] == rows[1]
    return None


def _embedded_and_sparql(size: int, path: Path, services: Any, dataset: Any, results: dict,
                         config: Any, *, log: Callable[[str], None],
                         start_server: Callable[[Path], Any]) -> None:
    import httpx

    from graph_service.services.access import Role
    from graph_service.services.sparql import SparqlService

    researcher = services.principals.create(Role.RESEARCHER, None, "benchmark researcher")
    runs, budget = config.fleet_query_runs, config.fleet_query_budget
    # The same service pruning every text (prune-after 0 s): what /sparql answers from a text's
    # second run on, once its first run was slow (docs/architecture.md, pruned default graphs).
    pruning = SparqlService(services.store, services.sparql.settings.model_copy(
        update={"sparql_prune_default_graph": True, "sparql_prune_after_seconds": 0}),
        services.sparql.layout, services.sparql.policy, services.sparql.custody)
    log(f"fleet {size}: queries embedded (in-process), unpruned and pruned")
    for key, style, name in _order():
        text = _text(name)
        for engine, sparql in (("embedded", services.sparql), ("embedded_pruned", pruning)):
            results[key][style][engine] = _timed(
                lambda text=text, sparql=sparql: len(sparql.run_query(text, dataset,
                                                                      timeout=budget)),
                runs, budget)
            log(f"  {key} {style} {engine}: {results[key][style][engine]}")
        results[key][style]["embedded_pruned"]["graphs_read"] = len(
            pruning.pruned(text, dataset).default_graph)
    services.store.close()

    log(f"fleet {size}: queries through /sparql")
    server = start_server(path)
    try:
        headers = {"Authorization": f"Bearer {researcher.token}",
                   "Content-Type": "application/sparql-query",
                   "Accept": "application/sparql-results+json"}
        with httpx.Client(base_url=server.url, timeout=budget + 60, headers=headers) as client:
            for key, style, name in _order():
                text = _text(name).encode()

                def over_http(text: bytes = text) -> int:
                    response = client.post("/sparql", content=text)
                    response.raise_for_status()
                    return len(json.loads(response.content)["results"]["bindings"])

                results[key][style]["sparql"] = _timed(over_http, runs, budget)
                log(f"  {key} {style}: {results[key][style]['sparql']}")
    finally:
        server.stop()


def _virtuoso(results: dict, shards: list[Path], graphs: list, config: Any, workdir: Path,
              log: Callable[[str], None]) -> dict:
    from graph_service.store.virtuoso import STORE_DEFAULT_GRAPH, VirtuosoStore
    from tests.support.virtuoso_server import running_virtuoso_server, virtuoso_executables

    if virtuoso_executables() is None:
        return {"error": "virtuoso-t not installed (make install)"}
    budget, runs = config.fleet_query_budget, config.fleet_query_runs
    info: dict = {}
    with running_virtuoso_server(workdir, memory_mb=config.virtuoso_memory_mb,
                                 threads=os.cpu_count() or 2) as server:
        log(f"virtuoso: bulk-loading {len(shards)} shards")
        started = time.perf_counter()
        server.bulk_load_files(shards, store_default_graph=str(STORE_DEFAULT_GRAPH),
                               loaders=os.cpu_count() or 2)
        info["load_seconds"] = round(time.perf_counter() - started, 1)
        store = VirtuosoStore(server.query_url, server.update_url, server.store_url,
                              username=server.username, password=server.password,
                              timeout=budget + 60)
        try:
            info["quads"] = store.count()
            for key, style, name in _order():
                text = _text(name)
                results[key][style]["virtuoso"] = _timed(
                    lambda text=text: len(store.query(text, default_graph=graphs,
                                                      timeout=budget)), runs, budget)
                log(f"  virtuoso {key} {style}: {results[key][style]['virtuoso']}")
        finally:
            store.close()
    return info


def measure_bulk_import(config: Any, workdir: Path, *, build: Callable[[str], Any],
                        log: Callable[[str], None]) -> dict:
    """The bulk pipeline into a fresh on-disk store: with one worker process per CPU, and
    in-process (workers=0), same number of fresh demo passports (Turtle documents)."""
    import shutil

    from graph_service.services.access import Principal, Role
    from graph_service.services.fleet.demo import demo_passport, write_demo_organisations
    from graph_service.services.interop.bulk import BulkDocument, BulkImporter, prepare_rdf

    out: dict = {"passports": config.bulk_passports, "cpus": os.cpu_count()}
    principal = Principal(id="bench", role=Role.ADMIN)
    for label, workers, first in (("workers", os.cpu_count() or 1, 1),
                                  ("in-process", 0, 1 + config.bulk_passports)):
        path = workdir / f"bulk-{label}"
        shutil.rmtree(path, ignore_errors=True)
        services = build(str(path))
        write_demo_organisations(services)  # passports name registered organisations only
        documents = [BulkDocument(f"p{index}", demo_passport(services.minter, index, config.seed)
                                  .serialize(format="turtle").encode())
                     for index in range(first, first + config.bulk_passports)]
        before = services.store.count()
        log(f"bulk import: {len(documents)} passports, {label}")
        report = BulkImporter(services).run(documents, prepare_rdf("text/turtle"), principal,
                                            workers=workers)
        quads = services.store.count() - before
        services.store.close()
        shutil.rmtree(path, ignore_errors=True)
        out[label] = {"workers": workers, "seconds": round(report.seconds, 2),
                      "committed": report.committed, "rejected": len(report.rejected),
                      "passports_per_s": round(report.committed / report.seconds, 2),
                      "quads_written": quads}
        log(f"  {out[label]}")
    return out


def run_fleet_section(config: Any, workdir: Path, *, build: Callable[[str], Any],
                      settings: Callable[[str], Any], log: Callable[[str], None],
                      base_iri: str, start_server: Callable[[Path], Any]) -> dict:
    from graph_service.store import open_store

    template = fleets.template_dump(workdir, config.template_size, config.seed, build, log)
    entries = []
    for size in config.fleet_query_sizes:
        started = time.perf_counter()
        path: Path | None = None
        fill: dict = {}
        if config.fleet_embedded_up_to is None or size <= config.fleet_embedded_up_to:
            path, fill = fleets.scale_store(workdir, size, template, config.template_size,
                                            seed=config.seed, base_iri=base_iri,
                                            open_store=lambda p: open_store(settings(p)),
                                            log=log)
        shards, written = fleets.fleet_shards(workdir, size, template, config.template_size,
                                              seed=config.seed, base_iri=base_iri, log=log)
        if path is None:  # Virtuoso only: what the shards hold
            about = fleets.template_info(template)
            per_battery = about.get("passport_triples", 0) / max(1, config.template_size)
            fill = {"batteries": size, "embedded": False, "template": template.name,
                    "quads": written.get("quads"),
                    "fleet_quads": written.get("quads", 0) - about.get("shared_quads", 0),
                    "passport_triples": round(per_battery * size),
                    "shards_seconds": written.get("write_seconds"),
                    "shards_bytes": written.get("bytes")}
        fill["build_seconds_this_run"] = round(time.perf_counter() - started, 1)
        entry = measure_fleet_size(size, path, fill, shards, config, workdir, build=build,
                                   log=log, start_server=start_server)
        entry["loadavg"] = list(os.getloadavg())
        entries.append(entry)
    out: dict = {"sizes": entries, "template": fleets.template_info(template),
                 "method": __doc__}
    if config.bulk_passports:
        out["bulk_import"] = measure_bulk_import(config, workdir, build=build, log=log)
    return out
