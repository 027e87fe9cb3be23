"""Field codecs shared by the partner formats: one JSON leaf <-> EMMO / BattINFO / dbp terms.

A format's mapping table (e.g. ``interop/catenax/tables.py``) names, per JSON field, one of these
codecs; every other field keeps its SAMM term (``structure.py``). The contexts hold what a codec
needs: the graph being written or read, the battery, the document (import) and IRI minting
(only through ``model/iris.py``).

Numbers are converted with decimal arithmetic (``Decimal(repr(x))``, exact factors from
``model/terms.UNIT_SCALE``), so a value normalised inside (W -> kW, ohm -> mOhm, g -> kg) comes
back as the same number in the unit it was received in.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from graph_service.model.iris import IriMinter, quantity_iris
from graph_service.model.namespaces import DBP
from graph_service.model.terms import (
    CONVENTIONAL,
    HAS_MEASUREMENT_UNIT,
    HAS_NUMBER_VALUE,
    HAS_NUMERICAL_PART,
    HAS_PROPERTY,
    MEASURED,
    REAL_DATA,
    UNIT_SCALE,
    vocab,
    vocab_name,
)
from graph_service.services.interop.errors import Problem
from graph_service.services.interop.jsondoc import JsonDocument, Path, shown
from graph_service.services.interop.schema import SchemaModel, pattern_of
from graph_service.services.interop.structure import MISSING, value_at

# Largest magnitude kept as an xsd:decimal quantity (the store keeps 18 fraction digits in
# 128 bits); every SHACL range of our quantities is far below it.
_MAX_QUANTITY = Decimal("1e15")
_MAX_FRACTION_DIGITS = 18
# A time's fraction beyond microseconds (Python's datetime, and so dbp:recordedAt, stops there).
_SUB_MICROSECOND = re.compile(r"T[0-9:]+\.\d{7,}")


def _too_precise(ctx: ImportContext, value: Decimal, path: Path) -> bool:
    """A value the store could not keep to the last digit stays a field with its SAMM term."""
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > _MAX_FRACTION_DIGITS:
        ctx.warn(path, "more than 18 decimal places in the stored unit; kept as received (SAMM "
                       "term), not as an EMMO quantity")
        return True
    return False


def to_decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def decimal_literal(value: Decimal) -> Literal:
    return Literal(format(value.normalize(), "f"), datatype=XSD.decimal)


def convert(value: Decimal, from_unit: URIRef, to_unit: URIRef) -> Decimal | None:
    """``value`` in ``from_unit`` expressed in ``to_unit`` (same dimension), or None."""
    source, target = UNIT_SCALE.get(from_unit), UNIT_SCALE.get(to_unit)
    if source is None or target is None or source[0] != target[0]:
        return None
    return value * source[1] / target[1]


def json_number(value: Decimal) -> float:
    return float(value)


# -- contexts ------------------------------------------------------------------------------------
@dataclass
class ImportContext:
    graph: Graph
    minter: IriMinter
    battery_id: str
    battery: URIRef
    document: JsonDocument
    schema: SchemaModel
    node_kind: str
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    # (subject, predicate) and quantity nodes -> JSON path, to point SHACL violations back
    sources: dict[tuple[Node, Node | None], Path] = field(default_factory=dict)
    records: dict[tuple[datetime, Any], URIRef] = field(default_factory=dict)

    def node(self, path: Path) -> URIRef:
        return self.minter.part(self.battery_id, self.node_kind, node_slug(path))

    def value_at(self, path: Path) -> Any:
        return value_at(self.document.value, path)

    def error(self, path: Path, message: str) -> None:
        self.problems.append(self.document.problem(path, message, "semantic"))

    def warn(self, path: Path, message: str, kind: str = "semantic") -> None:
        self.warnings.append(self.document.problem(path, message, kind))

    def add(self, s: Node, p: Node, o: Node, path: Path) -> None:
        self.graph.add((s, p, o))
        self.sources.setdefault((s, p), path)

    def quantity(self, owner: URIRef, slug: str, cls: URIRef, value: Decimal, unit: URIRef,
                 path: Path, *, measured: bool = False) -> URIRef:
        """An EMMO quantity exactly as the demo fleet and BattINFO write it."""
        q, number = quantity_iris(owner, slug)
        g = self.graph
        g.add((owner, HAS_PROPERTY, q))
        g.add((q, RDF.type, cls))
        g.add((q, RDF.type, MEASURED if measured else CONVENTIONAL))
        g.add((q, HAS_NUMERICAL_PART, number))
        g.add((number, RDF.type, REAL_DATA))
        g.add((number, HAS_NUMBER_VALUE, decimal_literal(value)))
        g.add((q, HAS_MEASUREMENT_UNIT, unit))
        for node in (q, number):
            self.sources.setdefault((node, None), path)
        self.sources.setdefault((owner, HAS_PROPERTY), path)
        return q

    def finer_than_microseconds(self, text: str, path: Path, term: str) -> None:
        """Warn (once per path) when a time is written with more than six fraction digits: the
        dbp term ``term`` holds it to the microsecond (the field itself is kept as received)."""
        if not _SUB_MICROSECOND.search(text):
            return
        message = (f"{shown(text.strip())} has more fraction digits than microseconds; {term} "
                   "holds the time to the microsecond (the field is kept as received)")
        warning = self.document.problem(path, message, "semantic")
        if warning not in self.warnings:
            self.warnings.append(warning)

    def usage_record(self, when: datetime, path: Path) -> URIRef:
        """The usage record of one measurement time: one per instant and offset, so that its
        dbp:recordedAt is the time as each record wrote it (records of one instant written
        with two offsets used to share the record of the first, whose offset the second lost).
        The first offset of an instant names the record by the instant; another gets its
        offset appended."""
        instant = when.astimezone(UTC) if when.tzinfo is not None else when
        key = (instant, when.utcoffset())
        record = self.records.get(key)
        if record is None:
            stamp = instant.strftime("%Y%m%dT%H%M%S%f") + ("Z" if when.tzinfo else "L")
            if any(known == instant for known, _ in self.records):
                offset = when.strftime("%z") or "local"
                stamp += "-at" + offset.replace("+", "p").replace("-", "m")
            record = self.minter.part(self.battery_id, "usage", f"{self.node_kind}-{stamp}")
            self.records[key] = record
            self.add(self.battery, DBP.hasUsageRecord, record, path)
            self.graph.add((record, RDF.type, DBP.UsageRecord))
            self.add(record, DBP.recordedAt, Literal(when), path)
        return record


def node_slug(path: Path) -> str:
    return ".".join(str(p) for p in path)


@dataclass
class ExportContext:
    graph: Graph
    battery: URIRef
    minter: IriMinter
    battery_id: str
    schema: SchemaModel
    node_kind: str
    _latest: dict[URIRef, tuple[Decimal, URIRef, Literal] | None] = field(default_factory=dict)

    def node(self, path: Path) -> URIRef:
        return self.minter.part(self.battery_id, self.node_kind, node_slug(path))

    def raw(self, path: Path) -> Any:
        """The raw (SAMM-term) leaf at ``path``, or MISSING."""
        spec = self.schema.field(pattern_of(path))
        if spec is None or spec.urn is None or not path:
            return MISSING
        parent = self.node(path[:-1]) if len(path) > 1 else self.battery
        literal = self.graph.value(parent, URIRef(spec.urn))
        return literal.toPython() if isinstance(literal, Literal) else MISSING

    def quantity(self, owner: URIRef, cls: URIRef) -> tuple[Decimal, URIRef] | None:
        for q in sorted(self.graph.objects(owner, HAS_PROPERTY), key=str):
            if (q, RDF.type, cls) not in self.graph:
                continue
            number = self.graph.value(self.graph.value(q, HAS_NUMERICAL_PART), HAS_NUMBER_VALUE)
            unit = self.graph.value(q, HAS_MEASUREMENT_UNIT)
            value = to_decimal_literal(number)
            if value is not None and isinstance(unit, URIRef):
                return value, unit
        return None

    def latest(self, cls: URIRef) -> tuple[Decimal, URIRef, Literal] | None:
        """The most recent usage-record value of ``cls``: (value, unit, recordedAt)."""
        if cls not in self._latest:
            best: tuple[Any, tuple[Decimal, URIRef, Literal]] | None = None
            for record in self.graph.objects(self.battery, DBP.hasUsageRecord):
                when = self.graph.value(record, DBP.recordedAt)
                found = self.quantity(record, cls) if isinstance(record, URIRef) else None
                if found is None or not isinstance(when, Literal):
                    continue
                key = _instant(when)
                if best is None or key > best[0]:
                    best = (key, (found[0], found[1], when))
            self._latest[cls] = None if best is None else best[1]
        return self._latest[cls]


def to_decimal_literal(number: Node | None) -> Decimal | None:
    if not isinstance(number, Literal):
        return None
    try:
        value = Decimal(str(number))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _instant(literal: Literal) -> float:
    value = literal.toPython()
    if isinstance(value, datetime):
        return value.timestamp() if value.tzinfo else value.replace(tzinfo=None).timestamp()
    return float("-inf")


def format_timestamp(literal: Literal) -> str | None:
    value = literal.toPython()
    if not isinstance(value, datetime):
        return None
    spec = "seconds" if value.microsecond == 0 else (
        "milliseconds" if value.microsecond % 1000 == 0 else "microseconds")
    text = value.isoformat(timespec=spec)
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def utc_as_z(text: str) -> str:
    """A timestamp text as ``format_timestamp`` writes its offset: ``Z`` for ``+00:00``."""
    return text[:-6] + "Z" if text.endswith("+00:00") else text


# xsd:dateTime's end of a day, "2025-03-14T24:00:00Z": the first instant of the next day
_END_OF_DAY = re.compile(r"(\d{4}-\d{2}-\d{2})T24:00:00(?:\.0+)?(Z|[+-]\d{2}:\d{2})?")


def parse_timestamp(text: str) -> datetime | None:
    """A date and time as xsd:dateTime reads it (the schemas' "date-time" accepts the same,
    ``schema._date_time``): ``T24:00:00`` is the next day's ``T00:00:00``, the same instant."""
    text = text.strip()
    end_of_day = _END_OF_DAY.fullmatch(text)
    if end_of_day:
        start = parse_timestamp(f"{end_of_day.group(1)}T00:00:00{end_of_day.group(2) or ''}")
        return None if start is None else start + timedelta(days=1)
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


