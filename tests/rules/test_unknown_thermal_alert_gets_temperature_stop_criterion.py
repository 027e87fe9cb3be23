"""Design probe 4, left alone then: a thermal-risk alert left *unknown* got no temperature watch.

Rule 50 leaves the alert unknown when a fact that decides a trigger is not reported (the latest
maximum temperature, the state of charge, the minutes above the temperature boundary, the
chemistry of a pack with stranded energy). A raised alert got the temperature stop criterion and
the thermal camera (finding 1 of the same probe), an unknown one nothing: the pack whose
temperature nobody reported was handled as if it were known to be cool. Taking the safe side,
rule 45 now also gives ``cond:thermal-risk-not-ruled-out`` where such a fact is missing, and
``stop:temperature`` applies under it.
"""

from __future__ import annotations

from rdflib import Graph
from rdflib.namespace import RDF

from graph_service.model.namespaces import EMMO
from tests.rules import ADMIN, design_graph, design_path, new_services, submit
from tests.rules.test_raised_thermal_alert_gets_temperature_stop_criterion import (
    QUIET,
    _assert_watched,
)

NO_TEMPERATURE = "ev-350v-nmc-weak-module"
TEMPERATURE = EMMO["EMMO_66bc9029_f473_45ff_bab9_c3509ff37a22"]


def test_pack_without_a_reported_temperature_is_watched() -> None:
    services = new_services(load_reference_ontologies=False)
    battery_id = submit(services, design_path(NO_TEMPERATURE).read_bytes())
    procedure = services.procedures.procedure(battery_id, ADMIN)
    assert procedure.thermalRisk and procedure.thermalRisk.level.id == "unknown"
    _assert_watched(services, battery_id, "thermal-risk-not-ruled-out")


def test_quiet_pack_loses_its_watch_only_with_every_deciding_fact() -> None:
    """The class, not the example: the fully reported quiet pack has no watch (the companion
    test); the same pack without its temperature readings is watched."""
    graph: Graph = design_graph(QUIET)
    readings = [q for q in graph.subjects(RDF.type, TEMPERATURE)]
    assert readings, "the quiet design reports a temperature"
    for reading in readings:
        for triple in list(graph.triples((None, None, reading))):
            graph.remove(triple)
        for triple in list(graph.triples((reading, None, None))):
            graph.remove(triple)
    services = new_services(load_reference_ontologies=False)
    battery_id = submit(services, graph)
    procedure = services.procedures.procedure(battery_id, ADMIN)
    assert procedure.thermalRisk and procedure.thermalRisk.level.id == "unknown"
    _assert_watched(services, battery_id, "thermal-risk-not-ruled-out")

