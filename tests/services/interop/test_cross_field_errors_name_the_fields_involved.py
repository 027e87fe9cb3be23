"""Partner-document probe: a rule over several fields (shapes/crossfield.ttl: voltage order,
service date before manufacture, declared and listed module counts) was answered at `$`: a
partner whose Catena-X minimum voltage 380 V was above its nominal 355.2 V got "Minimum voltage
380 V is above the nominal voltage 355.2 V" at the document's root, with no field to highlight.

Now such a violation is answered at each field the constraint read (the terms its own SPARQL
query names, found on the violation's node: facts and quantities), each naming the others; in
every format, and nothing is written.
"""

from __future__ import annotations

import json

import pytest

from graph_service.container import Services
from graph_service.services.interop import DocumentRejected
from tests.services.interop.partner_corpus import battery_pass_set, catenax_document, register
from tests.services.interop.support import register_partners, services_reading
from tests.services.interop.test_battinfo_importer import (
    ADMIN,
    pack,
    quantity,
    register_organisation,
)

RATED = "$.performance.rated.voltage"
TECHNICAL = "$.PerformanceAndDurability.batteryTechicalProperties"


@pytest.fixture(scope="module")
def services() -> Services:
    services = services_reading()
    register(services)
    register_organisation(services, "rheinvolt", "Rheinvolt Energy GmbH")
    return services


def shacl_problems(services: Services, document: dict, fmt: str) -> list[tuple[str, str]]:
    before = services.store.count()
    with pytest.raises(DocumentRejected) as caught:
        services.imports.import_document(json.dumps(document).encode(), fmt, ADMIN)
    assert services.store.count() == before
    return [(p.path, p.message) for p in caught.value.problems if p.kind == "shacl"]


def test_catenax_voltage_order_is_answered_at_both_voltages(services: Services) -> None:
    document = catenax_document("CX-CROSS-FIELD-VOLTAGE")
    register_partners(services, document)
    document["performance"]["rated"]["voltage"] = {"min": 380.0, "max": 403.2, "nominal": 355.2}
    problems = dict(shacl_problems(services, document, "catenax"))
    assert set(problems) == {f"{RATED}.nominal", f"{RATED}.min"}
    assert "Minimum voltage 380 V" in problems[f"{RATED}.min"]
    assert f"(with {RATED}.nominal)" in problems[f"{RATED}.min"]
    assert f"(with {RATED}.min)" in problems[f"{RATED}.nominal"]


def test_catenax_service_before_manufacture_is_answered_at_both_dates(services: Services,
                                                                       ) -> None:
    document = catenax_document("CX-CROSS-FIELD-DATES")
    register_partners(services, document)
    made = document["operation"]["manufacturer"]["manufacturingDate"]
    document["operation"]["intoServiceDate"] = "2020-01-01"
    assert made > "2020-01-01"
    problems = dict(shacl_problems(services, document, "catenax"))
    assert set(problems) == {"$.operation.intoServiceDate",
                             "$.operation.manufacturer.manufacturingDate"}
    assert "before it was manufactured" in problems["$.operation.intoServiceDate"]


def test_battery_pass_voltage_order_is_answered_at_both_voltages(services: Services) -> None:
    if not (services.settings.passport_models / "batterypass").exists():
        pytest.skip("the Battery Pass aspect models are not installed")
    document = battery_pass_set("BP-CROSS-FIELD-VOLTAGE")
    document["PerformanceAndDurability"]["batteryTechicalProperties"]["minimumVoltage"] = 800.0
    problems = dict(shacl_problems(services, document, "batterypass"))
    assert set(problems) == {f"{TECHNICAL}.nominalVoltage", f"{TECHNICAL}.minimumVoltage"}
    assert "Minimum voltage 800 V is above the nominal voltage 768 V" \
        in problems[f"{TECHNICAL}.minimumVoltage"]


def test_battinfo_voltage_order_is_answered_at_both_quantities(services: Services) -> None:
    document = pack()
    document["schema:serialNumber"] = "BI-CROSS-FIELD-VOLTAGE"
    document["hasProperty"].append(quantity("LowerVoltageLimit", 450.0, "emmo:Volt"))
    problems = dict(shacl_problems(services, document, "battinfo"))
    assert set(problems) == {"$.hasProperty[0]", "$.hasProperty[2]"}
    assert "(with $.hasProperty[0])" in problems["$.hasProperty[2]"]


def test_battinfo_module_count_is_answered_at_the_count_and_the_list(services: Services) -> None:
    document = pack()
    document["schema:serialNumber"] = "BI-CROSS-FIELD-MODULES"
    document["dbp:moduleCount"] = 3
    document["hasConstituent"] = [{"@type": "BatteryModule", "dbp:cellDesign": {
        "@id": "https://example.org/designs/cell-a"}, "dbp:cellCount": 12}]
    problems = [(path, message) for path, message in shacl_problems(services, document,
                                                                    "battinfo")
                if "module count" in message]
    assert [path for path, _ in problems] == ["$['dbp:moduleCount']", "$.hasConstituent"]
