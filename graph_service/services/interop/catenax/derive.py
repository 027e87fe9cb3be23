"""Interpretations of a Catena-X document: dbp / EMMO facts derived from fields kept as data.

These fields stay stored with their SAMM terms (and are exported from them); what is derived
here serves SPARQL users and the rules (chemistry, critical raw materials, negative events, the
documents our shapes know as links...). A derivation never guesses: a text that names no
concept of our vocabularies derives nothing (and says so in a warning). Nothing the passport
does not state is computed: the warranty is a period without a start (``characteristics.
warranty``, Annex XIII (1m)), kept as received, and no ``dbp:warrantyEndDate`` is derived.
"""

from __future__ import annotations

import json
import re
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, XSD

from graph_service.model.namespaces import DBP, EMMO
from graph_service.model.terms import (
    LEAD,
    STATE_OF_HEALTH,
    SUBSTANCE,
    vocab,
)
from graph_service.services.interop.codecs import (
    ImportContext,
    decimal_literal,
    parse_timestamp,
    to_decimal,
)
from graph_service.services.interop.jsondoc import Path, shown
from graph_service.services.interop.structure import MISSING
from graph_service.services.interop.substances import CHEMSUB_BY_CAS, chemistry_notation

ACTIVE_SLOTS = {"nickel": SUBSTANCE["nickel"], "lithium": SUBSTANCE["lithium"],
                "cobalt": SUBSTANCE["cobalt"], "lead": LEAD}
HAZARDOUS_SLOTS = {"cadmium": ("Cadmium", "7440-43-9"), "mercury": ("Mercury", "7439-97-6"),
                   "lead": ("Lead", "7439-92-1")}
CONCENTRATION_UNITS = {"unit:percent": "%", "unit:partPerMillion": "ppm",
                       "unit:partPerThousand": "per mille", "unit:percentVolume": "% vol",
                       "unit:partPerBillionUs": "ppb", "unit:partPerTrillionUs": "ppt"}
CHEMISTRY_LABELS = {
    "nmc": "Nickel Manganese Cobalt (NMC)", "nmc111": "Nickel Manganese Cobalt (NMC 111)",
    "nmc532": "Nickel Manganese Cobalt (NMC 532)", "nmc622": "Nickel Manganese Cobalt (NMC 622)",
    "nmc811": "Nickel Manganese Cobalt (NMC 811)", "nca": "Nickel Cobalt Aluminium (NCA)",
    "lfp": "Lithium Iron Phosphate (LFP)", "lmfp": "Lithium Manganese Iron Phosphate (LMFP)",
    "lmo": "Lithium Manganese Oxide (LMO)", "lco": "Lithium Cobalt Oxide (LCO)",
    "lto": "Lithium Titanate (LTO)", "sodium-ion": "Sodium-ion",
}
# Document lists whose links our shapes know (xsd:anyURI properties of the battery).
DOCUMENT_LINKS = {
    ("conformity", "declarationOfConformity"): DBP.declarationOfConformity,
    ("conformity", "resultOfTestReport"): DBP.testReport,
    ("conformity", "thirdPartyAssurance"): DBP.thirdPartyAssurance,
    ("conformity", "dueDiligencePolicy"): DBP.dueDiligenceReport,
    ("safety", "dismantling"): DBP.dismantlingManual,
    ("safety", "removalFromAppliance"): DBP.dismantlingManual,
    ("safety", "safetyMeasures"): DBP.safetyMeasures,
    ("sustainability", "documents", "separateCollection"): DBP.separateCollectionInfo,
    ("sustainability", "documents", "wastePrevention"): DBP.wastePreventionInfo,
}
EVENT_TYPES = ("deep-discharge", "overcharge", "thermal-event", "accident", "physical-damage",
               "water-ingress", "short-circuit", "swelling", "electrolyte-leakage")
SEVERITIES = ("minor", "moderate", "severe", "critical")
LINK = re.compile(r"^(https?|ftp)://\S+$|^urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:\S+$")
def _items(ctx: ImportContext, path: Path) -> list[tuple[Path, Any]]:
    value = ctx.value_at(path)
    return [((*path, i), v) for i, v in enumerate(value)] if isinstance(value, list) else []


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def derive(ctx: ImportContext) -> None:
    """Add the interpretations of the document in ``ctx`` to its graph."""
    for step in (_chemistry, _serial, _place, _critical_materials, _hazardous,
                 _carbon_footprint, _documents, _safety_texts, _spare_parts, _negative_events,
                 _state_of_health):
        step(ctx)


