"""Field codecs of the Battery Pass aspects (besides the shared ones of ``interop/codecs.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from graph_service.model.iris import sanitize_identifier
from graph_service.services.interop.codecs import (
    BatteryProperty,
    ExportContext,
    ImportContext,
    decimal_literal,
    json_number,
    parse_timestamp,
    short_name,
    to_decimal,
    to_decimal_literal,
)
from graph_service.services.interop.jsondoc import Path, shown
from graph_service.services.interop.structure import MISSING


@dataclass
class Value(BatteryProperty):
    """A leaf carried by a dbp datatype property of the battery: ``kind`` decimal (a JSON
    number, optionally scaled: stored = received * scale), uri (xsd:anyURI) or text. Exact: the
    way back gives the same JSON value."""

    kind: str = "text"
    scale: Decimal = Decimal(1)

    def store(self, ctx: ImportContext, value: Any, path: Path) -> bool:
        if ctx.graph.value(ctx.battery, self.predicate) is not None:
            return False  # given twice: the second stays as received
        if self.kind == "decimal":
            number = to_decimal(value)
            if number is None or isinstance(value, bool):
                return False
            literal = decimal_literal(number * self.scale)
            if to_decimal_literal(literal) != number * self.scale:
                return False
        elif isinstance(value, str):
            literal = Literal(value, datatype=XSD.anyURI) if self.kind == "uri" else \
                Literal(value)
        else:
            return False
        ctx.add(ctx.battery, self.predicate, literal, path)
        return True

    def load(self, ctx: ExportContext, path: Path) -> Any:
        found = ctx.graph.value(ctx.battery, self.predicate)
        if not isinstance(found, Literal):
            return MISSING
        if self.kind == "decimal":
            number = to_decimal_literal(found)
            return MISSING if number is None else json_number(number / self.scale)
        return str(found)


@dataclass
class DatePart(BatteryProperty):
    """A timestamp leaf whose date is a dbp xsd:date of the battery: the date is an
    interpretation (the timestamp itself stays as received); a passport that only knows the
    date cannot give the timestamp (a gap, never a made-up time)."""

    PROVIDED_BY: ClassVar[str] = "the timestamp itself ({} of the battery gives only the date)"

    def store(self, ctx: ImportContext, value: Any, path: Path) -> bool:
        when = parse_timestamp(value) if isinstance(value, str) else None
        if when is not None and ctx.graph.value(ctx.battery, self.predicate) is None:
            ctx.add(ctx.battery, self.predicate, Literal(when.date()), path)
        return False

    def load(self, ctx: ExportContext, path: Path) -> Any:
        return MISSING


@dataclass
class OrganisationId(BatteryProperty):
    """An organisation identifier kept as received, with the battery linked to our
    organisation IRI made from it (characters outside A-Z a-z 0-9 . _ ~ - replaced, warned).
    A passport names organisations as objects only; it never describes them."""

    PROVIDED_BY: ClassVar[str] = "{} of the battery (an organisation of this service)"

    def store(self, ctx: ImportContext, value: Any, path: Path) -> bool:
        if not isinstance(value, str):
            return False
        org_id = sanitize_identifier(value)
        if not org_id:
            ctx.warn(path, f"{shown(value)} has no character usable in an organisation id; "
                           f"{short_name(self.predicate)} is not set")
            return False
        if org_id != value:
            ctx.warn(path, f"organisation {shown(value)} is linked as organisation id "
                           f"{shown(org_id)} (IRIs allow only A-Z a-z 0-9 . _ ~ -); the "
                           "original is kept")
        ctx.add(ctx.battery, self.predicate, ctx.minter.organisation(org_id), path)
        return False

    def load(self, ctx: ExportContext, path: Path) -> Any:
        for org in sorted(ctx.graph.objects(ctx.battery, self.predicate), key=str):
            org_id = ctx.minter.organisation_id_of(str(org))
            if org_id:
                return org_id
        return MISSING


@dataclass
class MaterialShare:
    """A recycled-content share of one list member, carried by the dbp share property of its
    material (sibling ``recycledMaterial``): dbp:preConsumerRecycledNickelShare..."""

    consumer: str  # "pre" | "post"
    material_key: str = "recycledMaterial"
    provided_by: str = ""

    def __post_init__(self) -> None:
        self.provided_by = self.provided_by or (
            f"dbp:{self.consumer}ConsumerRecycled<Material>Share of the battery")

    def _predicate(self, material: Any) -> URIRef | None:
        if material not in ("Cobalt", "Nickel", "Lithium", "Lead"):
            return None
        from graph_service.model.namespaces import DBP

        return DBP[f"{self.consumer}ConsumerRecycled{material}Share"]

    def store(self, ctx: ImportContext, value: Any, path: Path) -> bool:
        predicate = self._predicate(ctx.value_at((*path[:-1], self.material_key)))
        number = to_decimal(value)
        if predicate is None or number is None or \
                ctx.graph.value(ctx.battery, predicate) is not None:
            return False
        ctx.add(ctx.battery, predicate, decimal_literal(number), path)
        return True

    def load(self, ctx: ExportContext, path: Path) -> Any:
        predicate = self._predicate(ctx.raw((*path[:-1], self.material_key)))
        found = ctx.graph.value(ctx.battery, predicate) if predicate is not None else None
        number = to_decimal_literal(found)
        return MISSING if number is None else json_number(number)


@dataclass
class MultiLanguage:
    """A SAMM MultiLanguageText ({"en": "...", "de": "..."}): language-tagged literals with
    the property's SAMM term on the node that holds it. Exact."""

    urn: str
    provided_by: str = "the text itself (only a Battery Pass document provides it)"

    def store(self, ctx: ImportContext, value: Any, path: Path) -> bool:
        if not isinstance(value, dict) or not value or \
                not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            return False
        node = ctx.node(path[:-1]) if len(path) > 1 else ctx.battery
        for language, text in value.items():
            try:
                literal = Literal(text, lang=language)
            except ValueError:
                ctx.warn(path, f"{shown(language)} is not a language tag; the text is kept as JSON")
                return False
            ctx.add(node, URIRef(self.urn), literal, path)
        return True

    def load(self, ctx: ExportContext, path: Path) -> Any:
        node = ctx.node(path[:-1]) if len(path) > 1 else ctx.battery
        texts = {bcp47_case(str(o.language)): str(o)
                 for o in ctx.graph.objects(node, URIRef(self.urn))
                 if isinstance(o, Literal) and o.language}
        return dict(sorted(texts.items())) if texts else MISSING


def bcp47_case(tag: str) -> str:
    """A language tag in the case BCP 47 recommends (RDF keeps tags in lower case, so "fr-CA"
    would come back "fr-ca"): language lower, script title (Latn), region upper (CA), the rest,
    and everything after a singleton (x-...), lower."""
    parts = tag.split("-")
    out = [parts[0].lower()]
    private = False
    for part in parts[1:]:
        if len(part) == 1:
            private = True
        if private:
            out.append(part.lower())
        elif len(part) == 2 and part.isalpha():
            out.append(part.upper())
        elif len(part) == 4 and part.isalpha():
            out.append(part.title())
        else:
            out.append(part.lower())
    return "-".join(out)


__all__ = ["DatePart", "MaterialShare", "MultiLanguage", "OrganisationId", "Value", "bcp47_case"]
