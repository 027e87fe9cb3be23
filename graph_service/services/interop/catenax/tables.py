"""Catena-X battery pass: the mapping as data, and what of it is code.

* ``FIELDS`` / ``ACCESS``: read from ``mapping.toml`` beside this module (the JSON fields carried
  by EMMO / BattINFO / dbp terms, the access group and lifecycle stage of each part of the
  document; what each means: there) by ``interop/mapping.py``. Fields marked "kept" in
  ``docs/interop.md`` are stored with their SAMM term *and* interpreted (``derive.py``).
* the readers of the ``Fallback`` fields and the business-partner-number pattern the mapping
  names (code, not data).
* ``DATES`` / ``DATE_ORDER``: semantic checks the JSON schema cannot express.
"""

from __future__ import annotations

import re

from graph_service.model.namespaces import DBP
from graph_service.model.terms import vocab_name
from graph_service.services.interop import mapping
from graph_service.services.interop.codecs import ExportContext
from graph_service.services.interop.structure import MISSING

FORMAT = "catenax"
ASPECT = "io.catenax.battery.battery_pass"
SPEC_VERSION_PREFIX = f"urn:{ASPECT}:"
SUPPORTED_VERSIONS = ("6.1.0",)
LATEST = "6.1.0"
# Versions we recognise and refuse (no official schema in the model folder, or no mapping).
KNOWN_VERSIONS = ("2.0.0", "3.0.0", "3.0.1", "4.0.0", "5.0.0", "6.0.0", "6.1.0")


def schema_file(version: str) -> tuple[str, ...]:
    """Path of a version's generated JSON schema inside the passport-model folder (the layout
    of eclipse-tractusx/sldt-semantic-models)."""
    return ("catenax", ASPECT, version, "gen", "BatteryPass-schema.json")


BPNL = re.compile(r"^BPNL[a-zA-Z0-9]{12}$")
BPNA = re.compile(r"^BPNA[a-zA-Z0-9]{12}$")


def _battery_id(ctx: ExportContext) -> object:
    value = ctx.graph.value(ctx.battery, DBP.batteryId)
    return str(value) if value is not None else MISSING


def _chemistry(ctx: ExportContext) -> object:
    from graph_service.services.interop.catenax.derive import CHEMISTRY_LABELS

    name = vocab_name(ctx.graph.value(ctx.battery, DBP.chemistry), "chemistry")
    return CHEMISTRY_LABELS.get(name, MISSING) if name else MISSING


def _spec_version(ctx: ExportContext) -> object:
    return f"{SPEC_VERSION_PREFIX}{ctx.schema.version}"


# Text leaves that must be real calendar dates (the schema's pattern accepts 2024-13-45).
DATES = ("$.operation.manufacturer.manufacturingDate", "$.operation.intoServiceDate",
         "$.metadata.issueDate", "$.metadata.expirationDate", "$.metadata.lastModification",
         "$.commercial.placedOnMarket")
# (earlier, later): both given -> the first may not be after the second. (Manufacturing and
# putting into service are dbp dates: shapes/crossfield.ttl checks their order.)
DATE_ORDER = (("$.metadata.issueDate", "$.metadata.expirationDate"),)

_MAPPING = mapping.read_mapping(__name__)
FIELDS = mapping.fields(_MAPPING["field"], names={
    "BPNL": BPNL, "spec_version": _spec_version, "battery_id": _battery_id,
    "chemistry": _chemistry})
ACCESS = mapping.access(_MAPPING["access"])
# Required parts whose stored fact this model cannot take ([[held]]): the gap says why.
HELD = mapping.held(_MAPPING.get("held", []))
