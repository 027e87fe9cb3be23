"""Unseen-design probe: a deep-discharged pack (no test since) whose latest state of charge was
high got "Deep-discharged: do not charge or discharge the battery" in its isolation steps and,
later in the same procedure, "Discharge the battery with a resistive discharge unit".

The sources decide it: the hazard of a deep-discharged cell is charging it again (dissolved
copper shorts it, Guo et al. 2016); discharging into the over-discharge region harms cells that
are to be kept (DIN DKE SPEC 99100 6.7.8.2). Stranded energy above the storage limit is
discharged before handling and treatment (Harper et al. 2019; SAE J2990). So such a battery is
never charged, and its stranded energy is removed by the discharge step: the deep-discharge step
says so (``iso:deep-discharge-no-charge-stranded``) instead of forbidding the discharge, while a
deep-discharged battery with a low or unknown state of charge is still neither charged nor
discharged.
"""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from graph_service.container import Services
from graph_service.model.namespaces import DBP
from graph_service.model.terms import HAS_NUMBER_VALUE, HAS_NUMERICAL_PART
from tests.rules import ADMIN, design_graph, local, new_services, submit

DESIGN = "deep-discharge-repair"  # HV pack, deep discharges, no test since
DISCHARGE = {"discharge-storage", "discharge-recycling"}


@pytest.fixture(scope="module")
def services() -> Services:
    return new_services(load_reference_ontologies=False)


def _with_soc(percent: float) -> Graph:
    graph = design_graph(DESIGN)
    battery = next(graph.subjects(DBP.batteryId, None))
    number = graph.value(URIRef(f"{battery}/usage/2/q/soc"), HAS_NUMERICAL_PART)
    graph.set((number, HAS_NUMBER_VALUE, Literal(str(percent), datatype=XSD.decimal)))
    return graph


def _procedures(services: Services, battery_id: str) -> dict[str, list[tuple[str, str]]]:
    default = services.procedures.procedure(battery_id, ADMIN)
    return {key: [(local(s.template), s.instruction or "") for s in
                  services.procedures.procedure(battery_id, ADMIN, key).isolationSteps
                  if s.template]
            for key in default.availablePathways}


def test_a_deep_discharged_pack_at_high_soc_is_discharged_never_told_not_to(
        services: Services) -> None:
    procedures = _procedures(services, submit(services, _with_soc(85.0)))
    assert procedures
    for key, steps in procedures.items():
        used = [template for template, _ in steps]
        text = " ".join(instruction for _, instruction in steps)
        assert "deep-discharge-no-charge-stranded" in used, key
        assert "deep-discharge-no-charge" not in used, key
        assert DISCHARGE & set(used), key
        assert "do not charge or discharge" not in text, key
        # on a second-life pathway the test hold point comes before the discharge
        if "deep-discharge-test" in used:
            assert used.index("deep-discharge-test") < min(
                used.index(d) for d in DISCHARGE & set(used)), key


def test_a_deep_discharged_pack_at_low_soc_is_neither_charged_nor_discharged(
        services: Services) -> None:
    procedures = _procedures(services, submit(services, _with_soc(12.0)))
    for key, steps in procedures.items():
        used = {template for template, _ in steps}
        assert "deep-discharge-no-charge" in used and not DISCHARGE & used, key
