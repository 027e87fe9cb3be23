"""What custody partitions cost: per query, per write, per transfer, and the one-off migration.

``python -m bench.custody [--batteries N] [--runs R]`` builds an in-memory demo fleet (derived
data included), then prints a table:

* a point query (one battery's cell count) through ``SparqlService.run_query`` over the dataset
  of a caller that reads every battery (researcher: the whole views) and of one bound to custody
  (the battery's OEM: its partitions), and the same query over a dataset naming 10 / 100 / 1000
  partitions (what an organisation with that many custody pairs would name);
* ``dataset_for`` itself for both callers (the partition index is cached 30 s);
* a write: the atomic change of one battery's design stage and derived data, applied with and
  without its partition quads (same store, alternating), and the number of quads each holds;
* a transfer of the operator (custody record, identity version, partition move);
* the migration of the whole fleet from the layout without custody records;
* storage: quads per passport triple (stage graphs) with and without the partitions, and without
  the whole legitimate-interest and derived views instead (the alternative: callers that read
  every battery name every partition);
* that alternative's query cost: published fleet queries and the point query over a researcher's
  dataset (whole views) and over the same dataset naming every partition instead.

Timings are medians of ``--runs`` repetitions; nothing is asserted (docs/access.md quotes them).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from rdflib import URIRef


def _median_ms(function: Callable[[], object], runs: int) -> float:
    durations = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        durations.append(time.perf_counter() - started)
    return statistics.median(durations) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batteries", type=int, default=300)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args(argv)

    from graph_service.config import Settings
    from graph_service.container import build_services
    from graph_service.model.graphs import AccessGroup, Stage
    from graph_service.model.namespaces import DBP
    from graph_service.services.access import Principal, Role
    from graph_service.services.access.migration import as_before_custody, migrate_custody
    from graph_service.services.fleet.demo import demo_passport, write_demo_fleet
    from graph_service.services.sparql import Dataset
    from graph_service.store import open_memory_store
    from graph_service.store.base import ChangeSet

    settings = Settings(_env_file=None, environment="test",  # type: ignore[call-arg]
                        store=":memory:")
    services = build_services(settings, open_memory_store())
    started = time.perf_counter()
    write_demo_fleet(services, args.batteries)
    print(f"fleet: {args.batteries} batteries in {time.perf_counter() - started:.0f} s, "
          f"{services.store.count()} quads")
    bid = "BP-000001"
    battery = services.minter.battery(bid)
    record = services.custody.record(bid)
    assert record is not None and record.manufacturer is not None
    researcher = Principal("bench-r", Role.RESEARCHER, "lab")
    oem = Principal("bench-o", Role.OEM, record.manufacturer)
    query = f"SELECT ?n WHERE {{ <{battery}> <{DBP.cellCount}> ?n }}"
    rows: list[tuple[str, str]] = []

    def run(dataset: Dataset) -> Callable[[], object]:
        return lambda: list(services.sparql.run_query(query, dataset).rows())

    for label, principal in (("researcher (whole views)", researcher),
                             ("OEM (custody partitions)", oem)):
        dataset = services.sparql.dataset_for(principal)
        assert list(services.sparql.run_query(query, dataset).rows()), label
        rows.append((f"point query, {label}, {len(dataset.default_graph)} graphs",
                     f"{_median_ms(run(dataset), args.runs):.3f} ms"))
    base = services.sparql.dataset_for(oem)
    for count in (10, 100, 1000):
        extra = tuple(services.layout.legitimate_interest_partition(f"org{i}/_")
                      for i in range(count))
        dataset = Dataset(default_graph=(*base.default_graph, *extra),
                          named_graphs=(*base.named_graphs, *extra))
        rows.append((f"point query, OEM naming {count} more partitions",
                     f"{_median_ms(run(dataset), args.runs):.3f} ms"))
    for label, principal in (("researcher", researcher), ("OEM (index cached)", oem)):
        took = _median_ms(lambda p=principal: services.sparql.dataset_for(p), args.runs)
        rows.append((f"dataset_for, {label}", f"{took * 1000:.1f} us"))

    def uncached() -> None:
        services.custody.forget_cached_partitions()
        services.sparql.dataset_for(oem)

    took = _median_ms(uncached, args.runs)
    rows.append(("dataset_for, OEM (index read)", f"{took * 1000:.1f} us"))

    # -- a write: one battery's design stage and derived data --------------------------------
    from graph_service.services.passports.classify import classify

    passport = demo_passport(services.minter, 1)
    classes = classify(passport, services.ingest._annotations())
    design: dict[AccessGroup, list] = {}
    for triple, cls in classes.items():
        if cls.stage is Stage.DESIGN:
            design.setdefault(cls.group, []).append(triple)
    derivation = services.rules.derive(bid)
    partitions = {services.layout.legitimate_interest_partition(record.key),
                  services.layout.derived_partition(record.key)}

    def change(with_partitions: bool) -> ChangeSet:
        changes = services.repository.stage_changes(bid, {Stage.DESIGN: design}, record)
        derived = services.repository.derived_changes(bid, derivation.triples, record)
        changes.delete.extend(derived.delete)
        changes.drop_graphs.extend(derived.drop_graphs)
        changes.insert.extend(derived.insert)
        if not with_partitions:
            changes.delete = [q for q in changes.delete if q[3] not in partitions]
            changes.insert = [q for q in changes.insert if q[3] not in partitions]
        return changes

    full, plain = change(True), change(False)
    rows.append(("write (design + derived): quads inserted, with / without partitions",
                 f"{len(full.insert)} / {len(plain.insert)}"))
    for label, with_partitions in (("with partitions", True), ("without partitions", False),
                                   ("with partitions (again)", True)):
        took = _median_ms(lambda w=with_partitions: services.store.apply(change(w)),
                          max(5, args.runs // 5))
        rows.append((f"write (design + derived), build + apply, {label}", f"{took:.1f} ms"))
    # restore the partitions the plain variant retracted from nothing (apply full once more)
    services.store.apply(change(True))

    # -- a transfer ---------------------------------------------------------------------------
    admin = Principal("bench-a", Role.ADMIN, "ops")
    operators = [record.operator, next(o for o in ("gridstore", "citybus")
                                       if o != record.operator)]
    flips = iter(range(10_000))

    def transfer() -> None:
        services.transfers.transfer(bid, "operator", operators[next(flips) % 2 == 0], admin)

    rows.append(("transfer of the operator (record, identity version, partition move)",
                 f"{_median_ms(transfer, max(5, args.runs // 5)):.1f} ms"))

    # -- the migration -----------------------------------------------------------------------
    as_before_custody(services)
    started = time.perf_counter()
    migrate_custody(services.store, services.layout, services.minter,
                    services.lineage.restricted_predicates())
    rows.append((f"migration of {args.batteries} batteries (one pass of SPARQL updates)",
                 f"{(time.perf_counter() - started) * 1000:.0f} ms"))
    assert services.custody.record(bid) is not None
    assert isinstance(battery, URIRef)

    # -- storage, and the alternative of partitions instead of whole views -----------------
    layout = services.layout
    li_view, derived_view = (str(layout.view(AccessGroup.LEGITIMATE_INTEREST)),
                             str(layout.derived_view))
    li_prefix = str(layout.legitimate_interest_partition(""))
    derived_prefix = str(layout.derived_partition(""))
    sizes = {str(row["g"]): int(str(row["n"])) for row in services.store.query(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g").rows()}
    sources = f"{layout.base}graph/battery/"
    passport = sum(n for g, n in sizes.items() if g.startswith(sources)
                   and not g.endswith(("/derived", "/lineage")))
    kinds = {
        "partitions": [g for g in sizes if g.startswith((li_prefix, derived_prefix))],
        "whole legitimate-interest and derived views": [li_view, derived_view],
    }
    data = sum(n for g, n in sizes.items() if g.startswith((sources, f"{layout.base}graph/view/",
                                                            f"{layout.base}graph/history/"))
               or g == str(layout.lineage))
    rows.append(("passport triples (stage graphs) / data quads (sources, views, partitions, "
                 "versions, lineage)", f"{passport} / {data} ({data / passport:.2f} per triple)"))
    for label, graphs in kinds.items():
        without = data - sum(sizes.get(g, 0) for g in graphs)
        rows.append((f"data quads without the {label}",
                     f"{without} ({without / passport:.2f} per triple)"))
    rows.append(("legitimate-interest view / its partitions (count, quads)",
                 f"{sizes.get(li_view, 0)} / {sum(1 for g in sizes if g.startswith(li_prefix))}"
                 f", {sum(n for g, n in sizes.items() if g.startswith(li_prefix))}"))
    rows.append(("derived view / its partitions (quads)",
                 f"{sizes.get(derived_view, 0)} / "
                 f"{sum(n for g, n in sizes.items() if g.startswith(derived_prefix))}"))
    whole = services.sparql.dataset_for(researcher)
    partitions_named = tuple(URIRef(g) for g in sorted(kinds["partitions"]))
    kept = tuple(g for g in whole.default_graph if str(g) not in (li_view, derived_view))
    every_partition = Dataset(default_graph=kept + partitions_named,
                              named_graphs=kept + partitions_named)
    from graph_service.config import REPO_ROOT

    texts = {"point query": query}
    for name in ("packs-by-voltage-and-energy", "fleet-soh-by-chemistry", "weak-modules"):
        texts[name] = (REPO_ROOT / "queries" / f"{name}.rq").read_text(encoding="utf-8")
    for name, text in texts.items():
        runs = args.runs if name == "point query" else max(3, args.runs // 10)
        timings = []
        for dataset in (whole, every_partition):
            def answer(d: Dataset = dataset, t: str = text) -> list:
                return sorted(str(r) for r in services.sparql.run_query(
                    t, d, timeout=600, max_rows=10_000_000).rows())
            assert answer() == answer(whole), name  # same answer either way
            timings.append(_median_ms(answer, runs))
        rows.append((f"{name}, researcher: whole views ({len(whole.default_graph)} graphs) / "
                     f"every partition ({len(every_partition.default_graph)} graphs)",
                     f"{timings[0]:.2f} / {timings[1]:.2f} ms"))

    width = max(len(label) for label, _ in rows)
    print(f"{'measurement':<{width}}  value")
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