# -- codecs --------------------------------------------------------------------------------------
@dataclass
class BatteryProperty:
    """Base of the codecs of one property (``predicate``) of the battery. ``provided_by`` says
    in coverage reports which fact provides the leaf; unless given, the class's ``PROVIDED_BY``
    with the property's compact name (``{}``) and the codec's fields (``{self.scheme}``)."""

    predicate: URIRef
    # Keyword-only, so subclasses may add fields without defaults after it.
    provided_by: str = field(default="", kw_only=True)
    PROVIDED_BY: ClassVar[str] = "{} of the battery"

    def __post_init__(self) -> None:
        self.provided_by = self.provided_by or self.PROVIDED_BY.format(short_name(self.predicate),
                                                                       self=self)


@dataclass
class Text(BatteryProperty):
    """A text leaf carried by a dbp datatype property of the battery (exact)."""

    def store(self, ctx: ImportContext, value: Any, path: Path) -> bool:
        if not isinstance(value, str):
            return False
        ctx.add(ctx.battery, self.predicate, Literal(value), path)
        return True

    def load(self, ctx: ExportContext, path: Path) -> Any:
        value = ctx.graph.value(ctx.battery, self.predicate)
        return str(value) if isinstance(value, Literal) else MISSING


@dataclass
class DateField(BatteryProperty):
    """A YYYY-MM-DD leaf carried by an xsd:date property of the battery (exact)."""

    def store(self, ctx: ImportContext, value: Any, path: Path) -> bool:
        parsed = parse_date(value) if isinstance(value, str) else None
        if parsed is None:
            return False  # refused by the date check (tables.DATES); kept raw meanwhile
        ctx.add(ctx.battery, self.predicate, Literal(parsed), path)
        return True

    def load(self, ctx: ExportContext, path: Path) -> Any:
        value = ctx.graph.value(ctx.battery, self.predicate)
        parsed = value.toPython() if isinstance(value, Literal) else None
        return parsed.isoformat() if isinstance(parsed, date) else MISSING


