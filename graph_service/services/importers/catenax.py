"""Catena-X battery passport 6.1.0 (``io.catenax.battery.battery_pass``) <-> our passport model.

* ``decode`` turns the request body into JSON: UTF-8 (with or without BOM) or UTF-16 LE/BE with
  a BOM; anything else, and malformed JSON, is a ``CatenaXError`` saying what and where.
* ``to_graph`` maps a Catena-X document onto the dbp:/EMMO/BattINFO terms that ``demo.py`` uses
  (same IRIs, same EMMO quantity pattern). Known inconsistencies of partner data are normalised
  with one warning each; values that cannot be right (non-finite, implausible, impossible dates,
  negative masses...) are refused with the JSON path of the value. Attributes our ontology has no
  term for are not imported and reported as warnings.
* ``from_graph`` exports a stored passport back to a document that validates against the
  generated JSON schema of the model. Where the schema requires a value our data lacks, a
  schema-valid placeholder is written, listed in the export warnings and in a ``sources`` note
  of the document itself (``PLACEHOLDER_HEADER``), which ``to_graph`` honours on re-import.

Units: Catena-X gives power in W, resistance in ohm, energy in kWh; we store power in kW and
resistance in milliohm as the demo fleet does (the SHACL ranges are written for those units).
"""

from __future__ import annotations

import json
import math
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from graph_service.config import Settings
from graph_service.model.iris import IriMinter, check_identifier
from graph_service.model.namespaces import (
    BATTERY_PACK,
    CHEMSUB,
    DBP,
    DBP_VOCAB,
    EMMO,
    HAS_MEASUREMENT_UNIT,
    HAS_NUMBER_VALUE,
    HAS_NUMERICAL_PART,
    HAS_PROPERTY,
    REAL_DATA,
    SCHEMA,
)
from graph_service.services.demo import (
    CONVENTIONAL,
    CYCLE_LIFE,
    DC_INTERNAL_RESISTANCE,
    EOL_CAPACITY_THRESHOLD,
    LOWER_VOLTAGE_LIMIT,
    MASS,
    MAXIMUM_POWER,
    MEASURED,
    NOMINAL_ENERGY,
    NOMINAL_VOLTAGE,
    RATED_CAPACITY,
    ROUND_TRIP_EFFICIENCY,
    STATE_OF_CHARGE,
    STATE_OF_HEALTH,
    SUBSTANCE,
    TOTAL_CYCLES,
    UNIT,
    UPPER_VOLTAGE_LIMIT,
)

SPEC_VERSION = "urn:io.catenax.battery.battery_pass:6.1.0"
MODEL_PATH = ("catenax", "io.catenax.battery.battery_pass", "6.1.0")
PLACEHOLDER_HEADER = "dbp export: placeholder values"
PLACEHOLDER_TEXT = "PLACEHOLDER: not recorded in the source passport"
PLACEHOLDER_BPNL = "BPNLPLACEHOLDER0"
PLACEHOLDER_DATE = "1970-01-01"
PLACEHOLDER_TIME = "1970-01-01T00:00:00Z"
LABELS_HEADER = "Meaning of labels"
NIL_UUID = "urn:uuid:00000000-0000-0000-0000-000000000000"

BPNL = re.compile(r"^BPNL[a-zA-Z0-9]{12}$")
BPNA = re.compile(r"^BPNA[a-zA-Z0-9]{12}$")
UUID_ID = re.compile(
    r"(^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$)|"
    r"(^urn:uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$)")
LINK = re.compile(r"^(https?|ftp)://\S+$|^urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:\S+$")
_NUMBER_TEXT = re.compile(r"^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*([A-Za-z%°µΩ/]*)\s*$")


def passport_models_dir(settings: Settings | None = None) -> Path:
    """Where the partner passport models are kept (next to the reference ontologies)."""
    return (settings or Settings()).ontology_dir.parent / "passport-models"


def catenax_schema_path(settings: Settings | None = None) -> Path:
    return passport_models_dir(settings).joinpath(*MODEL_PATH, "gen", "BatteryPass-schema.json")


# -- errors and decoding ------------------------------------------------------------------------
class DocumentError(ValueError):
    """A partner document we cannot import; the message says what and where."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 column: int | None = None) -> None:
        where = path or (f"line {line}, column {column}" if line is not None else None)
        super().__init__(f"{where}: {message}" if where else message)
        self.detail = message
        self.path = path
        self.line = line
        self.column = column


class CatenaXError(DocumentError):
    """A Catena-X battery passport that cannot be imported (or exported)."""


_BOMS: list[tuple[bytes, str | None, str]] = [
    (b"\x00\x00\xfe\xff", None, "UTF-32 BE"),
    (b"\xff\xfe\x00\x00", None, "UTF-32 LE"),
    (b"\xef\xbb\xbf", "utf-8", "UTF-8"),
    (b"\xff\xfe", "utf-16-le", "UTF-16 LE"),
    (b"\xfe\xff", "utf-16-be", "UTF-16 BE"),
]


def decode_json(body: bytes, error: type[DocumentError] = DocumentError) -> Any:
    """JSON from UTF-8 (BOM optional) or UTF-16 LE/BE with BOM; other encodings are refused."""
    if not isinstance(body, bytes | bytearray):
        raise error(f"expected the document as bytes, got {type(body).__name__}")
    body = bytes(body)
    encoding, name, start = "utf-8", "UTF-8", 0
    for bom, codec, label in _BOMS:
        if body.startswith(bom):
            if codec is None:
                raise error(f"the document is encoded as {label}; send UTF-8 (a byte order "
                            "mark is optional) or UTF-16 with a byte order mark")
            encoding, name, start = codec, label, len(bom)
            break
    else:
        if len(body) >= 2 and (body[0] == 0 or body[1] == 0):
            raise error("the document looks like UTF-16 or UTF-32 without a byte order mark; "
                        "send UTF-8, or UTF-16 with a byte order mark")
    try:
        text = body[start:].decode(encoding)
    except UnicodeDecodeError as exc:
        offset = start + exc.start
        prefix = body[start:offset].decode(encoding, errors="replace")
        line = prefix.count("\n") + 1
        column = len(prefix) - (prefix.rfind("\n") + 1) + 1
        raise error(f"the document is not valid {name}: byte 0x{body[offset]:02X} at offset "
                    f"{offset} (line {line}, column {column}); send UTF-8, or UTF-16 with a "
                    "byte order mark", line=line, column=column) from None
    if text.startswith("\ufeff"):
        raise error("the document starts with a second byte order mark", line=1, column=1)
    try:
        # NaN / Infinity / overflowing numbers are kept here and refused with their JSON path.
        return json.loads(text, parse_constant=float)
    except json.JSONDecodeError as exc:
        raise error(f"malformed JSON: {exc.msg}", line=exc.lineno, column=exc.colno) from None
    except RecursionError:
        raise error("the document nests too deeply") from None


# -- vocabularies --------------------------------------------------------------------------------
def vocab(scheme: str, name: str) -> URIRef:
    return URIRef(f"{DBP_VOCAB}{scheme}/{name}")


def vocab_name(iri: Node | None, scheme: str) -> str | None:
    prefix = f"{DBP_VOCAB}{scheme}/"
    if isinstance(iri, URIRef) and str(iri).startswith(prefix):
        return str(iri)[len(prefix):]
    return None


CATEGORY_IN = {"ev": "ev", "lmt": "lmt", "industrial": "industrial", "portable": "portable",
               "sli": "sli", "stationary": "stationary"}
CATEGORY_OUT = {"ev": "EV", "lmt": "LMT", "industrial": "industrial", "portable": "portable",
                "sli": "SLI", "stationary": "industrial"}
CATEGORY_ENUM = {"SLI", "LMT", "EV", "industrial", "portable", "incorporated"}
STATUS_IN = {"original": "original", "repurposed": "repurposed", "re-used": "reused",
             "reused": "reused", "re-use": "reused", "reuse": "reused",
             "remanufactured": "remanufactured", "waste": "waste"}
STATUS_OUT = {"original": "original", "repurposed": "repurposed", "reused": "re-used",
              "remanufactured": "remanufactured", "waste": "waste"}
CHEMISTRY_OUT = {
    "nmc": "Nickel Manganese Cobalt (NMC)", "nmc111": "Nickel Manganese Cobalt (NMC 111)",
    "nmc532": "Nickel Manganese Cobalt (NMC 532)", "nmc622": "Nickel Manganese Cobalt (NMC 622)",
    "nmc811": "Nickel Manganese Cobalt (NMC 811)", "nca": "Nickel Cobalt Aluminium (NCA)",
    "lfp": "Lithium Iron Phosphate (LFP)", "lmfp": "Lithium Manganese Iron Phosphate (LMFP)",
    "lmo": "Lithium Manganese Oxide (LMO)", "lco": "Lithium Cobalt Oxide (LCO)",
    "lto": "Lithium Titanate (LTO)", "sodium-ion": "Sodium-ion",
}
# NMC ratios in our vocabulary (Ni:Mn:Co); Catena-X texts also write NCM (Ni:Co:Mn).
_NMC_RATIOS = {"111", "532", "622", "811"}
_NCM_TO_NMC = {"111": "111", "523": "532", "622": "622", "811": "811"}


def chemistry_notation(text: str) -> tuple[str | None, str | None]:
    """(chemistry concept notation, note) for a free-text Catena-X chemistry, or (None, None)."""
    t = text.lower()
    flat = re.sub(r"[^a-z0-9]+", " ", t)
    words = set(flat.split())

    def has(*parts: str) -> bool:
        return all(p in t for p in parts)

    if words & {"sodium", "na", "nib", "sib"} or "na-ion" in t or "sodium" in t:
        return "sodium-ion", None
    if "lmfp" in words or has("manganese", "iron", "phosphate"):
        return "lmfp", None
    if words & {"lfp", "lifepo4"} or has("iron", "phosphate"):
        return "lfp", None
    if "nca" in words or has("nickel", "cobalt", "alumin"):
        return "nca", None
    ratio = re.search(r"\b(nmc|ncm)\s*-?\s*(\d{3})\b", flat.replace(" ", " "))
    if ratio is None:
        ratio = re.search(r"\b(nmc|ncm)(\d{3})\b", flat)
    if words & {"nmc", "ncm"} or ratio or has("nickel", "manganese", "cobalt"):
        if ratio:
            family, digits = ratio.group(1), ratio.group(2)
            nmc = digits if family == "nmc" else _NCM_TO_NMC.get(digits)
            if nmc in _NMC_RATIOS:
                note = None if family == "nmc" else f"NCM {digits} read as NMC {nmc} (Ni:Mn:Co)"
                return f"nmc{nmc}", note
            return "nmc", f"ratio {family.upper()} {digits} is not in our vocabulary; " \
                          "recorded as NMC"
        return "nmc", None
    if "lto" in words or "titanate" in t:
        return "lto", None
    if "lmo" in words or (has("manganese", "oxide") and "nickel" not in t):
        return "lmo", None
    if "lco" in words or (has("cobalt", "oxide") and "nickel" not in t):
        return "lco", None
    return None, None


# Substances by CAS number and by (lower-case) name; chemsub IRIs as in demo.py where it has them.
CHEMSUB_BY_CAS = {
    "7439-93-2": SUBSTANCE["lithium"], "7440-02-0": SUBSTANCE["nickel"],
    "7440-48-4": SUBSTANCE["cobalt"], "7439-96-5": SUBSTANCE["manganese"],
    "7782-42-5": SUBSTANCE["graphite"], "7429-90-5": SUBSTANCE["aluminium"],
    "7440-50-8": SUBSTANCE["copper"],
    "7439-92-1": CHEMSUB["substance_ff5b9c8c_3fb0_4575_9ab8_23ebd9116294"],  # Lead
    "346417-97-8": SUBSTANCE["nmc"], "193214-24-3": SUBSTANCE["nca"],
    "15365-14-7": SUBSTANCE["lfp"],
    "12190-79-3": CHEMSUB["substance_4c62d334_a124_40b3_9fd1_fe713d01a6af"],  # LiCoO2
    "12057-17-9": CHEMSUB["substance_e8fafdc8_6cd3_4dd0_9630_10ca8e3f1827"],  # LiMn2O4
}
CHEMSUB_BY_NAME = {
    "lithium": SUBSTANCE["lithium"], "nickel": SUBSTANCE["nickel"],
    "cobalt": SUBSTANCE["cobalt"], "manganese": SUBSTANCE["manganese"],
    "graphite": SUBSTANCE["graphite"], "natural graphite": SUBSTANCE["graphite"],
    "aluminium": SUBSTANCE["aluminium"], "aluminum": SUBSTANCE["aluminium"],
    "copper": SUBSTANCE["copper"], "lead": CHEMSUB_BY_CAS["7439-92-1"],
    "lithium nickel manganese cobalt oxide": SUBSTANCE["nmc"],
    "lithium nickel cobalt manganese oxide": SUBSTANCE["nmc"],
    "lithium nickel cobalt aluminium oxide": SUBSTANCE["nca"],
    "lithium nickel cobalt aluminum oxide": SUBSTANCE["nca"],
    "lithium iron phosphate": SUBSTANCE["lfp"],
    "lithium cobalt oxide": CHEMSUB_BY_CAS["12190-79-3"],
    "lithium manganese oxide": CHEMSUB_BY_CAS["12057-17-9"],
}
SUBSTANCE_NAME = {
    SUBSTANCE["lithium"]: ("Lithium", "7439-93-2"), SUBSTANCE["nickel"]: ("Nickel", "7440-02-0"),
    SUBSTANCE["cobalt"]: ("Cobalt", "7440-48-4"),
    SUBSTANCE["manganese"]: ("Manganese", "7439-96-5"),
    SUBSTANCE["graphite"]: ("Graphite", "7782-42-5"),
    SUBSTANCE["aluminium"]: ("Aluminium", "7429-90-5"),
    SUBSTANCE["copper"]: ("Copper", "7440-50-8"),
    CHEMSUB_BY_CAS["7439-92-1"]: ("Lead", "7439-92-1"),
    SUBSTANCE["nmc"]: ("Lithium nickel manganese cobalt oxide", "346417-97-8"),
    SUBSTANCE["nca"]: ("Lithium nickel cobalt aluminium oxide", "193214-24-3"),
    SUBSTANCE["lfp"]: ("Lithium iron phosphate", "15365-14-7"),
    CHEMSUB_BY_CAS["12190-79-3"]: ("Lithium cobalt oxide", "12190-79-3"),
    CHEMSUB_BY_CAS["12057-17-9"]: ("Lithium manganese oxide", "12057-17-9"),
}
CAM_SUBSTANCES = {SUBSTANCE["nmc"]: "nmc", SUBSTANCE["nca"]: "nca", SUBSTANCE["lfp"]: "lfp",
                  CHEMSUB_BY_CAS["12190-79-3"]: "lco", CHEMSUB_BY_CAS["12057-17-9"]: "lmo"}
LEAD = CHEMSUB_BY_CAS["7439-92-1"]

# Carbon-footprint life-cycle stages: Catena-X free text -> our share property.
CF_STAGES = [
    ("raw", DBP.carbonFootprintShareRawMaterial, ("raw", "extraction", "acquisition"),
     "raw material acquisition and pre-processing"),
    ("production", DBP.carbonFootprintShareProduction, ("production", "manufactur"),
     "main product production"),
    ("distribution", DBP.carbonFootprintShareDistribution, ("distribution",), "distribution"),
    ("eol", DBP.carbonFootprintShareEndOfLife, ("end of life", "end-of-life", "recycling", "eol"),
     "end of life and recycling"),
]

EVENT_TYPES = ("deep-discharge", "overcharge", "thermal-event", "accident", "physical-damage",
               "water-ingress", "short-circuit", "swelling", "electrolyte-leakage")
SEVERITIES = ("minor", "moderate", "severe", "critical")


# -- JSON navigation -----------------------------------------------------------------------------
@dataclass(frozen=True)
class J:
    """A JSON value and its path ($.a.b[0].c)."""

    value: Any
    path: str


@dataclass
class _Range:
    lo: float
    hi: float
    lo_exclusive: bool = False
    unit: str = ""

    def check(self, x: float, path: str, raw: Any) -> None:
        low_ok = x > self.lo if self.lo_exclusive else x >= self.lo
        if not low_ok or x > self.hi:
            bound = ">" if self.lo_exclusive else ">="
            raise CatenaXError(
                f"{raw!r} is not a usable value: expected {bound} {_fmt(self.lo)} and <= "
                f"{_fmt(self.hi)} {self.unit}".rstrip(), path=path)


def _fmt(x: float) -> str:
    return f"{x:g}"


# Plausibility limits: the ones of shapes/quantities.ttl, in Catena-X units.
R_VOLT = _Range(0, 1500, True, "V")
R_AH = _Range(0, 10000, True, "Ah")
R_KWH = _Range(0, 10000, True, "kWh")
R_PCT_POS = _Range(0, 100, True, "%")
R_PCT = _Range(0, 100, False, "%")
R_PCT_1000 = _Range(0, 1000, False, "%")
R_DEGC = _Range(-80, 150, False, "degC")
R_OHM = _Range(0, 100, True, "ohm")
R_YEARS = _Range(0, 50, True, "years")
R_CYCLES = _Range(0, 100000, True, "cycles")
R_CRATE = _Range(0, 100, True, "C")
R_KG = _Range(0, 5000, True, "kg")
R_KW = _Range(0, 5000, True, "kW")
R_KW0 = _Range(0, 5000, False, "kW")
R_CF = _Range(0, 1000, False, "kg CO2e/kWh")


class _Quantities:
    """Adds EMMO quantities exactly as demo.py does."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    def add(self, owner: URIRef, slug: str, cls: URIRef, value: float, unit: str,
            measured: bool = False) -> URIRef:
        q = URIRef(f"{owner}/q/{slug}")
        number = URIRef(f"{q}/value")
        self.graph.add((owner, HAS_PROPERTY, q))
        self.graph.add((q, RDF.type, cls))
        self.graph.add((q, RDF.type, MEASURED if measured else CONVENTIONAL))
        self.graph.add((q, HAS_NUMERICAL_PART, number))
        self.graph.add((number, RDF.type, REAL_DATA))
        self.graph.add((number, HAS_NUMBER_VALUE, Literal(_round(value))))
        self.graph.add((q, HAS_MEASUREMENT_UNIT, UNIT[unit]))
        return q


