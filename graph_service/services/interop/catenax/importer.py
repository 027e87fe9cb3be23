"""Catena-X battery pass JSON -> our passport graph.

1. version: the document's own ``specVersion``, else its structure. ``specVersion`` is optional
   in 6.1.0 (which introduced it), so a document without it is told apart by what the versions
   require: 6.1.0 requires ``commercial`` at the top, which 5.0.0 and 6.0.0 do not have; 6.0.0
   requires material names (``name``) in ``materials.composition`` and the ``other`` lists,
   which 6.1.0 dropped; 5.0.0 has ``handling.spareParts`` and a list as
   ``declarationOfConformityId``. A version we do not support is refused, naming it and what is
   supported; one version is never read as another.
2. every error at once: the official JSON schema of that version (jsonschema), then what the
   schema cannot say (calendar dates, date order, finite numbers, duplicate keys); unknown keys
   are warnings (kept as data).
3. mapping: ``structure.py`` keeps every field (SAMM terms, lists in order), the codecs of
   ``tables.FIELDS`` carry the fields that have EMMO / BattINFO / dbp terms, ``derive.py`` adds
   interpretations.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path as FilePath
from typing import Any

from rdflib import Graph, Literal
from rdflib.namespace import RDF

from graph_service.model.iris import IriMinter, battery_id_for, check_identifier
from graph_service.model.namespaces import DBP
from graph_service.model.terms import BATTERY_PACK
from graph_service.services.interop.catenax import tables
from graph_service.services.interop.catenax.derive import derive
from graph_service.services.interop.codecs import ImportContext, parse_date
from graph_service.services.interop.errors import DocumentRejected, Problem
from graph_service.services.interop.jsondoc import JsonDocument, Path, json_path, shown
from graph_service.services.interop.registry import Mapped
from graph_service.services.interop.samm import fractions_of_integers, integer_properties
from graph_service.services.interop.schema import SchemaModel, parse_pattern, pattern_text
from graph_service.services.interop.structure import StructureCodec, value_at

# The form of the official example, and the aspect's SAMM URN (with or without its element).
_SPEC_VERSION = re.compile(
    r"urn:(?:samm:)?io\.catenax\.battery\.battery_pass:(\d+\.\d+\.\d+)(?:#BatteryPass)?")


class CatenaXImporter:
    def __init__(self, models_dir: FilePath) -> None:
        self.models_dir = models_dir

    def schema(self, version: str) -> SchemaModel:
        return SchemaModel.load(self.models_dir.joinpath(*tables.schema_file(version)),
                                format=tables.FORMAT, version=version)

    def integers(self, version: str) -> dict[str, str]:
        """The integer-typed properties of the version's aspect model (beside its schema in
        the model folder); none when it is not installed (the schema check alone then)."""
        return _integers(self.models_dir.joinpath(*tables.schema_file(version)[:-2],
                                                  "BatteryPass.ttl"))

    def structure(self, version: str) -> StructureCodec:
        return StructureCodec(self.schema(version), tables.FIELDS)  # type: ignore[arg-type]

    # -- 1. version ---------------------------------------------------------------------------
    def detect_version(self, document: JsonDocument) -> str:
        value = document.value
        if not isinstance(value, dict):
            raise DocumentRejected(tables.FORMAT, [document.problem(
                (), "a Catena-X battery pass is a JSON object", "schema")])
        spec = value.get("specVersion")
        if spec is not None:
            match = _SPEC_VERSION.fullmatch(spec) if isinstance(spec, str) else None
            if match is None:
                self._refuse(document, ("specVersion",), f"{shown(spec)} does not name a Catena-X "
                             "battery pass version (urn:io.catenax.battery.battery_pass:X.Y.Z)")
            version = match.group(1)  # type: ignore[union-attr]
            why = f"the document states specVersion {shown(spec)}"
        elif _looks_5(value):
            version, why = "5.0.0", "it states no specVersion and its structure is that of " \
                                    "5.0.0 (handling.spareParts, document lists as " \
                                    "declarationOfConformityId)"
        elif "commercial" in value and not _material_names(value):
            version, why = "6.1.0", ""  # warned in to_graph
        else:
            names = _material_names(value)
            version, why = "6.0.0", "it states no specVersion (6.1.0 introduced it) and its " \
                "structure is that of 6.0.0: " + (
                    f"material names at {', '.join(json_path(p) for p in names[:3])}, which "
                    "6.1.0 dropped" if names else "no top-level commercial, which 6.1.0 "
                    "requires")
        if version not in tables.SUPPORTED_VERSIONS:
            known = "" if version in tables.KNOWN_VERSIONS else " (not a published version)"
            self._refuse(document, ("specVersion",) if spec is not None else (),
                         f"this is a Catena-X battery pass {version} document{known}: {why}. "
                         f"Supported: {', '.join(tables.SUPPORTED_VERSIONS)}; documents of "
                         "other versions are refused, never read as another version")
        return version

    def _refuse(self, document: JsonDocument, path: Path, message: str) -> None:
        raise DocumentRejected(tables.FORMAT, [document.problem(path, message, "version")])

    # -- 2. checks ----------------------------------------------------------------------------
    def check(self, document: JsonDocument, schema: SchemaModel) -> tuple[list[Problem],
                                                                            list[Problem]]:
        problems = schema.validate(document)
        problems += fractions_of_integers(document, schema, self.integers(schema.version))
        warnings = [document.problem(path, "not part of the Catena-X battery pass "
                                           f"{schema.version} model; kept as received (JSON), "
                                           "most restricted", "unknown-key")
                    for path in schema.unknown_keys(document.value)]
        dates: dict[str, Any] = {}
        for text in tables.DATES:
            path = _path(parse_pattern(text))
            value = value_at(document.value, path)
            if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                parsed = parse_date(value)
                if parsed is None:
                    problems.append(document.problem(path, f"{shown(value)} is not a calendar date",
                                                     "semantic"))
                dates[text] = parsed
        for earlier, later in tables.DATE_ORDER:
            first, second = dates.get(earlier), dates.get(later)
            if first and second and first > second:
                problems.append(document.problem(
                    _path(parse_pattern(later)), f"{second.isoformat()} is before "
                    f"{earlier.rsplit('.', 1)[-1]} {first.isoformat()}", "semantic"))
        problems.extend(_timestamps(document, schema))
        return problems, warnings

    # -- 3. mapping ---------------------------------------------------------------------------
    def to_graph(self, document: JsonDocument, minter: IriMinter,
                 battery_id: str | None = None) -> Mapped:
        version = self.detect_version(document)
        schema = self.schema(version)
        problems, warnings = self.check(document, schema)
        if "specVersion" not in document.value:
            warnings.insert(0, document.problem(
                (), f"no specVersion: read as {version}, the version whose structure the "
                "document has (a top-level commercial, no material names); the export states "
                f"specVersion {tables.SPEC_VERSION_PREFIX}{version}", "version"))
        bid = self._battery_id(document, battery_id, problems, warnings)
        graph = Graph()
        mapped = Mapped(graph, bid or "unidentified", version, document, problems, warnings)
        mapped.stated_by = _stated_by()
        if bid is None:
            return mapped
        battery = minter.battery(bid)
        ctx = ImportContext(graph, minter, bid, battery, document, schema, tables.FORMAT,
                            problems, warnings, mapped.sources)
        graph.add((battery, RDF.type, BATTERY_PACK))
        ctx.add(battery, DBP.batteryId, Literal(bid), ("identification", "idDmc"))
        self.structure(version).write(document.value, graph, battery, ctx.node, ctx)
        derive(ctx)
        return mapped

    def _battery_id(self, document: JsonDocument, override: str | None,
                    problems: list[Problem], warnings: list[Problem]) -> str | None:
        if override is not None:
            return check_identifier(override, "battery id")
        path = ("identification", "idDmc")
        raw = value_at(document.value, path)
        if not isinstance(raw, str):
            return None  # the schema check reported it
        bid = battery_id_for(raw)
        if not bid:
            problems.append(document.problem(path, f"{shown(raw)} has no character usable in an "
                                                   "identifier (A-Z a-z 0-9 . _ ~ -); pass the "
                                                   "battery id explicitly", "semantic"))
            return None
        if bid != raw:
            warnings.append(document.problem(path, f"identifier {shown(raw)} is stored as "
                                                   f"battery id {shown(bid)} (IRIs allow only "
                                                   "A-Z a-z 0-9 . _ ~ -); the original is kept "
                                                   "and exported",
                                             "semantic"))
        return bid


@functools.lru_cache(maxsize=1)
def _stated_by() -> dict[str, list[tuple[str, str]]]:
    """term -> ("", field) of every field that states it."""
    found: dict[str, list[tuple[str, str]]] = {}
    for pattern, codec in tables.FIELDS.items():
        term = getattr(codec, "predicate", None) or getattr(codec, "cls", None)
        if term is not None:
            found.setdefault(str(term), []).append(("", pattern_text(pattern)))
    return found


@functools.lru_cache(maxsize=8)
def _integers(path: FilePath) -> dict[str, str]:
    return integer_properties(path) if path.is_file() else {}


def _material_names(value: dict[str, Any]) -> list[Path]:
    """Where a document names materials the 6.0.0 way (``name``, dropped in 6.1.0)."""
    materials = value.get("materials")
    if not isinstance(materials, dict):
        return []
    lists: list[tuple[Path, Any]] = [(("materials", "composition"),
                                      materials.get("composition"))]
    for group in ("active", "hazardous"):
        entry = materials.get(group)
        if isinstance(entry, dict):
            lists.append((("materials", group, "other"), entry.get("other")))
    return [(*path, index, "name") for path, items in lists if isinstance(items, list)
            for index, item in enumerate(items) if isinstance(item, dict) and "name" in item]


def _looks_5(value: dict[str, Any]) -> bool:
    handling = value.get("handling")
    conformity = value.get("conformity")
    return (isinstance(handling, dict) and "spareParts" in handling) or (
        isinstance(conformity, dict)
        and isinstance(conformity.get("declarationOfConformityId"), list))


def _path(pattern: tuple[str, ...]) -> Path:
    return tuple(pattern)


def _timestamps(document: JsonDocument, schema: SchemaModel) -> list[Problem]:
    """Timestamp leaves must be real instants (the schema's pattern is not anchored)."""
    from graph_service.services.interop.codecs import parse_timestamp

    fields = {f.pattern for f in schema.root.walk()
              if f.is_leaf and str(f.schema.get("x-samm-aspect-model-urn", "")).endswith(
                  "#Timestamp")}
    problems: list[Problem] = []

    def walk(spec_pattern: tuple[str, ...], value: Any, path: Path) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk((*spec_pattern, key), item, (*path, key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk((*spec_pattern, "[]"), item, (*path, index))
        elif spec_pattern in fields and isinstance(value, str) and (
                parse_timestamp(value) is None
                or not re.fullmatch(r"\d{4}-\d{2}-\d{2}T[0-9:.]+(Z|[+-]\d{2}:\d{2})?", value)):
            problems.append(document.problem(path, f"{shown(value)} is not a timestamp (e.g. "
                                                   "2024-03-01T12:00:00Z)", "semantic"))

    walk((), document.value, ())
    return problems
