"""A format's mapping tables as data: the ``mapping.toml`` beside the format, read at import.

Issue 19 asks for the partner-format mappings as declarative tables plus small codecs: the TOML
file says, per JSON field, which codec of ``codecs.py`` (or of the format) carries it and with
which terms and units, and per part of the document its access group and lifecycle stage; this
module turns it into the Python structures the importers, exporters and ``annotations.py`` use
(``{pattern: codec}``, ``{pattern: (group, stage, follows)}``). One loader for every format, so
a reviewer of the standards reads data, and a mistake (an unknown term, unit, codec or key)
fails at import with the field it concerns, never at the first document.

How a value is written in the TOML file:

* a term (``predicate``, ``cls``): a compact IRI with a prefix of ``model/namespaces.PREFIXES``
  (``dbp:partNumber``) or the name of a constant of ``model/terms.py`` (``NOMINAL_VOLTAGE``):
  terms keep one home there;
* a unit (``stored_unit``, ``json_unit``, the values of ``units``): a symbol of
  ``model/terms.UNIT`` (``V``, ``%``, ``1``) or a compact IRI (``emmo:Ohm``);
* ``scale``: a decimal written as text (exact); ``quantity`` (of ``UnitOf``): the path of the
  ``Quantity`` row it belongs to; ``pattern`` and ``read``: a name the format gives the loader
  (a compiled expression or a function: code stays code);
* ``codec = "Record"``: a dynamic ``{value, time}`` record, one row for its two leaves
  (``RecordValue`` at ``<path>.<value_key>``, ``RecordTime`` at ``<path>.<time_key>``).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from decimal import Decimal
from importlib import resources
from typing import Any

from rdflib import URIRef

from graph_service.model import terms
from graph_service.model.graphs import AccessGroup, Stage
from graph_service.model.namespaces import PREFIXES
from graph_service.services.interop import codecs
from graph_service.services.interop.schema import Pattern, parse_pattern

Access = tuple[AccessGroup, Stage | None, str]

# The codecs every format may name; a format adds its own (``extra_codecs``).
SHARED_CODECS: dict[str, type] = {c.__name__: c for c in (
    codecs.Concept, codecs.DateField, codecs.Fallback, codecs.LatestRecord,
    codecs.OrganisationLink, codecs.Quantity, codecs.RecordTime, codecs.RecordValue, codecs.Text,
    codecs.UnitOf)}


class MappingError(ValueError):
    """A mapping file names something that does not exist (a defect of the service)."""


def read_mapping(module: str) -> dict[str, Any]:
    """The ``mapping.toml`` beside the module named ``module`` (a format's ``tables``)."""
    package = resources.files(module.rpartition(".")[0])
    return tomllib.loads(package.joinpath("mapping.toml").read_text("utf-8"))


def term(text: str) -> URIRef:
    """A term written as a compact IRI or as the name of a ``model/terms.py`` constant."""
    prefix, sep, local = text.partition(":")
    if sep:
        if prefix not in PREFIXES:
            raise MappingError(f"unknown prefix in {text!r}")
        return URIRef(PREFIXES[prefix] + local)
    value = getattr(terms, text, None)
    if not isinstance(value, URIRef):
        raise MappingError(f"{text!r} is not a term of model/terms.py")
    return value


def unit(text: str) -> URIRef:
    """A unit written as a symbol of ``model/terms.UNIT`` or as a compact IRI."""
    return terms.UNIT[text] if text in terms.UNIT else term(text)


def fields(rows: list[dict[str, Any]], *, names: Mapping[str, object] | None = None,
           extra_codecs: Mapping[str, type] | None = None) -> dict[Pattern, object]:
    """``{pattern: codec}`` of ``[[field]]`` rows, in the order of the file."""
    kinds = {**SHARED_CODECS, **(extra_codecs or {})}
    by_text: dict[str, object] = {}
    for row in rows:
        args = dict(row)
        path = args.pop("path")
        try:
            kind = args.pop("codec")
            args = {key: _value(key, value, names or {}, by_text) for key, value in args.items()}
            if kind == "Record":
                value_key = args.pop("value_key", "value")
                record = codecs.RecordValue(**args)
                by_text[f"{path}.{value_key}"] = record
                by_text[f"{path}.{record.time_key}"] = codecs.RecordTime(record,
                                                                         value_key=value_key)
            else:
                by_text[path] = kinds[kind](**args)
        except (KeyError, TypeError, MappingError) as exc:
            raise MappingError(f"field {path}: {exc}") from exc
    return {parse_pattern(k): v for k, v in by_text.items()}


def _value(key: str, value: Any, names: Mapping[str, object],
           by_text: Mapping[str, object]) -> Any:
    if key in ("predicate", "cls"):
        return term(value)
    if key in ("stored_unit", "json_unit"):
        return unit(value)
    if key == "units":
        return {text: unit(symbol) for text, symbol in value.items()}
    if key == "scale":
        return Decimal(value)
    if key == "quantity":
        return by_text[value]
    if key in ("pattern", "read"):
        return names[value]
    return value


def held(rows: list[dict[str, Any]]) -> dict[Pattern, codecs.Held]:
    """``{pattern: Held}`` of ``[[held]]`` rows: required parts whose stored fact cannot be
    written in the target model's unit or form (the gap says which value is held, and why)."""
    try:
        return {parse_pattern(row["path"]): codecs.Held(
                    term(row["cls"]) if "cls" in row else None, row["reason"],
                    term(row["predicate"]) if "predicate" in row else None,
                    kept=tuple((URIRef(urn), row["kept_as"]) for urn in row.get("kept", ())),
                    kept_unit=URIRef(row["kept_unit"]) if "kept_unit" in row else None,
                    provided_by=row.get("provided_by", ""))
                for row in rows}
    except (KeyError, MappingError) as exc:
        raise MappingError(f"held: {exc}") from exc


def access(table: Mapping[str, Mapping[str, str]]) -> dict[Pattern, Access]:
    """``{pattern: (group, stage or None to inherit, the attribute it follows)}``."""
    try:
        return {parse_pattern(path): (AccessGroup(entry["group"]),
                                      Stage(entry["stage"]) if "stage" in entry else None,
                                      entry["follows"])
                for path, entry in table.items()}
    except (KeyError, ValueError) as exc:
        raise MappingError(f"access table: {exc}") from exc


__all__ = ["MappingError", "access", "fields", "held", "read_mapping", "term", "unit"]