def _chemistry(ctx: ImportContext) -> None:
    path = ("identification", "chemistry")
    text = _text(ctx.value_at(path))
    if text is None:
        return
    notation, note = chemistry_notation(text)
    if notation is None:
        said = note or "names no concept of our chemistry vocabulary"
        ctx.warn(path, f"chemistry {shown(text)} {said}; kept as text only (no dbp:chemistry)")
        return
    ctx.add(ctx.battery, DBP.chemistry, vocab("chemistry", notation), path)
    if note:
        ctx.warn(path, f"{note}; kept as received")


def _serial(ctx: ImportContext) -> None:
    path = ("identification", "identification", "serial")
    serials = {v.get("key"): (p, v.get("value")) for p, v in _items(ctx, path)
               if isinstance(v, dict)}
    chosen = serials.get("partInstanceId")
    if chosen and _text(chosen[1]):
        ctx.add(ctx.battery, DBP.serialNumber, Literal(chosen[1]), (*chosen[0], "value"))


def _place(ctx: ImportContext) -> None:
    facilities = _items(ctx, ("operation", "manufacturer", "facility"))
    if facilities and isinstance(facilities[0][1], dict):
        place = _text(facilities[0][1].get("facility"))
        if place:
            ctx.add(ctx.battery, DBP.manufacturingPlace, Literal(place),
                    (*facilities[0][0], "facility"))


def _material_ids(entry: dict[str, Any], key: str) -> URIRef | None:
    ids = entry.get(key)
    for item in ids if isinstance(ids, list) else []:
        if isinstance(item, dict) and item.get("type") == "CAS" and item.get("id") in \
                CHEMSUB_BY_CAS:
            return CHEMSUB_BY_CAS[item["id"]]
    return None


def _critical_materials(ctx: ImportContext) -> None:
    active = ("materials", "active")
    for slot, substance in ACTIVE_SLOTS.items():
        if ctx.value_at((*active, slot, "critical")) is True:
            ctx.add(ctx.battery, DBP.criticalRawMaterial, substance, (*active, slot, "critical"))
    for list_path, key in (((*active, "other"), "materialIdentification"),
                           (("materials", "composition"), "id")):
        for path, entry in _items(ctx, list_path):
            if isinstance(entry, dict) and entry.get("critical") is True:
                substance = _material_ids(entry, key)
                if substance is not None:
                    ctx.add(ctx.battery, DBP.criticalRawMaterial, substance, (*path, "critical"))


def _hazardous(ctx: ImportContext) -> None:
    """One dbp:hazardousSubstance text per substance present (concentration above 0)."""
    base = ("materials", "hazardous")
    entries: list[tuple[Path, dict[str, Any], str]] = []
    for slot, (name, cas) in HAZARDOUS_SLOTS.items():
        entry = ctx.value_at((*base, slot))
        if isinstance(entry, dict):
            entries.append(((*base, slot), entry, f"{name} (CAS {cas})"))
    for path, entry in _items(ctx, (*base, "other")):
        if isinstance(entry, dict):
            ids = [i for i in entry.get("materialIdentification") or [] if isinstance(i, dict)]
            label = next((i.get("name") for i in ids if _text(i.get("name"))), None) or next(
                (f"{i.get('type')} {i.get('id')}" for i in ids if _text(i.get("id"))),
                "unnamed substance")
            entries.append((path, entry, label))
    for path, entry, label in entries:
        amount = to_decimal(entry.get("concentration"))
        if amount is None or amount <= 0:
            continue
        unit = CONCENTRATION_UNITS.get(entry.get("materialUnit"), str(entry.get("materialUnit")))
        text = f"{label}: {format(amount.normalize(), 'f')} {unit}"
        location = _text(entry.get("location"))
        if location:
            text += f" (location: {location})"
        ctx.add(ctx.battery, DBP.hazardousSubstance, Literal(text), (*path, "concentration"))