def _round(x: float) -> float | int:
    if float(x).is_integer() and abs(x) < 1e15:
        return float(x)
    return round(float(x), 6)


def sanitize_identifier(raw: str) -> str:
    """``raw`` made to follow check_identifier's rules (unreserved URI characters only)."""
    cleaned = re.sub(r"[^A-Za-z0-9._~-]+", "-", raw.strip())
    cleaned = re.sub(r"^[._~-]+", "", cleaned)[:128]
    return cleaned


# -- import --------------------------------------------------------------------------------------
class _Importer:
    def __init__(self, document: Any, minter: IriMinter, battery_id: str | None) -> None:
        if not isinstance(document, dict):
            raise CatenaXError("a Catena-X battery passport is a JSON object", path="$")
        self.doc = J(document, "$")
        self.minter = minter
        self.override = battery_id
        self.graph = Graph()
        self.q = _Quantities(self.graph)
        self.warnings: list[str] = []
        self.placeholders = self._placeholder_paths(document)
        self.skipped_placeholders = 0
        self.battery: URIRef = URIRef("urn:x-unset")
        self.category: str | None = None
        self.rated_capacity: float | None = None
        self.energy_kwh: float | None = None
        self.nominal_v: float | None = None
        self.manufacturing_date: date | None = None

    # -- helpers -----------------------------------------------------------------------------
    def warn(self, path: str, message: str) -> None:
        self.warnings.append(f"{path}: {message}")

    def _placeholder_paths(self, document: dict) -> set[str]:
        paths: set[str] = set()
        sources = document.get("sources")
        for entry in sources if isinstance(sources, list) else []:
            if isinstance(entry, dict) and entry.get("header") == PLACEHOLDER_HEADER:
                content = entry.get("content")
                if isinstance(content, str):
                    paths.update(line.strip() for line in content.splitlines()
                                 if line.strip().startswith("$"))
        return paths

    def child(self, node: J | None, key: str) -> J | None:
        if node is None:
            return None
        if not isinstance(node.value, dict):
            raise CatenaXError(f"expected an object, got {_kind(node.value)}", path=node.path)
        path = f"{node.path}.{key}"
        if key not in node.value or node.value[key] is None:
            return None
        if path in self.placeholders:
            self.skipped_placeholders += 1
            return None
        return J(node.value[key], path)

    def at(self, *keys: str, node: J | None = None) -> J | None:
        current = node or self.doc
        for key in keys:
            current = self.child(current, key)
            if current is None:
                return None
        return current

    def require(self, *keys: str, why: str) -> J:
        found = self.at(*keys)
        if found is None:
            path = "$." + ".".join(keys)
            if path in self.placeholders:
                raise CatenaXError(f"holds a placeholder written by a dbp export, not a value; "
                                   f"{why}", path=path)
            raise CatenaXError(f"missing; {why}", path=path)
        return found

    def items(self, node: J | None) -> list[J]:
        if node is None:
            return []
        if not isinstance(node.value, list):
            raise CatenaXError(f"expected an array, got {_kind(node.value)}", path=node.path)
        return [J(v, f"{node.path}[{i}]") for i, v in enumerate(node.value) if v is not None]

    def text(self, node: J | None) -> str | None:
        if node is None:
            return None
        if isinstance(node.value, bool) or not isinstance(node.value, str | int | float):
            raise CatenaXError(f"expected a text, got {_kind(node.value)}", path=node.path)
        value = str(node.value).strip()
        return value or None

    def number(self, node: J | None, limits: _Range | None = None,
               units: dict[str, float] | None = None, integer: bool = False) -> float | None:
        """A finite number; strings are read with a warning, unit suffixes only from ``units``
        (symbol -> factor to the Catena-X unit)."""
        if node is None:
            return None
        raw = node.value
        if isinstance(raw, bool):
            raise CatenaXError(f"expected a number, got {json.dumps(raw)}", path=node.path)
        if isinstance(raw, int | float):
            x = float(raw)
        elif isinstance(raw, str):
            match = _NUMBER_TEXT.match(raw)
            if match is None:
                raise CatenaXError(f"expected a number, got the text {raw!r}", path=node.path)
            x = float(match.group(1))
            suffix = match.group(2)
            if suffix:
                factor = (units or {}).get(suffix)
                if factor is None:
                    raise CatenaXError(f"unexpected unit {suffix!r} in {raw!r}", path=node.path)
                x *= factor
                self.warn(node.path, f"number given as the string {raw!r} with a unit; read as "
                                     f"{_fmt(x)}")
            else:
                self.warn(node.path, f"number given as the string {raw!r}; read as {_fmt(x)}")
        else:
            raise CatenaXError(f"expected a number, got {_kind(raw)}", path=node.path)
        if not math.isfinite(x):
            raise CatenaXError(f"{raw!r} is not a finite number", path=node.path)
        if limits is not None:
            limits.check(x, node.path, raw)
        if integer and not x.is_integer():
            raise CatenaXError(f"expected a whole number, got {raw!r}", path=node.path)
        return x

    def boolean(self, node: J | None) -> bool | None:
        if node is None:
            return None
        if isinstance(node.value, bool):
            return node.value
        if isinstance(node.value, str) and node.value.strip().lower() in {"true", "false"}:
            self.warn(node.path, f"boolean given as the string {node.value!r}")
            return node.value.strip().lower() == "true"
        raise CatenaXError(f"expected true or false, got {_kind(node.value)}", path=node.path)

    def date(self, node: J | None) -> date | None:
        if node is None:
            return None
        raw = node.value
        if not isinstance(raw, str):
            raise CatenaXError(f"expected a date text YYYY-MM-DD, got {_kind(raw)}",
                               path=node.path)
        s = raw.strip()
        full = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", s)
        month = re.fullmatch(r"(\d{4})-(\d{2})", s)
        try:
            if full:
                return date(int(full[1]), int(full[2]), int(full[3]))
            if month:
                value = date(int(month[1]), int(month[2]), 1)
                self.warn(node.path, f"date {raw!r} has no day (DIN DKE SPEC 99100 writes "
                                     f"YYYY-MM); stored as {value.isoformat()}")
                return value
        except ValueError:
            raise CatenaXError(f"{raw!r} is not a calendar date", path=node.path) from None
        try:
            stamp = datetime.fromisoformat(s)
        except ValueError:
            raise CatenaXError(f"{raw!r} is not a date (expected YYYY-MM-DD)",
                               path=node.path) from None
        self.warn(node.path, f"date {raw!r} has a time of day; stored as the date "
                             f"{stamp.date().isoformat()}")
        return stamp.date()

    def timestamp(self, node: J | None) -> datetime | None:
        if node is None:
            return None
        raw = node.value
        if not isinstance(raw, str):
            raise CatenaXError(f"expected a timestamp text, got {_kind(raw)}", path=node.path)
        s = raw.strip()
        try:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
                value = datetime.combine(date.fromisoformat(s), time(0), tzinfo=UTC)
                self.warn(node.path, f"timestamp {raw!r} has no time; stored as "
                                     f"{value.isoformat()}")
                return value
            value = datetime.fromisoformat(s)
        except ValueError:
            raise CatenaXError(f"{raw!r} is not a timestamp (expected e.g. "
                               "2024-03-01T12:00:00Z)", path=node.path) from None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
            self.warn(node.path, f"timestamp {raw!r} has no time zone; read as UTC")
        return value

    def documents(self, node: J | None) -> list[tuple[str, str | None, str | None]]:
        """(path, header, content) of a Catena-X DocumentList."""
        result = []
        for doc in self.items(node):
            header = self.text(self.child(doc, "header"))
            content = self.text(self.child(doc, "content"))
            if content is None and header is None:
                continue
            result.append((doc.path, header, content))
        return result

    def links(self, node: J | None, prop: URIRef, owner: URIRef | None = None) -> int:
        count = 0
        for path, header, content in self.documents(node):
            if content and LINK.fullmatch(content):
                self.graph.add((owner or self.battery, prop, Literal(content,
                                                                     datatype=XSD.anyURI)))
                count += 1
            else:
                self.warn(path, f"document {header or content!r} is not a link (our "
                                f"{_local(prop)} is a web link, xsd:anyURI); not imported")
        return count

    def drop(self, node: J | None, why: str) -> None:
        if node is None or node.value in ([], {}, ""):
            return
        leaves = list(_leaf_paths(node.value, node.path))
        if leaves and all(p in self.placeholders for p in leaves):
            self.skipped_placeholders += len(leaves)
            return
        self.warn(node.path, f"not imported: {why}")

    def organisation(self, node: J, role: str) -> URIRef:
        bpnl = self.text(node)
        if bpnl is None or not BPNL.fullmatch(bpnl):
            raise CatenaXError(f"{bpnl!r} is not a Catena-X legal-entity BPN "
                               "(BPNL + 12 letters or digits)", path=node.path)
        org = self.minter.organisation(bpnl)
        if (org, RDF.type, DBP.Organisation) not in self.graph:
            self.graph.add((org, RDF.type, DBP.Organisation))
            self.graph.add((org, DBP.organisationId, Literal(bpnl)))
            self.graph.add((org, DBP.name, Literal(bpnl)))
            self.warn(node.path, f"the {role} is known only by its BPN; its name is recorded "
                                 f"as {bpnl!r}")
        return org

    # -- the mapping ---------------------------------------------------------------------------
    def run(self) -> None:
        self.identity()
        self.operation()
        self.characteristics()
        self.sustainability()
        self.materials()
        self.rated()
        self.dynamic()
        self.conformity()
        self.safety()
        self.handling()
        self.rest()

    def identity(self) -> None:
        ident = self.require("identification", why="the battery must be identified")
        dmc = self.require("identification", "idDmc", why="idDmc is the battery's unique "
                           "identifier (Art. 77(3)) and names it in our store")
        raw_id = self.text(dmc) or ""
        if self.override is not None:
            bid = check_identifier(self.override, "battery id")
        else:
            bid = sanitize_identifier(raw_id)
            if not bid:
                raise CatenaXError(f"{raw_id!r} has no character usable in an identifier "
                                   "(A-Z a-z 0-9 . _ ~ -)", path=dmc.path)
            if bid != raw_id:
                self.warn(dmc.path, f"identifier {raw_id!r} is stored as battery id {bid!r} "
                                    "(only A-Z a-z 0-9 . _ ~ - are allowed in IRIs); the "
                                    "original is kept as schema:productID")
            check_identifier(bid, "battery id")
        self.battery = battery = self.minter.battery(bid)
        g = self.graph
        g.add((battery, RDF.type, BATTERY_PACK))
        g.add((battery, DBP.batteryId, Literal(bid)))
        if raw_id and raw_id != bid:
            g.add((battery, SCHEMA.productID, Literal(raw_id)))

        cat = self.require("identification", "category", why="the battery category is "
                           "required (Annex VI Part A(2))")
        raw_cat = self.text(cat) or ""
        key = CATEGORY_IN.get(raw_cat.lower())
        if key is None:
            if raw_cat.lower() == "incorporated":
                raise CatenaXError("category 'incorporated' is outside the battery categories "
                                   "of Regulation (EU) 2023/1542 Art. 77 that our vocabulary "
                                   "knows (ev, lmt, industrial, stationary, portable, sli)",
                                   path=cat.path)
            raise CatenaXError(f"unknown battery category {raw_cat!r}; expected one of "
                               f"{', '.join(sorted(CATEGORY_ENUM))}", path=cat.path)
        if raw_cat not in CATEGORY_ENUM:
            note = ("not a Catena-X category" if key == "stationary"
                    else f"Catena-X spells it {CATEGORY_OUT[key]!r}")
            self.warn(cat.path, f"category {raw_cat!r} ({note}) read as our {key!r}")
        self.category = key
        g.add((battery, DBP.batteryCategory, vocab("category", key)))

        chem = self.child(ident, "chemistry")
        chem_text = self.text(chem)
        if chem is not None and chem_text:
            notation, note = chemistry_notation(chem_text)
            if notation is None:
                self.warn(chem.path, f"chemistry {chem_text!r} matches no concept of our "
                                     "chemistry vocabulary; not imported")
            else:
                g.add((battery, DBP.chemistry, vocab("chemistry", notation)))
                if note:
                    self.warn(chem.path, note)

        inner = self.child(ident, "identification")
        serials = {}
        for entry in self.items(self.child(inner, "serial")):
            key_text = self.text(self.child(entry, "key"))
            value = self.text(self.child(entry, "value"))
            if key_text and value:
                serials.setdefault(key_text, (entry.path, value))
        chosen = serials.get("partInstanceId") or serials.get("manufacturerId")
        if chosen:
            g.add((battery, DBP.serialNumber, Literal(chosen[1])))
        for key_text, (path, _value) in serials.items():
            if chosen is None or path != chosen[0]:
                self.warn(path, f"local identifier {key_text!r} not imported (our model has one "
                                "serial number; no batch or vehicle identifier term)")
        self.drop(self.child(inner, "batch"), "no batch identifier term in our model")
        part_type = self.child(inner, "type")
        part_id = self.text(self.child(part_type, "manufacturerPartId"))
        if part_id:
            g.add((battery, DBP.partNumber, Literal(part_id)))
        model = self.text(self.child(part_type, "nameAtManufacturer"))
        if model:
            g.add((battery, DBP.model, Literal(model)))
        self.drop(self.child(inner, "codes"), "no product code term in our model")
        self.drop(self.child(inner, "dataCarrier"), "no data-carrier term in our model")
        self.drop(self.child(inner, "classification"), "no classification term in our model")

        meta = self.child(self.doc, "metadata")
        pid = self.text(self.child(meta, "passportIdentifier"))
        if pid:
            g.add((battery, DBP.passportIdentifier, Literal(pid)))
        operator = self.child(meta, "economicOperatorId")
        if operator is not None:
            g.add((battery, DBP.operator, self.organisation(operator, "economic operator")))
        predecessor = self.text(self.child(meta, "predecessor"))
        if predecessor and predecessor not in {NIL_UUID, NIL_UUID[9:], pid}:
            self.warn(f"{meta.path}.predecessor" if meta else "$.metadata.predecessor",
                      "not imported: passport lineage is recorded by the service when a "
                      "successor passport is issued")
        for key_name in ("issueDate", "expirationDate", "version", "status", "backupReference",
                         "registrationIdentifier", "lastModification"):
            self.drop(self.child(meta, key_name), "passport metadata is managed by the service "
                                                  "(versions, audit)")

    def operation(self) -> None:
        manufacturer = self.require("operation", "manufacturer", "manufacturer",
                                    why="our passport needs exactly one manufacturer")
        self.graph.add((self.battery, DBP.manufacturer,
                        self.organisation(manufacturer, "manufacturer")))
        made = self.at("operation", "manufacturer", "manufacturingDate")
        if made is None:
            raise CatenaXError("missing; our passport model requires the manufacturing date "
                               "(Annex VI Part A(4)), which Catena-X makes optional",
                               path="$.operation.manufacturer.manufacturingDate")
        self.manufacturing_date = self.date(made)
        self.graph.add((self.battery, DBP.manufacturingDate, Literal(self.manufacturing_date)))
        facilities = self.items(self.at("operation", "manufacturer", "facility"))
        places = [(f.path, self.text(self.child(f, "facility"))) for f in facilities]
        places = [(p, v) for p, v in places if v]
        if places:
            path, bpna = places[0]
            if not BPNA.fullmatch(bpna):
                self.warn(path, f"{bpna!r} is not a Catena-X site BPN (BPNA...); kept as text")
            self.graph.add((self.battery, DBP.manufacturingPlace, Literal(bpna)))
            for path, _ in places[1:]:
                self.warn(path, "not imported: our model has one manufacturing place")
        service = self.date(self.at("operation", "intoServiceDate"))
        if service is not None:
            self.graph.add((self.battery, DBP.putIntoServiceDate, Literal(service)))

    def characteristics(self) -> None:
        weight = self.at("characteristics", "physicalDimension", "weight")
        if weight is not None:
            unit = self.text(self.child(weight, "unit")) or "unit:kilogram"
            factors = {"unit:kilogram": 1.0, "unit:gram": 1e-3, "unit:tonneMetricTon": 1e3,
                       "unit:tonUsOrShortTonUkorus": 907.18474,
                       "unit:ounceAvoirdupois": 0.028349523125, "unit:pound": 0.45359237}
            if unit not in factors:
                raise CatenaXError(f"unknown mass unit {unit!r}", path=f"{weight.path}.unit")
            value_node = self.child(weight, "value")
            raw = self.number(value_node)
            if raw is not None and value_node is not None:
                kg = raw * factors[unit]
                R_KG.check(kg, value_node.path, value_node.value)
                if unit != "unit:kilogram":
                    self.warn(value_node.path, f"mass {_fmt(raw)} {unit} stored as "
                                               f"{_fmt(_round(kg))} kg")
                self.q.add(self.battery, "mass", MASS, kg, "kg")
        dims = self.at("characteristics", "physicalDimension")
        for key in ("height", "length", "width"):
            self.drop(self.child(dims, key), "no pack dimension term in our model")
        warranty = self.at("characteristics", "warranty")
        if warranty is not None:
            value = self.number(self.child(warranty, "lifeValue"), _Range(0, 100000, False))
            unit = self.text(self.child(warranty, "lifeUnit"))
            months = {"unit:year": 12, "unit:month": 1}.get(unit or "")
            if value is None:
                return
            if unit == "unit:day" and self.manufacturing_date:
                end = date.fromordinal(self.manufacturing_date.toordinal() + int(value))
            elif months and self.manufacturing_date and float(value * months).is_integer():
                end = _add_months(self.manufacturing_date, int(value * months))
            else:
                self.warn(warranty.path, f"warranty of {_fmt(value)} {unit} cannot be expressed "
                                         "as an end date; not imported")
                return
            self.graph.add((self.battery, DBP.warrantyEndDate, Literal(end)))
            self.warn(warranty.path, f"warranty of {_fmt(value)} {unit} recorded as ending "
                                     f"{end.isoformat()} (counted from the manufacturing date)")

    def sustainability(self) -> None:
        sus = self.child(self.doc, "sustainability")
        status = self.child(sus, "status")
        if status is not None:
            raw = self.text(status) or ""
            key = STATUS_IN.get(re.sub(r"[\s_]+", "-", raw.strip().lower()))
            if key is None:
                raise CatenaXError(f"unknown battery status {raw!r}; expected one of original, "
                                   "repurposed, re-used, remanufactured, waste", path=status.path)
            if raw != STATUS_OUT[key]:
                self.warn(status.path, f"status {raw!r} read as {STATUS_OUT[key]!r}")
            self.graph.add((self.battery, DBP.batteryStatus, vocab("status", key)))
        docs = self.child(sus, "documents")
        self.links(self.child(docs, "separateCollection"), DBP.separateCollectionInfo)
        self.links(self.child(docs, "wastePrevention"), DBP.wastePreventionInfo)
        self.drop(self.child(docs, "euTaxonomyDisclosureStatement"), "no EU-taxonomy term")
        self.drop(self.child(docs, "sustainabilityReport"), "no sustainability-report term")
        self.carbon_footprint(self.child(sus, "carbonFootprint"))

    def carbon_footprint(self, node: J | None) -> None:
        totals: list[tuple[str, float]] = []
        stages: dict[str, tuple[str, float]] = {}
        absolute: list[tuple[str, float]] = []
        for entry in self.items(node):
            kind = self.text(self.child(entry, "type"))
            if kind != "Climate Change Total":
                self.warn(entry.path, f"impact category {kind!r} not imported (our model keeps "
                                      "the climate-change total, Art. 7)")
                continue
            value_node = self.child(entry, "value")
            value = self.number(value_node, _Range(0, 1e9, False))
            if value is None or value_node is None:
                continue
            unit = self.text(self.child(entry, "unit")) or "kg CO2e/kWh"
            factor, per_kwh = _cf_unit(unit)
            if factor is None:
                raise CatenaXError(f"unknown carbon footprint unit {unit!r} (expected e.g. "
                                   "'kg CO2e/kWh')", path=f"{entry.path}.unit")
            value *= factor
            if factor != 1:
                self.warn(f"{entry.path}.unit", f"{unit!r} converted to "
                                                f"{'kg CO2e/kWh' if per_kwh else 't CO2e'}")
            if not per_kwh:
                absolute.append((value_node.path, value))
                continue
            R_CF.check(value, value_node.path, value_node.value)
            lifecycle = (self.text(self.child(entry, "lifecycle")) or "").lower()
            stage = next((key for key, _p, words, _l in CF_STAGES
                          if any(w in lifecycle for w in words)), None)
            if stage is None:
                totals.append((value_node.path, value))
            elif stage in stages:
                self.warn(entry.path, f"second value for life-cycle stage {stage!r}; ignored")
            else:
                stages[stage] = (value_node.path, value)
            performance = self.text(self.child(entry, "performanceClass"))
            if performance and (self.battery, DBP.carbonFootprintPerformanceClass, None) \
                    not in self.graph:
                self.graph.add((self.battery, DBP.carbonFootprintPerformanceClass,
                                Literal(performance)))
            if stage is None:
                self.links(self.child(entry, "declaration"), DBP.carbonFootprintStudy)
                self.drop(self.child(entry, "rulebook"), "no carbon-footprint rulebook term")
                self.drop(self.child(entry, "manufacturingPlant"),
                          "the footprint's plant is not recorded separately")
        if totals:
            total = totals[0][1]
            for path, _ in totals[1:]:
                self.warn(path, "more than one climate-change total; the first one is kept")
        elif stages:
            total = sum(v for _, v in stages.values())
            self.warn(node.path if node else "$", "no total footprint; the sum of the life-cycle "
                                                  f"stages ({_fmt(total)} kg CO2e/kWh) is used")
        else:
            total = None
        if total is not None:
            self.graph.add((self.battery, DBP.carbonFootprintPerFunctionalUnit,
                            Literal(_decimal(total), datatype=XSD.decimal)))
            for key, prop, _words, _label in CF_STAGES:
                if key in stages and total > 0:
                    share = stages[key][1] / total * 100
                    self.graph.add((self.battery, prop,
                                    Literal(_decimal(share, 3), datatype=XSD.decimal)))
        for path, value in absolute[:1]:
            self.graph.add((self.battery, DBP.absoluteCarbonFootprint,
                            Literal(_decimal(value), datatype=XSD.decimal)))
            self.warn(path, "absolute footprint stored as dbp:absoluteCarbonFootprint (t CO2e)")

    def substance(self, ids: list[J], fallback_name: str | None = None) -> tuple[URIRef | None,
                                                                                  str]:
        """chemsub class and a display text of a Catena-X MaterialIdList."""
        names = []
        for entry in ids:
            value = self.text(self.child(entry, "id"))
            kind = self.text(self.child(entry, "type"))
            name = self.text(self.child(entry, "name"))
            if name:
                names.append(name)
            if kind == "CAS" and value in CHEMSUB_BY_CAS:
                return CHEMSUB_BY_CAS[value], _substance_text(name, value)
            if name and name.lower() in CHEMSUB_BY_NAME:
                return CHEMSUB_BY_NAME[name.lower()], _substance_text(name, value)
        label = names[0] if names else (fallback_name or "unnamed substance")
        cas = next((self.text(self.child(e, "id")) for e in ids
                    if self.text(self.child(e, "type")) == "CAS"), None)
        return None, _substance_text(label, cas)

    def materials(self) -> None:
        mats = self.child(self.doc, "materials")
        active = self.child(mats, "active")
        for element in ("nickel", "lithium", "cobalt", "lead"):
            entry = self.child(active, element)
            if entry is None:
                continue
            substance = SUBSTANCE.get(element, LEAD)
            if self.boolean(self.child(entry, "critical")):
                self.graph.add((self.battery, DBP.criticalRawMaterial, substance))
            self.drop(self.child(entry, "recycled"), "Catena-X gives one recycled share; our "
                      "model (Annex XIII 1(e)) needs pre- and post-consumer shares")
        for entry in self.items(self.child(active, "other")):
            substance, label = self.substance(self.items(self.child(entry,
                                                                    "materialIdentification")))
            if self.boolean(self.child(entry, "critical")):
                if substance is None:
                    self.warn(entry.path, f"critical raw material {label} has no "
                                          "chemical-substance class we know; not imported")
                else:
                    self.graph.add((self.battery, DBP.criticalRawMaterial, substance))
        hazardous = self.child(mats, "hazardous")
        for element, name, cas in (("cadmium", "Cadmium", "7440-43-9"),
                                   ("mercury", "Mercury", "7439-97-6"),
                                   ("lead", "Lead", "7439-92-1")):
            self.hazard(self.child(hazardous, element), name, cas)
        for entry in self.items(self.child(hazardous, "other")):
            _, label = self.substance(self.items(self.child(entry, "materialIdentification")))
            self.hazard(entry, label, None, named=True)
        self.composition(self.child(mats, "composition"))

    def hazard(self, entry: J | None, name: str, cas: str | None, named: bool = False) -> None:
        """A hazardous substance. The fixed Catena-X slots (cadmium, mercury, lead) are always
        present, so only a positive concentration means the substance is in the battery; an
        entry of ``other`` is a declaration even when its concentration is unknown."""
        if entry is None:
            return
        concentration = self.number(self.child(entry, "concentration"), _Range(0, 1e6, False))
        if concentration == 0 or (concentration is None and not named):
            return
        unit = self.text(self.child(entry, "materialUnit")) or "unit:percent"
        text = name if named else _substance_text(name, cas)
        if concentration is not None:
            unit_text = {"unit:percent": "%", "unit:partPerMillion": "ppm",
                         "unit:partPerThousand": "per mille", "unit:percentVolume": "% vol",
                         "unit:partPerBillionUs": "ppb", "unit:partPerTrillionUs": "ppt"}.get(
                unit, unit)
            text += f", {_fmt(concentration)} {unit_text}"
        location = self.text(self.child(entry, "location"))
        if location and location != PLACEHOLDER_TEXT:
            text += f" in {location}"
        self.graph.add((self.battery, DBP.hazardousSubstance, Literal(text)))
        for _path, header, content in self.documents(self.child(entry, "impactOfSubstances")):
            impact = content or header
            if impact:
                self.graph.add((self.battery, DBP.substanceImpact, Literal(impact)))

    def composition(self, node: J | None) -> None:
        cam_classes: list[tuple[str, URIRef]] = []
        dropped: dict[str, str] = {}
        for entry in self.items(node):
            substance, label = self.substance(self.items(self.child(entry, "id")))
            location = (self.text(self.child(entry, "location")) or "").lower()
            if self.boolean(self.child(entry, "critical")):
                if substance is None:
                    self.warn(entry.path, f"critical raw material {label} has no "
                                          "chemical-substance class we know; not imported")
                else:
                    self.graph.add((self.battery, DBP.criticalRawMaterial, substance))
            if substance in CAM_SUBSTANCES and ("cathode" in location or "positive" in location
                                                or not location):
                cam_classes.append((entry.path, substance))
            elif any(w in location for w in ("anode", "negative", "electrolyte", "separator")):
                self.warn(entry.path, f"{label} ({location}): our model has no term linking "
                                      "anode or electrolyte materials to a pack; not imported")
            for key in ("concentration", "recycled", "renewable"):
                found = self.child(entry, key)
                if found is not None:
                    dropped.setdefault(key, found.path)
        for key, path in dropped.items():
            self.warn(path, f"per-material {key} shares (this and any further entry) have no "
                            "term in our model; not imported")
        for path, cls in cam_classes:
            family = CAM_SUBSTANCES[cls]
            if (self.battery, DBP.chemistry, None) not in self.graph:
                self.graph.add((self.battery, DBP.chemistry, vocab("chemistry", family)))
                self.warn(path, f"chemistry taken from the cathode active material: {family}")
            # A dbp:CathodeActiveMaterialBatch is reached through the cells and must be traced
            # to material extractions (shapes/traceability.ttl); Catena-X has neither.
            self.warn(path, "cathode active material not imported as a CAM batch: Catena-X "
                            "lists no cells and no material extractions to trace it through")

    def rated(self) -> None:
        rated = self.at("performance", "rated")
        if rated is None:
            return
        b, add = self.battery, self.q.add
        volts = {"V": 1.0, "mV": 1e-3}
        voltage = self.child(rated, "voltage")
        nominal = self.number(self.child(voltage, "nominal"), R_VOLT, volts)
        minimum = self.number(self.child(voltage, "min"), R_VOLT, volts)
        maximum = self.number(self.child(voltage, "max"), R_VOLT, volts)
        if nominal is not None:
            self.nominal_v = nominal
            add(b, "nominal-voltage", NOMINAL_VOLTAGE, nominal, "V")
        if minimum is not None:
            add(b, "minimum-voltage", LOWER_VOLTAGE_LIMIT, minimum, "V")
        if maximum is not None:
            add(b, "maximum-voltage", UPPER_VOLTAGE_LIMIT, maximum, "V")
        self.drop(self.child(voltage, "temperature"), "no test-temperature term")

        capacity = self.child(rated, "capacity")
        value = self.number(self.child(capacity, "value"), R_AH, {"Ah": 1.0, "mAh": 1e-3})
        if value is not None:
            self.rated_capacity = value
            add(b, "rated-capacity", RATED_CAPACITY, value, "Ah")
        threshold = self.number(self.child(capacity, "thresholdExhaustion"), R_PCT_POS,
                                {"%": 1.0})
        if threshold is not None:
            add(b, "eol-capacity-threshold", EOL_CAPACITY_THRESHOLD, threshold, "%")
        self.drop(self.child(capacity, "temperature"), "no test-temperature term")

        energy = self.number(self.at("energy", "value", node=rated), R_KWH,
                             {"kWh": 1.0, "Wh": 1e-3})
        if energy is not None:
            self.energy_kwh = energy
            add(b, "nominal-energy", NOMINAL_ENERGY, energy, "kWh")
        elif self.nominal_v and self.rated_capacity:
            self.energy_kwh = self.nominal_v * self.rated_capacity / 1000

        rte = self.child(rated, "roundTripEfficiency")
        initial = self.number(self.child(rte, "initial"), R_PCT_POS, {"%": 1.0})
        if initial is not None:
            add(b, "round-trip-efficiency", ROUND_TRIP_EFFICIENCY, initial, "%")
        half = self.number(self.child(rte, "50PercentLife"), R_PCT_POS, {"%": 1.0})
        if half is not None:
            add(b, "round-trip-efficiency-50", DBP.RoundTripEfficiencyAtHalfCycleLife, half, "%")
        self.drop(self.child(rte, "depthOfDischarge"), "no depth-of-discharge term for the "
                  "efficiency test")

        resistance = self.child(rated, "resistance")
        pack = self.number(self.child(resistance, "pack"), R_OHM, {"ohm": 1.0, "mOhm": 1e-3})
        if pack is not None:
            add(b, "internal-resistance", DBP.InitialInternalResistance, pack * 1000, "mOhm")
        for level in ("cell", "module"):
            self.drop(self.child(resistance, level), f"no {level}-level resistance term on a "
                                                     "pack")

        power = self.child(rated, "power")
        watts = self.power(self.child(power, "value"), R_KW)
        if watts is not None:
            add(b, "maximum-power", MAXIMUM_POWER, watts / 1000, "kW")
        for key in ("at20SoC", "at80SoC"):
            self.drop(self.child(power, key), "dbp:OriginalPowerCapability has no "
                                              "state-of-charge qualifier")

        temperature = self.child(rated, "temperature")
        lower = self.number(self.child(temperature, "lower"), R_DEGC, {"degC": 1.0, "°C": 1.0})
        upper = self.number(self.child(temperature, "upper"), R_DEGC, {"degC": 1.0, "°C": 1.0})
        if lower is not None:
            add(b, "idle-temperature-min", DBP.IdleTemperatureLowerBoundary, lower, "degC")
        if upper is not None:
            add(b, "idle-temperature-max", DBP.IdleTemperatureUpperBoundary, upper, "degC")
        if lower is not None and upper is not None and lower > upper:
            raise CatenaXError(f"lower temperature {_fmt(lower)} degC is above the upper "
                               f"{_fmt(upper)} degC", path=f"{temperature.path}.lower"
                               if temperature else "$")

        sdr = self.number(self.child(rated, "selfDischargingRate"), R_PCT, {"%": 1.0})
        if sdr is not None:
            add(b, "self-discharge-rate", DBP.InitialSelfDischargeRate, sdr, "%")

        lifetime = self.child(rated, "lifetime")
        years = self.number(self.child(lifetime, "expectedYears"), R_YEARS, integer=True)
        if years is not None:
            add(b, "expected-lifetime", DBP.ExpectedLifetime, years, "a")
        testing = self.child(lifetime, "cycleLifeTesting")
        cycles = self.number(self.child(testing, "cycles"), R_CYCLES, integer=True)
        if cycles is not None:
            add(b, "cycle-life", CYCLE_LIFE, cycles, "1")
        discharge = self.number(self.child(testing, "appliedDischargeRate"), R_CRATE, {"C": 1.0})
        charge = self.number(self.child(testing, "appliedChargeRate"), R_CRATE, {"C": 1.0})
        if discharge is not None:
            add(b, "cycle-life-c-rate", DBP.CycleLifeTestCRate, discharge, "1")
        dod = self.number(self.child(testing, "depthOfDischarge"), R_PCT_POS, {"%": 1.0})
        temp = self.number(self.child(testing, "temperature"), R_DEGC, {"degC": 1.0})
        parts = []
        if temp is not None:
            parts.append(f"{_fmt(temp)} degC")
        if dod is not None:
            parts.append(f"DoD {_fmt(dod)} %")
        if charge is not None:
            parts.append(f"charge rate {_fmt(charge)} C")
        if discharge is not None:
            parts.append(f"discharge rate {_fmt(discharge)} C")
        reports = [c for _p, _h, c in self.documents(self.child(lifetime, "report")) if c]
        if parts or reports:
            text = "Cycle-life test" + (f": {', '.join(parts)}" if parts else "")
            if reports:
                text += f"; report: {'; '.join(reports)}"
            self.graph.add((b, DBP.cycleLifeReferenceTest, Literal(text)))
        self.links(self.child(rated, "testReport"), DBP.testReport)
        self.links(self.child(rated, "performanceDocument"), DBP.testReport)

    def power(self, node: J | None, limits: _Range) -> float | None:
        """A power value in W; values that are evidently in kW are converted, with a warning."""
        if node is None:
            return None
        watts = self.number(node, None, {"W": 1.0, "kW": 1000.0, "MW": 1e6})
        if watts is None:
            return None
        energy_wh = (self.energy_kwh or 0) * 1000
        explicit_unit = isinstance(node.value, str) and bool(re.search(r"[A-Za-z]", node.value))
        if not explicit_unit and energy_wh > 0 and 0 < watts / energy_wh < 0.05 \
                and watts * 1000 / energy_wh <= 20:
            self.warn(node.path, f"{_fmt(watts)} W is implausibly low for a "
                                 f"{_fmt(energy_wh / 1000)} kWh battery (C-rate "
                                 f"{watts / energy_wh:.4f}); read as {_fmt(watts)} kW")
            watts *= 1000
        limits.check(watts / 1000, node.path, node.value)
        return watts

    def dynamic(self) -> None:
        dyn = self.at("performance", "dynamic")
        if dyn is None:
            return
        # (json keys, class, unit, limits, unit suffixes, conversion to the stored unit)
        specs: list[tuple[tuple[str, ...], URIRef, str, _Range, dict[str, float], float]] = [
            (("stateOfCharge",), STATE_OF_CHARGE, "%", R_PCT, {"%": 1.0}, 1.0),
            (("energy", "soce"), DBP.StateOfCertifiedEnergy, "%", R_PCT, {"%": 1.0}, 1.0),
            (("energy", "remaining"), DBP.RemainingUsableEnergy, "kWh",
             _Range(0, 10000, False, "kWh"), {"kWh": 1.0}, 1.0),
            (("energy", "throughput"), DBP.EnergyThroughput, "kWh",
             _Range(0, 1e7, False, "kWh"), {"kWh": 1.0}, 1.0),
            (("capacity", "capacity"), DBP.RemainingCapacity, "Ah",
             _Range(0, 10000, False, "Ah"), {"Ah": 1.0}, 1.0),
            (("capacity", "fade"), DBP.CapacityFadeRatio, "%", R_PCT, {"%": 1.0}, 1.0),
            (("capacity", "throughput"), DBP.CapacityThroughput, "Ah",
             _Range(0, 1e8, False, "Ah"), {"Ah": 1.0}, 1.0),
            (("power", "fade"), DBP.PowerFade, "%", R_PCT, {"%": 1.0}, 1.0),
            (("roundTripEfficiency", "remaining"), DBP.RemainingRoundTripEfficiency, "%",
             R_PCT_POS, {"%": 1.0}, 1.0),
            (("roundTripEfficiency", "fade"), DBP.RoundTripEfficiencyFade, "%", R_PCT,
             {"%": 1.0}, 1.0),
            (("resistance", "increase", "pack"), DBP.InternalResistanceIncrease, "%",
             R_PCT_1000, {"%": 1.0}, 1.0),
            (("resistance", "remaining", "pack"), DC_INTERNAL_RESISTANCE, "mOhm", R_OHM,
             {"ohm": 1.0}, 1000.0),
            (("fullCycles",), TOTAL_CYCLES, "1", _Range(0, 1e6, False, "cycles"), {}, 1.0),
        ]
        slugs = {STATE_OF_CHARGE: "soc", DBP.StateOfCertifiedEnergy: "soce",
                 DBP.RemainingUsableEnergy: "remaining-energy",
                 DBP.EnergyThroughput: "energy-throughput",
                 DBP.RemainingCapacity: "remaining-capacity", DBP.CapacityFadeRatio:
                 "capacity-fade", DBP.CapacityThroughput: "capacity-throughput",
                 DBP.PowerFade: "power-fade", DBP.RemainingRoundTripEfficiency:
                 "remaining-round-trip-efficiency", DBP.RoundTripEfficiencyFade:
                 "round-trip-efficiency-fade", DBP.InternalResistanceIncrease:
                 "resistance-increase", DC_INTERNAL_RESISTANCE: "dcir", TOTAL_CYCLES: "cycles",
                 DBP.RemainingPowerCapability: "remaining-power", DBP.CurrentSelfDischargeRate:
                 "self-discharge-rate", STATE_OF_HEALTH: "soh"}
        values: dict[datetime, list[tuple[URIRef, float, str]]] = {}
        for keys, cls, unit, limits, suffixes, factor in specs:
            record = self.at(*keys, node=dyn)
            if record is None:
                continue
            value = self.number(self.child(record, "value"), limits, suffixes,
                                integer=cls is TOTAL_CYCLES)
            when = self.timestamp(self.child(record, "time"))
            if value is None:
                continue
            if when is None:
                raise CatenaXError("a dynamic value needs its measurement time",
                                   path=f"{record.path}.time")
            values.setdefault(when, []).append((cls, value * factor, unit))
        remaining_power = self.at("power", "remaining", node=dyn)
        if remaining_power is not None:
            watts = self.power(self.child(remaining_power, "value"), R_KW0)
            when = self.timestamp(self.child(remaining_power, "time"))
            if watts is not None and when is not None:
                values.setdefault(when, []).append((DBP.RemainingPowerCapability, watts / 1000,
                                                    "kW"))
        for level in ("module", "cell"):
            self.drop(self.at("resistance", "increase", level, node=dyn),
                      f"no {level}-level term on a pack")
            self.drop(self.at("resistance", "remaining", level, node=dyn),
                      f"no {level}-level term on a pack")
        sdr_node = self.child(dyn, "selfDischargingRate")
        sdr = self.number(sdr_node, R_PCT, {"%": 1.0})
        if sdr is not None and sdr_node is not None:
            if values:
                values[max(values)].append((DBP.CurrentSelfDischargeRate, sdr, "%"))
            else:
                self.warn(sdr_node.path, "not imported: no measurement time to record it with")
        for index, when in enumerate(sorted(values), start=1):
            record = URIRef(f"{self.battery}/usage/catenax-{index}")
            self.graph.add((self.battery, DBP.hasUsageRecord, record))
            self.graph.add((record, RDF.type, DBP.UsageRecord))
            self.graph.add((record, DBP.recordedAt, Literal(when)))
            present = {cls: value for cls, value, _unit in values[when]}
            for cls, value, unit in values[when]:
                self.q.add(record, slugs[cls], cls, value, unit, measured=True)
            soh = self.state_of_health(present, when)
            if soh is not None:
                self.q.add(record, "soh", STATE_OF_HEALTH, soh, "%", measured=True)
        self.negative_events(self.child(dyn, "negativeEvents"))
        self.drop(self.child(dyn, "operatingEnvironment"), "documents only; our model keeps "
                  "minutes in extreme temperatures as numbers")
        self.links(self.child(dyn, "performanceDocument"), DBP.testReport)

    def state_of_health(self, present: dict[URIRef, float], when: datetime) -> float | None:
        stamp = when.isoformat()
        if DBP.StateOfCertifiedEnergy in present and self.category == "ev":
            self.warn("$.performance.dynamic.energy.soce", f"state of health at {stamp} taken "
                      "from the state of certified energy (the EV SoH of Annex VII)")
            return present[DBP.StateOfCertifiedEnergy]
        if DBP.RemainingCapacity in present and self.rated_capacity:
            soh = present[DBP.RemainingCapacity] / self.rated_capacity * 100
            if soh > 100:
                self.warn("$.performance.dynamic.capacity.capacity", f"remaining capacity is "
                          f"{soh:.1f} % of the rated capacity; no state of health derived")
                return None
            self.warn("$.performance.dynamic.capacity.capacity", f"state of health at {stamp} "
                      f"derived as remaining / rated capacity = {soh:.2f} %")
            return soh
        return None

    def negative_events(self, node: J | None) -> None:
        """Catena-X negative events are documents. One becomes a dbp:NegativeEvent when its
        header or content names an event type, a severity and a time (the form our export
        writes: 'thermal-event | severe | 2024-03-02T10:00:00Z'); otherwise it is reported."""
        for index, (path, header, content) in enumerate(self.documents(node), start=1):
            text = f"{header or ''} {content or ''}".lower()
            etype = next((e for e in EVENT_TYPES
                          if e in text or e.replace("-", " ") in text), None)
            severity = next((s for s in SEVERITIES if s in text), None)
            stamp = re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?"
                              r"(Z|[+-]\d{2}:\d{2})?", f"{header or ''} {content or ''}")
            if not (etype and severity and stamp):
                missing = [n for n, v in (("event type", etype), ("severity", severity),
                                          ("time", stamp)) if not v]
                self.warn(path, f"negative event {header or content!r} not imported: it does "
                                f"not state the {', '.join(missing)} our model requires")
                continue
            when = self.timestamp(J(stamp.group(0), path))
            event = URIRef(f"{self.battery}/event/catenax-{index}")
            g = self.graph
            g.add((self.battery, DBP.hasNegativeEvent, event))
            g.add((event, RDF.type, DBP.NegativeEvent))
            g.add((event, DBP.eventType, vocab("event", etype)))
            g.add((event, DBP.severity, vocab("severity", severity)))
            g.add((event, DBP.occurredAt, Literal(when)))
            description = content if content and content != header else header
            if description:
                g.add((event, DBP.description, Literal(description)))

    def conformity(self) -> None:
        conf = self.child(self.doc, "conformity")
        self.links(self.child(conf, "declarationOfConformity"), DBP.declarationOfConformity)
        self.links(self.child(conf, "resultOfTestReport"), DBP.testReport)
        self.links(self.child(conf, "thirdPartyAssurance"), DBP.thirdPartyAssurance)
        self.links(self.child(conf, "dueDiligencePolicy"), DBP.dueDiligenceReport)
        self.drop(self.child(conf, "declarationOfConformityId"), "no term for the "
                  "declaration's number")

    def safety(self) -> None:
        safety = self.child(self.doc, "safety")
        self.links(self.child(safety, "dismantling"), DBP.dismantlingManual)
        self.links(self.child(safety, "removalFromAppliance"), DBP.dismantlingManual)
        self.links(self.child(safety, "safetyMeasures"), DBP.safetyMeasures)
        self.drop(self.child(safety, "safeDischarging"), "no safe-discharging document term")
        for _path, header, content in self.documents(self.child(safety, "meaningOfLabels")):
            text = content or header
            if content and header and header not in content and header != LABELS_HEADER:
                text = f"{header}: {content}"
            if text:
                self.graph.add((self.battery, DBP.labelMeaning, Literal(text)))
        for agent in self.items(self.child(safety, "usableExtinguishAgent")):
            media = self.text(self.child(agent, "media"))
            fire_class = self.text(self.child(agent, "fireClass"))
            if media:
                text = media if not fire_class or fire_class == PLACEHOLDER_TEXT \
                    else f"{media} (fire class {fire_class})"
                self.graph.add((self.battery, DBP.extinguishingAgent, Literal(text)))
            self.drop(self.child(agent, "document"), "no extinguishing-agent document term")

    def handling(self) -> None:
        content = self.at("handling", "content")
        producers = [self.text(self.child(p, "id"))
                     for p in self.items(self.child(content, "producer"))]
        parts = []
        for part in self.items(self.child(content, "sparePart")):
            pid = self.text(self.child(part, "manufacturerPartId"))
            name = self.text(self.child(part, "nameAtManufacturer"))
            if pid or name:
                parts.append(f"{pid or '?'} ({name})" if name else pid or "")
        for producer in filter(None, producers):
            text = f"spare parts from {producer}"
            if parts:
                text += f": {', '.join(parts)}"
            self.graph.add((self.battery, DBP.sparePartSource, Literal(text)))

    def rest(self) -> None:
        self.drop(self.at("commercial", "placedOnMarket"), "no placing-on-the-market date term")
        self.drop(self.at("commercial", "purpose"), "no purpose term")
        for source in self.items(self.child(self.doc, "sources")):
            if self.text(self.child(source, "header")) != PLACEHOLDER_HEADER:
                self.warn(source.path, "not imported: no term for general source documents")
        known = {"specVersion", "identification", "operation", "characteristics",
                 "sustainability", "materials", "performance", "conformity", "safety",
                 "sources", "metadata", "commercial", "handling"}
        for key in self.doc.value:
            if key not in known:
                self.warn(f"$.{key}", "not part of the Catena-X battery pass 6.1.0; ignored")
        if self.skipped_placeholders:
            self.warnings.append(f"$.sources: {self.skipped_placeholders} placeholder value(s) "
                                 "written by a dbp export were recognised and not imported")
        spec = self.text(self.child(self.doc, "specVersion"))
        if spec and "6.1" not in spec:
            self.warn("$.specVersion", f"{spec!r}: this importer reads version 6.1.0")


