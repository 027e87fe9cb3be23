"""``python -m bench.interop``: import and export rate per partner format (documents/s), and the
fields each document keeps through import -> export.

For each format in ``FORMATS``, over the project's documents of that format (Catena-X:
tests/data/catenax, the official example with its impossible date fixed and the realistic
documents; Battery Pass: the sets of tests/data/batterypass; BattINFO JSON-LD, import only: the
documents of tests/data/battinfo), in-process on an in-memory store:

* map: read + version + JSON-schema and semantic checks + mapping to our terms (no SHACL);
* import: the whole ``InteropService.import_document`` (mapping, SHACL validation, permissions,
  atomic commit, rule derivation), each document as a new battery;
* export: ``InteropService.export_document`` of the stored passports (read, map back, gap check);
* leaves: fields preserved by import -> export per document (``services/interop/diff.py``).

Prints a table; ``--into docs/benchmarks.json`` stores the numbers there and rewrites the
"Partner formats" section of docs/benchmarks.md (and nothing else of it). Run under
``flock /tmp/dbp-bench.lock``.

Adding a format (docs/interop.md, "Adding a format"): a ``BenchFormat`` in ``FORMATS`` with its
documents, how to give a copy a new battery id, and its round-trip normaliser.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import sys
import time
import uuid
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph_service.config import REPO_ROOT

DATA = REPO_ROOT / "tests" / "data"


@dataclass(frozen=True)
class BenchFormat:
    name: str  # the registry name (POST /import?format=...)
    documents: Callable[[], list[tuple[str, Any]]]  # (label, decoded document), official first
    with_battery_id: Callable[[Any, str], Any]  # a copy of a document naming another battery
    normalise: Callable[[str, Any], Any]  # the documented round-trip normalisations
    # Import only (no exporter yet): map and import are timed, export and leaves are not.
    exports: bool = True
    # The copy's battery id is given as the import's battery id (?battery=), not written
    # into the document (BattINFO documents name their battery in many shapes).
    id_by_parameter: bool = False


def _catenax_documents() -> list[tuple[str, Any]]:
    from graph_service.services.interop.jsondoc import plain, read_json_document

    folder = DATA / "catenax"
    # Refused on purpose (off-schema quirks, other versions): no round trip to measure.
    refused = {"quirks-off-schema.json", "v5.0.0-spare-parts.json",
               "v6.0.0-without-spec-version.json"}
    official = json.loads((folder / "official" / "BatteryPass-6.1.0.json").read_text())
    official["operation"]["intoServiceDate"] = "2000-02-01"  # 2000-01-31 is before manufacture
    found: list[tuple[str, Any]] = [("official 6.1.0 example (date fixed)", official)]
    for path in sorted(folder.glob("*.json")):
        if path.name not in refused:
            found.append((path.name, plain(read_json_document(path.read_bytes()).value)))
    return found


def _catenax_with_id(document: Any, battery_id: str) -> Any:
    copy = json.loads(json.dumps(document))
    copy["identification"]["idDmc"] = battery_id
    # Each copy is a battery of its own: a passport identifier another holds is refused.
    if isinstance(copy.get("metadata"), dict):
        copy["metadata"]["passportIdentifier"] = (
            f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'bench:{battery_id}')}")
    return copy


def _catenax_normalise(path: str, value: Any) -> Any:
    from graph_service.services.interop.catenax import normalise

    return normalise(path, value)


def _batterypass_documents() -> list[tuple[str, Any]]:
    """The realistic sets of tests/data/batterypass, keyed by aspect URN (the form an export
    takes, so the leaf comparison pairs the same aspects)."""
    from graph_service.config import Settings
    from graph_service.services.interop.batterypass.importer import BatteryPassImporter
    from graph_service.services.interop.jsondoc import plain, read_json_document

    importer = BatteryPassImporter(Settings().passport_models)
    found: list[tuple[str, Any]] = []
    for path in sorted((DATA / "batterypass").glob("*.json")):
        document = read_json_document(path.read_bytes())
        found.append((path.name, {p.aspect.urn(p.version): plain(p.document.value)
                                  for p in importer.payloads(document)}))
    return found


def _batterypass_with_id(document: Any, battery_id: str) -> Any:
    copy = json.loads(json.dumps(document))
    general = next(v for k, v in copy.items() if k.endswith("#GeneralProductInformation"))
    general["productIdentifier"] = battery_id
    if "batteryPassportIdentifier" in general:  # the aspect's pattern: urn:[a-z0-9]+:[a-z0-9]+
        digest = hashlib.sha256(battery_id.encode()).hexdigest()[:16]
        general["batteryPassportIdentifier"] = f"urn:bench:{digest}"
    return copy


def _batterypass_normalise(path: Any, value: Any) -> Any:
    from graph_service.services.interop.batterypass import normalise

    return normalise(path, value)


def _battinfo_documents() -> list[tuple[str, Any]]:
    """The BattINFO JSON-LD documents of tests/data/battinfo that import (not refused/)."""
    return [(path.name, json.loads(path.read_text(encoding="utf-8")))
            for path in sorted((DATA / "battinfo").glob("*.json"))]


FORMATS: list[BenchFormat] = [
    BenchFormat("catenax", _catenax_documents, _catenax_with_id, _catenax_normalise),
    BenchFormat("batterypass", _batterypass_documents, _batterypass_with_id,
                _batterypass_normalise),
    BenchFormat("battinfo", _battinfo_documents, lambda document, _bid: document,
                lambda _path, value: value, exports=False, id_by_parameter=True),
]


def _rate(times: list[float]) -> dict[str, float | int]:
    ordered = sorted(times)
    return {"documents": len(times), "per_s": len(times) / sum(times),
            "median_ms": statistics.median(times) * 1000,
            "p95_ms": ordered[max(0, round(len(ordered) * 0.95) - 1)] * 1000}


def _register_named_organisations(services: Any, graph: Any, admin: Any) -> None:
    from rdflib import Graph, Literal

    from graph_service.model.namespaces import DBP

    records = services.organisations
    for org in {o for o in graph.objects() if records.is_organisation_iri(o)}:
        org_id = str(org).rsplit("/", 1)[-1]
        if not records.exists(org_id):
            record = Graph()
            record.add((org, DBP.name, Literal(f"Benchmark partner {org_id}")))
            records.put(org_id, record, admin)


def measure_format(services: Any, fmt: BenchFormat, rounds: int) -> dict[str, Any]:
    from graph_service.services.access import Principal, Role
    from graph_service.services.interop.diff import diff

    admin = Principal("bench", Role.ADMIN)
    partner = services.imports.registry.importer(fmt.name)
    docs = fmt.documents()
    bodies: list[tuple[str, str, bytes, Any]] = []  # label, battery id, body, document
    for round_ in range(rounds):
        for label, document in docs:
            bid = f"BENCH-{fmt.name}-{round_}-{len(bodies)}"
            copy = fmt.with_battery_id(document, bid)
            bodies.append((label, bid, json.dumps(copy, ensure_ascii=False).encode(), copy))
    # The organisations the documents name are registered first, as a partner does (a
    # passport only names them); their records are not part of what is timed.
    for _label, _bid, body, _doc in bodies[:len(docs)]:
        _register_named_organisations(services, partner.to_graph(partner.read(body),
                                                                 services.minter).graph, admin)
    # Warm-up: schema load and caches.
    warm_id = f"BENCH-{fmt.name}-WARM"
    warm = fmt.with_battery_id(docs[0][1], warm_id)
    services.imports.import_document(json.dumps(warm).encode(), fmt.name, admin,
                                     warm_id if fmt.id_by_parameter else None)
    if fmt.exports:
        services.imports.export_document(warm_id, fmt.name)

    def timed(run: Callable[[tuple[str, str, bytes, Any]], object]) -> list[float]:
        times = []
        for item in bodies:
            start = time.perf_counter()
            run(item)
            times.append(time.perf_counter() - start)
        return times

    def given_id(item: tuple[str, str, bytes, Any]) -> str | None:
        return item[1] if fmt.id_by_parameter else None

    mapping = timed(lambda item: partner.to_graph(partner.read(item[2]), services.minter))
    importing = timed(lambda item: services.imports.import_document(item[2], fmt.name, admin,
                                                                    given_id(item)))
    exports: dict[str, Any] = {}
    exporting = timed(lambda item: exports.__setitem__(
        item[1], services.imports.export_document(item[1], fmt.name).document)
    ) if fmt.exports else []
    coverage = []
    for label, bid, body, document in bodies[:len(docs)]:
        triples = len(partner.to_graph(partner.read(body), services.minter).graph)
        if not fmt.exports:
            coverage.append({"document": label, "triples": triples})
            continue
        result = diff(document, exports[bid], fmt.normalise)
        coverage.append({"document": label, "leaves": result.total,
                         "preserved": len(result.preserved), "changed": len(result.changed),
                         "lost": len(result.lost), "added": len(result.added),
                         "triples": triples})
    versions = sorted({partner.to_graph(partner.read(b), services.minter).version
                       for _l, _b, b, _d in bodies[:len(docs)]})
    return {"format": fmt.name, "version": ", ".join(versions), "documents": len(docs),
            "rounds": rounds, "mean_triples": round(statistics.mean(c["triples"]
                                                                    for c in coverage)),
            "map": _rate(mapping), "import": _rate(importing),
            "export": _rate(exporting) if exporting else None,
            "coverage": coverage}


def measure(rounds: int, names: list[str] | None = None) -> dict[str, Any]:
    warnings.filterwarnings("ignore")
    from bench.run import build

    services = build()
    chosen = [f for f in FORMATS if names is None or f.name in names]
    return {"formats": [measure_format(services, fmt, rounds) for fmt in chosen]}


def table(result: dict[str, Any]) -> list[str]:
    lines = ["| format | step | documents | documents/s | median ms | p95 ms |",
             "|---|---|---|---|---|---|"]
    for entry in result["formats"]:
        for step in ("map", "import", "export"):
            rate = entry[step]
            if rate is None:
                lines.append(f"| {entry['format']} {entry['version']} | {step} | - | "
                             "not measured: import only, no exporter yet | - | - |")
                continue
            lines.append(f"| {entry['format']} {entry['version']} | {step} | "
                         f"{rate['documents']} | {rate['per_s']:.1f} | "
                         f"{rate['median_ms']:.1f} | {rate['p95_ms']:.1f} |")
    for entry in result["formats"]:
        if entry["export"] is None:
            lines += ["", f"{entry['format']} {entry['version']}: triples stored per document "
                      "(no export to compare leaves with):", "", "| document | triples |",
                      "|---|---|"]
            lines += [f"| {c['document']} | {c['triples']} |" for c in entry["coverage"]]
            continue
        lines += ["", f"{entry['format']} {entry['version']}: fields (JSON leaves) preserved by "
                  "import -> export, per document:", "",
                  "| document | leaves | preserved | changed | lost | added | triples |",
                  "|---|---|---|---|---|---|---|"]
        lines += [f"| {c['document']} | {c['leaves']} | {c['preserved']} "
                  f"({c['preserved'] / c['leaves']:.1%}) | {c['changed']} | {c['lost']} | "
                  f"{c['added']} | {c['triples']} |" for c in entry["coverage"]]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10,
                        help="times each document is imported and exported (default 10)")
    parser.add_argument("--format", action="append", dest="formats",
                        help="only this format (repeatable; default: every format)")
    parser.add_argument("--into", type=Path, help="benchmarks.json to store the numbers in")
    args = parser.parse_args(argv)
    started = time.time()
    result = measure(args.rounds, args.formats)
    result["duration_s"] = round(time.time() - started, 1)
    result["date"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    result["loadavg"] = [round(x, 2) for x in os.getloadavg()]
    print("\n".join(table(result)))
    if args.into is not None:
        results = json.loads(args.into.read_text(encoding="utf-8"))
        results["interop"] = result
        args.into.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        splice_section(args.into.parent / "benchmarks.md", results)
    return 0


def splice_section(markdown: Path, results: dict[str, Any]) -> None:
    """Replace (or add) only the partner-format section of benchmarks.md: the file also holds
    sections written by hand from other benches, which a full re-render would drop."""
    from bench.report import _interop

    section = "\n".join(_interop(results)).rstrip() + "\n\n"
    text = markdown.read_text(encoding="utf-8") if markdown.is_file() else ""
    heading = "## Partner formats"
    if heading in text:
        start = text.index(heading)
        end = text.find("\n## ", start)
        text = text[:start] + section + (text[end + 1:] if end >= 0 else "")
    elif "## Larger fleets" in text:
        at = text.index("## Larger fleets")
        text = text[:at] + section + text[at:]
    else:
        text = text.rstrip() + "\n\n" + section
    markdown.write_text(text.rstrip() + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
