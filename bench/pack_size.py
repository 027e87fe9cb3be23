"""What one passport write costs as the pack grows to thousands of cells (issue 17, writes).

    python -m bench.pack_size [--cells 96 1000 4000 ...] [--repeat N]

A cylindrical-cell EV pack lists thousands of cells (4 416 or 7 104 are common), each with its
serial number and its positive electrode's active material. For each cell count the demo
passport BP-000001 is grown to that many cells (its modules keep their number; every cell is
listed as the generator lists them) and written through the real ingest into a fresh in-memory
store after a warm-up write. The table gives, per size, the p50 of ``--repeat`` runs of the
whole write (parse excluded: the graph is handed over), of a dry run of the same data
(normalisation and SHACL, what POST /validate does), and of the rules' derivation alone, with
ms per cell and the ratio of each to the smallest size's per-cell cost (1.0 = linear in the
cells). Nothing is asserted.

Finding behind it (stop 33): rule 12 (hazard-chemistry) joined every cell's statement of the
cathode material through its filters, so a 2 096-cell pack took 243 s to write; with the
chemistry made DISTINCT first it is linear.
"""

from __future__ import annotations

import argparse
import statistics
import time


def grown_passport(services: object, cells: int):
    """BP-000001 with ``cells`` cells spread over its modules, listed as the generator lists
    them (module membership, types, serial number, positive electrode and its material)."""
    from rdflib import Literal, URIRef
    from rdflib.namespace import RDF

    from graph_service.model.namespaces import DBP
    from graph_service.model.terms import HAS_CONSTITUENT
    from graph_service.services.fleet.demo import demo_passport

    minter = services.minter  # type: ignore[attr-defined]
    graph = demo_passport(minter, 1)
    pack = minter.battery("BP-000001")
    modules = sorted((m for m in graph.objects(pack, HAS_CONSTITUENT)
                      if (m, DBP.cellCount, None) in graph), key=str)
    template = URIRef(f"{modules[0]}/cell/1")
    types = list(graph.objects(template, RDF.type))
    electrode_of = next(p for p, o in graph.predicate_objects(template)
                        if str(o).endswith("/positive-electrode"))
    electrode_triples = list(graph.predicate_objects(URIRef(f"{template}/positive-electrode")))
    per_module, extra = divmod(cells, len(modules))
    for index, module in enumerate(modules):
        wanted = per_module + (1 if index < extra else 0)
        listed = len([c for c in graph.objects(module, HAS_CONSTITUENT)])
        for number in range(listed + 1, wanted + 1):
            cell = URIRef(f"{module}/cell/{number}")
            graph.add((module, HAS_CONSTITUENT, cell))
            for cell_type in types:
                graph.add((cell, RDF.type, cell_type))
            graph.add((cell, DBP.serialNumber,
                       Literal(f"BP-000001-M{index + 1:02d}-C{number:04d}")))
            electrode = URIRef(f"{cell}/positive-electrode")
            graph.add((cell, electrode_of, electrode))
            for predicate, value in electrode_triples:
                graph.add((electrode, predicate, value))
        graph.set((module, DBP.cellCount, Literal(max(wanted, listed))))
    total = sum(int(graph.value(m, DBP.cellCount)) for m in modules)
    graph.set((pack, DBP.cellCount, Literal(total)))
    return graph, total


def measure(cells: int, repeat: int) -> dict[str, float]:
    from bench.run import build
    from graph_service.services.access import Principal, Role
    from graph_service.services.fleet.demo import demo_passport, write_demo_organisations

    admin = Principal("bench-admin", Role.ADMIN)
    writes, validations, derivations = [], [], []
    listed = 0
    for _ in range(repeat):
        services = build()
        write_demo_organisations(services)
        services.ingest.submit_graph(demo_passport(services.minter, 2), principal=admin,
                                     battery_id="BP-000002")  # warm-up: shapes, rule texts
        graph, listed = grown_passport(services, cells)
        started = time.perf_counter()
        report = services.ingest.submit_graph(graph, principal=admin, battery_id="BP-000001",
                                              dry_run=True).report
        validations.append(time.perf_counter() - started)
        if not report.conforms:
            raise SystemExit(f"the {cells}-cell passport does not conform: "
                             f"{report.violations[0].message}")
        started = time.perf_counter()
        result = services.ingest.submit_graph(graph, principal=admin, battery_id="BP-000001")
        writes.append(time.perf_counter() - started)
        if not result.committed:
            raise SystemExit(f"the {cells}-cell passport was not committed")
        started = time.perf_counter()
        services.rules.derive("BP-000001")
        derivations.append(time.perf_counter() - started)
    return {"cells": listed, "write": statistics.median(writes),
            "validate": statistics.median(validations),
            "derive": statistics.median(derivations)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, nargs="+", default=[96, 1000, 2000, 4416])
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args(argv)
    rows = [measure(cells, args.repeat) for cells in sorted(args.cells)]
    base = rows[0]

    def per_cell(row: dict[str, float], key: str) -> float:
        return row[key] / row["cells"]

    print("| cells | write s | ms/cell | x | dry run s | ms/cell | x | rules s | ms/cell | x |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        cols = [f"{int(row['cells']):,}"]
        for key in ("write", "validate", "derive"):
            cols += [f"{row[key]:.2f}", f"{1000 * per_cell(row, key):.2f}",
                     f"{per_cell(row, key) / per_cell(base, key):.2f}"]
        print("| " + " | ".join(cols) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
