"""Property-based round trips: documents generated from the official Catena-X 6.1.0 JSON schema
import, export to the same document modulo the documented normalisations (docs/interop.md),
and a second round trip changes nothing.

Documents are drawn by ``schema_documents`` (tests/services/interop/support.py), a Hypothesis
strategy read off the schema (types, required and optional members, enumerations, patterns,
bounds, lists); every drawn document is first checked against the official schema with
jsonschema. (hypothesis-jsonschema needs minutes per example on this schema.)

The generation schema is the official one, narrowed only where our documented checks would
refuse a document anyway (calendar dates, timestamps not in the future, the plausibility ranges
of shapes/quantities.ttl, a category our scheme knows, an idDmc usable as an identifier): a
refused document has no round trip to check. Those refusals have their own tests."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph_service.container import Services
from graph_service.services.interop.catenax import normalise, tables
from graph_service.services.interop.diff import diff
from tests.services.interop.conftest import ADMIN, body_of
from tests.services.interop.support import as_new_battery, register_partners, schema_documents

# Plausibility ranges (shapes/quantities.ttl) of the fields carried by EMMO quantities, in the
# document's units.
RANGES = {
    "rated.capacity.value": (1, 1000), "rated.capacity.thresholdExhaustion": (50, 90),
    "rated.energy.value": (0.1, 500), "rated.roundTripEfficiency.initial": (50, 99),
    "rated.roundTripEfficiency.50PercentLife": (50, 99), "rated.resistance.pack": (0.001, 1),
    "rated.power.value": (100, 500000), "rated.selfDischargingRate": (0, 10),
    "rated.lifetime.expectedYears": (1, 30), "rated.lifetime.cycleLifeTesting.cycles": (1, 9000),
    "rated.lifetime.cycleLifeTesting.appliedDischargeRate": (0.1, 5),
}
# xsd:integer in the aspect model (the schema says "number"): a fraction is refused.
INTEGERS = {"rated.lifetime.expectedYears", "rated.lifetime.cycleLifeTesting.cycles"}
TIMES = ["2024-01-01T00:00:00Z", "2024-06-30T12:30:45.125+02:00", "2023-12-07T10:39:13.576+01:00",
         "2025-03-01T06:00:00-05:00"]


def narrowed(schema: dict[str, Any]) -> dict[str, Any]:
    s = copy.deepcopy(schema)
    c = s["components"]["schemas"]
    c["DateTrait"] = {**c["DateTrait"], "enum": ["2019-05-10", "2021-02-28", "2024-02-29"]}
    c["Timestamp"] = {**c["Timestamp"], "enum": TIMES}
    c["CategoryEnumeration"]["enum"] = ["SLI", "LMT", "EV", "industrial", "portable"]
    # specVersion is optional in 6.1.0; when given it names this version
    s["properties"]["specVersion"] = {"type": "string",
                                      "enum": ["urn:io.catenax.battery.battery_pass:6.1.0"]}
    # our passports need a manufacturing date (shapes/passport.ttl, Annex VI Part A(4))
    c["ManufacturerCharacteristic"]["required"] = [
        *c["ManufacturerCharacteristic"]["required"], "manufacturingDate"]
    return s


def _node(document: dict[str, Any], dotted: str) -> dict[str, Any] | None:
    node: Any = document
    for key in dotted.split("."):
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node if isinstance(node, dict) else None


def _clamp(node: dict[str, Any] | None, key: str, low: float, high: float,
           integer: bool = False) -> None:
    if node is not None and isinstance(node.get(key), int | float):
        value = round(low + abs(node[key]) % (high - low), 3)
        node[key] = int(value) if integer else value


DYNAMIC = {"stateOfCharge": (0, 100), "fullCycles": (0, 5000),
           "roundTripEfficiency.fade": (1, 99), "roundTripEfficiency.remaining": (1, 99),
           "capacity.fade": (0, 50), "capacity.capacity": (1, 900),
           "capacity.throughput": (0, 100000), "power.fade": (0, 50),
           "power.remaining": (0, 400000), "energy.soce": (1, 100),
           "energy.remaining": (0, 400), "energy.throughput": (0, 100000),
           "resistance.increase.pack": (0, 200), "resistance.remaining.pack": (0.001, 1)}


def repair(document: dict[str, Any]) -> dict[str, Any]:
    """What our shapes demand across fields: voltages ordered, values in their ranges, dates in
    order (a document refused for these has no round trip; their refusal has its own tests)."""
    voltage = _node(document, "performance.rated.voltage")
    if voltage is not None:
        voltage.update(min=2.5, nominal=3.7, max=4.2)
    for dotted, (low, high) in RANGES.items():
        parent, _, last = f"performance.{dotted}".rpartition(".")
        _clamp(_node(document, parent), last, low, high, integer=dotted in INTEGERS)
    temperature = _node(document, "performance.rated.temperature")
    if temperature is not None:
        temperature.update(lower=-20.0, upper=55.0)
    warranty = _node(document, "characteristics.warranty")
    if warranty is not None and isinstance(warranty.get("lifeValue"), int | float):
        # xsd:integer of the referenced generic digital product passport model
        warranty["lifeValue"] = int(abs(warranty["lifeValue"]) % 1000)
    weight = _node(document, "characteristics.physicalDimension.weight")
    if weight is not None and weight.get("unit") in ("unit:gram", "unit:kilogram"):
        _clamp(weight, "value", 1, 400)
    if weight is not None and weight.get("unit") == "unit:tonneMetricTon":
        _clamp(weight, "value", 0.1, 90)  # the Mass shape's limit is 100 t
    for dotted, (low, high) in DYNAMIC.items():
        _clamp(_node(document, f"performance.dynamic.{dotted}"), "value", low, high,
               integer=dotted == "fullCycles")
    operation = _node(document, "operation") or {}
    manufacturer = _node(document, "operation.manufacturer") or {}
    if "manufacturingDate" in manufacturer and "intoServiceDate" in operation:
        manufacturer["manufacturingDate"], operation["intoServiceDate"] = sorted(
            [manufacturer["manufacturingDate"], operation["intoServiceDate"]])
    metadata = _node(document, "metadata") or {}
    if "issueDate" in metadata and "expirationDate" in metadata:
        metadata["issueDate"], metadata["expirationDate"] = sorted(
            [metadata["issueDate"], metadata["expirationDate"]])
    return document


@pytest.fixture(scope="module")
def generation_schema(services: Services) -> dict[str, Any]:
    path = services.settings.passport_models.joinpath(*tables.schema_file("6.1.0"))
    return narrowed(json.loads(path.read_text(encoding="utf-8")))


def test_generated_documents_round_trip(services: Services, generation_schema: dict[str, Any],
                                        schema_validator: Any) -> None:
    strategy = schema_documents(generation_schema)
    seen: list[str] = []

    @settings(max_examples=25, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                     HealthCheck.function_scoped_fixture])
    @given(document=strategy, serial=st.integers(min_value=0, max_value=10**6))
    def round_trip(document: dict[str, Any], serial: int) -> None:
        assert list(schema_validator.iter_errors(document)) == []
        document = repair(document)
        as_new_battery(document, f"GEN-{serial}-{len(seen)}")
        seen.append(document["identification"]["idDmc"])
        register_partners(services, document)
        result = services.imports.import_document(body_of(document), "catenax", ADMIN)
        exported = services.imports.export_document(result.battery_id, "catenax").document
        # Documented: a document without specVersion comes back stating the version read.
        stated = exported if "specVersion" in document else {
            k: v for k, v in exported.items() if k != "specVersion"}
        assert exported["specVersion"] == "urn:io.catenax.battery.battery_pass:6.1.0"
        first = diff(document, stated, normalise)
        assert first.identical, first.details()
        services.imports.import_document(body_of(exported), "catenax", ADMIN)
        again = services.imports.export_document(result.battery_id, "catenax").document
        assert again == exported

    round_trip()
    assert len(seen) >= 10
