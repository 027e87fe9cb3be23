"""Unseen-design probe of stop 30: an e-bike pack stating its mass as 2 800 g (``emmo:Gram``,
which the shapes accept) was read as 2 800 kg: "use a lift table", and a lithium yield of
21.56 kg. The rules compared raw numbers; every rule reading a quantity assumed kg, V, Ah, kWh, kW.

The rule workspace now restates each quantity sent in another accepted unit (g, mV, mAh, Wh, W)
in the unit the rules compare in (queries/internal/normalise-rule-units.ru); the stored passport
keeps the unit it was sent in.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from graph_service.container import Services
from graph_service.model.namespaces import DBP, EMMO
from graph_service.model.terms import (
    HAS_MEASUREMENT_UNIT,
    HAS_NUMBER_VALUE,
    HAS_NUMERICAL_PART,
    UNIT_SCALE,
)
from graph_service.services.passports.ingest import ValidationFailed
from graph_service.services.sparql.named_queries import INTERNAL_QUERIES_DIR, NamedQueries
from graph_service.store import open_memory_store
from graph_service.store.base import RdfFormat
from tests.rules import ADMIN, Outcome, design_graph, new_services, submit

DESIGN = "lfp-48v-no-disconnect"
# The unit the rules compare in, per dimension of UNIT_SCALE (shapes/quantities.ttl's messages).
RULE_UNITS = {"V": EMMO.Volt, "Ah": EMMO.AmpereHour, "kWh": EMMO.KiloWatthour,
              "W": EMMO.KiloWatt, "kg": EMMO.Kilogram}


@pytest.fixture(scope="module")
def services() -> Services:
    return new_services(load_reference_ontologies=False)


@pytest.mark.parametrize("unit", [u for u, (dim, _) in UNIT_SCALE.items()
                                  if dim in RULE_UNITS and u != RULE_UNITS[dim]],
                         ids=lambda u: str(u).rsplit("#", 1)[-1])
def test_every_other_accepted_unit_is_restated_in_the_rules_unit(unit: URIRef) -> None:
    dimension, factor = UNIT_SCALE[unit]
    target = RULE_UNITS[dimension]
    graph = URIRef("urn:test:data")
    store = open_memory_store()
    quantity, number = URIRef("urn:test:q"), URIRef("urn:test:q/value")
    data = Graph()
    data.add((quantity, HAS_MEASUREMENT_UNIT, unit))
    data.add((quantity, HAS_NUMERICAL_PART, number))
    data.add((number, HAS_NUMBER_VALUE, Literal(2800.0, datatype=XSD.double)))
    store.load(data.serialize(format="nt").encode(), RdfFormat.N_TRIPLES, graph=graph)
    store.update(NamedQueries(store, directory=INTERNAL_QUERIES_DIR).update_text(
        "normalise-rule-units", graph=[graph]))
    restated = store.graph(graph)
    assert restated.value(quantity, HAS_MEASUREMENT_UNIT) == target
    value = Decimal(str(restated.value(number, HAS_NUMBER_VALUE).toPython()))
    assert value == Decimal(2800) * factor / UNIT_SCALE[target][1]


def _with_mass_in_grams(graph: Graph) -> Graph:
    out = Graph()
    out += graph
    for quantity in out.subjects(HAS_MEASUREMENT_UNIT, EMMO.Kilogram):
        number = out.value(quantity, HAS_NUMERICAL_PART)
        kilograms = float(out.value(number, HAS_NUMBER_VALUE))
        out.set((quantity, HAS_MEASUREMENT_UNIT, EMMO.Gram))
        out.set((number, HAS_NUMBER_VALUE, Literal(kilograms * 1000, datatype=XSD.double)))
    return out


def _mass_dependent(outcome: Outcome) -> dict[str, object]:
    yields = sorted(str(v) for y in outcome.derived.objects(None, DBP.hasExpectedYield)
                    for v in outcome.derived.objects(y, DBP.expectedMassKg))
    return {"hazards": outcome.hazards(), "yields": yields,
            "rationales": sorted(str(r) for r in outcome.derived.objects(None, DBP.rationale)
                                 if " kg" in str(r))}


def test_a_mass_in_grams_derives_what_the_same_mass_in_kilograms_does(
        services: Services) -> None:
    kilograms = design_graph(DESIGN)
    assert any(True for _ in kilograms.subjects(HAS_MEASUREMENT_UNIT, EMMO.Kilogram))
    in_kg = _mass_dependent(Outcome(services, submit(services, kilograms)))
    grams = _with_mass_in_grams(kilograms)
    outcome = Outcome(services, submit(services, grams))
    assert _mass_dependent(outcome) == in_kg
    assert in_kg["rationales"], "the design's mass appears in no rationale"
    # The stored passport keeps the unit it was sent in.
    assert any(True for _ in outcome.passport.subjects(HAS_MEASUREMENT_UNIT, EMMO.Gram))


def test_the_shapes_ranges_hold_in_their_unit_whatever_unit_a_mass_is_sent_in(
        services: Services) -> None:
    """46 500 g (46.5 kg) was refused as above the mass limit (then 5 000 kg); 200 000 000 g
    (200 t) is above the 100 000 kg limit."""
    plausible = _with_mass_in_grams(design_graph(DESIGN))
    assert _dry_run(services, plausible).conforms
    heavy = Graph()
    heavy += plausible
    for quantity in heavy.subjects(HAS_MEASUREMENT_UNIT, EMMO.Gram):
        number = heavy.value(quantity, HAS_NUMERICAL_PART)
        heavy.set((number, HAS_NUMBER_VALUE, Literal(200_000_000.0, datatype=XSD.double)))
    report = _dry_run(services, heavy)
    (violation,) = [v for v in report.violations if v.severity == "Violation"]
    assert "100000 kg" in violation.message and "sent as 200000000.0 Gram" in violation.message


def _dry_run(services: Services, graph: Graph):
    try:
        return services.ingest.submit(graph.serialize(format="nt").encode(),
                                      "application/n-triples", principal=ADMIN,
                                      dry_run=True).report
    except ValidationFailed as refused:
        return refused.result.report