@dataclass
class Concept(BatteryProperty):
    """A leaf whose values are concepts of one of our vocabularies (exact when ``exact``)."""

    scheme: str
    to_concept: dict[str, str]
    to_json: dict[str, str]
    exact: bool = True
    PROVIDED_BY: ClassVar[str] = "{} of the battery (dbp vocabulary {self.scheme})"

    def store(self, ctx: ImportContext, value: Any, path: Path) -> bool:
        concept = self.to_concept.get(value) if isinstance(value, str) else None
        if concept is None:
            return False
        ctx.add(ctx.battery, self.predicate, vocab(self.scheme, concept), path)
        # Exact only when the way back gives the same text.
        return self.exact and self.to_json.get(concept) == value

    def load(self, ctx: ExportContext, path: Path) -> Any:
        name = vocab_name(ctx.graph.value(ctx.battery, self.predicate), self.scheme)
        return self.to_json.get(name, MISSING) if name else MISSING

    def held(self, ctx: ExportContext) -> str | None:
        """Why a concept the passport holds is not written: this model has no value for it
        (a portable battery in the Battery Pass model, whose categories are the four that
        need a passport); None when it holds none or it is written."""
        value = ctx.graph.value(ctx.battery, self.predicate)
        if value is None:
            return None
        name = vocab_name(value, self.scheme)
        if name is not None and name in self.to_json:
            return None
        takes = ", ".join(json.dumps(v) for v in dict.fromkeys(self.to_json.values()))
        return (f"the passport holds {short_name(self.predicate)} {name or value}, but this "
                f"model has no value for it (it takes {takes}); it is not written")


