"""Where a passport's quads go: quads per passport triple by kind of graph (issue 17, storage).

    python -m bench.storage [--batteries N] [--revisions R]

Writes ``N`` demo passports through the real ingest (SHACL, rules, lineage, versions, custody
partitions) into an in-memory store, then rewrites one stage (the identity: a renamed model) of
every battery ``R`` times, and prints one table: per kind of named graph the quads the fleet
added, per passport triple, after the first writes and after the revisions. The goal is
<= 2.5 quads per passport triple including versions, views and derivations; nothing is asserted.
"""

from __future__ import annotations

import argparse
import re
import time
from collections import Counter

# graph IRI (after the base IRI's "graph/") -> kind of graph; first match wins
KINDS = [
    (re.compile(r"^battery/[^/]+/derived$"), "battery/{id}/derived (rule output)"),
    (re.compile(r"^battery/[^/]+/lineage$"), "battery/{id}/lineage"),
    (re.compile(r"^battery/[^/]+/[^/]+$"), "battery/{id}/{stage} (source)"),
    (re.compile(r"^view/legitimate-interest/custody/"), "view/legitimate-interest/custody/*"),
    (re.compile(r"^view/derived/custody/"), "view/derived/custody/*"),
    (re.compile(r"^view/derived$"), "view/derived"),
    (re.compile(r"^view/[^/]+$"), "view/{group}"),
    (re.compile(r"^history/"), "history/* (versions)"),
]


def _kind(graph: str, prefix: str) -> str:
    name = graph.removeprefix(prefix)
    for pattern, kind in KINDS:
        if pattern.match(name):
            return kind
    return name if name != graph else "other"


def _count_by_kind(services: object, prefix: str) -> Counter:
    store = services.store  # type: ignore[attr-defined]
    counts: Counter = Counter()
    for graph in store.graphs():
        counts[_kind(str(graph), prefix)] += store.count(graph)
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batteries", type=int, default=20)
    parser.add_argument("--revisions", type=int, default=2)
    args = parser.parse_args(argv)

    from rdflib import Literal

    from bench.run import build
    from graph_service.model.namespaces import DBP
    from graph_service.services.access import Principal, Role
    from graph_service.services.fleet.demo import demo_passport, write_demo_organisations

    services = build()  # in memory, as the other benches build it
    write_demo_organisations(services)
    admin = Principal("bench-storage", Role.ADMIN)
    prefix = f"{services.layout.base}graph/"
    before = _count_by_kind(services, prefix)

    passport_triples = 0
    ids: list[str] = []
    started = time.perf_counter()
    for index in range(1, args.batteries + 1):
        passport = demo_passport(services.minter, index)
        passport_triples += len(passport)
        ids.append(services.ingest.submit_graph(passport, principal=admin).battery_id)
    written = time.perf_counter() - started
    first = _count_by_kind(services, prefix)

    for revision in range(1, args.revisions + 1):
        for index, battery_id in enumerate(ids, start=1):
            passport = demo_passport(services.minter, index)
            passport.set((services.minter.battery(battery_id), DBP.model,
                          Literal(f"Model revision {revision}")))
            services.ingest.submit_graph(passport, principal=admin)
    revised = _count_by_kind(services, prefix)

    kinds = sorted(set(first) | set(revised),
                   key=lambda k: -(revised[k] - before[k]))
    print(f"{args.batteries} demo passports, {passport_triples / args.batteries:.0f} passport "
          f"triples each, written through ingest in {written:.1f} s; then {args.revisions} "
          f"identity revision(s) per battery\n")
    print(f"| graph | quads per passport triple, first write | after {args.revisions} "
          f"revision(s) |")
    print("|---|---|---|")
    totals = [0, 0]
    for kind in kinds:
        added = (first[kind] - before[kind], revised[kind] - before[kind])
        if not any(added):
            continue
        totals = [totals[0] + added[0], totals[1] + added[1]]
        print(f"| {kind} | {added[0] / passport_triples:.2f} | {added[1] / passport_triples:.2f} |")
    print(f"| **total** | **{totals[0] / passport_triples:.2f}** | "
          f"**{totals[1] / passport_triples:.2f}** |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
