"""Unseen-design probe: a 1 497.6 V stationary pack was told to verify absence of voltage "with
a CAT III 1000 V tester", and the tool list named that tester: a tool rated below the pack. The
tester's rating was fixed text, and class-0 gloves were listed for any high-voltage pack.

The ratings are parameters now (``param:voltage-tester-rating``, ``param:glove-class0-dc-rating``,
``param:glove-class1-dc-rating``, each with its source); rule 26 weighs each rated tool and PPE
item against the battery's maximum working voltage. Above a rating the step, the tool and the
PPE say the rating needed (class 1 gloves above the class 0 DC rating); with no known voltage an
unknown says a suitably rated instrument is needed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from graph_service.container import Services
from graph_service.model.namespaces import DBP
from graph_service.model.terms import HAS_NUMBER_VALUE, HAS_NUMERICAL_PART, HAS_PROPERTY
from tests.rules import Outcome, design_graph, local, new_services, submit

DESIGN = "nmc-400v-service-disconnect"  # nominal and maximum voltage stated


@pytest.fixture(scope="module")
def services() -> Services:
    return new_services(load_reference_ontologies=False)


def _with_voltages(nominal: float | None, maximum: float | None) -> Graph:
    """The corpus pack with its nominal and maximum voltage set, or removed (None)."""
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


def _tester_detail(outcome: Outcome) -> str:
    (tester,) = [r for r in outcome.nodes(DBP.requiresTool)
                 if local(outcome.value(r, DBP.tool)) == "voltage-tester"]
    return str(outcome.value(tester, DBP.toolDetail))


def _verify_absence(outcome: Outcome) -> URIRef:
    (step,) = [s for s in outcome.isolation_steps()
               if local(outcome.value(s, DBP.template)) == "verify-absence"]
    return step  # type: ignore[return-value]


def test_a_1497_6_v_pack_is_not_verified_with_a_1000_v_tester(services: Services) -> None:
    outcome = Outcome(services, submit(services, _with_voltages(1331.2, 1497.6)))
    instruction = str(outcome.value(_verify_absence(outcome), DBP.instruction))
    assert "CAT III 1000 V tester" not in instruction
    assert "not rated for this battery" in instruction and "at least 1497.6 V DC" in instruction
    detail = _tester_detail(outcome)
    assert "not rated for this battery" in detail and "at least 1497.6 V DC" in detail
    # class 0 gloves are rated 1500 V DC: still within, and the requirement says so
    assert "insulating-gloves-class0" in outcome.ppe()
    assert "insulating-gloves-class1" not in outcome.ppe()
    (gloves,) = [r for r in outcome.nodes(DBP.hasPPERequirement)
                 if local(outcome.value(r, DBP.ppe)) == "insulating-gloves-class0"]
    why = " ".join(str(w) for w in outcome.derived.objects(gloves, DBP.rationale))
    assert "1500 V - covers the battery's maximum working voltage of 1497.6 V" in why


def test_above_the_class_0_dc_rating_the_gloves_are_class_1(tmp_path: Path) -> None:
    # The shapes accept at most 1500 V, the class 0 DC rating; a site whose rating is lower
    # (DBP_PARAMETERS_FILE) shows the class 1 choice with the same rule.
    site = tmp_path / "site-parameters.ttl"
    site.write_text("<https://w3id.org/dbp/param/glove-class0-dc-rating> "
                    "<https://w3id.org/dbp#value> 1000.0 .\n")
    services = new_services(load_reference_ontologies=False, parameters_file=site)
    outcome = Outcome(services, submit(services, _with_voltages(1331.2, 1497.6)))
    assert "insulating-gloves-class1" in outcome.ppe()
    assert "insulating-gloves-class0" not in outcome.ppe()


def test_a_400_v_pack_keeps_the_1000_v_tester(services: Services) -> None:
    outcome = Outcome(services, submit(services, design_graph(DESIGN)))
    assert "1000 V - covers the battery's maximum working voltage" in _tester_detail(outcome)
    assert "covers" in str(outcome.value(_verify_absence(outcome), DBP.instruction))
    assert "insulating-gloves-class0" in outcome.ppe()


def test_without_a_voltage_an_unknown_asks_for_a_suitably_rated_tester(services: Services) -> None:
    outcome = Outcome(services, submit(services, _with_voltages(None, None)))
    step = _verify_absence(outcome)
    assert "maximum working voltage is not known" in str(outcome.value(step, DBP.instruction))
    unknowns = [u for u in outcome.nodes(DBP.hasUnknown)
                if (u, DBP.affects, step) in outcome.derived]
    assert unknowns and all("rated" in str(outcome.value(u, DBP.inspect)) for u in unknowns)
    assert "maximum working voltage is not known" in _tester_detail(outcome)
