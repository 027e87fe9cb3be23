"""Unseen-design probe: crashed and flooded packs were derived as "damaged" but the procedure
had no hold point and no isolation-resistance test before the battery was handled: water or a
crash can connect a high-voltage pole to the enclosure.

A damaged or critically damaged high-voltage battery now gets the hold point
``iso:isolation-resistance`` (after verifying the absence of voltage, before covering live parts
and before any disassembly step): each HV pole against the enclosure with the insulation tester,
continue only at or above ``param:isolation-resistance-min`` (ISO 6469-4: 100 ohm/V for a DC
class-B circuit), shown as this battery's value in kOhm when its maximum working voltage is
known. An undamaged pack gets no such hold point.
"""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from graph_service.container import Services
from graph_service.model.namespaces import DBP
from tests.rules import Outcome, design_graph, local, new_services, submit

FLOODED = "ev-400v-nmc622-flooded"


@pytest.fixture(scope="module")
def services() -> Services:
    return new_services(load_reference_ontologies=False)


def _hold(outcome: Outcome) -> URIRef | None:
    steps = [s for s in outcome.isolation_steps()
             if local(outcome.value(s, DBP.template)) == "isolation-resistance"]
    return steps[0] if steps else None  # type: ignore[return-value]


def _crashed() -> Graph:
    """The flooded pack with an accident instead of the water ingress."""
    graph = design_graph(FLOODED)
    event = next(graph.subjects(DBP.eventType, None))
    graph.set((event, DBP.eventType, URIRef("https://w3id.org/dbp/vocab/event/accident")))
    return graph


@pytest.mark.parametrize("passport", [lambda: design_graph(FLOODED), _crashed],
                         ids=["flooded", "crashed"])
def test_a_damaged_hv_pack_holds_for_an_isolation_resistance_test(
        services: Services, passport) -> None:
    outcome = Outcome(services, submit(services, passport()))
    assert outcome.damage_state() == "damaged"
    hold = _hold(outcome)
    assert hold is not None, outcome.isolation()
    assert (hold, RDF.type, DBP.HoldPoint) in outcome.derived
    order = outcome.isolation()
    assert (order.index("verify-absence") < order.index("isolation-resistance")
            < order.index("cover-live-parts"))
    text = str(outcome.value(hold, DBP.instruction))
    # ISO 6469-4: 100 ohm/V x the stated 453.6 V maximum = 45.36 kOhm, shown rounded up
    assert "at least 45.4 kOhm (100 ohm/V x 453.6 V)" in text
    assert URIRef("https://w3id.org/dbp/param/isolation-resistance-min") in set(
        outcome.derived.objects(hold, DBP.usesParameter))
    assert URIRef("https://w3id.org/dbp/vocab/tool/insulation-tester") in set(
        outcome.derived.objects(hold, DBP.usesTool))


def test_an_undamaged_hv_pack_has_no_isolation_resistance_hold(services: Services) -> None:
    outcome = Outcome(services, submit(services, design_graph("nmc-400v-service-disconnect")))
    assert outcome.damage_state() == "normal"
    assert _hold(outcome) is None
