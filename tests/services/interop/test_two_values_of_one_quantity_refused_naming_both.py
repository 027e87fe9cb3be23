"""Partner-document probe: a BattINFO document stating two NominalVoltage values for one battery
(400 V and 350 V) was imported; the Catena-X and Battery Pass exports then wrote 400 V and the
350 V was gone without a word (the exporters read the first quantity of a class).

Now two values of one quantity of one owner that disagree are refused, each at its own JSON
path, naming the other; nothing is written. The same value stated twice in two units is no
conflict. This holds for every quantity the shapes give a unit to, and for every owner (a module
of the pack as well as the battery).
"""

from __future__ import annotations

import json

import pytest

from graph_service.container import Services
from graph_service.services.interop import DocumentRejected, PassportNotFound
from tests.services.interop.test_battinfo_importer import (
    ADMIN,
    pack,
    quantity,
    register_organisation,
    services,  # noqa: F401 (fixture)
)


@pytest.fixture(scope="module")
def registered(services: Services) -> Services:  # noqa: F811
    register_organisation(services, "rheinvolt", "Rheinvolt Energy GmbH")
    return services


def refused(services: Services, document: dict) -> dict[str, str]:  # noqa: F811
    body = json.dumps(document).encode()
    with pytest.raises(DocumentRejected) as caught:
        services.imports.import_document(body, "battinfo", ADMIN)
    return {p.path: p.message for p in caught.value.problems if p.kind == "semantic"}


def test_two_nominal_voltages_of_the_battery_are_refused_naming_both(
        registered: Services) -> None:
    document = pack()
    document["schema:serialNumber"] = "BI-PACK-TWO-VOLTAGES"
    document["hasProperty"].append(quantity("NominalVoltage", 350.0, "emmo:Volt"))
    problems = refused(registered, document)
    first, second = problems["$.hasProperty[0]"], problems["$.hasProperty[2]"]
    assert "NominalVoltage 400 Volt" in first and "350 Volt at $.hasProperty[2]" in first
    assert "NominalVoltage 350 Volt" in second and "400 Volt at $.hasProperty[0]" in second
    assert "the battery has one NominalVoltage" in first
    with pytest.raises(PassportNotFound):
        registered.imports.export_document("BI-PACK-TWO-VOLTAGES", "catenax",
                                           allow_incomplete=True)


@pytest.mark.parametrize(("kind", "a", "b"), [
    ("Mass", (350.0, "emmo:Kilogram"), (0.36, "emmo:Tonne")),
    ("RatedCapacity", (180.0, "emmo:AmpereHour"), (175000, "emmo:MilliAmpereHour")),
    ("NominalEnergy", (72.0, "emmo:KiloWatthour"), (70000, "emmo:Watthour")),
])
def test_any_quantity_stated_twice_with_different_values_is_refused(
        registered: Services, kind: str, a: tuple, b: tuple) -> None:
    document = pack()
    document["schema:serialNumber"] = f"BI-PACK-TWO-{kind.upper()}"
    document["hasProperty"] = [quantity("NominalVoltage", 400.0, "emmo:Volt"),
                               quantity(kind, *a), quantity(kind, *b)]
    problems = refused(registered, document)
    assert set(problems) == {"$.hasProperty[1]", "$.hasProperty[2]"}
    assert f"{kind} " in problems["$.hasProperty[1]"]


def test_a_modules_two_values_are_refused_at_the_module(registered: Services) -> None:
    document = pack()
    document["schema:serialNumber"] = "BI-PACK-MODULE-TWO-MASSES"
    document["hasConstituent"] = [{
        "@type": "BatteryModule",
        "hasProperty": [quantity("Mass", 30.0, "emmo:Kilogram"),
                        quantity("Mass", 31.5, "emmo:Kilogram")]}]
    problems = refused(registered, document)
    assert set(problems) == {"$.hasConstituent[0].hasProperty[0]",
                             "$.hasConstituent[0].hasProperty[1]"}
    assert "$.hasConstituent[0] has one Mass" in problems["$.hasConstituent[0].hasProperty[0]"]


def test_the_same_value_in_two_units_is_no_conflict(registered: Services) -> None:
    document = pack()
    document["schema:serialNumber"] = "BI-PACK-VOLTAGE-IN-MV-TOO"
    document["hasProperty"].append(quantity("NominalVoltage", 400000, "emmo:MilliVolt"))
    result = registered.imports.import_document(json.dumps(document).encode(), "battinfo",
                                                ADMIN)
    assert result.ingest.committed
    exported = registered.imports.export_document(result.battery_id, "catenax",
                                                  allow_incomplete=True).document
    assert exported["performance"]["rated"]["voltage"]["nominal"] == 400.0