_PER_KWH = re.compile(r"^kg\s*co2(e|eq|-eq)?\s*/\s*kwh$", re.IGNORECASE)
# A footprint entry's `lifecycle` (free text, required) naming the whole life cycle the battery's
# carbon footprint covers (Battery Regulation Art. 7 and Annex II: raw material acquisition,
# main production, distribution, end of life; Annex XIII 1(c)); any other text names a stage
# ("main product production") or a part ("cradle to gate") of it.
_WHOLE_LIFE = re.compile(r"^(total|total life[\s-]*cycle|(whole|entire|full) life[\s-]*cycle|"
                         r"life[\s-]*cycle|cradle[\s-]*to[\s-]*grave)$", re.IGNORECASE)


def _carbon_footprint(ctx: ImportContext) -> None:
    """The battery's carbon footprint per functional unit (dbp:carbonFootprintPerFunctionalUnit,
    the whole life cycle), when exactly one 'Climate Change Total' entry in kg CO2e/kWh says
    that its lifecycle is the whole life cycle. A stage's footprint is not the battery's: it
    stays in the document's own terms, and a warning says what would state the total."""
    totals = [(p, e) for p, e in _items(ctx, ("sustainability", "carbonFootprint"))
              if isinstance(e, dict) and e.get("type") == "Climate Change Total"]
    per_kwh = [(p, e) for p, e in totals
               if isinstance(e.get("unit"), str) and _PER_KWH.fullmatch(e["unit"].strip())]
    whole = [(p, e) for p, e in per_kwh
             if isinstance(e.get("lifecycle"), str)
             and _WHOLE_LIFE.fullmatch(" ".join(e["lifecycle"].split()))]
    if len(whole) != 1:
        if len(whole) > 1:
            ctx.warn(("sustainability", "carbonFootprint"),
                     f"{len(whole)} 'Climate Change Total' footprints in kg CO2e/kWh for the "
                     "whole life cycle; no single dbp:carbonFootprintPerFunctionalUnit derived")
        elif per_kwh:
            stages = ", ".join(sorted({_json_text(e.get("lifecycle")) for _, e in per_kwh}))
            ctx.warn(("sustainability", "carbonFootprint"),
                     f"the 'Climate Change Total' footprints in kg CO2e/kWh are of the life "
                     f"cycle {stages}, not of the whole life cycle; the battery's carbon "
                     "footprint (dbp:carbonFootprintPerFunctionalUnit, Annex XIII 1(c)) is "
                     "not derived from them: an entry whose lifecycle is \"total life cycle\" "
                     "(or \"cradle to grave\") would state it")
        return
    path, entry = whole[0]
    amount = to_decimal(entry.get("value"))
    if amount is not None:
        ctx.add(ctx.battery, DBP.carbonFootprintPerFunctionalUnit, decimal_literal(amount),
                (*path, "value"))
    cls = _text(entry.get("performanceClass"))
    if cls:
        ctx.add(ctx.battery, DBP.carbonFootprintPerformanceClass, Literal(cls),
                (*path, "performanceClass"))


def _json_text(value: Any) -> str:
    """A value quoted as JSON writes it (messages quote the document's own values)."""
    return json.dumps(value, ensure_ascii=False)


def _documents(ctx: ImportContext) -> None:
    for list_path, predicate in DOCUMENT_LINKS.items():
        for path, entry in _items(ctx, list_path):
            content = _text(entry.get("content")) if isinstance(entry, dict) else None
            if content and LINK.fullmatch(content):
                ctx.add(ctx.battery, predicate, Literal(content, datatype=XSD.anyURI),
                        (*path, "content"))


def _safety_texts(ctx: ImportContext) -> None:
    for path, entry in _items(ctx, ("safety", "usableExtinguishAgent")):
        media = _text(entry.get("media")) if isinstance(entry, dict) else None
        if media:
            fire = _text(entry.get("fireClass"))
            text = f"{media} (fire class {fire})" if fire else media
            ctx.add(ctx.battery, DBP.extinguishingAgent, Literal(text), (*path, "media"))
    for path, entry in _items(ctx, ("safety", "meaningOfLabels")):
        if isinstance(entry, dict):
            header, content = _text(entry.get("header")), _text(entry.get("content"))
            text = f"{header}: {content}" if header and content else header or content
            if text:
                ctx.add(ctx.battery, DBP.labelMeaning, Literal(text), path)


