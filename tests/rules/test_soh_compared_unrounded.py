"""Unseen-design probe: a pack whose latest SoH was 79.99 % was eligible for re-use ("latest SoH
80 % >= 80 %"), one at 59.96 % for repurposing. The state summary rounded the SoH to one decimal
(rule 23) and the pathway rules compared the rounded value; module SoH (min, max, the other
modules' minimum, each module's assessment) and the cell SoH spread were rounded the same way.

The rules now keep the measured value with the digits it was stated with, compare that, and
print it as stated, so 79.99 never reads as 80.
"""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from graph_service.container import Services
from graph_service.model.namespaces import DBP
from graph_service.model.terms import HAS_NUMBER_VALUE, HAS_NUMERICAL_PART
from tests.rules import Outcome, design_graph, new_services, submit

DESIGN = "high-soh-small-spread"  # latest pack SoH 94.2 %, modules 93.2-95.1 %, cells 92.9-95.1 %


@pytest.fixture(scope="module")
def services() -> Services:
    return new_services(load_reference_ontologies=False)


def _variant(datatype: URIRef, pack: str | None = None, module: str | None = None,
             cells: tuple[str, str] | None = None) -> Graph:
    """The corpus design with its latest pack SoH, module/2's SoH or the cell SoH range set."""
    graph = design_graph(DESIGN)
    battery = next(graph.subjects(DBP.batteryId, None))

    def set_quantity(path: str, value: str) -> None:
        number = graph.value(URIRef(f"{battery}/{path}"), HAS_NUMERICAL_PART)
        graph.set((number, HAS_NUMBER_VALUE, Literal(value, datatype=datatype)))

    if pack is not None:
        set_quantity("usage/2/q/soh", pack)
    if module is not None:
        set_quantity("module/2/usage/2/q/soh", module)
    if cells is not None:
        record = URIRef(f"{battery}/usage/2")
        graph.set((record, DBP.cellSohMin, Literal(cells[0], datatype=datatype)))
        graph.set((record, DBP.cellSohMax, Literal(cells[1], datatype=datatype)))
    return graph


@pytest.mark.parametrize("datatype", [XSD.double, XSD.decimal], ids=["double", "decimal"])
def test_soh_79_99_is_below_the_reuse_threshold_and_reads_79_99(
        services: Services, datatype: URIRef) -> None:
    outcome = Outcome(services, submit(services, _variant(datatype, pack="79.99")))
    reuse = outcome.options()["reuse"]
    assert not outcome.eligible("reuse")
    assert "79.99 %" in outcome.rationale(reuse) and "80 % >=" not in outcome.rationale(reuse)
    assert "reuse" not in dict(outcome.ranking())


@pytest.mark.parametrize("datatype", [XSD.double, XSD.decimal], ids=["double", "decimal"])
def test_soh_59_96_is_below_the_repurpose_threshold(services: Services, datatype: URIRef) -> None:
    outcome = Outcome(services, submit(services, _variant(datatype, pack="59.96")))
    for key in ("repurpose", "cell-harvesting"):
        assert not outcome.eligible(key), key
        assert "59.96 %" in outcome.rationale(outcome.options()[key]), key


def test_a_module_at_89_99_misses_the_remanufacturing_capacity(services: Services) -> None:
    outcome = Outcome(services, submit(services, _variant(XSD.double, module="89.99")))
    why = outcome.rationale(outcome.options()["remanufacture"])
    assert not outcome.eligible("remanufacture")
    assert "89.99 %" in why
    (summary,) = outcome.nodes(DBP.hasStateSummary)
    assert float(outcome.value(summary, DBP.moduleSohMin)) == 89.99  # type: ignore[arg-type]


def test_a_cell_spread_of_3_04_points_exceeds_the_3_point_limit(services: Services) -> None:
    outcome = Outcome(services, submit(services, _variant(XSD.decimal, cells=("92.06", "95.1"))))
    why = outcome.rationale(outcome.options()["remanufacture"])
    assert not outcome.eligible("remanufacture")
    assert "92.06-95.1 %" in why and "3.04 points" in why
