"""Design probe 4, finding 1: a raised thermal-risk alert carried no temperature stop criterion.

A 48 V mild-hybrid NMC pouch pack (corpus design ``mhev-48v-nmc-pouch-hot``), not damaged, last
reported a maximum of 71.5 degC above its 60 degC maximum operating temperature: its thermal-risk
alert was *high*, yet the procedure had no temperature stop criterion and no thermal camera - the
stop criterion applied only to damaged, critical or not assessed batteries, so an alert raised by
temperature, by time above the temperature boundary or by stranded energy in a high-propensity
chemistry left the operator without a temperature watch. And where the criterion did apply (a
damaged, not critical battery) it told the operator to watch "on the thermal camera" while the
tool list named no thermal camera (it came only with the quarantine and SP 376 inspection steps).

Now rule 45 gives ``cond:thermal-risk-raised`` to every battery with a thermal-risk trigger,
``stop:temperature`` applies under it as well as under damage (one criterion naming every
condition that holds), and a stop criterion's tool - the thermal camera - is in the tool list of
every procedure it belongs to.
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef

from graph_service.container import Services
from graph_service.model.answers import Procedure
from graph_service.model.namespaces import EMMO
from graph_service.model.terms import HAS_NUMBER_VALUE
from tests.rules import ADMIN, design_graph, design_path, new_services, submit

HOT = "mhev-48v-nmc-pouch-hot"
DAMAGED = "ev-400v-nmc622-flooded"
QUIET = "lfp-48v-no-disconnect"


def _procedures(services: Services, battery_id: str) -> list[Procedure]:
    procedures = services.procedures
    keys = procedures.procedure(battery_id, ADMIN).availablePathways
    return [procedures.procedure(battery_id, ADMIN, key) for key in keys]


def _temperature_stop(procedure: Procedure):
    return [s for s in procedure.stopCriteria if (s.template or "").endswith("/stop/temperature")]


def _assert_watched(services: Services, battery_id: str, because: str) -> None:
    for procedure in _procedures(services, battery_id):
        (stop,) = _temperature_stop(procedure)
        assert because in (stop.rationale or ""), (battery_id, stop.rationale)
        assert "thermal camera" in (stop.instruction or "")
        tools = {t.tool.id for t in procedure.tools if t.tool}
        assert "thermal-camera" in tools, (battery_id, procedure.pathway, tools)


def test_hot_undamaged_pack_gets_the_temperature_stop_and_thermal_camera() -> None:
    services = new_services(load_reference_ontologies=False)
    battery_id = submit(services, design_path(HOT).read_bytes())
    procedure = services.procedures.procedure(battery_id, ADMIN)
    assert procedure.thermalRisk and procedure.thermalRisk.level.id == "high"
    assert procedure.damage and procedure.damage.state.id == "normal"
    _assert_watched(services, battery_id, "thermal-risk-raised")
    (stop,) = _temperature_stop(procedure)
    assert "60 degC (passport maximum operating temperature)" in (stop.instruction or "")


def test_stranded_energy_in_nmc_alone_raises_the_alert_and_the_watch() -> None:
    """The class, not the example: the same pack cool (35 degC) but charged to 90 %: the alert is
    elevated by stranded energy in a high-propensity chemistry, and the watch applies too."""
    graph: Graph = design_graph(HOT)
    base = f"http://127.0.0.1:8000/id/battery/{HOT}/usage/1/q/"
    for name, value in (("t", 35.0), ("soc", 90.0)):
        (number,) = graph.objects(URIRef(base + name),
                                  EMMO["EMMO_8ef3cd6d_ae58_4a8d_9fc0_ad8f49015cd0"])
        graph.set((number, HAS_NUMBER_VALUE, Literal(value)))
    services = new_services(load_reference_ontologies=False)
    battery_id = submit(services, graph)
    procedure = services.procedures.procedure(battery_id, ADMIN)
    assert procedure.thermalRisk and procedure.thermalRisk.level.id == "elevated"
    _assert_watched(services, battery_id, "thermal-risk-raised")


def test_damaged_pack_lists_the_thermal_camera_its_stop_criterion_uses() -> None:
    services = new_services(load_reference_ontologies=False)
    battery_id = submit(services, design_path(DAMAGED).read_bytes())
    _assert_watched(services, battery_id, "damaged-or-worse")
    # one criterion naming both conditions, not two
    for procedure in _procedures(services, battery_id):
        assert len(_temperature_stop(procedure)) == 1


def test_battery_without_a_thermal_trigger_gets_no_temperature_stop() -> None:
    services = new_services(load_reference_ontologies=False)
    battery_id = submit(services, design_path(QUIET).read_bytes())
    for procedure in _procedures(services, battery_id):
        assert not _temperature_stop(procedure)
        assert "thermal-camera" not in {t.tool.id for t in procedure.tools if t.tool}