@dataclass
class OrganisationLink(BatteryProperty):
    """A business-partner number kept on the passport-scoped node, plus a link from the battery
    to our organisation IRI (as object only: passports never describe organisations)."""

    pattern: Any  # compiled regex of valid ids
    PROVIDED_BY: ClassVar[str] = (
        "{} of the battery: an organisation whose id is a business-partner number")

    def store(self, ctx: ImportContext, value: Any, path: Path) -> bool:
        if isinstance(value, str) and self.pattern.fullmatch(value):
            ctx.add(ctx.battery, self.predicate, ctx.minter.organisation(value), path)
        return False

    def load(self, ctx: ExportContext, path: Path) -> Any:
        for org in sorted(ctx.graph.objects(ctx.battery, self.predicate), key=str):
            org_id = ctx.minter.organisation_id_of(str(org))
            if org_id and self.pattern.fullmatch(org_id):
                return org_id
        return MISSING


@dataclass
class Quantity:
    """A number carried by an EMMO quantity of the battery, stored in ``stored_unit``.

    ``json_unit`` is the unit the schema fixes; ``unit_key``/``units`` name a sibling leaf
    that gives the unit instead (e.g. a weight's ``unit:gram``)."""

    cls: URIRef
    slug: str
    stored_unit: URIRef
    json_unit: URIRef | None = None
    unit_key: str | None = None
    units: dict[str, URIRef] = field(default_factory=dict)
    provided_by: str = ""

    def __post_init__(self) -> None:
        self.provided_by = self.provided_by or f"the battery's quantity {short_name(self.cls)}"

    def received_unit(self, sibling: Any) -> URIRef | None:
        if self.unit_key is None:
            return self.json_unit
        return self.units.get(sibling) if isinstance(sibling, str) else None

    def store(self, ctx: ImportContext, value: Any, path: Path) -> bool:
        number = to_decimal(value)
        sibling = ctx.value_at((*path[:-1], self.unit_key)) if self.unit_key else None
        unit = self.received_unit(sibling)
        if number is not None and unit is None and isinstance(sibling, str):
            # a unit the schema allows that we hold no EMMO unit or exact conversion for
            # (Catena-X unit:pound): kept as received, but not the battery's quantity - said
            ctx.warn(path, f"{shown(value)} {shown(sibling)} is kept as received, not stored "
                           f"as {self.provided_by}: that is stored only from a value in "
                           f"{' or '.join(shown(u) for u in self.units)}, and no other unit "
                           "is converted")
            return False
        if number is None or unit is None:
            return False
        stored = convert(number, unit, self.stored_unit)
        if stored is None or abs(stored) >= _MAX_QUANTITY:
            ctx.error(path, f"{shown(value)} is outside any plausible range")
            return False
        if _too_precise(ctx, stored, path):
            return False
        ctx.quantity(ctx.battery, self.slug, self.cls, stored, self.stored_unit, path)
        return True

    def load(self, ctx: ExportContext, path: Path) -> Any:
        found = ctx.quantity(ctx.battery, self.cls)
        if found is None:
            return MISSING
        target = self.received_unit(ctx.raw((*path[:-1], self.unit_key))
                                    if self.unit_key else None)
        if target is None and self.unit_key:
            target = self.units.get(self.default_unit_text())
        value = convert(found[0], found[1], target) if target is not None else None
        return MISSING if value is None else json_number(value)

    def held(self, ctx: ExportContext) -> str | None:
        """Why a quantity the passport holds is not written: its unit does not convert to the
        one this model gives it in; None when it holds none or it is written."""
        found = ctx.quantity(ctx.battery, self.cls)
        if found is None:
            return None
        target = self.json_unit if self.unit_key is None else \
            self.units.get(self.default_unit_text() or "")
        if target is not None and convert(found[0], found[1], target) is not None:
            return None
        number = format(found[0].normalize(), "f")
        wanted = f" ({short_name(target)})" if target is not None else ""
        return (f"the passport holds {number} {short_name(found[1])} as {self.provided_by}, "
                f"but that unit does not convert to the unit of this field{wanted}; it is not "
                "written")

    def default_unit_text(self) -> str | None:
        return next((text for text, unit in self.units.items() if unit == self.stored_unit),
                    None)


