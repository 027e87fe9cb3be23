"""Unseen-design probe, finding 3 (steps that do not fit the pack):

* a cell-to-pack pack (no modules) with a bolted busbar got "remove busbars between modules":
  the busbar's level was inferred from its class as module-to-module. In a pack the passport
  says has no modules (cell-to-pack casing, or a module count of 0, and no module listed) a
  level between modules is never inferred: the joint matches no step and rule 37 asks for its
  level;
* a polyurethane foam filling in the pack cavity of such a pack still gets its release step;
* an HV connector the passport states no joint for got no step at all: rule 22 keeps the
  disconnect step without a tool guess, and rule 37 asks how the connector is held.
"""

from __future__ import annotations

from rdflib import RDF, Graph, URIRef

from graph_service.model.namespaces import DBP
from tests.rules import Outcome, design_graph, local, new_services, submit

DESIGN = "ev-400v-lfp-blade-cell-to-pack"
VOCAB = "https://w3id.org/dbp/vocab/"


def _unseen() -> Graph:
    graph = design_graph(DESIGN)
    battery = next(graph.subjects(DBP.batteryId, None))
    base = f"{battery}/"
    busbar, joint = URIRef(base + "component/pack-busbars"), URIRef(base + "joint/pack-busbars")
    graph.add((battery, DBP.hasComponent, busbar))
    graph.add((busbar, RDF.type, DBP.Busbar))
    graph.add((busbar, DBP.connectorType, URIRef(VOCAB + "connector/bolted-busbar")))
    graph.add((battery, DBP.hasJoint, joint))
    graph.add((joint, RDF.type, DBP.Joint))
    graph.add((joint, DBP.joins, busbar))
    graph.add((joint, DBP.jointType, URIRef(VOCAB + "joint/bolted")))
    graph.add((joint, DBP.fastenerType, URIRef(VOCAB + "fastener/hex-bolt")))
    foam = URIRef(base + "component/foam")
    graph.add((battery, DBP.hasComponent, foam))
    graph.add((foam, RDF.type, DBP.Filling))
    graph.add((foam, DBP.fillingType, URIRef(VOCAB + "filling/pu-foam")))
    graph.add((foam, DBP.fillingLocation, URIRef(VOCAB + "filling-location/pack-cavity")))
    graph.add((foam, DBP.fillingMaterial, URIRef(VOCAB + "filling-material/polyurethane")))
    connector_joint = URIRef(base + "joint/hv-connector")
    graph.remove((battery, DBP.hasJoint, connector_joint))
    graph.remove((connector_joint, None, None))
    return graph


def test_a_pack_without_modules_gets_no_module_steps_and_keeps_its_other_steps() -> None:
    services = new_services(load_reference_ontologies=False)
    outcome = Outcome(services, submit(services, _unseen()))
    types = outcome.step_types()
    assert "remove-busbars" not in types and "unfasten-modules" not in types
    assert "lift-out-modules" not in types
    unknowns = {local(u): str(outcome.value(u, DBP.inspect)) for u in outcome.nodes(DBP.hasUnknown)}
    assert any(key.startswith("unreleased") and "/joint/pack-busbars" in text
               for key, text in unknowns.items()), unknowns
    # the foam in the pack cavity is released
    assert "release-filling" in types
    # the HV connector without a joint is still disconnected, and how it is held is asked
    step = outcome.step("disconnect-hv-connector")
    assert "fastening not stated" in str(outcome.value(step, DBP.operation))
    assert any(key.startswith("connector-joint") for key in unknowns), unknowns
