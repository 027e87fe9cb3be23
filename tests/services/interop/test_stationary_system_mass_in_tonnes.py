"""Partner-document finding: a stationary container battery's mass was refused or lost.

Catena-X gives ``characteristics.physicalDimension.weight`` with a unit of its own enum, which
includes ``unit:tonneMetricTon``. A 12.5 t container's weight was kept only as received (no
EMMO Mass: the Battery Pass export's ``batteryMass`` was a gap), and the Mass shape refused
anything above 5 000 kg although NominalEnergy allows a 10 000 kWh system - which weighs tens of
tonnes. Tonnes are now converted (1 t = 1 000 kg by definition; emmo:Tonne) and the mass limit is
100 000 kg.
"""

from __future__ import annotations

import json

from rdflib import XSD, Literal

from graph_service.container import Services
from graph_service.model.namespaces import EMMO
from graph_service.model.terms import HAS_MEASUREMENT_UNIT, HAS_NUMBER_VALUE, HAS_NUMERICAL_PART
from tests.services.interop.conftest import ADMIN
from tests.services.interop.partner_corpus import catenax_document
from tests.services.interop.support import register_partners

MASS = EMMO["EMMO_ed4af7ae_63a2_497e_bb88_2309619ea405"]


def test_a_container_weight_in_tonnes_is_stored_in_kg_and_written_back_in_tonnes(
        services: Services) -> None:
    document = catenax_document("NZ-CONTAINER-T1")
    document["characteristics"]["physicalDimension"]["weight"] = {
        "value": 12.5, "unit": "unit:tonneMetricTon"}
    register_partners(services, document)
    result = services.imports.import_document(json.dumps(document).encode(), "catenax", ADMIN)
    assert result.ingest.committed
    graph = services.imports.stored_graph(result.battery_id)
    (mass,) = graph.subjects(None, MASS)
    assert graph.value(mass, HAS_MEASUREMENT_UNIT) == EMMO.Kilogram
    value = graph.value(graph.value(mass, HAS_NUMERICAL_PART), HAS_NUMBER_VALUE)
    assert float(value) == 12500.0
    # Written back in the unit the partner sent, and in kg where the model fixes kg.
    catenax = services.imports.export_document(result.battery_id, "catenax",
                                               allow_incomplete=True).document
    assert catenax["characteristics"]["physicalDimension"]["weight"] == {
        "value": 12.5, "unit": "unit:tonneMetricTon"}
    batterypass = services.imports.export_document(result.battery_id, "batterypass",
                                                   allow_incomplete=True).document
    (general,) = [v for k, v in batterypass.items() if k.endswith("GeneralProductInformation")]
    assert general["batteryMass"] == 12500.0


def test_a_passport_stating_a_container_mass_in_tonnes_conforms_and_beyond_the_limit_not(
        services: Services) -> None:
    document = catenax_document("NZ-CONTAINER-T2")
    register_partners(services, document)
    result = services.imports.import_document(json.dumps(document).encode(), "catenax", ADMIN)
    graph = services.imports.stored_graph(result.battery_id)
    (mass,) = graph.subjects(None, MASS)
    number = graph.value(mass, HAS_NUMERICAL_PART)
    graph.set((mass, HAS_MEASUREMENT_UNIT, EMMO.Tonne))
    graph.set((number, HAS_NUMBER_VALUE, Literal("38.0", datatype=XSD.decimal)))
    assert services.validator.validate(graph).conforms  # a 38 t container
    graph.set((number, HAS_NUMBER_VALUE, Literal("250.0", datatype=XSD.decimal)))
    report = services.validator.validate(graph)
    assert not report.conforms
    assert any("100000 kg" in (v.message or "") for v in report.errors)