@dataclass
class UnitOf:
    """The unit leaf beside a ``Quantity`` with ``unit_key``: kept as received; for passports
    that never had it, the unit the quantity is written in."""

    quantity: Quantity
    provided_by: str = ""

    def __post_init__(self) -> None:
        self.provided_by = self.provided_by or self.quantity.provided_by

    def store(self, ctx: ImportContext, value: Any, path: Path) -> bool:
        return False

    def load(self, ctx: ExportContext, path: Path) -> Any:
        if ctx.quantity(ctx.battery, self.quantity.cls) is None:
            return MISSING
        return self.quantity.default_unit_text() or MISSING


@dataclass
class RecordValue:
    """The value of a dynamic ``{value, time}`` record: a measured EMMO quantity of the usage
    record of that time."""

    cls: URIRef
    slug: str
    stored_unit: URIRef
    json_unit: URIRef
    time_key: str = "time"
    provided_by: str = ""

    def __post_init__(self) -> None:
        self.provided_by = self.provided_by or (
            f"a usage record (dbp:UsageRecord) with the quantity {short_name(self.cls)}")

    def store(self, ctx: ImportContext, value: Any, path: Path) -> bool:
        number = to_decimal(value)
        stamp = ctx.value_at((*path[:-1], self.time_key))
        when = parse_timestamp(stamp) if isinstance(stamp, str) else None
        if number is None or when is None:
            return False
        stored = convert(number, self.json_unit, self.stored_unit)
        if stored is None or abs(stored) >= _MAX_QUANTITY:
            ctx.error(path, f"{shown(value)} is outside any plausible range")
            return False
        if _too_precise(ctx, stored, path):
            return False
        if when.tzinfo is None:
            ctx.warn((*path[:-1], self.time_key), f"{shown(stamp)} has no time zone; the record is "
                     "kept as data, not as a usage record (whose times must be unambiguous)")
            return False
        record = ctx.usage_record(when, (*path[:-1], self.time_key))
        ctx.finer_than_microseconds(stamp, (*path[:-1], self.time_key),
                                    "the usage record's dbp:recordedAt")
        ctx.quantity(record, self.slug, self.cls, stored, self.stored_unit, path, measured=True)
        return True

    def load(self, ctx: ExportContext, path: Path) -> Any:
        found = ctx.latest(self.cls)
        if found is None:
            return MISSING
        value = convert(found[0], found[1], self.json_unit)
        return MISSING if value is None else json_number(value)


