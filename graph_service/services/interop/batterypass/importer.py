"""Battery Pass consortium payloads -> our passport graph.

A partner sends the seven aspects of one battery as separate payloads, or several of them at
once as a *set*: a JSON object whose keys are aspect names (``GeneralProductInformation``,
``CarbonFootprintForBatteries``, ``Circularity``, ``Labeling``, ``MaterialComposition``,
``PerformanceAndDurability``, ``SupplyChainDueDiligence``; the model's module names
``CarbonFootprint``, ``Labels``, ``Performance`` too) or aspect URNs
(``urn:samm:io.BatteryPass.Performance:1.2.1#PerformanceAndDurability``, which states the
version). The payloads join on the battery: the ``battery`` id given with the request, else
the ``productIdentifier`` of GeneralProductInformation.

1. which aspect and version: a set's key, else the payload's keys (a payload that fits no
   aspect is refused as no Battery Pass payload, naming the aspects' keys). Payloads carry no
   version: PerformanceAndDurability 1.2.0 and 1.2.1 differ in structure (1.2.1 fixed
   ``remainingEnergyalue`` and ``currentSelfDischargingRateEntity``, made the idle-state
   temperature range an object and the energy throughput a record), which decides; a payload
   with marks of both is refused, one version is never read as another;
2. every error at once: the official JSON schema (1.2.1: the one made from its aspect model),
   finite numbers, duplicate keys; unknown keys are warnings, kept as received;
3. mapping: ``structure.py`` keeps every field with the SAMM term of its aspect model, the codecs
   of ``tables.FIELDS`` carry what has EMMO / BattINFO / dbp terms, and ``derive.py`` reads
   MaterialComposition's chemistry, critical raw materials and hazardous substances as dbp facts.

Importing an aspect again replaces what that aspect said before and nothing else
(``owned_by``): the passport's other aspects and its data from other sources stay.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path as FilePath
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from graph_service.model.iris import IriMinter, battery_id_for, check_identifier
from graph_service.model.namespaces import DBP
from graph_service.model.terms import BATTERY_CLASS, HAS_PROPERTY
from graph_service.services.interop.batterypass import tables
from graph_service.services.interop.batterypass.derive import (
    DERIVED_PREDICATES,
    derive_material_composition,
)
from graph_service.services.interop.codecs import ImportContext
from graph_service.services.interop.errors import DocumentRejected, Problem
from graph_service.services.interop.jsondoc import JsonDocument, Path, json_path, shown
from graph_service.services.interop.registry import Mapped
from graph_service.services.interop.samm import (
    aspect_schema,
    fractions_of_integers,
    integer_properties,
    multilanguage_properties,
    non_texts,
)
from graph_service.services.interop.schema import SchemaModel, pattern_text
from graph_service.services.interop.structure import StructureCodec

Triple = tuple[Node, Node, Node]
_URN = re.compile(r"^urn:samm:io\.BatteryPass\.([A-Za-z]+):(\d+\.\d+\.\d+)#([A-Za-z]+)$")
# Marks of the PerformanceAndDurability versions in a payload (1.2.1 fixed these names and
# shapes of 1.2.0).
_PERF_120 = (("batteryCondition", "remainingEnergy", "remainingEnergyalue"),
             ("batteryCondition", "currentSelfDischargingRate",
              "currentSelfDischargingRateEntity"),
             ("batteryCondition", "roundTripEfficiencyat50PerCentCycleLife"))
_PERF_121 = (("batteryCondition", "remainingEnergy", "remainingEnergyValue"),
             ("batteryCondition", "currentSelfDischargingRate",
              "currentSelfDischargingRateValue"),
             ("batteryTechicalProperties", "temperatureRangeIdleState", "minimum"),
             ("batteryTechicalProperties", "roundTripEfficiencyat50PerCentCycleLife"))


class SubDocument(JsonDocument):
    """One payload of a set: its problems name their path in the submitted document."""

    def __init__(self, parent: JsonDocument, prefix: Path) -> None:
        value: Any = parent.value
        for part in prefix:
            value = value[part]
        super().__init__(value, parent.text, parent.encoding, parent.digest)
        self.parent = parent
        self.prefix = prefix

    def position(self, path: Path) -> tuple[int, int] | None:
        return self.parent.position((*self.prefix, *path))

    def problem(self, path: Path, message: str, kind: str) -> Problem:
        return self.parent.problem((*self.prefix, *path), message, kind)

    def duplicate_keys(self):  # type: ignore[no-untyped-def]
        return ((p, k) for p, k in self.parent.duplicate_keys() if p[:len(self.prefix)] ==
                self.prefix)


@dataclass
class Payload:
    aspect: tables.Aspect
    version: str
    prefix: Path  # where it is in the submitted document
    document: JsonDocument


class BatteryPassImporter:
    def __init__(self, models_dir: FilePath) -> None:
        self.models_dir = models_dir
        self._schemas: dict[tuple[str, str], SchemaModel] = {}

    def schema(self, aspect: tables.Aspect, version: str) -> SchemaModel:
        key = (aspect.name, version)
        if key not in self._schemas:
            self._schemas[key] = self._load_schema(aspect, version)
        return self._schemas[key]

    def _load_schema(self, aspect: tables.Aspect, version: str) -> SchemaModel:
        key = (aspect.name, version)
        model = self._model(aspect, version)
        corrections = tables.SCHEMA_CORRECTIONS.get(key, {})
        if not corrections:
            return model
        schema = copy.deepcopy(model.schema)
        for component, (field, wrong, right) in corrections.items():
            node = schema["components"]["schemas"][component]
            if node.get(field) == wrong:
                node[field] = right
        return SchemaModel(schema, format=tables.FORMAT, version=version)

    def _model(self, aspect: tables.Aspect, version: str) -> SchemaModel:
        path = self.models_dir.joinpath(*aspect.file(version))
        if version in aspect.schema_versions:
            return SchemaModel.load(path, format=tables.FORMAT, version=version)
        from graph_service.services.interop.errors import FormatUnavailable

        if not path.is_file():
            raise FormatUnavailable(
                f"the aspect model of {aspect.name} {version} is not installed at "
                f"{path.name} in the passport-model folder (DBP_PASSPORT_MODELS_DIR)")
        return SchemaModel(aspect_schema(path), format=tables.FORMAT, version=version)

    def integers(self, aspect: tables.Aspect, version: str) -> dict[str, str]:
        """The integer-typed properties of the aspect model (its Turtle, published for every
        version); none when it is not installed (the schema check alone then)."""
        folder, _ = aspect.file(version)
        return _integers(self.models_dir.joinpath(
            folder, f"{aspect.module}_{version}_{aspect.name}.ttl"))

    def multilanguage(self, aspect: tables.Aspect, version: str) -> set[str]:
        """The multi-language-text properties of the aspect model (none when not installed)."""
        folder, _ = aspect.file(version)
        return _multilanguage(self.models_dir.joinpath(
            folder, f"{aspect.module}_{version}_{aspect.name}.ttl"))

    def structure(self, aspect: tables.Aspect, version: str) -> StructureCodec:
        return StructureCodec(self.schema(aspect, version),
                              tables.FIELDS[(aspect.name, version)],  # type: ignore[arg-type]
                              shared_root=True)

    # -- 1. aspects and versions --------------------------------------------------------------
    def payloads(self, document: JsonDocument) -> list[Payload]:
        value = document.value
        if not isinstance(value, dict) or not value:
            raise DocumentRejected(tables.FORMAT, [document.problem(
                (), "a Battery Pass payload is a JSON object (one aspect), or an object of "
                    "aspects keyed by aspect name", "schema")])
        keys = list(value)
        named = [self._aspect_of_key(k) for k in keys]
        if all(n is not None for n in named):
            payloads = []
            problems = []
            first_key: dict[str, str] = {}
            for key, found in zip(keys, named, strict=True):
                aspect, stated = found  # type: ignore[misc]
                sub = SubDocument(document, (key,))
                if aspect.name in first_key:
                    # "Labeling" and "Labels" (or its URN) name one aspect: one payload would
                    # replace the other
                    problems.append(document.problem(
                        (key,), f"this key names the aspect {aspect.name}, as the key "
                                f"{shown(first_key[aspect.name])} does: a set holds each aspect "
                                "once; send one payload of it", "schema"))
                    continue
                first_key[aspect.name] = key
                if not isinstance(value[key], dict):
                    problems.append(sub.problem((), f"the {aspect.name} payload must be a JSON "
                                                    "object", "schema"))
                    continue
                version = stated or self._version(aspect, sub, problems)
                if version is None:
                    continue
                if version not in aspect.versions:
                    problems.append(document.problem(
                        (key,), f"{aspect.name} {version} is not supported: this service reads "
                                f"{', '.join(aspect.versions)} (Battery Pass data model "
                                f"{', '.join(tables.SUPPORTED_VERSIONS)}); documents of other "
                                "versions are refused, never read as another version",
                        "version"))
                    continue
                payloads.append(Payload(aspect, version, (key,), sub))
            if problems:
                raise DocumentRejected(tables.FORMAT, problems)
            return payloads
        aspect = self._aspect_of_payload(value)
        if aspect is None:
            listed = "; ".join(f"{a.name}: {', '.join(self.schema(a, a.latest).root.properties)}"
                               for a in tables.ASPECTS.values())
            raise DocumentRejected(tables.FORMAT, [document.problem(
                (), f"this is no Battery Pass consortium payload: its keys "
                    f"({', '.join(keys[:6])}) are those of none of the seven aspects ({listed}), "
                    "and it is no set of aspects keyed by aspect name", "format")])
        problems: list[Problem] = []
        version = self._version(aspect, document, problems)
        if version is None:
            raise DocumentRejected(tables.FORMAT, problems)
        return [Payload(aspect, version, (), document)]

    def _aspect_of_key(self, key: str) -> tuple[tables.Aspect, str | None] | None:
        name = tables.ALIASES.get(key, key)
        if name in tables.ASPECTS:
            return tables.ASPECTS[name], None
        match = _URN.match(key)
        if match and match.group(3) in tables.ASPECTS and \
                tables.ASPECTS[match.group(3)].module == match.group(1):
            return tables.ASPECTS[match.group(3)], match.group(2)
        return None

    def _aspect_of_payload(self, value: dict[str, Any]) -> tables.Aspect | None:
        best: tuple[int, tables.Aspect] | None = None
        for aspect in tables.ASPECTS.values():
            known = set(self.schema(aspect, aspect.latest).root.properties)
            if aspect.name == "PerformanceAndDurability":
                known |= set(self.schema(aspect, "1.2.0").root.properties)
            hits = len(known & set(value))
            if hits and (best is None or hits > best[0]):
                best = (hits, aspect)
        return best[1] if best else None

    def _version(self, aspect: tables.Aspect, document: JsonDocument,
                 problems: list[Problem]) -> str | None:
        if len(aspect.versions) == 1:
            return aspect.versions[0]
        old = [m for m in _PERF_120 if _has(document.value, m)]
        new = [m for m in _PERF_121 if _has(document.value, m)]
        if old and new:
            problems.append(document.problem(
                (), f"this {aspect.name} payload has marks of both 1.2.0 "
                    f"({json_path(old[0])}) and 1.2.1 ({json_path(new[0])}); one version is "
                    "never read as another: send it as one version", "version"))
            return None
        if old:
            return "1.2.0"
        return "1.2.1"

    # -- 2.-3. checks and mapping -------------------------------------------------------------
    def to_graph(self, document: JsonDocument, minter: IriMinter,
                 battery_id: str | None = None) -> Mapped:
        payloads = self.payloads(document)
        versions = sorted({p.version for p in payloads})
        version = versions[-1]
        problems: list[Problem] = []
        warnings: list[Problem] = []
        for payload in payloads:
            schema = self.schema(payload.aspect, payload.version)
            problems += schema.validate(payload.document)
            problems += fractions_of_integers(payload.document, schema,
                                              self.integers(payload.aspect, payload.version))
            problems += non_texts(payload.document, schema,
                                  self.multilanguage(payload.aspect, payload.version))
            if payload.aspect.name == "GeneralProductInformation":
                problems += _service_before_manufacture(payload.document)
            warnings += [payload.document.problem(
                path, f"not part of the Battery Pass {payload.aspect.name} {payload.version} "
                      "model; kept as received (JSON), most restricted", "unknown-key")
                for path in schema.unknown_keys(payload.document.value)]
        bid = self._battery_id(payloads, battery_id, problems, warnings, document)
        graph = Graph()
        mapped = Mapped(graph, bid or "unidentified", version, document, problems, warnings)
        mapped.aspects = {p.aspect.name: p.version for p in payloads}
        mapped.stated_by = _stated_by()
        if bid is None:
            return mapped
        battery = minter.battery(bid)
        graph.add((battery, DBP.batteryId, Literal(bid)))
        # The model does not say pack, module or cell: a BattINFO Battery.
        graph.add((battery, RDF.type, BATTERY_CLASS))
        for payload in payloads:
            local: dict[tuple[Node, Node | None], Path] = {}
            ctx = ImportContext(graph, minter, bid, battery, payload.document,
                                self.schema(payload.aspect, payload.version),
                                f"bp-{payload.aspect.short}", problems, warnings, local)
            written = self.structure(payload.aspect, payload.version).write(
                payload.document.value, graph, battery, ctx.node, ctx)
            if payload.aspect.name == "MaterialComposition":
                derive_material_composition(ctx)
            if payload.aspect.name == "GeneralProductInformation":
                _dates_out_of_order_as_dates_only(ctx)
            # Paths inside a set of payloads start with the payload's key.
            for key, path in local.items():
                mapped.sources.setdefault(key, (*payload.prefix, *path))
            for node, path in written.node_paths.items():
                mapped.sources.setdefault((node, None), (*payload.prefix, *path))
        mapped.owned = owned_by([p.aspect for p in payloads], battery)
        mapped.aspects = {p.aspect.name: p.version for p in payloads}
        return mapped

    def _battery_id(self, payloads: list[Payload], override: str | None,
                    problems: list[Problem], warnings: list[Problem],
                    document: JsonDocument) -> str | None:
        if override is not None:
            return check_identifier(override, "battery id")
        general = next((p for p in payloads if p.aspect.name == "GeneralProductInformation"),
                       None)
        raw = general.document.value.get("productIdentifier") if general else None
        if general is None:
            names = ", ".join(p.aspect.name for p in payloads)
            problems.append(document.problem(
                (), f"the {names} payload names no battery (only GeneralProductInformation "
                    "carries the productIdentifier the aspects join on): pass the battery id "
                    "(?battery=ID, --battery ID) or send it together with its "
                    "GeneralProductInformation", "semantic"))
            return None
        if not isinstance(raw, str):
            return None  # the schema check reported it
        bid = battery_id_for(raw)
        path = ("productIdentifier",)
        if not bid:
            problems.append(general.document.problem(
                path, f"{shown(raw)} has no character usable in an identifier "
                      "(A-Z a-z 0-9 . _ ~ -); pass the battery id explicitly", "semantic"))
            return None
        if bid != raw:
            warnings.append(general.document.problem(
                path, f"identifier {shown(raw)} is stored as battery id {shown(bid)} (IRIs "
                      "allow only A-Z a-z 0-9 . _ ~ -); the original is kept and exported",
                "semantic"))
        return bid


@functools.lru_cache(maxsize=1)
def _stated_by() -> dict[str, list[tuple[str, str]]]:
    """term -> (aspect, field) of every field that states it (any version)."""
    found: dict[str, list[tuple[str, str]]] = {}
    for (aspect, _), fields in tables.FIELDS.items():
        for pattern, codec in fields.items():
            term = getattr(codec, "predicate", None) or getattr(codec, "cls", None)
            entry = (aspect, pattern_text(pattern))
            if term is not None and entry not in found.setdefault(str(term), []):
                found[str(term)].append(entry)
    return found


@functools.lru_cache(maxsize=32)
def _integers(path: FilePath) -> dict[str, str]:
    return integer_properties(path) if path.is_file() else {}


@functools.lru_cache(maxsize=32)
def _multilanguage(path: FilePath) -> set[str]:
    return multilanguage_properties(path) if path.is_file() else set()


def _service_before_manufacture(document: JsonDocument) -> list[Problem]:
    """Putting into service before manufacture, compared as instants when both timestamps
    state their offset (the dbp dates are their local dates, whose order shapes/crossfield.ttl
    checks: 2024-01-15T23:30:00-05:00 and 2024-01-16T01:00:00+09:00 are in order as dates, the
    second is seven hours and a half earlier)."""
    from graph_service.services.interop.codecs import parse_timestamp

    value = document.value if isinstance(document.value, dict) else {}
    made, used = value.get("manufacturingDate"), value.get("puttingIntoService")
    if not (isinstance(made, str) and isinstance(used, str)):
        return []
    first, second = parse_timestamp(made), parse_timestamp(used)
    if first is None or second is None or first.tzinfo is None or second.tzinfo is None:
        return []
    if second >= first:
        return []
    return [document.problem(("puttingIntoService",), f"put into service at {used}, before it "
                                                     f"was manufactured at {made}", "semantic")]


def _dates_out_of_order_as_dates_only(ctx: ImportContext) -> None:
    """Timestamps in order as instants whose local dates are not (manufactured
    2024-01-16T01:00:00+09:00, put into service 2024-01-15T23:30:00-05:00, seven hours and a
    half later): the dbp dates would say put into service before manufacture (and SHACL would
    refuse the passport), so no dbp:putIntoServiceDate is derived; the timestamp is kept."""
    from graph_service.services.interop.codecs import parse_timestamp

    made, used = ctx.value_at(("manufacturingDate",)), ctx.value_at(("puttingIntoService",))
    first = parse_timestamp(made) if isinstance(made, str) else None
    second = parse_timestamp(used) if isinstance(used, str) else None
    if first is None or second is None or first.tzinfo is None or second.tzinfo is None:
        return
    if second >= first and second.date() < first.date():
        ctx.graph.remove((ctx.battery, DBP.putIntoServiceDate, None))
        ctx.warn(("puttingIntoService",), f"put into service at {used}, after manufacture at "
                                          f"{made}, but on an earlier local date; no "
                                          "dbp:putIntoServiceDate derived (its date would "
                                          "precede the manufacturing date), kept as received")


def _has(value: Any, path: tuple[str, ...]) -> bool:
    for part in path:
        if not isinstance(value, dict) or part not in value:
            return False
        value = value[part]
    return True


def owned_by(aspects: list[tables.Aspect], battery: URIRef) -> Callable[[Triple], bool]:
    """The stored triples that payloads of ``aspects`` replace: their SAMM terms, their
    structure nodes and usage records, and the battery facts and quantities their codecs
    carry. Everything else of the passport stays when an aspect is imported again."""
    from graph_service.services.interop.codecs import Quantity

    term_prefixes = tuple(a.term_prefix() for a in aspects)
    node_prefixes = tuple(f"{battery}/bp-{a.short}/" for a in aspects)
    record_prefixes = tuple(f"{battery}/usage/bp-{a.short}-" for a in aspects)
    predicates: set[URIRef] = set()
    quantity_nodes: set[str] = set()
    for aspect in aspects:
        for version in aspect.versions:
            for codec in tables.FIELDS[(aspect.name, version)].values():
                predicate = getattr(codec, "predicate", None)
                if isinstance(predicate, URIRef):
                    predicates.add(predicate)
                if isinstance(codec, Quantity):
                    quantity_nodes.add(f"{battery}/q/{codec.slug}")
            if aspect.name == "MaterialComposition":
                predicates |= DERIVED_PREDICATES
            if aspect.name == "Circularity":
                predicates |= {DBP[f"{c}ConsumerRecycled{m}Share"] for c in ("pre", "post")
                               for m in ("Cobalt", "Nickel", "Lithium", "Lead")}

    def owned(triple: Triple) -> bool:
        s, p, o = (str(t) for t in triple)
        if p.startswith(term_prefixes) or s.startswith(node_prefixes + record_prefixes):
            return True
        if o.startswith(record_prefixes) or (s == str(battery) and triple[1] in predicates):
            return True
        if triple[1] == HAS_PROPERTY and s == str(battery) and o in quantity_nodes:
            return True
        return any(s == q or s.startswith(q + "/") for q in quantity_nodes)

    return owned


__all__ = ["BatteryPassImporter", "Payload", "owned_by"]
