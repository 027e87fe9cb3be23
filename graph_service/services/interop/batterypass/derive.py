"""Interpretations of a Battery Pass MaterialComposition payload: dbp facts derived from fields
kept as data (the fields stay stored with their SAMM terms, and are exported from them).

- ``batteryChemistry`` -> ``dbp:chemistry`` (the rules' hazards and pathways, the fleet queries):
  ``shortName`` and ``clearName`` read as every partner format's free-text chemistry is read;
  when one is more specific (NMC 811 against NMC) it decides, when they name different
  chemistries nothing is derived (never a guess), nor when one of them names several ("LFP
  and NMC 622"), and a text naming no concept derives nothing;
- ``batteryMaterials[]`` with ``isCriticalRawMaterial`` true -> ``dbp:criticalRawMaterial``,
  when its CAS number names a substance of our vocabulary;
- ``hazardousSubstances[]`` -> one ``dbp:hazardousSubstance`` text per substance present
  ("name (CAS n): c %", the model's unit, with its location), as the Catena-X import writes it,
  and one ``dbp:substanceImpact`` text per impact statement ("name: statement").

Each case that derives nothing says so in a warning with the field's path.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rdflib import Literal, URIRef

from graph_service.model.namespaces import DBP
from graph_service.model.terms import vocab
from graph_service.services.interop.codecs import ImportContext, to_decimal
from graph_service.services.interop.jsondoc import Path, shown
from graph_service.services.interop.substances import CHEMSUB_BY_CAS, chemistry_notation

# What a MaterialComposition payload says about the battery (replaced when it is sent again).
DERIVED_PREDICATES = frozenset({DBP.chemistry, DBP.criticalRawMaterial, DBP.hazardousSubstance,
                                DBP.substanceImpact})


def derive_material_composition(ctx: ImportContext) -> None:
    _chemistry(ctx)
    _critical_raw_materials(ctx)
    _hazardous_substances(ctx)


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _items(ctx: ImportContext, path: Path) -> list[tuple[Path, dict[str, Any]]]:
    value = ctx.value_at(path)
    if not isinstance(value, list):
        return []
    return [((*path, i), v) for i, v in enumerate(value) if isinstance(v, dict)]


def _chemistry(ctx: ImportContext) -> None:
    read: list[tuple[Path, str, str]] = []  # (path, text, notation)
    for key in ("shortName", "clearName"):
        path = ("batteryChemistry", key)
        text = _text(ctx.value_at(path))
        if text is None:
            continue
        notation, note = chemistry_notation(text)
        if notation is None and note:
            # One of the names is itself several chemistries: no name decides.
            ctx.warn(path, f"{key} {shown(text)} {note}; kept as text only (no dbp:chemistry)")
            return
        if notation is not None:
            read.append((path, text, notation))
            if note:
                ctx.warn(path, f"{note}; kept as received")
    if not read:
        if isinstance(ctx.value_at(("batteryChemistry",)), dict):
            ctx.warn(("batteryChemistry",), "the battery chemistry names no concept of our "
                                            "chemistry vocabulary; kept as text only (no "
                                            "dbp:chemistry)")
        return
    notations = {notation for _, _, notation in read}
    # "NMC" and "NMC 811" agree: the specific one decides.
    general = min(notations, key=len)
    if not all(n.startswith(general) for n in notations) or len(notations - {general}) > 1:
        said = "; ".join(f"{p[-1]} {shown(t)} reads as {n}" for p, t, n in read)
        ctx.warn(("batteryChemistry",), f"the chemistry's names disagree ({said}); no "
                                        "dbp:chemistry derived: send one chemistry")
        return
    notation = max(notations, key=len)
    path = next(p for p, _, n in read if n == notation)
    ctx.add(ctx.battery, DBP.chemistry, vocab("chemistry", notation), path)


def _critical_raw_materials(ctx: ImportContext) -> None:
    for path, entry in _items(ctx, ("batteryMaterials",)):
        if entry.get("isCriticalRawMaterial") is not True:
            continue
        cas = _text(entry.get("batteryMaterialIdentifier"))
        substance: URIRef | None = CHEMSUB_BY_CAS.get(cas or "")
        if substance is None:
            name = _text(entry.get("batteryMaterialName")) or "a material"
            ctx.warn((*path, "batteryMaterialIdentifier"),
                     f"{name} (CAS {cas}) is marked critical, but its CAS number names no "
                     "substance of our vocabulary; kept as received (no "
                     "dbp:criticalRawMaterial)")
            continue
        ctx.add(ctx.battery, DBP.criticalRawMaterial, substance, (*path, "isCriticalRawMaterial"))


def _hazardous_substances(ctx: ImportContext) -> None:
    for path, entry in _items(ctx, ("hazardousSubstances",)):
        name = _text(entry.get("hazardousSubstanceName"))
        cas = _text(entry.get("hazardousSubstanceIdentifier"))
        label = name or (f"CAS {cas}" if cas else None)
        if label is None:
            ctx.warn(path, "a hazardous substance without name or identifier; kept as received "
                           "(no dbp:hazardousSubstance)")
            continue
        if name and cas:
            label = f"{name} (CAS {cas})"
        amount: Decimal | None = to_decimal(entry.get("hazardousSubstanceConcentration"))
        if amount is not None and amount <= 0:
            continue  # not present
        text = label if amount is None else f"{label}: {format(amount.normalize(), 'f')} %"
        klass = _text(entry.get("hazardousSubstanceClass"))
        if klass:
            text += f" ({klass})"
        location = entry.get("hazardousSubstanceLocation")
        where = _text(location.get("componentName")) if isinstance(location, dict) else None
        if where:
            text += f" (location: {where})"
        ctx.add(ctx.battery, DBP.hazardousSubstance, Literal(text),
                (*path, "hazardousSubstanceConcentration"))
        impacts = entry.get("hazardousSubstanceImpact")
        for index, impact in enumerate(impacts if isinstance(impacts, list) else []):
            statement = _text(impact)
            if statement:
                ctx.add(ctx.battery, DBP.substanceImpact,
                        Literal(f"{name or label}: {statement}"),
                        (*path, "hazardousSubstanceImpact", index))


__all__ = ["DERIVED_PREDICATES", "derive_material_composition"]
