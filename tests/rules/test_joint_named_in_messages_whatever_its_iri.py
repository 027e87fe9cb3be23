"""Unseen-design probe: rule 37's message read "Joint  (glued / bonded joint) matches no
disassembly step" - an empty name - for a joint whose IRI is not under the battery's IRI (a
blank node of a partner document, a urn:uuid), because the rules named a part by cutting the
battery IRI off its own. Every rule that names a joint, component, filling or record in its text
now shows the part after the battery IRI when there is one, else the whole IRI; and the unknown's
IRI of rule 37 no longer collides for two such joints.
"""

from __future__ import annotations

from rdflib import RDF, URIRef

from graph_service.model.namespaces import DBP
from tests.rules import Outcome, design_graph, new_services, submit

GLUED = URIRef("https://w3id.org/dbp/vocab/joint/glued")


def test_a_joint_outside_the_battery_iri_is_named_in_the_unknown() -> None:
    services = new_services(load_reference_ontologies=False)
    graph = design_graph("nmc-400v-service-disconnect")
    battery = next(graph.subjects(DBP.batteryId, None))
    joints = [URIRef(f"urn:uuid:4f1c2d3e-0000-4000-8000-00000000000{n}") for n in (1, 2)]
    for joint in joints:
        graph.add((battery, DBP.hasJoint, joint))
        graph.add((joint, RDF.type, DBP.Joint))
        graph.add((joint, DBP.jointType, GLUED))
    outcome = Outcome(services, submit(services, graph))
    texts = [str(outcome.value(u, DBP.inspect)) for u in outcome.nodes(DBP.hasUnknown)
             if str(outcome.value(u, DBP.inspect)).startswith("Joint ")]
    for joint in joints:
        assert any(text.startswith(f"Joint {joint} (glued") for text in texts), (joint, texts)
    assert not [text for text in texts if text.startswith("Joint  (")]
