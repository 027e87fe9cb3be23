"""Design probe 3, finding 4: a pack with two manual service disconnects (an 800 V class pack of
two strings, one disconnect each) was told to "Remove the manual service disconnect" - one. An
operator pulling one plug leaves the other string's circuit closed while the procedure goes on
to lock-out, the wait and the test for absence of voltage.

Now, where the passport names more than one service disconnect, the removal and the lock-out
steps (rule 40) name them all and say to do it for every one. A pack with one disconnect keeps
its step text unchanged.
"""

from __future__ import annotations

from rdflib import RDF, Literal, URIRef

from graph_service.model.namespaces import DBP
from tests.rules import ADMIN, design_graph, new_services, submit

DESIGN = "nmc-400v-service-disconnect"  # one service disconnect: component/service-disconnect


def _instructions(services, battery_id: str) -> dict[str, str]:
    procedure = services.procedures.procedure(battery_id, ADMIN)
    return {(s.template or "").rsplit("/", 1)[-1]: s.instruction or ""
            for s in procedure.isolationSteps}


def test_two_strings_two_disconnects_both_named_on_removal_and_lock_out() -> None:
    services = new_services(load_reference_ontologies=False)
    graph = design_graph(DESIGN)
    battery = next(graph.subjects(DBP.batteryId, None))
    second = URIRef(f"{battery}/component/service-disconnect-string-b")
    graph.add((battery, DBP.hasComponent, second))
    graph.add((second, RDF.type, DBP.ServiceDisconnect))
    graph.add((second, DBP.partNumber, Literal("RHE-MSD-250A")))
    steps = _instructions(services, submit(services, graph))
    for template in ("remove-service-disconnect", "lock-out-tag"):
        text = steps[template]
        assert ("names 2 manual service disconnects (component/service-disconnect, "
                "component/service-disconnect-string-b): do this for every one of them") in text


def test_one_disconnect_keeps_its_step_text() -> None:
    services = new_services(load_reference_ontologies=False)
    steps = _instructions(services, submit(services, design_graph(DESIGN)))
    assert steps["remove-service-disconnect"].startswith("Remove the manual service disconnect")
    assert "manual service disconnects (" not in steps["remove-service-disconnect"]
    assert "manual service disconnects (" not in steps["lock-out-tag"]
