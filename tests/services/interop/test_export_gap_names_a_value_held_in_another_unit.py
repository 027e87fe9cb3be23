"""Partner-document probe: a Catena-X passport whose weight is 1128.77 unit:pound (a unit the
schema allows and the service does not convert, kept as received with a warning) was exported
as Battery Pass with the gap batteryMass "the schema requires this value; the passport has no
fact for it" - while the passport held the weight, in pounds.

Now the gap names the value held and its unit, why it is not written (batteryMass is in kg,
converted only from g, kg and t), and that a Mass in those units would fill it; nothing is
converted with a factor the service does not hold. A guard checks the class: every quantity a
format keeps as received when its unit is not converted (a Quantity with a unit key) has, in
every other format exporting that quantity, a held row naming the value and its unit.
"""

from __future__ import annotations

import json

import pytest

from graph_service.container import Services
from graph_service.services.interop import codecs
from graph_service.services.interop.batterypass import tables as bp_tables
from graph_service.services.interop.catenax import tables as cx_tables
from tests.services.interop.conftest import ADMIN
from tests.services.interop.partner_corpus import catenax_document
from tests.services.interop.support import register_partners

GENERAL = "urn:samm:io.BatteryPass.GeneralProductInformation:1.2.0#GeneralProductInformation"
MASS_GAP = f"$['{GENERAL}'].batteryMass"


@pytest.mark.parametrize(("unit", "value"), [("unit:pound", 1128.77),
                                             ("unit:ounceAvoirdupois", 18060.0),
                                             ("unit:tonUsOrShortTonUkorus", 0.5644)])
def test_battery_pass_gap_names_the_weight_held_in_its_unit(services: Services, unit: str,
                                                            value: float) -> None:
    if not (services.settings.passport_models / "batterypass").exists():
        pytest.skip("the Battery Pass aspect models are not installed")
    document = catenax_document("CX-HELD-WEIGHT-" + unit.removeprefix("unit:").upper())
    document["characteristics"]["physicalDimension"]["weight"] = {"value": value, "unit": unit}
    register_partners(services, document)
    result = services.imports.import_document(json.dumps(document).encode(), "catenax", ADMIN)
    exported = services.imports.export_document(result.battery_id, "batterypass",
                                                allow_incomplete=True)
    [gap] = [g for g in exported.gaps if g.path == MASS_GAP]
    assert "no fact" not in gap.reason
    assert f"{value} {unit}, as received" in gap.reason
    assert "batteryMass in kg" in gap.reason and "it is not written" in gap.reason
    assert "Mass" in gap.provided_by
    assert "batteryMass" not in exported.document[GENERAL]


def test_a_weight_in_a_converted_unit_is_written_without_a_gap(services: Services) -> None:
    if not (services.settings.passport_models / "batterypass").exists():
        pytest.skip("the Battery Pass aspect models are not installed")
    document = catenax_document("CX-HELD-WEIGHT-GRAM")
    document["characteristics"]["physicalDimension"]["weight"] = {"value": 512000.0,
                                                                  "unit": "unit:gram"}
    register_partners(services, document)
    result = services.imports.import_document(json.dumps(document).encode(), "catenax", ADMIN)
    exported = services.imports.export_document(result.battery_id, "batterypass",
                                                allow_incomplete=True)
    assert MASS_GAP not in {g.path for g in exported.gaps}
    assert exported.document[GENERAL]["batteryMass"] == 512.0


def test_every_quantity_kept_in_an_unconverted_unit_has_a_held_row_elsewhere() -> None:
    kept = {codec.cls for codec in cx_tables.FIELDS.values()
            if isinstance(codec, codecs.Quantity) and codec.unit_key}
    assert kept, "the Catena-X weight keeps a value in an unconverted unit"
    for (aspect, _version), fields in bp_tables.FIELDS.items():
        for pattern, codec in fields.items():
            if isinstance(codec, codecs.Quantity) and codec.cls in kept:
                row = bp_tables.HELD[aspect].get(pattern)
                assert row is not None and row.kept and row.kept_unit is not None, (
                    f"{aspect} {pattern}: a {codec.cls} Catena-X keeps as received in an "
                    "unconverted unit needs a held row naming the value and its unit")