@dataclass
class RecordTime:
    """The time of a dynamic record: the recordedAt of its usage record."""

    value: RecordValue
    value_key: str = "value"
    provided_by: str = ""

    def __post_init__(self) -> None:
        self.provided_by = self.provided_by or self.value.provided_by

    def store(self, ctx: ImportContext, value: Any, path: Path) -> bool:
        number = to_decimal(ctx.value_at((*path[:-1], self.value_key)))
        when = parse_timestamp(value) if isinstance(value, str) else None
        if number is None or when is None or when.tzinfo is None:
            return False
        stored = convert(number, self.value.json_unit, self.value.stored_unit)
        exponent = stored.normalize().as_tuple().exponent if stored is not None else 0
        if stored is None or abs(stored) >= _MAX_QUANTITY or (
                isinstance(exponent, int) and -exponent > _MAX_FRACTION_DIGITS):
            return False
        # The record's value makes this usage record (RecordValue.store, same conditions). One
        # usage record per instant: its time is written as the first record of that instant
        # wrote it. Exact only when it gives back this text; otherwise (another offset, other
        # fraction digits) the text is kept as received too.
        record = ctx.usage_record(when, path)
        recorded = ctx.graph.value(record, DBP.recordedAt)
        back = format_timestamp(recorded) if isinstance(recorded, Literal) else None
        return back is not None and back == utc_as_z(value.strip())

    def load(self, ctx: ExportContext, path: Path) -> Any:
        found = ctx.latest(self.value.cls)
        text = format_timestamp(found[2]) if found else None
        return text if text else MISSING


@dataclass
class LatestRecord:
    """A field of one value, without a time, that states what a dynamic record of another
    format measures (e.g. Battery Pass ``powerFade`` and Catena-X ``power.fade`` records): the
    field as received is kept (its SAMM term); a passport that has only the records gives the
    latest record's value (the target model has no place for its time)."""

    cls: URIRef
    json_unit: URIRef
    provided_by: str = ""

    def __post_init__(self) -> None:
        self.provided_by = self.provided_by or (
            f"the field itself, or a usage record (dbp:UsageRecord) with "
            f"{short_name(self.cls)} (the latest is written)")

    def store(self, ctx: ImportContext, value: Any, path: Path) -> bool:
        return False

    def load(self, ctx: ExportContext, path: Path) -> Any:
        found = ctx.latest(self.cls)
        value = convert(found[0], found[1], self.json_unit) if found else None
        return MISSING if value is None else json_number(value)


