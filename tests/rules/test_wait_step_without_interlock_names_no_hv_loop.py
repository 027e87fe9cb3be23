"""Unseen-design probe: a pack without a high-voltage interlock read "wait after opening the HV
loop" in its wait step - a loop the pack does not have (the limit's label was written for the
Tesla first-responder loop). The capacitor wait now says what it waits for: the HV capacitors
to discharge once the battery is isolated (service disconnect removed, or the system switched
off and locked out), whatever isolates it.
"""

from __future__ import annotations

from rdflib.namespace import RDF

from graph_service.model.namespaces import DBP
from tests.rules import Outcome, design_graph, local, new_services, submit


def test_a_pack_without_an_interlock_is_not_told_to_wait_after_opening_the_hv_loop() -> None:
    services = new_services(load_reference_ontologies=False)
    graph = design_graph("nmc-400v-service-disconnect")
    for interlock in list(graph.subjects(RDF.type, DBP.HighVoltageInterlock)):
        graph.remove((None, None, interlock))
        graph.remove((interlock, None, None))
    outcome = Outcome(services, submit(services, graph))
    assert "open-hv-loop" not in outcome.isolation()
    (wait,) = [s for s in outcome.isolation_steps()
               if local(outcome.value(s, DBP.template)) == "wait"]
    text = str(outcome.value(wait, DBP.instruction))
    assert "HV loop" not in text
    assert "discharge once the battery is isolated (min): 10" in text
