"""Our passport graph -> the Battery Pass aspects, with nothing made up.

The export is a set of payloads keyed by aspect URN (which states each aspect's version): every
aspect is written from what the graph holds - the fields kept with their SAMM terms, else the
EMMO / BattINFO / dbp facts their codecs read (in the unit the model fixes).
PerformanceAndDurability is written in the version whose terms the passport holds, else 1.2.1.
A field the aspect's schema requires that no stored fact provides is a ``Gap`` (path inside the
set, and what would provide it); so is a stored value that does not fit the schema (left out).
``aspects`` limits the export to some aspects.
"""

from __future__ import annotations

from typing import Any

from rdflib import Graph, URIRef

from graph_service.model.iris import IriMinter
from graph_service.services.interop.batterypass import tables
from graph_service.services.interop.batterypass.importer import BatteryPassImporter
from graph_service.services.interop.codecs import ExportContext, codec_held
from graph_service.services.interop.errors import Gap
from graph_service.services.interop.jsondoc import JsonDocument, remove_at
from graph_service.services.interop.registry import Exported
from graph_service.services.interop.samm import write_integers
from graph_service.services.interop.schema import missing_required

_RAW_ONLY = ("the field itself: only a Battery Pass payload provides it (no EMMO, BattINFO or "
             "dbp term carries it)")


_AS_STATED = ("the field itself, as this model states it (only a Battery Pass payload "
              "provides it)")


def stored_versions(graph: Graph, aspect: tables.Aspect) -> list[str]:
    prefix = aspect.term_prefix()
    found = {str(p)[len(prefix):].split("#", 1)[0] for p in set(graph.predicates())
             if str(p).startswith(prefix)}
    return sorted(v for v in found if v in aspect.versions)


class BatteryPassExporter:
    def __init__(self, importer: BatteryPassImporter) -> None:
        self.importer = importer

    def export(self, graph: Graph, battery: URIRef, minter: IriMinter, battery_id: str,
               aspects: list[str] | None = None) -> Exported:
        document: dict[str, Any] = {}
        gaps: list[Gap] = []
        warnings: list[str] = []
        versions: set[str] = set()
        for aspect in tables.ASPECTS.values():
            if aspects is not None and aspect.name not in aspects:
                continue
            held = stored_versions(graph, aspect)
            version = held[-1] if held else aspect.latest
            if len(held) > 1:
                warnings.append(f"the passport holds {aspect.name} fields of versions "
                                f"{', '.join(held)}; written as {version}")
            versions.add(version)
            schema = self.importer.schema(aspect, version)
            ctx = ExportContext(graph, battery, minter, battery_id, schema,
                                f"bp-{aspect.short}")
            payload = write_integers(
                self.importer.structure(aspect, version).read(graph, battery, ctx), schema,
                self.importer.integers(aspect, version))
            key = aspect.urn(version)
            fields = tables.FIELDS[(aspect.name, version)]
            held = codec_held(fields, ctx)
            held.update({pattern: (reason, row.provided_by or _AS_STATED)
                         for pattern, row in tables.HELD[aspect.name].items()
                         if (reason := row.describe(ctx)) is not None})
            aspect_gaps = missing_required(schema.root, payload, (key,), fields, _RAW_ONLY,
                                           held)
            listed = {g.path for g in aspect_gaps}
            for problem in schema.validate(JsonDocument(payload, "", "", "")):
                path = f"$['{key}']" + problem.path[1:]
                if path in listed or problem.message.startswith("required by"):
                    continue
                aspect_gaps.append(Gap(path, f"the stored value does not fit the schema "
                                             f"({problem.message}); left out", _RAW_ONLY))
                remove_at(payload, problem.path)
            gaps += aspect_gaps
            document[key] = payload
        gaps.sort(key=lambda g: g.path)
        return Exported(document, "1.2.1" if "1.2.1" in versions else "1.2.0", gaps, warnings)


__all__ = ["BatteryPassExporter", "stored_versions"]
