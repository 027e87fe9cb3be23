"""Design probe 3, finding 1: a high-voltage pack whose passport names no manual service
disconnect was told it has none.

An 800 V class pack written from published figures whose passport lists its housing, BMS and HV
connector, and says nothing about a service disconnect or an interlock loop, got the lock-out step
"this pack has no manual service disconnect, so keep the vehicle or system key ..." and no word
about an interlock loop. A passport lists components; it does not say which it lacks. An
operator reading "has no service disconnect" would not look for the plug that keeps the HV circuit
closed. Now:

* the lock-out step says the passport names none and asks to inspect for one (remove and carry it
  if found), and
* two unknowns (rule 37) say what to inspect, with the component classes as deciding facts; they
  are listed with every procedure of the battery (they affect its high-voltage hazard);
* a pack that names both gets neither unknown and keeps its removal and loop-opening steps;
  an extra-low-voltage pack gets neither.
"""

from __future__ import annotations

from rdflib import RDF, Graph, URIRef

from graph_service.model.namespaces import DBP
from tests.rules import ADMIN, design_graph, new_services, submit

DESIGN = "nmc-400v-service-disconnect"
LV_DESIGN = "lfp-48v-no-disconnect"


def _without(graph: Graph, cls: URIRef) -> Graph:
    battery = next(graph.subjects(DBP.batteryId, None))
    for component in list(graph.subjects(RDF.type, cls)):
        graph.remove((battery, DBP.hasComponent, component))
        graph.remove((component, None, None))
    return graph


def _unknown_keys(services, battery_id: str, pathway: str | None = None) -> dict[str, str]:
    procedure = services.procedures.procedure(battery_id, ADMIN, pathway)
    return {u.iri.rsplit("/", 1)[-1]: (u.inspect or "") for u in procedure.unknowns}


def test_hv_pack_that_names_no_disconnect_or_interlock_is_asked_to_inspect_for_them() -> None:
    services = new_services(load_reference_ontologies=False)
    graph = _without(_without(design_graph(DESIGN), DBP.ServiceDisconnect),
                     DBP.HighVoltageInterlock)
    battery_id = submit(services, graph)
    procedures = services.procedures
    for key in procedures.procedure(battery_id, ADMIN).availablePathways:
        procedure = procedures.procedure(battery_id, ADMIN, key)
        lock = [s for s in procedure.isolationSteps
                if (s.template or "").endswith("/lock-out-tag-system")]
        assert len(lock) == 1, key
        text = lock[0].instruction or ""
        assert "has no manual service disconnect" not in text
        assert "names no manual service disconnect" in text and "inspect for one" in text
        unknowns = {u.iri.rsplit("/", 1)[-1]: u for u in procedure.unknowns}
        assert {"service-disconnect", "hv-interlock"} <= set(unknowns), (key, set(unknowns))
        facts = {f.iri for u in (unknowns["service-disconnect"], unknowns["hv-interlock"])
                 for f in u.decidingFacts}
        assert facts == {str(DBP.ServiceDisconnect), str(DBP.HighVoltageInterlock)}
        loop = unknowns["hv-interlock"].inspect or ""
        assert "open it at its connector (do not cut it)" in loop
        templates = {(s.template or "").rsplit("/", 1)[-1] for s in procedure.isolationSteps}
        assert not {"remove-service-disconnect", "open-hv-loop", "lock-out-tag"} & templates


def test_pack_naming_both_gets_no_such_unknown_and_keeps_their_steps() -> None:
    services = new_services(load_reference_ontologies=False)
    battery_id = submit(services, design_graph(DESIGN))
    assert not {"service-disconnect", "hv-interlock"} & set(_unknown_keys(services, battery_id))
    procedure = services.procedures.procedure(battery_id, ADMIN)
    templates = [(s.template or "").rsplit("/", 1)[-1] for s in procedure.isolationSteps]
    assert templates.index("remove-service-disconnect") < templates.index("open-hv-loop") \
        < templates.index("lock-out-tag") < templates.index("wait")


def test_extra_low_voltage_pack_gets_no_hv_component_unknowns() -> None:
    services = new_services(load_reference_ontologies=False)
    battery_id = submit(services, design_graph(LV_DESIGN))
    assert not {"service-disconnect", "hv-interlock"} & set(_unknown_keys(services, battery_id))