def _spare_parts(ctx: ImportContext) -> None:
    content = ("handling", "content")
    parts = [f"{e.get('manufacturerPartId')} ({e.get('nameAtManufacturer')})"
             for _, e in _items(ctx, (*content, "sparePart")) if isinstance(e, dict)]
    for path, producer in _items(ctx, (*content, "producer")):
        pid = _text(producer.get("id")) if isinstance(producer, dict) else None
        if pid:
            text = f"spare parts from {pid}" + (f": {', '.join(parts)}" if parts else "")
            ctx.add(ctx.battery, DBP.sparePartSource, Literal(text), path)


_EVENT_STATEMENT = re.compile(r"([a-z-]+)\s*\|\s*([a-z-]+)\s*\|\s*(\S+)")


def _negative_events(ctx: ImportContext) -> None:
    """A negative-event document becomes a dbp:NegativeEvent only when its header (or its
    content) is exactly 'event-type | severity | time' (e.g. 'thermal-event | severe |
    2024-03-02T10:00:00Z'), with an event type and a severity of our vocabularies. Prose is never
    read for them: "no thermal event, damage not severe" names both words and states neither."""
    for index, (path, entry) in enumerate(
            _items(ctx, ("performance", "dynamic", "negativeEvents")), start=1):
        if not isinstance(entry, dict):
            continue
        header, content = _text(entry.get("header")) or "", _text(entry.get("content")) or ""
        stated = next(((text, found.groups()) for text in (header, content)
                       if (found := _EVENT_STATEMENT.fullmatch(text.strip()))), None)
        etype, severity, stamp = stated[1] if stated else (None, None, None)
        # The other field, if any, is the event's description.
        described = (content if stated and stated[0] == header else header).strip()
        etype = etype if etype in EVENT_TYPES else None
        severity = severity if severity in SEVERITIES else None
        when = parse_timestamp(stamp) if stamp else None
        if when is not None and when.tzinfo is None:
            when = None  # an event time must be unambiguous (shapes/lifecycle.ttl)
        if not (etype and severity and when):
            missing = [n for n, v in (("event type", etype), ("severity", severity),
                                      ("time", when)) if not v]
            ctx.warn(path, f"negative event kept as a document only: it does not state the "
                           f"{', '.join(missing)} a dbp:NegativeEvent needs as "
                           f"'event-type | severity | time' in its header or content (event "
                           f"types: {', '.join(EVENT_TYPES)}; severities: "
                           f"{', '.join(SEVERITIES)})")
            continue
        event = ctx.minter.part(ctx.battery_id, "event", f"{ctx.node_kind}-{index}")
        ctx.add(ctx.battery, DBP.hasNegativeEvent, event, path)
        ctx.graph.add((event, RDF.type, DBP.NegativeEvent))
        ctx.add(event, DBP.eventType, vocab("event", etype), path)
        ctx.add(event, DBP.severity, vocab("severity", severity), path)
        ctx.add(event, DBP.occurredAt, Literal(when), path)
        ctx.finer_than_microseconds(stamp, path, "the event's dbp:occurredAt")
        if described:
            ctx.add(event, DBP.description, Literal(described), path)


def _state_of_health(ctx: ImportContext) -> None:
    """Annex VII: the state of certified energy is the state of health of an EV battery."""
    if ctx.value_at(("identification", "category")) != "EV":
        return
    path = ("performance", "dynamic", "energy", "soce")
    record = ctx.value_at(path)
    if not isinstance(record, dict) or record.get("value", MISSING) is MISSING:
        return
    amount = to_decimal(record.get("value"))
    when = parse_timestamp(record["time"]) if isinstance(record.get("time"), str) else None
    if amount is None or when is None or when.tzinfo is None:
        return
    usage = ctx.usage_record(when, (*path, "time"))
    ctx.quantity(usage, "soh", STATE_OF_HEALTH, amount,
                 EMMO.Percent, (*path, "value"), measured=True)


__all__ = ["CHEMISTRY_LABELS", "chemistry_notation", "derive"]
