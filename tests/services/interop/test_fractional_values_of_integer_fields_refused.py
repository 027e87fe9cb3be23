"""Partner-document probe: fractional values for integer fields were accepted. A Battery Pass
expectedNumberOfCycles 3000.5 (xsd:long in the aspect model) and expectedLifetime 12.7
(xsd:short) were stored without a word: the published JSON schemas write integer data types as
"number" (with the type's bounds). The same held for Catena-X expectedYears and
cycleLifeTesting.cycles (xsd:integer).

A number with a fraction where the aspect model's data type is an integer is refused with its
JSON path, like other values out of range; nothing is written. 3000.0 is the integer 3000.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph_service.container import Services
from graph_service.services.interop.errors import DocumentRejected
from tests.services.interop.conftest import ADMIN, DATA, body_of
from tests.services.interop.support import register_partners

BATTERYPASS = Path(__file__).resolve().parents[2] / "data" / "batterypass"


def _refused(services: Services, body: bytes, format: str) -> dict[str, str]:
    before = services.store.count()
    with pytest.raises(DocumentRejected) as refused:
        services.imports.import_document(body, format, ADMIN)
    assert services.store.count() == before
    return {p.path: p.message for p in refused.value.problems}


@pytest.mark.parametrize("name, version", [("ev-lfp-city-bus.json", "1.2.1"),
                                           ("ev-nca-performance-1.2.0.json", "1.2.0")])
def test_batterypass_fraction_in_integer_field_is_refused(services: Services, name: str,
                                                          version: str) -> None:
    if not (services.settings.passport_models / "batterypass").exists():
        pytest.skip("the Battery Pass aspect models are not installed")
    document = json.loads((BATTERYPASS / name).read_bytes())
    (key,) = [k for k in document if "Performance" in k]
    properties = document[key]["batteryTechicalProperties"]
    properties["expectedNumberOfCycles"] = 3000.5
    properties["expectedLifetime"] = 12.7
    problems = _refused(services, json.dumps(document).encode(), "batterypass")
    base = f"$.{key}.batteryTechicalProperties" if key.isidentifier() else \
        f"$['{key}'].batteryTechicalProperties"
    assert "xsd:long" in problems[f"{base}.expectedNumberOfCycles"]
    assert "xsd:short" in problems[f"{base}.expectedLifetime"]


def test_batterypass_integral_number_is_an_integer(services: Services) -> None:
    if not (services.settings.passport_models / "batterypass").exists():
        pytest.skip("the Battery Pass aspect models are not installed")
    document = json.loads((BATTERYPASS / "ev-lfp-city-bus.json").read_bytes())
    document["PerformanceAndDurability"]["batteryTechicalProperties"][
        "expectedNumberOfCycles"] = 3000.0
    result = services.imports.import_document(json.dumps(document).encode(), "batterypass",
                                              ADMIN)
    assert result.ingest.committed


def test_catenax_fraction_in_integer_field_is_refused(services: Services) -> None:
    document = json.loads((DATA / "complete.json").read_text(encoding="utf-8"))
    lifetime = document["performance"]["rated"]["lifetime"]
    lifetime["expectedYears"] = 12.7
    lifetime["cycleLifeTesting"]["cycles"] = 3000.5
    register_partners(services, document)
    problems = _refused(services, body_of(document), "catenax")
    assert "xsd:integer" in problems["$.performance.rated.lifetime.expectedYears"]
    assert "xsd:integer" in problems["$.performance.rated.lifetime.cycleLifeTesting.cycles"]
