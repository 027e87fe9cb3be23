"""Partner-document finding: ``initialSelfDischarge`` in percent per month was stored as percent.

The Battery Pass model gives ``batteryTechicalProperties.initialSelfDischarge`` in
``unit:percentPerMonth`` (DIN DKE SPEC 99100 6.7.4.6) and Catena-X describes
``performance.rated.selfDischargingRate`` as "recorded in percentage for every month"; the
quantity was written with ``emmo:Percent``, which loses the period. It is now stored in
``dbp:PercentPerMonth`` (EMMO has no such unit), which shapes/quantities.ttl requires of every
self-discharge rate, and written back in both formats as per month.
"""

from __future__ import annotations

import json

import pytest
from rdflib import URIRef

from graph_service.container import Services
from graph_service.model.namespaces import DBP, EMMO
from graph_service.model.terms import HAS_MEASUREMENT_UNIT, HAS_NUMBER_VALUE, HAS_NUMERICAL_PART
from tests.services.interop.conftest import ADMIN
from tests.services.interop.partner_corpus import battery_pass_set, register


def _self_discharge(services: Services, bid: str) -> tuple[str, URIRef]:
    graph = services.imports.stored_graph(bid)
    (q,) = graph.subjects(None, DBP.InitialSelfDischargeRate)
    value = graph.value(graph.value(q, HAS_NUMERICAL_PART), HAS_NUMBER_VALUE)
    return str(value), graph.value(q, HAS_MEASUREMENT_UNIT)


def test_initial_self_discharge_is_stored_per_month(services: Services) -> None:
    if not (services.settings.passport_models / "batterypass").exists():
        pytest.skip("the Battery Pass aspect models are not installed")
    register(services)
    document = battery_pass_set("NZ-SELF-DISCHARGE-1")
    result = services.imports.import_document(json.dumps(document).encode(), "batterypass",
                                              ADMIN)
    assert result.ingest.committed
    assert _self_discharge(services, result.battery_id) == ("1.5", DBP.PercentPerMonth)
    exported = services.imports.export_document(result.battery_id, "batterypass").document
    (performance,) = [v for k, v in exported.items() if k.endswith("#PerformanceAndDurability")]
    assert performance["batteryTechicalProperties"]["initialSelfDischarge"] == 1.5
    # Catena-X states the same rate per month: written back as the same number.
    catenax = services.imports.export_document(result.battery_id, "catenax",
                                               allow_incomplete=True).document
    assert catenax["performance"]["rated"]["selfDischargingRate"] == 1.5


def test_a_self_discharge_rate_in_plain_percent_is_refused(services: Services) -> None:
    """A stored self-discharge rate in percent (of what time?) does not conform."""
    register(services)
    document = battery_pass_set("NZ-SELF-DISCHARGE-2")
    result = services.imports.import_document(json.dumps(document).encode(), "batterypass",
                                              ADMIN)
    graph = services.imports.stored_graph(result.battery_id)
    assert services.validator.validate(graph).conforms
    (q,) = graph.subjects(None, DBP.InitialSelfDischargeRate)
    graph.set((q, HAS_MEASUREMENT_UNIT, EMMO.Percent))
    report = services.validator.validate(graph)
    assert not report.conforms
    assert any("per month" in (v.message or "") for v in report.errors)
