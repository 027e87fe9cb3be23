"""Unseen-design probe: the insulated hand tools (IEC 60900: for use up to 1000 V AC and
1500 V DC) were listed for every pack without being weighed against its voltage - as the
voltage tester and the gloves were before rule 26 (test_equipment_voltage_ratings.py).

The insulated socket, hex-key and screwdriver sets and the insulated torque wrench carry
``param:insulated-tool-dc-rating`` (1500 V DC, IEC 60900) now; rule 26 checks it against the
battery's maximum working voltage and each tool requirement of the procedure states the result
as a rationale: within the rating, above it ("not rated for this battery"), or not known.
"""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from graph_service.container import Services
from graph_service.model.namespaces import DBP
from graph_service.model.terms import HAS_NUMBER_VALUE, HAS_NUMERICAL_PART, HAS_PROPERTY
from tests.rules import Outcome, design_graph, local, new_services, submit

DESIGN = "nmc-400v-service-disconnect"
INSULATED = {"insulated-socket-set", "insulated-hex-key-set", "insulated-screwdriver-set",
             "insulated-torque-wrench"}


@pytest.fixture
def services() -> Services:
    return new_services(load_reference_ontologies=False)


def _with_voltages(nominal: float | None, maximum: float | None) -> Graph:
    graph = design_graph(DESIGN)
    battery = next(graph.subjects(DBP.batteryId, None))
    for name, value in (("nominal-voltage", nominal), ("maximum-voltage", maximum)):
        quantity = URIRef(f"{battery}/q/{name}")
        number = graph.value(quantity, HAS_NUMERICAL_PART)
        if value is None:
            graph.remove((battery, HAS_PROPERTY, quantity))
            graph.remove((quantity, None, None))
            graph.remove((number, None, None))
        else:
            graph.set((number, HAS_NUMBER_VALUE, Literal(str(value), datatype=XSD.decimal)))
    return graph


def _insulated_tool_rationales(outcome: Outcome) -> dict[str, str]:
    found: dict[str, str] = {}
    for requirement in outcome.nodes(DBP.requiresTool):
        tool = local(outcome.value(requirement, DBP.tool))
        if tool in INSULATED:
            found[str(requirement)] = " ".join(
                str(w) for w in outcome.derived.objects(requirement, DBP.rationale))
    assert found, "the design lists insulated hand tools"
    return found


def test_insulated_tools_above_their_1500_v_dc_rating_are_not_rated(services: Services) -> None:
    # nominal only: 1331.2 V x 1.17 = 1557.504 V, shown rounded up to 1557.6 V, above the
    # IEC 60900 DC rating
    outcome = Outcome(services, submit(services, _with_voltages(1331.2, None)))
    for requirement, why in _insulated_tool_rationales(outcome).items():
        rating = "insulated hand tools (IEC 60900), maximum DC working voltage: 1500"
        assert rating in why, requirement
        assert "not rated for this battery" in why and "at least 1557.6 V DC" in why, requirement


def test_insulated_tools_within_their_rating_say_so(services: Services) -> None:
    outcome = Outcome(services, submit(services, design_graph(DESIGN)))
    for requirement, why in _insulated_tool_rationales(outcome).items():
        assert "covers the battery's maximum working voltage" in why, requirement


def test_insulated_tools_without_a_known_voltage_say_it_is_not_known(services: Services) -> None:
    outcome = Outcome(services, submit(services, _with_voltages(None, None)))
    for requirement, why in _insulated_tool_rationales(outcome).items():
        assert "maximum working voltage is not known" in why, requirement
