"""Scale section: per-passport writes, derivation, routes and queries as the stored fleet grows.

For each scale size an on-disk store holds that many batteries (bench/fleet.py: the generated
template fleet and renamed copies of it). Measured on each, in the same run:

* in-process ``ingest.submit_graph`` of fresh passports (parse excluded; validate, derive,
  version, commit); ``RuleRunner.derive`` of stored batteries spread over the fleet, first
  touch and repeated; the read of a battery's source graphs (what derivation takes from the
  store), first touch and repeated;
* through our real server on that store: ``POST /passports`` of fresh passports and
  ``GET /batteries/{id}/procedure`` and ``/pathway``; the server's RSS;
* the six researcher queries in-process, a few runs within a time budget each (fleet-wide
  queries grow with the fleet by nature; point lookups must not). Above
  ``--scale-fleet-queries-up-to`` batteries only the per-battery queries run: a fleet-wide
  aggregate over an on-disk 50k store takes minutes and cannot be stopped before its first row.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import fleet as fleets
from bench.queries import BenchQuery
from bench.stats import summary_ms


def measure_scale_size(size: int, path: Path, fill: dict, config: Any, workdir: Path, *,
                       build: Callable[[str], Any], queries: list[BenchQuery],
                       log: Callable[[str], None], base_iri: str,
                       start_server: Callable[..., Any]) -> dict:
    from graph_service.services.access import Principal, Role
    from graph_service.services.fleet.demo import battery_id, demo_passport
    from graph_service.store.base import QueryTimeout, RdfFormat

    entry: dict = {"batteries": size, "fill": fill}
    services = build(str(path))
    admin = services.principals.create(Role.ADMIN, "bench", "benchmark admin (scale)")
    researcher = services.principals.create(Role.RESEARCHER, None, "benchmark researcher")

    log(f"scale {size}: {config.derivations} derivations, twice")
    step = max(1, size // max(1, config.derivations))
    targets = [battery_id(1 + (i * step) % size) for i in range(config.derivations + 1)]
    # First touch: the battery's pages are read from disk (or the OS cache) for the first time
    # since the store was opened. Repeated: the same batteries again, their pages cached. The
    # per-battery goal is about the work (no fleet-wide scans); the first-touch cost depends
    # on how much of the store the machine's memory holds, which is reported beside it.
    for key in ("derivation_first_touch", "derivation"):
        durations = []
        for position, bid in enumerate(targets):
            started = time.perf_counter()
            services.rules.derive(bid)
            if position:
                durations.append(time.perf_counter() - started)
        entry[key] = summary_ms(durations)
    # What a derivation reads from the store: its battery's source graphs (the only part that
    # touches the large store; the rules run in a small in-memory workspace).
    others = [battery_id(1 + (i * step + step // 2) % size) for i in range(config.derivations)]
    for key in ("source_read_first_touch", "source_read"):
        durations = []
        for bid in others:
            started = time.perf_counter()
            for stage in services.repository.stored_stages(bid):
                services.store.dump(RdfFormat.N_TRIPLES,
                                    graph=services.layout.source(bid, stage))
            durations.append(time.perf_counter() - started)
        entry[key] = summary_ms(durations)

    log(f"scale {size}: {config.ingest_posts} in-process writes")
    principal = Principal(id="bench", role=Role.ADMIN)
    indices = fleets.reserve_fresh_indices(workdir, size, 2 * (config.ingest_posts + 1))
    durations = []
    for position, index in enumerate(indices[:config.ingest_posts + 1]):
        graph = demo_passport(services.minter, index, config.seed)
        started = time.perf_counter()
        result = services.ingest.submit_graph(graph, principal=principal)
        elapsed = time.perf_counter() - started
        if not result.committed:
            raise RuntimeError(f"fresh passport {battery_id(index)} was not committed")
        if position:
            durations.append(elapsed)
    entry["write_in_process"] = summary_ms(durations)

    log(f"scale {size}: queries in-process")
    dataset = services.sparql.dataset_for(Principal("bench", Role.RESEARCHER))
    entry["queries"] = {}
    for query in queries:
        if not query.per_battery and size > config.scale_fleet_queries_up_to:
            entry["queries"][query.key] = {
                "note": f"not run above {config.scale_fleet_queries_up_to:,} batteries "
                        "(fleet-wide)"}
            continue
        runs, rows, note = [], None, ""
        budget_end = time.perf_counter() + config.scale_query_budget
        while len(runs) < config.scale_query_runs and time.perf_counter() < budget_end:
            started = time.perf_counter()
            try:
                result = services.sparql.run_query(query.text, dataset,
                                                   timeout=config.scale_query_budget)
            except QueryTimeout:
                note = f"over {config.scale_query_budget:g} s (stopped)"
                break
            rows = sum(1 for _ in result.rows()) if result.kind.value == "select" else 1
            runs.append(time.perf_counter() - started)
        entry["queries"][query.key] = {**summary_ms(runs), "rows": rows,
                                       **({"note": note} if note else {})}
    services.store.close()
    del services

    log(f"scale {size}: our server on the store (HTTP writes and routes)")
    server = start_server(path)
    try:
        entry["http"] = _measure_http(server, admin.token, researcher.token,
                                      indices[config.ingest_posts + 1:], config, base_iri)
        entry["server_rss_mb"] = round(server.sampler.high_water_mark() / 2**20, 1) \
            if server.sampler else None
    finally:
        server.stop()
    return entry


def _measure_http(server: Any, admin_token: str, researcher_token: str, indices: list[int],
                  config: Any, base_iri: str) -> dict:
    import httpx

    from graph_service.model.iris import IriMinter
    from graph_service.services.fleet.demo import battery_id, demo_passport

    minter = IriMinter(base_iri)
    out: dict = {}
    durations = []
    with httpx.Client(base_url=server.url, timeout=600, headers={
            "Authorization": f"Bearer {admin_token}", "Content-Type": "text/turtle"}) as client:
        for position, index in enumerate(indices):
            body = demo_passport(minter, index, config.seed).serialize(format="turtle")
            started = time.perf_counter()
            response = client.post("/passports", content=body.encode())
            elapsed = time.perf_counter() - started
            if not response.is_success:
                return {"error": f"POST /passports: {response.status_code} "
                                 f"{response.text[:300]}"}
            if position:
                durations.append(elapsed)
    out["post_passports"] = summary_ms(durations)
    written = [battery_id(i) for i in indices]
    with httpx.Client(base_url=server.url, timeout=600, headers={
            "Authorization": f"Bearer {researcher_token}",
            "Accept": "application/json"}) as client:
        for name in ("procedure", "pathway"):
            durations = []
            for position in range(config.route_requests + 1):
                bid = written[position % len(written)]
                started = time.perf_counter()
                response = client.get(f"/batteries/{bid}/{name}")
                elapsed = time.perf_counter() - started
                if not response.is_success:
                    out[name] = {"error": f"{response.status_code} {response.text[:200]}"}
                    break
                if position:
                    durations.append(elapsed)
            else:
                out[name] = summary_ms(durations)
    return out


def scale_ratios(entries: list[dict]) -> dict:
    """Each larger store against the smallest: p50 ratios of the per-battery operations."""
    done = [e for e in entries if "error" not in e]
    if len(done) < 2:
        return {}
    base = done[0]

    def p50(entry: dict, *keys: str) -> float | None:
        value: Any = entry
        for key in keys:
            value = value.get(key, {}) if isinstance(value, dict) else {}
        return value.get("p50_ms") if isinstance(value, dict) else None

    out = {}
    for entry in done[1:]:
        pairs = {
            "write_in_process": ("write_in_process",),
            "post_passports": ("http", "post_passports"),
            "derivation": ("derivation",),
            "derivation_first_touch": ("derivation_first_touch",),
            "source_read_first_touch": ("source_read_first_touch",),
            "source_read": ("source_read",),
            "procedure": ("http", "procedure"),
            "pathway": ("http", "pathway"),
            "point_lookup_query": ("queries", "point-lookup"),
            "pack_modules_cells_query": ("queries", "pack-modules-cells"),
        }
        ratios = {}
        for name, keys in pairs.items():
            large, small = p50(entry, *keys), p50(base, *keys)
            ratios[name] = round(large / small, 2) if large and small else None
        out[f"{entry['batteries']}/{base['batteries']}"] = ratios
    return out
