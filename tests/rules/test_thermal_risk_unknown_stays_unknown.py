"""Unseen-design probe: a pack with no chemistry, no state of charge and no damage data got the
thermal-risk level "none" ("no thermal-risk trigger holds"): a missing fact read as the absence
of a trigger.

The level is "none" now only when the facts that decide the triggers of rule 43 are known (the
damage state, the state of charge, the chemistry where stranded energy could make it count, the
latest maximum temperature, the minutes above the temperature boundary); otherwise it is
"unknown", its rationale names the missing facts, and an unknown per missing fact (dbp:inspect,
dbp:decidingFact) affects the alert and reaches the procedure.
"""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef

from graph_service.container import Services
from graph_service.model.namespaces import DBP
from tests.rules import ADMIN, Outcome, design_graph, new_services, submit

DESIGN = "nmc-400v-service-disconnect"  # alert "none" with every deciding fact reported
TEMPERATURE = URIRef("https://w3id.org/emmo#EMMO_66bc9029_f473_45ff_bab9_c3509ff37a22")


@pytest.fixture(scope="module")
def services() -> Services:
    return new_services(load_reference_ontologies=False)


def _bare() -> Graph:
    """The corpus pack without dbp:chemistry, usage records or events. Its cathode material
    still states its type (camType nmc811): the chemistry is known that way (rule 12), so it is
    not among the missing facts (test_stranded_energy_trigger_sees_chemistry_however_stated.py)."""
    graph = design_graph(DESIGN)
    battery = next(graph.subjects(DBP.batteryId, None))
    graph.remove((battery, DBP.chemistry, None))
    for record in list(graph.objects(battery, DBP.hasUsageRecord)):
        graph.remove((battery, DBP.hasUsageRecord, record))
    graph.remove((battery, DBP.hasNegativeEvent, None))
    return graph


def _alert_unknowns(outcome: Outcome) -> dict[str, tuple[str, str]]:
    alert = outcome.alert()
    return {str(u).rsplit("/thermal-risk-", 1)[-1]: (str(outcome.value(u, DBP.inspect)),
                                         str(outcome.value(u, DBP.decidingFact)))
            for u in outcome.nodes(DBP.hasUnknown) if (u, DBP.affects, alert) in outcome.derived}


def test_a_bare_pack_has_an_unknown_thermal_risk_not_none(services: Services) -> None:
    battery_id = submit(services, _bare())
    outcome = Outcome(services, battery_id)
    assert outcome.alert_level() == "unknown"
    why = outcome.rationale(outcome.alert())
    assert why.startswith("unknown: ") and "no thermal-risk trigger holds" in why
    for fact in ("damage state", "state of charge", "latest maximum temperature"):
        assert fact in why, fact
    assert "chemistry" not in why
    unknowns = _alert_unknowns(outcome)
    assert set(unknowns) == {"damage", "state-of-charge", "temperature", "extreme-temperature"}
    assert unknowns["temperature"][1] == str(TEMPERATURE)
    procedure = services.procedures.procedure(battery_id, ADMIN)
    assert procedure.thermalRisk and procedure.thermalRisk.level
    assert procedure.thermalRisk.level.id == "unknown"
    listed = {u.iri for u in procedure.unknowns}
    assert {f"{outcome.battery}/derived/unknown/thermal-risk-{key}" for key in unknowns} <= listed


def test_a_missing_temperature_alone_leaves_the_level_unknown(services: Services) -> None:
    graph = design_graph(DESIGN)
    for quantity in list(graph.subjects(None, TEMPERATURE)):
        graph.remove((None, None, quantity))
    outcome = Outcome(services, submit(services, graph))
    assert outcome.alert_level() == "unknown"
    assert set(_alert_unknowns(outcome)) == {"temperature"}


def test_every_deciding_fact_known_and_no_trigger_is_none(services: Services) -> None:
    outcome = Outcome(services, submit(services, design_graph(DESIGN)))
    assert outcome.alert_level() == "none"
    assert outcome.rationale(outcome.alert()) == "no thermal-risk trigger holds"
    assert not _alert_unknowns(outcome)
