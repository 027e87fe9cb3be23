"""Partner-document probe: a Catena-X weight in a unit the schema allows but the service does
not convert (unit:pound, unit:ounceAvoirdupois, unit:tonUsOrShortTonUkorus) was kept in the
document's terms without a word: the battery had no Mass, procedures saw an unknown mass, and a
Battery Pass export said batteryMass "the passport has no fact for it" while the import had
reported nothing.

Now the import warns at the weight's path that the value is kept as received and not stored as
the battery's Mass, naming the units it is stored from; nothing is converted with a factor the
service does not hold, and the Catena-X document still comes back as sent.
"""

from __future__ import annotations

import pytest

from graph_service.container import Services
from graph_service.model.terms import MASS
from tests.services.interop.conftest import ADMIN, body_of
from tests.services.interop.partner_corpus import catenax_document
from tests.services.interop.support import register_partners

WEIGHT = "$.characteristics.physicalDimension.weight.value"


@pytest.mark.parametrize(("unit", "value"), [("unit:pound", 1128.77),
                                             ("unit:ounceAvoirdupois", 18060.0),
                                             ("unit:tonUsOrShortTonUkorus", 0.5644)])
def test_a_weight_in_an_unconverted_unit_is_warned_and_comes_back(services: Services, unit: str,
                                                                  value: float) -> None:
    document = catenax_document("CX-WEIGHT-" + unit.removeprefix("unit:").upper())
    document["characteristics"]["physicalDimension"]["weight"] = {"value": value, "unit": unit}
    register_partners(services, document)
    result = services.imports.import_document(body_of(document), "catenax", ADMIN)
    assert result.ingest.committed
    warned = {w.path: w.message for w in result.warnings}
    assert f'"{unit}"' in warned[WEIGHT] and "kept as received" in warned[WEIGHT]
    assert '"unit:kilogram"' in warned[WEIGHT]
    stored = services.imports.stored_graph(result.battery_id)
    assert not any(stored.subjects(predicate=None, object=MASS))
    exported = services.imports.export_document(result.battery_id, "catenax").document
    assert exported["characteristics"]["physicalDimension"]["weight"] == {"value": value,
                                                                          "unit": unit}


def test_a_weight_in_kilograms_is_the_batterys_mass_without_a_warning(services: Services) -> None:
    document = catenax_document("CX-WEIGHT-KG")
    document["characteristics"]["physicalDimension"]["weight"] = {"value": 512.0,
                                                                  "unit": "unit:kilogram"}
    register_partners(services, document)
    result = services.imports.import_document(body_of(document), "catenax", ADMIN)
    assert WEIGHT not in {w.path for w in result.warnings}
    stored = services.imports.stored_graph(result.battery_id)
    assert any(stored.subjects(predicate=None, object=MASS))
