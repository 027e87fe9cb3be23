"""Property-based round trips: payloads generated from each Battery Pass aspect's JSON schema
(1.2.0 as published; PerformanceAndDurability 1.2.1 as made from its aspect model) import,
export to the same payload modulo the documented normalisations (docs/interop.md), and a second
round trip changes nothing.

Payloads are drawn by ``schema_documents`` (tests/services/interop/support.py, a Hypothesis
strategy read off the schema) and checked against the schema with jsonschema first.
hypothesis-jsonschema 0.23.1, the library for this, does not run on the Hypothesis we use
(it calls ``cu.many(...).more()``, which Hypothesis 6.1xx removed). The schema is narrowed only
where our documented checks would refuse a payload anyway (timestamps in the past and in order,
the plausibility ranges of shapes/quantities.ttl and of the dbp shares): a refused payload has
no round trip. Every aspect joins a passport whose GeneralProductInformation is stored, as a
partner sends them."""

from __future__ import annotations

import copy
import datetime
import json
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from graph_service.container import Services
from graph_service.services.interop.batterypass import normalise, tables
from graph_service.services.interop.diff import diff
from tests.services.interop.conftest import ADMIN
from tests.services.interop.support import schema_documents
from tests.services.interop.test_batterypass_documents import (  # noqa: F401  (fixture)
    DATA,
    by_aspect,
    services,
)

TIMES = ["2024-01-01T00:00:00Z", "2024-06-30T12:30:45.125+02:00", "2023-12-07T10:39:13+01:00",
         "2025-03-01T06:00:00-05:00"]
# field name -> (low, high): where shapes/*.ttl would refuse a value outside
RANGES = {
    "batteryMass": (0.5, 4000), "ratedMaximumPower": (1, 4000), "ratedEnergy": (0.1, 900),
    "expectedNumberOfCycles": (1, 9000), "initialSelfDischarge": (0, 10),
    "roundtripEfficiency": (50, 99), "ratedCapacity": (1, 900), "expectedLifetime": (1, 30),
    "nominalVoltage": (3.7, 3.7), "minimumVoltage": (2.5, 2.5), "maximumVoltage": (4.2, 4.2),
    "capacityThresholdForExhaustion": (50, 90), "cRateLifeCycleTest": (0.1, 5),
    "roundTripEfficiencyat50PerCentCycleLife": (50, 99), "minimum": (-20, -20),
    "maximum": (55, 55), "stateOfChargeValue": (0, 100), "numberOfFullCyclesValue": (0, 5000),
    "stateOfCertifiedEnergyValue": (1, 100), "capacityThroughputValue": (0, 100000),
    "capacityFadeValue": (0, 50), "remainingRoundTripEnergyEfficiencyValue": (1, 99),
    "remainingEnergyValue": (0, 400), "remainingEnergyalue": (0, 400),
    "energyThroughputValue": (0, 100000), "batteryCarbonFootprint": (0, 999),
    "renewableContent": (0, 100), "absoluteCarbonFootprint": (0, 10**6),
    "preConsumerShare": (0, 100), "postConsumerShare": (0, 100),  # dbp recycled shares
}
INTEGERS = {"expectedNumberOfCycles", "numberOfFullCyclesValue", "expectedLifetime"}
BASE = "PROP-BASE-0001"


def narrowed(schema: dict[str, Any]) -> dict[str, Any]:
    s = copy.deepcopy(schema)
    for component in s.get("components", {}).get("schemas", {}).values():
        for bound in ("minimum", "maximum"):  # xsd:long bounds are no floats Hypothesis draws
            if abs(component.get(bound, 0)) >= 2**53:
                component.pop(bound)
        pattern = component.get("pattern", "")
        if "T(([01][0-9]|2[0-3])" in pattern or component.get("format") == "date-time":
            component.pop("pattern", None)  # a timestamp: real instants in the past
            component["enum"] = TIMES
    return s


def repair(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: repair(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [repair(v, key) for v in value]
    if key in RANGES and isinstance(value, int | float) and not isinstance(value, bool):
        low, high = RANGES[key]
        fixed = low if high == low else round(low + abs(value) % (high - low), 3)
        return int(fixed) if key in INTEGERS else fixed
    return value


def order_dates(general: dict[str, Any]) -> None:
    if "manufacturingDate" in general and "puttingIntoService" in general:
        general["manufacturingDate"], general["puttingIntoService"] = sorted(
            [general["manufacturingDate"], general["puttingIntoService"]],
            key=datetime.datetime.fromisoformat)


@pytest.fixture(scope="module")
def base_battery(services: Services) -> str:  # noqa: F811
    document = json.loads((DATA / "ev-nmc811-pack.json").read_bytes())
    services.imports.import_document(
        json.dumps({"GeneralProductInformation": document["GeneralProductInformation"]}).encode(),
        "batterypass", ADMIN, battery_id=BASE)
    return BASE


CASES = [(a.name, v) for a in tables.ASPECTS.values() for v in a.versions]


@pytest.mark.parametrize(("name", "version"), CASES)
def test_generated_payloads_round_trip(name: str, version: str, services: Services,  # noqa: F811
                                       base_battery: str) -> None:
    import jsonschema

    aspect = tables.ASPECTS[name]
    fmt = services.imports.registry.importer("batterypass")
    schema = fmt.importer.schema(aspect, version).schema
    validator = jsonschema.Draft4Validator(schema)
    strategy = schema_documents(narrowed(schema))
    urn = aspect.urn(version)
    seen: list[int] = []

    # No shrinking: a payload shrinks through hundreds of imports (minutes); the failing
    # payload is printed as drawn. BP_EXAMPLES raises the number of examples for a longer run.
    @settings(max_examples=int(os.environ.get("BP_EXAMPLES", "12")), deadline=None,
              database=None, phases=[Phase.explicit, Phase.generate],
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                     HealthCheck.function_scoped_fixture])
    @given(payload=strategy)
    def round_trip(payload: dict[str, Any]) -> None:
        payload = repair(payload)
        if name == "GeneralProductInformation":
            order_dates(payload)
            payload["manufacturerInformation"]["identifier"] = "PROP-MAKER"
            # each generated battery its own passport identifier (another's is refused)
            payload["batteryPassportIdentifier"] = f"urn:propgen:n{len(seen)}"
            if "operatorInformation" in payload:  # registered organisations only
                payload["operatorInformation"]["identifier"] = "PROP-OPERATOR"
        assert list(validator.iter_errors(payload)) == []
        seen.append(1)
        battery = base_battery if name != "GeneralProductInformation" else f"PROP-G-{len(seen)}"
        services.imports.import_document(json.dumps({urn: payload}).encode(), "batterypass",
                                         ADMIN, battery_id=battery)
        graph = services.imports.stored_graph(battery)
        exported = fmt.exporter.export(graph, services.minter.battery(battery),
                                       services.minter, battery, aspects=[name])
        first = diff(payload, exported.document[urn], normalise)
        assert first.identical, first.details()
        services.imports.import_document(json.dumps(exported.document).encode(), "batterypass",
                                         ADMIN, battery_id=battery)
        again = fmt.exporter.export(services.imports.stored_graph(battery),
                                    services.minter.battery(battery), services.minter,
                                    battery, aspects=[name])
        assert again.document == exported.document

    round_trip()
    assert len(seen) >= 5
