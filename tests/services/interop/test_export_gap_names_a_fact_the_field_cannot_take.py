"""Partner-document probe: a Catena-X passport of a portable battery (category "portable") was
exported as Battery Pass with the gap batteryCategory "the passport has no fact for it", while
the passport held dbp:batteryCategory portable - a category the Battery Pass model does not
have (it takes lmt, ev, industrial, stationary: the batteries that need a passport).

Now every field whose codec holds a fact it cannot write there says so in its gap (the codec's
``held``): a concept the target enumeration has no value for names the concept and the values
the model takes; a quantity in a unit that does not convert to the field's names the value,
its unit and the field's unit. "No fact" is left for fields whose fact the passport lacks.
"""

from __future__ import annotations

import json

import pytest
from rdflib import Graph
from rdflib.namespace import RDF

from graph_service.container import Services
from graph_service.model.namespaces import DBP
from graph_service.model.terms import HAS_MEASUREMENT_UNIT, NOMINAL_VOLTAGE
from tests.services.interop.conftest import ADMIN
from tests.services.interop.partner_corpus import catenax_document
from tests.services.interop.support import register_partners

GENERAL = "urn:samm:io.BatteryPass.GeneralProductInformation:1.2.0#GeneralProductInformation"
PERFORMANCE = "urn:samm:io.BatteryPass.Performance:1.2.1#PerformanceAndDurability"


def _battery_pass(services: Services) -> None:
    if not (services.settings.passport_models / "batterypass").exists():
        pytest.skip("the Battery Pass aspect models are not installed")


def test_a_portable_category_is_named_in_the_battery_pass_gap(services: Services) -> None:
    _battery_pass(services)
    document = catenax_document("CX-PORTABLE-CATEGORY")
    document["identification"]["category"] = "portable"
    register_partners(services, document)
    result = services.imports.import_document(json.dumps(document).encode(), "catenax", ADMIN)
    exported = services.imports.export_document(result.battery_id, "batterypass",
                                                allow_incomplete=True)
    [gap] = [g for g in exported.gaps if g.path == f"$['{GENERAL}'].batteryCategory"]
    assert "no fact" not in gap.reason
    assert "dbp:batteryCategory portable" in gap.reason
    assert '"lmt", "ev", "industrial", "stationary"' in gap.reason
    assert "batteryCategory" not in exported.document[GENERAL]
    # the Catena-X document still says portable
    back = services.imports.export_document(result.battery_id, "catenax",
                                            allow_incomplete=True).document
    assert back["identification"]["category"] == "portable"


def test_a_quantity_in_a_unit_that_does_not_convert_is_named_in_the_gap(
        services: Services) -> None:
    _battery_pass(services)
    document = catenax_document("CX-VOLTAGE-UNIT-HELD")
    register_partners(services, document)
    result = services.imports.import_document(json.dumps(document).encode(), "catenax", ADMIN)
    stored = services.imports.stored_graph(result.battery_id)

    def odd_unit(battery_id: str) -> Graph:
        # the stored passport as a reader may see it, with its nominal voltage in a unit of
        # another dimension (%/month): no conversion to volts exists
        graph = Graph()
        graph += stored
        for q in list(graph.subjects(RDF.type, NOMINAL_VOLTAGE)):
            graph.set((q, HAS_MEASUREMENT_UNIT, DBP.PercentPerMonth))
        return graph

    exported = services.imports.export_document(result.battery_id, "batterypass",
                                                graph_reader=odd_unit, allow_incomplete=True)
    [gap] = [g for g in exported.gaps
             if g.path == f"$['{PERFORMANCE}'].batteryTechicalProperties.nominalVoltage"]
    assert "the passport holds 355.2 dbp:PercentPerMonth" in gap.reason
    assert "does not convert" in gap.reason and "Volt" in gap.reason
    assert "nominalVoltage" not in exported.document[PERFORMANCE]["batteryTechicalProperties"]
