"""``python -m bench.interop``: import and export rate per partner format (documents/s).

For each supported format, over the project's documents of that format (tests/data/catenax:
the official example with its date fixed and the realistic documents), in-process on an
in-memory store:

* map: read + version + JSON-schema and semantic checks + mapping to our terms (no SHACL);
* import: the whole ``InteropService.import_document`` (mapping, SHACL validation, permissions,
  atomic commit, rule derivation), each document as a new battery;
* export: ``InteropService.export_document`` of the stored passports (read, map back, gap check);
* leaves: fields preserved by import -> export per document (the diff checker).

Prints a table; ``--into docs/benchmarks.json`` stores the numbers there and re-renders
docs/benchmarks.md (its "Partner formats" section). Run under ``flock /tmp/dbp-bench.lock``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import warnings
from pathlib import Path

from graph_service.config import REPO_ROOT

DATA = REPO_ROOT / "tests" / "data" / "catenax"
SKIP = {"quirks-off-schema.json", "v5.0.0-spare-parts.json", "v6.0.0-without-spec-version.json"}


def documents() -> list[tuple[str, dict]]:
    from graph_service.services.interop.jsondoc import plain, read_json_document

    official = json.loads((DATA / "official" / "BatteryPass-6.1.0.json").read_text())
    official["operation"]["intoServiceDate"] = "2000-02-01"
    found = [("official-6.1.0 (date fixed)", official)]
    for path in sorted(DATA.glob("*.json")):
        if path.name not in SKIP:
            found.append((path.name, plain(read_json_document(path.read_bytes()).value)))
    return found


def measure(rounds: int) -> dict:
    warnings.filterwarnings("ignore")
    from bench.run import build
    from graph_service.services.access import Principal, Role
    from graph_service.services.interop.catenax import normalise
    from graph_service.services.interop.diff import diff

    services = build()
    admin = Principal("bench", Role.ADMIN)
    docs = documents()
    fmt = services.imports.registry.importer("catenax")
    bodies = []
    for round_ in range(rounds):
        for name, document in docs:
            copy = json.loads(json.dumps(document))
            copy["identification"]["idDmc"] = f"BENCH-{round_}-{len(bodies)}"
            bodies.append((name, copy["identification"]["idDmc"],
                           json.dumps(copy).encode(), copy))
    # warm-up (schema load, caches)
    services.imports.import_document(bodies[0][2], "catenax", admin, battery_id="BENCH-WARM")
    services.imports.export_document("BENCH-WARM", "catenax")

    def timed(run) -> list[float]:
        times = []
        for item in bodies:
            start = time.perf_counter()
            run(item)
            times.append(time.perf_counter() - start)
        return times

    mapping = timed(lambda item: fmt.to_graph(fmt.read(item[2]), services.minter))
    importing = timed(lambda item: services.imports.import_document(item[2], "catenax", admin))
    exports: dict[str, dict] = {}
    exporting = timed(lambda item: exports.__setitem__(
        item[1], services.imports.export_document(item[1], "catenax").document))
    coverage = {}
    for name, bid, _body, document in bodies[:len(docs)]:
        result = diff(document, exports[bid], normalise)
        coverage[name] = {"leaves": result.total, "preserved": len(result.preserved)}
    triples = statistics.mean(len(fmt.to_graph(fmt.read(b), services.minter).graph)
                              for _n, _b, b, _d in bodies[:len(docs)])

    def rate(times: list[float]) -> dict:
        return {"documents": len(times), "per_s": len(times) / sum(times),
                "median_ms": statistics.median(times) * 1000,
                "p95_ms": sorted(times)[int(len(times) * 0.95) - 1] * 1000}

    return {"format": "catenax", "version": "6.1.0", "documents": len(docs),
            "mean_triples": round(triples), "map": rate(mapping), "import": rate(importing),
            "export": rate(exporting), "coverage": coverage}


def table(result: dict) -> list[str]:
    rows = [["catenax 6.1.0", step, result[step]["documents"], result[step]["per_s"],
             result[step]["median_ms"], result[step]["p95_ms"]]
            for step in ("map", "import", "export")]
    lines = ["| format | step | documents | documents/s | median ms | p95 ms |",
             "|---|---|---|---|---|---|"]
    lines += ["| " + " | ".join(f"{c:.1f}" if isinstance(c, float) else str(c) for c in row)
              + " |" for row in rows]
    lines += ["", "| document | leaves | preserved |", "|---|---|---|"]
    lines += [f"| {name} | {c['leaves']} | {c['preserved']} ({c['preserved'] / c['leaves']:.0%})"
              " |" for name, c in result["coverage"].items()]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10,
                        help="times each document is imported and exported (default 10)")
    parser.add_argument("--into", type=Path, help="benchmarks.json to store the numbers in")
    args = parser.parse_args(argv)
    started = time.time()
    result = measure(args.rounds)
    result["duration_s"] = round(time.time() - started, 1)
    result["date"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    try:
        import os

        result["loadavg"] = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        pass
    print("\n".join(table(result)))
    if args.into is not None:
        results = json.loads(args.into.read_text(encoding="utf-8"))
        results["interop"] = result
        args.into.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        from bench.run import render

        render(args.into)
    return 0


if __name__ == "__main__":
    sys.exit(main())
