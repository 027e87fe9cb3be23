"""Unseen-design probe: a 60.04 V maximum voltage was printed as "60 V" beside the 60 V limit it
exceeds (rounded to a tenth for display), so the rationale read as if 60 V were above 60 V.

A value compared against a limit is now shown with the digits the passport states (voltage,
state of charge, mass, temperature); an estimate (nominal x ratio) is rounded up, the side the
comparison took.
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from graph_service.model.namespaces import DBP
from graph_service.model.terms import HAS_NUMBER_VALUE, HAS_NUMERICAL_PART
from tests.rules import Outcome, design_graph, local, new_services, submit

DESIGN = "nmc-400v-service-disconnect"


def _set(graph: Graph, name: str, value: str) -> None:
    battery = next(graph.subjects(DBP.batteryId, None))
    number = graph.value(URIRef(f"{battery}/q/{name}"), HAS_NUMERICAL_PART)
    graph.set((number, HAS_NUMBER_VALUE, Literal(value, datatype=XSD.decimal)))


def test_a_60_04_v_maximum_is_not_printed_as_60_v_beside_the_60_v_limit() -> None:
    services = new_services(load_reference_ontologies=False)
    graph = design_graph(DESIGN)
    _set(graph, "nominal-voltage", "51.2")
    _set(graph, "minimum-voltage", "44.8")
    _set(graph, "maximum-voltage", "60.04")
    _set(graph, "mass", "25.04")
    outcome = Outcome(services, submit(services, graph))
    hazards = {local(outcome.value(h, DBP.hazardType)): outcome.rationale(h)
               for h in outcome.nodes(DBP.hasHazard)}
    assert "Maximum (charge) voltage 60.04 V is above the 60" in hazards["high-voltage"]
    assert "Mass 25.04 kg is above 25" in hazards["heavy-load"]
