"""Unseen-design probe of stop 30: a 48 V sodium-ion pack stating only its nominal voltage
(49.6 V) was handled as extra-low voltage - no high-voltage hazard, no unknown - because its
charged voltage was estimated with the end-of-charge/nominal ratio of lithium-ion cells (1.17);
sodium-ion cells charge further above their nominal voltage (about 64 V for that pack).

The ratio now holds for the chemistries its sources cover (``dbp:appliesToChemistry`` of
``param:charge-to-nominal-voltage-ratio``); a nominal-only pack of another stated chemistry is
high voltage with an unknown asking for the maximum voltage, and its toxic-gas rationale no longer
asserts a lithium-ion electrolyte.
"""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from graph_service.container import Services
from graph_service.model.namespaces import DBP
from graph_service.model.terms import HAS_NUMBER_VALUE, HAS_NUMERICAL_PART, HAS_PROPERTY
from tests.rules import Outcome, design_graph, new_services, submit, vocab

DESIGN = "lfp-48v-no-disconnect"
RATIO = URIRef("https://w3id.org/dbp/param/charge-to-nominal-voltage-ratio")


@pytest.fixture(scope="module")
def services() -> Services:
    return new_services(load_reference_ontologies=False)


def _nominal_only(chemistry: str, nominal: float) -> Graph:
    """The corpus's 48 V LFP pack without its upper voltage limit, of another chemistry."""
    graph = design_graph(DESIGN)
    battery = next(graph.subjects(DBP.chemistry, None))
    maximum = URIRef(f"{battery}/q/maximum-voltage")
    nominal_q = URIRef(f"{battery}/q/nominal-voltage")
    graph.remove((battery, HAS_PROPERTY, maximum))
    for s, p, o in list(graph.triples((maximum, None, None))):
        graph.remove((s, p, o))
        graph.remove((o, None, None))
    number = graph.value(nominal_q, HAS_NUMERICAL_PART)
    graph.set((number, HAS_NUMBER_VALUE, Literal(nominal, datatype=XSD.double)))
    for s, p, o in list(graph):
        if o == vocab("chemistry", "lfp"):
            graph.set((s, p, vocab("chemistry", chemistry)))
    return graph


def _rationales(outcome: Outcome, hazard: str) -> list[str]:
    return [str(why) for h in outcome.nodes(DBP.hasHazard)
            if str(outcome.value(h, DBP.hazardType)).endswith(f"/{hazard}")
            for why in outcome.derived.objects(h, DBP.rationale)]


def test_a_nominal_only_sodium_ion_pack_is_high_voltage_until_its_maximum_is_known(
        services: Services) -> None:
    outcome = Outcome(services, submit(services, _nominal_only("sodium-ion", 49.6)))
    assert "high-voltage" in outcome.hazards()
    (why,) = _rationales(outcome, "high-voltage")
    assert "49.6 V" in why and "sodium-ion" in why and "cannot be estimated" in why
    unknowns = {str(u) for u in outcome.nodes(DBP.hasUnknown)}
    assert f"{outcome.battery}/derived/unknown/maximum-voltage" in unknowns
    # The five safety rules of a high-voltage pack, insulating gloves.
    isolation = set(outcome.isolation())
    assert {"qualification-hvt", "lock-out-tag-system", "verify-absence"} <= isolation
    assert "insulating-gloves-class0" in outcome.ppe()
    (gas,) = _rationales(outcome, "toxic-gas")
    assert "LiPF6 electrolyte release" not in gas and "not stated" in gas


def test_a_nominal_only_lfp_pack_keeps_the_sourced_estimate(services: Services) -> None:
    ratio = float(services.store.graph(services.layout.parameters).value(RATIO, DBP.value))
    outcome = Outcome(services, submit(services, _nominal_only("lfp", 49.6)))
    assert 49.6 * ratio <= 60.0
    assert "high-voltage" not in outcome.hazards()
    assert "insulating-gloves-class0" not in outcome.ppe()
    (gas,) = _rationales(outcome, "toxic-gas")
    assert "LiPF6 electrolyte release" in gas