def _leaf_paths(value: Any, prefix: str) -> Iterable[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaf_paths(item, f"{prefix}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaf_paths(item, f"{prefix}[{index}]")
    else:
        yield prefix


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return f"the text {value!r}"
    return json.dumps(value)


def _local(iri: URIRef) -> str:
    return f"dbp:{str(iri).rsplit('#', 1)[-1]}"


def _decimal(x: float, digits: int = 4) -> str:
    return f"{round(x, digits):.{digits}f}".rstrip("0").rstrip(".") or "0"


def _substance_text(name: str | None, cas: str | None) -> str:
    if cas and name:
        return f"{name} (CAS {cas})"
    return name or (f"CAS {cas}" if cas else "unnamed substance")


def _cf_unit(unit: str) -> tuple[float | None, bool]:
    """(factor to kg CO2e/kWh or t CO2e, whether the unit is per kWh)."""
    u = re.sub(r"\s+", "", unit.lower()).replace("co₂", "co2")
    u = re.sub(r"co2(e|eq|-eq|equivalent|-equivalent)?", "co2e", u)
    per = {"kgco2e/kwh": 1.0, "gco2e/kwh": 1e-3, "kgco2e/mwh": 1e-3, "tco2e/mwh": 1.0,
           "kgco2e/kwh-1": 1.0}
    if u in per:
        return per[u], True
    absolute = {"tco2e": 1.0, "kgco2e": 1e-3}
    if u in absolute:
        return absolute[u], False
    return None, True


def _add_months(start: date, months: int) -> date:
    month = start.month - 1 + months
    year = start.year + month // 12
    month = month % 12 + 1
    for day in (start.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise ValueError("unreachable")


# -- export --------------------------------------------------------------------------------------
CANONICAL_UNITS: dict[URIRef, tuple[str, float]] = {
    EMMO.Volt: ("V", 1.0), EMMO.MilliVolt: ("V", 1e-3),
    EMMO.AmpereHour: ("Ah", 1.0), EMMO.MilliAmpereHour: ("Ah", 1e-3),
    EMMO.KiloWatthour: ("kWh", 1.0), EMMO.Watthour: ("kWh", 1e-3),
    EMMO.KiloWatt: ("W", 1e3), EMMO.Watt: ("W", 1.0),
    EMMO.Ohm: ("ohm", 1.0), EMMO.MilliOhm: ("ohm", 1e-3),
    EMMO.Kilogram: ("kg", 1.0), EMMO.Gram: ("kg", 1e-3),
    EMMO.Percent: ("%", 1.0), EMMO.DegreeCelsius: ("degC", 1.0), EMMO.Year: ("a", 1.0),
    UNIT["1"]: ("1", 1.0),
}


@dataclass
class _Reading:
    value: float
    unit: str
    time: datetime | None = None


@dataclass
class _Exporter:
    graph: Graph
    battery: URIRef
    warnings: list[str] = field(default_factory=list)
    placeholders: list[str] = field(default_factory=list)

    def placeholder(self, path: str, value: Any, what: str) -> Any:
        self.placeholders.append(path)
        self.warnings.append(f"{path}: {what} not recorded; schema-valid placeholder "
                             f"{json.dumps(value)} written")
        return value

    def text_or_placeholder(self, path: str, value: str | None, what: str) -> str:
        return value if value else self.placeholder(path, PLACEHOLDER_TEXT, what)

    def one(self, prop: URIRef, node: URIRef | None = None) -> Node | None:
        values = sorted(self.graph.objects(node or self.battery, prop), key=str)
        return values[0] if values else None

    def literal(self, prop: URIRef, node: URIRef | None = None) -> str | None:
        value = self.one(prop, node)
        return str(value) if isinstance(value, Literal) else None

    def all_literals(self, prop: URIRef) -> list[str]:
        return sorted(str(v) for v in self.graph.objects(self.battery, prop)
                      if isinstance(v, Literal))

    def quantity(self, owner: Node, cls: URIRef) -> _Reading | None:
        for q in sorted(self.graph.objects(owner, HAS_PROPERTY), key=str):
            if (q, RDF.type, cls) not in self.graph:
                continue
            number = self.graph.value(self.graph.value(q, HAS_NUMERICAL_PART), HAS_NUMBER_VALUE)
            unit = self.graph.value(q, HAS_MEASUREMENT_UNIT)
            if not isinstance(number, Literal) or unit not in CANONICAL_UNITS:
                continue
            try:
                value = float(number.toPython())
            except (TypeError, ValueError):
                continue
            name, factor = CANONICAL_UNITS[unit]  # type: ignore[index]
            return _Reading(round(value * factor, 9), name)
        return None

    def rated(self, cls: URIRef, path: str, what: str, scale: float = 1.0) -> float:
        reading = self.quantity(self.battery, cls)
        if reading is None:
            return self.placeholder(path, 0, what)
        return _num(reading.value * scale)

    def latest(self, cls: URIRef) -> _Reading | None:
        best: _Reading | None = None
        for record in self.graph.objects(self.battery, DBP.hasUsageRecord):
            stamp = self.graph.value(record, DBP.recordedAt)
            reading = self.quantity(record, cls)
            if reading is None or not isinstance(stamp, Literal):
                continue
            when = stamp.toPython()
            if not isinstance(when, datetime):
                continue
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            reading.time = when
            if best is None or (best.time is not None and when > best.time):
                best = reading
        return best

    def record(self, cls: URIRef, path: str, what: str, scale: float = 1.0,
               integer: bool = False) -> dict:
        reading = self.latest(cls)
        if reading is None:
            self.placeholder(f"{path}.value", 0, what)
            self.placeholders.append(f"{path}.time")
            return {"value": 0, "time": PLACEHOLDER_TIME}
        value = reading.value * scale
        return {"value": round(value) if integer else _num(value),
                "time": _stamp(reading.time)}

    def doc(self, content: str, header: str) -> dict:
        return {"contentType": "URL" if LINK.fullmatch(content) else "text/plain",
                "header": header[:100], "content": content}

    def docs(self, prop: URIRef, header: str) -> list[dict]:
        return [self.doc(v, header) for v in self.all_literals(prop)]

    def bpnl(self, org: Node | None, path: str, what: str) -> str:
        oid = self.literal(DBP.organisationId, org) if isinstance(org, URIRef) else None
        if oid and BPNL.fullmatch(oid):
            return oid
        if oid:
            self.warnings.append(f"{path}: the {what}'s identifier {oid!r} is not a Catena-X "
                                 "BPNL")
        return self.placeholder(path, PLACEHOLDER_BPNL, f"{what} BPNL")

    def build(self) -> dict:
        g, b = self.graph, self.battery
        if (b, DBP.batteryId, None) not in g:
            raise CatenaXError(f"the graph holds no passport of {b}")
        bid = self.literal(DBP.batteryId) or ""
        category = vocab_name(self.one(DBP.batteryCategory), "category")
        if category is None:
            raise CatenaXError(f"battery {bid} has no category; Catena-X requires one")
        if category == "stationary":
            self.warnings.append("$.identification.category: 'stationary' has no Catena-X "
                                 "category; exported as 'industrial'")
        chemistry = vocab_name(self.one(DBP.chemistry), "chemistry")
        made = self.one(DBP.manufacturingDate)
        made_date = made.toPython() if isinstance(made, Literal) else None
        made_date = made_date if isinstance(made_date, date) else None

        identification = {
            "category": CATEGORY_OUT[category],
            "idDmc": self.literal(SCHEMA.productID) or bid,
            "chemistry": CHEMISTRY_OUT.get(chemistry or "") or self.placeholder(
                "$.identification.chemistry", PLACEHOLDER_TEXT, "chemistry"),
            "identification": {
                "type": {
                    "manufacturerPartId": self.text_or_placeholder(
                        "$.identification.identification.type.manufacturerPartId",
                        self.literal(DBP.partNumber), "part number"),
                    "nameAtManufacturer": self.text_or_placeholder(
                        "$.identification.identification.type.nameAtManufacturer",
                        self.literal(DBP.model), "model name"),
                },
                "codes": [],
                "dataCarrier": {
                    "carrierType": self.placeholder(
                        "$.identification.identification.dataCarrier.carrierType",
                        PLACEHOLDER_TEXT, "data carrier type"),
                    "carrierLayout": self.placeholder(
                        "$.identification.identification.dataCarrier.carrierLayout",
                        PLACEHOLDER_TEXT, "data carrier layout"),
                },
                "classification": [],
            },
        }
        serial = self.literal(DBP.serialNumber)
        if serial:
            identification["identification"]["serial"] = [  # type: ignore[index]
                {"key": "partInstanceId", "value": serial}]

        place = self.literal(DBP.manufacturingPlace)
        facility = [{"facility": place}] if place and BPNA.fullmatch(place) else []
        if place and not facility:
            self.warnings.append(f"$.operation.manufacturer.facility: manufacturing place "
                                 f"{place!r} is not a BPNA; not exported")
        operation: dict[str, Any] = {"manufacturer": {
            "manufacturer": self.bpnl(self.one(DBP.manufacturer),
                                      "$.operation.manufacturer.manufacturer", "manufacturer"),
            "facility": facility,
        }}
        if made_date:
            operation["manufacturer"]["manufacturingDate"] = made_date.isoformat()
        service = self.one(DBP.putIntoServiceDate)
        if isinstance(service, Literal) and isinstance(service.toPython(), date):
            operation["intoServiceDate"] = service.toPython().isoformat()

        characteristics = {"warranty": self.warranty(made_date), "physicalDimension": {
            "weight": {"value": self.rated(MASS, "$.characteristics.physicalDimension.weight"
                                                 ".value", "mass"), "unit": "unit:kilogram"}}}

        document: dict[str, Any] = {
            "specVersion": SPEC_VERSION,
            "identification": identification,
            "operation": operation,
            "characteristics": characteristics,
            "sustainability": self.sustainability(),
            "materials": self.materials(),
            "performance": {"rated": self.rated_performance(), "dynamic": self.dynamic()},
            "conformity": {
                "declarationOfConformity": self.docs(DBP.declarationOfConformity,
                                                     "EU declaration of conformity"),
                "resultOfTestReport": self.docs(DBP.testReport, "Test report"),
                "thirdPartyAssurance": self.docs(DBP.thirdPartyAssurance,
                                                 "Third-party assurance"),
                "dueDiligencePolicy": self.docs(DBP.dueDiligenceReport, "Due diligence report"),
            },
            "safety": self.safety(),
            "metadata": self.metadata(),
            "commercial": {"purpose": []},
            "handling": self.handling(),
        }
        if self.placeholders:
            document["sources"] = [{
                "header": PLACEHOLDER_HEADER, "category": "Other", "type": "text/plain",
                "content": "These fields hold schema-valid placeholders, not data:\n"
                           + "\n".join(self.placeholders),
            }]
        return document

    def warranty(self, made: date | None) -> dict:
        end = self.one(DBP.warrantyEndDate)
        end_date = end.toPython() if isinstance(end, Literal) else None
        if made and isinstance(end_date, date) and end_date >= made:
            months = (end_date.year - made.year) * 12 + end_date.month - made.month
            if _add_months(made, months) == end_date:
                if months % 12 == 0:
                    return {"lifeValue": months // 12, "lifeUnit": "unit:year"}
                return {"lifeValue": months, "lifeUnit": "unit:month"}
            return {"lifeValue": (end_date - made).days, "lifeUnit": "unit:day"}
        return {"lifeValue": self.placeholder("$.characteristics.warranty.lifeValue", 0,
                                              "warranty period"), "lifeUnit": "unit:year"}

    def sustainability(self) -> dict:
        footprints = []
        cf = self.literal(DBP.carbonFootprintPerFunctionalUnit)
        if cf is not None:
            total = float(cf)
            study = self.docs(DBP.carbonFootprintStudy, "Carbon footprint study")
            place = self.literal(DBP.manufacturingPlace)
            plants = [{"facility": place}] if place and BPNA.fullmatch(place) else []
            entry: dict[str, Any] = {
                "value": _num(total), "unit": "kg CO2e/kWh", "type": "Climate Change Total",
                "lifecycle": "total life cycle", "rulebook": [], "manufacturingPlant": plants,
                "declaration": study,
            }
            performance = self.literal(DBP.carbonFootprintPerformanceClass)
            if performance:
                entry["performanceClass"] = performance
            footprints.append(entry)
            for _key, prop, _words, label in CF_STAGES:
                share = self.literal(prop)
                if share is not None:
                    footprints.append({
                        "value": _num(total * float(share) / 100), "unit": "kg CO2e/kWh",
                        "type": "Climate Change Total", "lifecycle": label, "rulebook": [],
                        "manufacturingPlant": plants, "declaration": []})
        absolute = self.literal(DBP.absoluteCarbonFootprint)
        if absolute is not None:
            footprints.append({"value": _num(float(absolute)), "unit": "t CO2e",
                               "type": "Climate Change Total", "lifecycle": "total life cycle",
                               "rulebook": [], "manufacturingPlant": [], "declaration": []})
        status = self.current_status()
        if status is None:
            status = self.placeholder("$.sustainability.status", "original", "battery status")
        return {
            "documents": {
                "separateCollection": self.docs(DBP.separateCollectionInfo,
                                                "Separate collection"),
                "wastePrevention": self.docs(DBP.wastePreventionInfo, "Waste prevention"),
            },
            "carbonFootprint": footprints,
            "status": status,
        }

    def current_status(self) -> str | None:
        """The latest service record's resulting status, else the status at issue."""
        latest: tuple[datetime, str] | None = None
        for record in self.graph.objects(self.battery, DBP.hasServiceRecord):
            status = vocab_name(self.graph.value(record, DBP.resultingStatus), "status")
            stamp = self.graph.value(record, DBP.completedAt)
            when = stamp.toPython() if isinstance(stamp, Literal) else None
            if status and isinstance(when, datetime):
                when = when if when.tzinfo else when.replace(tzinfo=UTC)
                if latest is None or when > latest[0]:
                    latest = (when, status)
        status = latest[1] if latest else vocab_name(self.one(DBP.batteryStatus), "status")
        return STATUS_OUT.get(status or "")

    def materials(self) -> dict:
        critical = set(self.graph.objects(self.battery, DBP.criticalRawMaterial))
        recycled = {}
        for element in ("Nickel", "Cobalt", "Lithium", "Lead"):
            pre = self.literal(DBP[f"preConsumerRecycled{element}Share"])
            post = self.literal(DBP[f"postConsumerRecycled{element}Share"])
            if pre is not None or post is not None:
                recycled[element.lower()] = min(100.0, float(pre or 0) + float(post or 0))

        def active(element: str) -> dict:
            path = f"$.materials.active.{element}"
            share = recycled.get(element)
            return {
                "location": self.placeholder(f"{path}.location", PLACEHOLDER_TEXT,
                                             f"location of {element}"),
                "recycled": _num(share) if share is not None else self.placeholder(
                    f"{path}.recycled", 0, f"recycled {element} share"),
                "documentation": [],
                "critical": SUBSTANCE.get(element, LEAD) in critical,
            }

        def hazardous(element: str) -> dict:
            path = f"$.materials.hazardous.{element}"
            return {"impactOfSubstances": [], "concentration": self.placeholder(
                f"{path}.concentration", 0, f"{element} concentration"),
                "location": self.placeholder(f"{path}.location", PLACEHOLDER_TEXT,
                                             f"location of {element}"),
                "materialUnit": "unit:percent", "critical": False, "documentation": []}

        lead = active("lead")
        lead.update({"impactOfSubstances": [], "materialUnit": "unit:percent",
                     "concentration": self.placeholder("$.materials.active.lead.concentration",
                                                       0, "lead concentration")})
        others = []
        for substance in sorted(critical - {SUBSTANCE["nickel"], SUBSTANCE["cobalt"],
                                            SUBSTANCE["lithium"], LEAD}, key=str):
            name, cas = SUBSTANCE_NAME.get(substance, (str(substance).rsplit("#", 1)[-1], None))
            path = f"$.materials.active.other[{len(others)}]"
            others.append({
                "location": self.placeholder(f"{path}.location", PLACEHOLDER_TEXT,
                                             f"location of {name}"),
                "recycled": self.placeholder(f"{path}.recycled", 0, f"recycled {name} share"),
                "documentation": [], "critical": True,
                "materialIdentification": [{"id": cas or name, "type": "CAS" if cas else
                                            "IUPAC", "name": name}],
            })
        hazard_other = []
        for text in self.all_literals(DBP.hazardousSubstance):
            cas_match = re.search(r"CAS\s*(?:no\.?\s*)?(\d{2,7}-\d{2}-\d)", text)
            path = f"$.materials.hazardous.other[{len(hazard_other)}]"
            concentration = re.search(r",\s*([0-9.]+)\s*%", text)
            location = re.search(r" in ([^,]+)$", text)
            hazard_other.append({
                "impactOfSubstances": [self.doc(t, "Impact of substances")
                                       for t in self.all_literals(DBP.substanceImpact)],
                "materialUnit": "unit:percent",
                "concentration": float(concentration.group(1)) if concentration else
                self.placeholder(f"{path}.concentration", 0, "concentration"),
                "materialIdentification": [{
                    "id": cas_match.group(1) if cas_match else self.placeholder(
                        f"{path}.materialIdentification[0].id", PLACEHOLDER_TEXT, "CAS number"),
                    "type": "CAS", "name": _without_cas(text.split(",")[0])}],
                "documentation": [], "critical": False,
                "location": location.group(1) if location else self.placeholder(
                    f"{path}.location", PLACEHOLDER_TEXT, "location"),
            })
        composition = []
        cam_classes = sorted({c for cam in self.graph.subjects(RDF.type,
                                                               DBP.CathodeActiveMaterialBatch)
                              for c in self.graph.objects(cam, RDF.type)
                              if c in SUBSTANCE_NAME}, key=str)
        for cls in cam_classes:
            name, cas = SUBSTANCE_NAME[cls]
            path = f"$.materials.composition[{len(composition)}]"
            composition.append({
                "id": [{"id": cas, "type": "CAS", "name": name}],
                "concentration": self.placeholder(f"{path}.concentration", 0,
                                                  "CAM concentration"),
                "unit": "unit:percent", "critical": cls in critical, "documentation": [],
                "recycled": self.placeholder(f"{path}.recycled", 0, "recycled share"),
                "location": "cathode",
                "renewable": self.placeholder(f"{path}.renewable", 0, "renewable share"),
            })
        result: dict[str, Any] = {
            "active": {"nickel": active("nickel"), "lithium": active("lithium"),
                       "cobalt": active("cobalt"), "lead": lead},
            "hazardous": {"cadmium": hazardous("cadmium"), "mercury": hazardous("mercury"),
                          "lead": {**hazardous("lead"), "recycled": _num(
                              recycled["lead"]) if "lead" in recycled else self.placeholder(
                              "$.materials.hazardous.lead.recycled", 0, "recycled lead share")}},
            "composition": composition,
        }
        if others:
            result["active"]["other"] = others
        if hazard_other:
            result["hazardous"]["other"] = hazard_other
        return result

    def rated_performance(self) -> dict:
        p = "$.performance.rated"
        nominal = self.rated(NOMINAL_VOLTAGE, f"{p}.voltage.nominal", "nominal voltage")
        rated: dict[str, Any] = {
            "voltage": {
                "min": self.rated(LOWER_VOLTAGE_LIMIT, f"{p}.voltage.min", "minimum voltage"),
                "max": self.rated(UPPER_VOLTAGE_LIMIT, f"{p}.voltage.max", "maximum voltage"),
                "nominal": nominal,
            },
            "roundTripEfficiency": {
                "depthOfDischarge": self.placeholder(f"{p}.roundTripEfficiency."
                                                     "depthOfDischarge", 0, "test DoD"),
                "initial": self.rated(ROUND_TRIP_EFFICIENCY, f"{p}.roundTripEfficiency.initial",
                                      "initial round-trip efficiency"),
                "50PercentLife": self.rated(DBP.RoundTripEfficiencyAtHalfCycleLife,
                                            f"{p}.roundTripEfficiency.50PercentLife",
                                            "round-trip efficiency at 50 % cycle life"),
            },
            "resistance": {
                "cell": self.placeholder(f"{p}.resistance.cell", 0, "cell resistance"),
                "pack": self.rated(DBP.InitialInternalResistance, f"{p}.resistance.pack",
                                   "pack resistance"),
            },
            "power": {
                "value": self.rated(MAXIMUM_POWER, f"{p}.power.value", "maximum power"),
                "at20SoC": self.placeholder(f"{p}.power.at20SoC", 0, "power at 20 % SoC"),
                "at80SoC": self.placeholder(f"{p}.power.at80SoC", 0, "power at 80 % SoC"),
            },
            "capacity": {
                "value": self.rated(RATED_CAPACITY, f"{p}.capacity.value", "rated capacity"),
                "thresholdExhaustion": self.rated(EOL_CAPACITY_THRESHOLD,
                                                  f"{p}.capacity.thresholdExhaustion",
                                                  "capacity threshold for exhaustion"),
            },
            "temperature": {
                "lower": self.rated(DBP.IdleTemperatureLowerBoundary, f"{p}.temperature.lower",
                                    "idle temperature lower boundary"),
                "upper": self.rated(DBP.IdleTemperatureUpperBoundary, f"{p}.temperature.upper",
                                    "idle temperature upper boundary"),
            },
            "selfDischargingRate": self.rated(DBP.InitialSelfDischargeRate,
                                              f"{p}.selfDischargingRate", "self-discharge rate"),
            "lifetime": self.lifetime(),
        }
        energy = self.quantity(self.battery, NOMINAL_ENERGY) or self.quantity(
            self.battery, DBP.CertifiedUsableEnergy)
        if energy is not None:
            rated["energy"] = {"value": _num(energy.value)}
        return rated

    def lifetime(self) -> dict:
        p = "$.performance.rated.lifetime"
        test = self.literal(DBP.cycleLifeReferenceTest) or ""

        def parsed(pattern: str, path: str, what: str) -> float:
            match = re.search(pattern, test)
            return float(match.group(1)) if match else self.placeholder(path, 0, what)

        years = self.quantity(self.battery, DBP.ExpectedLifetime)
        cycles = self.quantity(self.battery, CYCLE_LIFE)
        rate = self.quantity(self.battery, DBP.CycleLifeTestCRate)
        reports = re.findall(r"https?://\S+?(?=;|\s|$)", test)
        return {
            "expectedYears": round(years.value) if years else self.placeholder(
                f"{p}.expectedYears", 0, "expected lifetime"),
            "report": [self.doc(r, "Cycle-life test report") for r in reports]
            or ([self.doc(test, "Cycle-life reference test")] if test else []),
            "cycleLifeTesting": {
                "temperature": parsed(r"(-?[0-9.]+) degC", f"{p}.cycleLifeTesting.temperature",
                                      "cycle-life test temperature"),
                "cycles": round(cycles.value) if cycles else self.placeholder(
                    f"{p}.cycleLifeTesting.cycles", 0, "cycle life"),
                "depthOfDischarge": parsed(r"DoD ([0-9.]+) %",
                                           f"{p}.cycleLifeTesting.depthOfDischarge",
                                           "cycle-life test DoD"),
                "appliedChargeRate": parsed(r"charge rate ([0-9.]+) C",
                                            f"{p}.cycleLifeTesting.appliedChargeRate",
                                            "cycle-life test charge rate"),
                "appliedDischargeRate": _num(rate.value) if rate else parsed(
                    r"discharge rate ([0-9.]+) C", f"{p}.cycleLifeTesting.appliedDischargeRate",
                    "cycle-life test discharge rate"),
            },
        }

    def dynamic(self) -> dict:
        p = "$.performance.dynamic"
        sdr = self.latest(DBP.CurrentSelfDischargeRate)
        soce = self.latest(DBP.StateOfCertifiedEnergy)
        if soce is None:
            soh = self.latest(STATE_OF_HEALTH)
            if soh is not None:
                self.warnings.append(f"{p}.energy.soce: no state of certified energy; the "
                                     "latest state of health is exported instead")
                soce_record = {"value": _num(soh.value), "time": _stamp(soh.time)}
            else:
                soce_record = self.record(DBP.StateOfCertifiedEnergy, f"{p}.energy.soce",
                                          "state of certified energy")
        else:
            soce_record = {"value": _num(soce.value), "time": _stamp(soce.time)}
        dynamic: dict[str, Any] = {
            "stateOfCharge": self.record(STATE_OF_CHARGE, f"{p}.stateOfCharge",
                                         "state of charge"),
            "fullCycles": self.record(TOTAL_CYCLES, f"{p}.fullCycles", "full cycles",
                                      integer=True),
            "selfDischargingRate": _num(sdr.value) if sdr else self.placeholder(
                f"{p}.selfDischargingRate", 0, "current self-discharge rate"),
            "power": {
                "fade": self.record(DBP.PowerFade, f"{p}.power.fade", "power fade"),
                "remaining": self.record(DBP.RemainingPowerCapability, f"{p}.power.remaining",
                                         "remaining power"),
            },
            "capacity": {
                "fade": self.record(DBP.CapacityFadeRatio, f"{p}.capacity.fade",
                                    "capacity fade"),
                "throughput": self.record(DBP.CapacityThroughput, f"{p}.capacity.throughput",
                                          "capacity throughput"),
                "capacity": self.record(DBP.RemainingCapacity, f"{p}.capacity.capacity",
                                        "remaining capacity"),
            },
            "roundTripEfficiency": {
                "fade": self.record(DBP.RoundTripEfficiencyFade,
                                    f"{p}.roundTripEfficiency.fade", "round-trip efficiency "
                                                                     "fade"),
                "remaining": self.record(DBP.RemainingRoundTripEfficiency,
                                         f"{p}.roundTripEfficiency.remaining",
                                         "remaining round-trip efficiency"),
            },
            "resistance": {
                "increase": {
                    "pack": self.record(DBP.InternalResistanceIncrease,
                                        f"{p}.resistance.increase.pack", "resistance increase"),
                    "cell": self.record_placeholder(f"{p}.resistance.increase.cell",
                                                    "cell resistance increase"),
                },
                "remaining": {
                    "pack": self.record(DC_INTERNAL_RESISTANCE, f"{p}.resistance.remaining.pack",
                                        "pack internal resistance"),
                    "cell": self.record_placeholder(f"{p}.resistance.remaining.cell",
                                                    "cell internal resistance"),
                },
            },
            "energy": {
                "soce": soce_record,
                "remaining": self.record(DBP.RemainingUsableEnergy, f"{p}.energy.remaining",
                                         "remaining energy"),
            },
        }
        throughput = self.latest(DBP.EnergyThroughput)
        if throughput is not None:
            dynamic["energy"]["throughput"] = {"value": _num(throughput.value),
                                               "time": _stamp(throughput.time)}
        events = []
        for event in sorted(self.graph.objects(self.battery, DBP.hasNegativeEvent), key=str):
            etype = vocab_name(self.graph.value(event, DBP.eventType), "event") or "unknown"
            severity = vocab_name(self.graph.value(event, DBP.severity), "severity") or "unknown"
            stamp = self.graph.value(event, DBP.occurredAt)
            when = stamp.toPython() if isinstance(stamp, Literal) else None
            header = f"{etype} | {severity} | {_stamp(when) if isinstance(when, datetime) else ''}"
            description = self.literal(DBP.description, event) or header
            events.append({"contentType": "text/plain", "header": header[:100],
                           "content": description})
        if events:
            dynamic["negativeEvents"] = events
        return dynamic

    def record_placeholder(self, path: str, what: str) -> dict:
        self.placeholder(f"{path}.value", 0, what)
        self.placeholders.append(f"{path}.time")
        return {"value": 0, "time": PLACEHOLDER_TIME}

    def safety(self) -> dict:
        agents = [{"media": re.sub(r"\s*\(fire class[^)]*\)\s*$", "", text) or text,
                   "fireClass": _fire_class(text)}
                  for text in self.all_literals(DBP.extinguishingAgent)]
        for index, agent in enumerate(agents):
            if agent["fireClass"] is None:
                agent["fireClass"] = self.placeholder(
                    f"$.safety.usableExtinguishAgent[{index}].fireClass", PLACEHOLDER_TEXT,
                    "fire class")
        return {
            "usableExtinguishAgent": agents,
            "safetyMeasures": self.docs(DBP.safetyMeasures, "Safety measures"),
            "meaningOfLabels": [self.doc(t, LABELS_HEADER)
                                for t in self.all_literals(DBP.labelMeaning)],
            "dismantling": self.docs(DBP.dismantlingManual, "Dismantling manual"),
        }

    def metadata(self) -> dict:
        pid = self.literal(DBP.passportIdentifier)
        if not pid or not UUID_ID.fullmatch(pid):
            generated = f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, str(self.battery))}"
            self.warnings.append(
                "$.metadata.passportIdentifier: "
                + (f"{pid!r} is not a UUID; " if pid else "no passport identifier; ")
                + f"exported as {generated}, derived from the battery IRI")
            pid = generated
        operator = self.one(DBP.operator)
        return {
            "version": self.placeholder("$.metadata.version", "1.0", "passport version"),
            "expirationDate": self.placeholder("$.metadata.expirationDate", "9999-12-31",
                                               "expiration date"),
            "issueDate": self.placeholder("$.metadata.issueDate", PLACEHOLDER_DATE,
                                          "issue date"),
            "economicOperatorId": self.bpnl(operator, "$.metadata.economicOperatorId",
                                            "economic operator"),
            "passportIdentifier": pid,
            "predecessor": self.placeholder("$.metadata.predecessor", NIL_UUID,
                                            "predecessor passport"),
            "backupReference": self.placeholder("$.metadata.backupReference", PLACEHOLDER_TEXT,
                                                "backup reference"),
        }

    def handling(self) -> dict:
        sources = self.all_literals(DBP.sparePartSource)
        producers = sorted({m for s in sources for m in re.findall(r"BPNL[a-zA-Z0-9]{12}", s)})
        parts: dict[tuple[str, str], None] = {}
        for text in sources:
            listed = re.match(r"spare parts from BPNL[a-zA-Z0-9]{12}: (.+)$", text)
            for item in listed.group(1).split(", ") if listed else []:
                part = re.fullmatch(r"(.+?) \((.+)\)", item)
                pid, name = (part.group(1), part.group(2)) if part else (item, item)
                parts[(pid, name)] = None
        return {"applicable": bool(sources), "content": {
            "producer": [{"id": p} for p in producers],
            "sparePart": [{"manufacturerPartId": pid, "nameAtManufacturer": name}
                          for pid, name in parts]}}


def _num(x: float) -> float | int:
    x = round(float(x), 6)
    return int(x) if x.is_integer() and abs(x) < 1e15 else x


def _stamp(when: datetime | None) -> str:
    if when is None:
        return PLACEHOLDER_TIME
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    text = when.isoformat()
    return text.replace("+00:00", "Z")


def _without_cas(name: str) -> str:
    return re.sub(r"\s*\(?CAS\s*(?:no\.?\s*)?[0-9-]+\)?", "", name).strip() or name.strip()


def _fire_class(text: str) -> str | None:
    match = re.search(r"fire class(?:es)?\s+([A-F](?:\s*(?:,|/|and)\s*[A-F])*)", text)
    return match.group(1) if match else None


# -- public API ----------------------------------------------------------------------------------
class CatenaXImporter:
    """Catena-X battery passport 6.1.0 JSON <-> our passport graph."""

    format = "catenax"

    def decode(self, body: bytes) -> dict:
        document = decode_json(body, CatenaXError)
        if not isinstance(document, dict):
            raise CatenaXError("a Catena-X battery passport is a JSON object, not "
                               f"{_kind(document)}", path="$")
        return document

    def to_graph(self, document: dict, minter: IriMinter, *,
                 battery_id: str | None = None) -> tuple[Graph, list[str]]:
        importer = _Importer(document, minter, battery_id)
        importer.run()
        return importer.graph, importer.warnings

    def from_graph(self, graph: Graph, battery_iri: URIRef | str,
                   warnings: list[str] | None = None) -> dict:
        """The passport of ``battery_iri`` as a Catena-X 6.1.0 document. Placeholders and
        lossy conversions are appended to ``warnings`` (when given)."""
        exporter = _Exporter(graph, URIRef(str(battery_iri)))
        document = exporter.build()
        if warnings is not None:
            warnings.extend(exporter.warnings)
        return document


__all__ = [
    "PLACEHOLDER_HEADER",
    "SPEC_VERSION",
    "CatenaXError",
    "CatenaXImporter",
    "DocumentError",
    "catenax_schema_path",
    "chemistry_notation",
    "decode_json",
    "passport_models_dir",
    "sanitize_identifier",
]
