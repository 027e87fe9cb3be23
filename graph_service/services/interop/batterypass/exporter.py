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
from graph_service.services.interop.codecs import ExportContext
from graph_service.services.interop.errors import Gap
from graph_service.services.interop.jsondoc import JsonDocument, json_path
from graph_service.services.interop.registry import Exported
from graph_service.services.interop.schema import Field

_RAW_ONLY = ("the field itself: only a Battery Pass payload provides it (no EMMO, BattINFO or "
             "dbp term carries it)")


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
            payload = self.importer.structure(aspect, version).read(graph, battery, ctx)
            key = aspect.urn(version)
            fields = tables.FIELDS[(aspect.name, version)]
            aspect_gaps = _missing(schema.root, payload, (key,), fields)
            listed = {g.path for g in aspect_gaps}
            for problem in schema.validate(JsonDocument(payload, "", "", "")):
                path = f"$['{key}']" + problem.path[1:]
                if path in listed or problem.message.startswith("required by"):
                    continue
                aspect_gaps.append(Gap(path, f"the stored value does not fit the schema "
                                             f"({problem.message}); left out", _RAW_ONLY))
                _remove(payload, problem.path)
            gaps += aspect_gaps
            document[key] = payload
        gaps.sort(key=lambda g: g.path)
        return Exported(document, "1.2.1" if "1.2.1" in versions else "1.2.0", gaps, warnings)


def _missing(spec: Field, value: Any, path: tuple, fields: dict) -> list[Gap]:
    gaps: list[Gap] = []
    if spec.kind == "object" and isinstance(value, dict):
        for key in spec.required:
            child = spec.properties.get(key)
            if key not in value and child is not None:
                codec = fields.get(child.pattern)
                what = "list" if child.kind == "array" else (
                    "part" if child.kind == "object" else "value")
                gaps.append(Gap(json_path((*path, key)),
                                f"the schema requires this {what}; the passport has no fact "
                                "for it", getattr(codec, "provided_by", None) or _RAW_ONLY))
        for key, item in value.items():
            child = spec.properties.get(key)
            if child is not None:
                gaps.extend(_missing(child, item, (*path, key), fields))
    elif spec.kind == "array" and isinstance(value, list) and spec.item is not None:
        for index, item in enumerate(value):
            gaps.extend(_missing(spec.item, item, (*path, index), fields))
    return gaps


def _remove(document: dict[str, Any], text: str) -> None:
    import re

    parts: list[str | int] = []
    for key, quoted, index in re.findall(r"\.([A-Za-z0-9_]+)|\['((?:[^'\\]|\\.)*)'\]|\[(\d+)\]",
                                         text[1:]):
        parts.append(int(index) if index else (key or quoted))
    node: Any = document
    for part in parts[:-1]:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return
    if parts and isinstance(node, dict):
        node.pop(parts[-1], None)
    elif parts and isinstance(node, list) and isinstance(parts[-1], int) and \
            parts[-1] < len(node):
        node.pop(parts[-1])


__all__ = ["BatteryPassExporter", "stored_versions"]