@dataclass
class Held:
    """A required part the target model gives in a unit or form our stored fact cannot be
    restated in without facts nobody sent (``reason`` says which): its gap names the value
    the passport holds instead of claiming it has none."""

    cls: URIRef | None
    reason: str
    predicate: URIRef | None = None  # a fact of the battery instead of a quantity
    provided_by: str = ""  # what would fill it (default: the field's codec's, else the field)
    # or a field another format's payload gave, kept with its SAMM term: (term, what it is)
    kept: tuple[tuple[URIRef, str], ...] = ()
    # the SAMM term of the unit such a value was kept in, beside it on the same node (a value
    # kept because its unit is one the service does not convert): the gap names that unit
    kept_unit: URIRef | None = None

    def describe(self, ctx: ExportContext) -> str | None:
        for term, what in self.kept:
            for holder, value in sorted(ctx.graph.subject_objects(term), key=str):
                if not isinstance(value, Literal):
                    continue
                if self.kept_unit is None:
                    return (f"the passport holds {what} {value}, but {self.reason}; it is not "
                            "written")
                unit = ctx.graph.value(holder, self.kept_unit)
                if isinstance(unit, Literal):
                    return (f"the passport holds {what} {value} {unit}, as received, but "
                            f"{self.reason}; it is not written")
        if self.predicate is not None:
            value = ctx.graph.value(ctx.battery, self.predicate)
            if value is None:
                return None
            shown_value = ctx.minter.organisation_id_of(str(value)) or value \
                if isinstance(value, URIRef) else value
            return (f"the passport holds {short_name(self.predicate)} {shown_value}, but "
                    f"{self.reason}; it is not written")
        if self.cls is None:
            return None
        found = ctx.latest(self.cls)
        when = f", recorded {format_timestamp(found[2])}" if found else ""
        if found is None:
            quantity = ctx.quantity(ctx.battery, self.cls)
            found = (quantity[0], quantity[1], None) if quantity else None  # type: ignore[assignment]
        if found is None:
            return None
        number = format(found[0].normalize(), "f")
        return (f"the passport holds {short_name(self.cls)} {number} {short_name(found[1])}"
                f"{when}, but {self.reason}; it is not written")


@dataclass
class Fallback:
    """A leaf kept with its SAMM term (its text is what the partner wrote) that other
    passports can still provide from our terms: ``load`` reads them; ``store`` keeps the leaf."""

    read: Any  # Callable[[ExportContext], Any | MISSING]
    provided_by: str

    def store(self, ctx: ImportContext, value: Any, path: Path) -> bool:
        return False

    def load(self, ctx: ExportContext, path: Path) -> Any:
        return self.read(ctx)


def codec_held(fields: dict[Any, Any], ctx: ExportContext) -> dict[Any, tuple[str, str]]:
    """``{pattern: (reason, provided by)}`` of the fields whose codec holds a fact it cannot
    write there (``held``): a gap says so instead of "no fact"."""
    found: dict[Any, tuple[str, str]] = {}
    for pattern, codec in fields.items():
        reason = codec.held(ctx) if hasattr(codec, "held") else None
        if reason is not None:
            found[pattern] = (reason, getattr(codec, "provided_by", ""))
    return found


def short_name(iri: URIRef) -> str:
    """A term as coverage reports and warnings name it: ``dbp:x`` or its fragment."""
    text = str(iri)
    if text.startswith(str(DBP)):
        return "dbp:" + text[len(str(DBP)):]
    return text.rsplit("#", 1)[-1] if "#" in text else text


__all__ = [
    "BatteryProperty",
    "Concept",
    "DateField",
    "ExportContext",
    "Fallback",
    "ImportContext",
    "OrganisationLink",
    "Quantity",
    "RecordTime",
    "RecordValue",
    "Text",
    "UnitOf",
    "codec_held",
    "convert",
    "decimal_literal",
    "format_timestamp",
    "node_slug",
    "parse_date",
    "parse_timestamp",
    "short_name",
    "to_decimal",
]
