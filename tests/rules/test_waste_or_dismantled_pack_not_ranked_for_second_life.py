"""Unseen-design probe: a pack declared waste and partly dismantled (service records) was still
ranked for re-use - no pathway rule read the service records or the waste status.

Rule 27 (status-assessment) takes the current status (the latest service record that set one,
else the status of issue) and the parts service records name as removed or replaced since. For
a waste battery re-use is not eligible (re-use is the use again of a product that is not waste,
Directive 2008/98/EC Art. 3(13)); repair, module swap, repurposing, module repurposing and
remanufacturing are unknown: only a treatment operation preparing it for re-use or repurposing
returns it to use, with a new passport (Reg. (EU) 2023/1542 Art. 77(6)), and that operator's
assessment of the battery as it now is - recorded as a service record with its resulting status
- decides. The rationale names the waste record and the removed parts. Recycling ranks first.
"""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from graph_service.container import Services
from graph_service.model.namespaces import DBP
from tests.rules import Outcome, design_graph, new_services, submit

DESIGN = "high-soh-small-spread"  # undamaged, SoH above the re-use threshold: ranked for re-use
STATUS = "https://w3id.org/dbp/vocab/status/"
SERVICE = "https://w3id.org/dbp/vocab/service/"
SECOND_LIFE_UNKNOWN = ("repurpose", "module-repurpose", "remanufacture")


@pytest.fixture
def services() -> Services:
    # one store per test: each writes the same battery, and a stage it leaves out stays stored
    return new_services(load_reference_ontologies=False)


def _record(graph: Graph, battery: URIRef, name: str, at: str, status: str | None,
            parts: tuple[str, ...] = (), kind: str = "inspection") -> None:
    record = URIRef(f"{battery}/service/{name}")
    graph.add((battery, DBP.hasServiceRecord, record))
    graph.add((record, RDF.type, DBP.ServiceRecord))
    graph.add((record, DBP.serviceType, URIRef(SERVICE + kind)))
    graph.add((record, DBP.completedAt, Literal(at, datatype=XSD.dateTime)))
    if status:
        graph.add((record, DBP.resultingStatus, URIRef(STATUS + status)))
    for part in parts:
        graph.add((record, DBP.replacedPart, URIRef(f"{battery}/{part}")))


def _passport(status_of_issue: str = "original", waste_record: bool = True,
              dismantled: bool = True, later_status: str | None = None) -> Graph:
    graph = design_graph(DESIGN)
    battery = next(graph.subjects(DBP.batteryId, None))
    graph.set((battery, DBP.batteryStatus, URIRef(STATUS + status_of_issue)))
    if waste_record:
        _record(graph, battery, "1", "2025-03-01T09:00:00Z", "waste")
    if dismantled:
        _record(graph, battery, "2", "2025-03-02T09:00:00Z", None, ("module/1", "module/2"),
                kind="module-replacement")
    if later_status:
        _record(graph, battery, "3", "2025-06-01T09:00:00Z", later_status, kind="repurposing")
    return graph


def test_a_waste_pack_partly_dismantled_is_not_ranked_for_reuse(services: Services) -> None:
    outcome = Outcome(services, submit(services, _passport()))
    options = outcome.options()
    assert not outcome.eligible("reuse")
    why = outcome.rationale(options["reuse"])
    assert "status is waste (service record service/1 of 2025-03-01T09:00:00Z" in why
    assert "partly dismantled" in why and "module/1, module/2" in why
    assert "Directive 2008/98/EC Art. 3(13)" in why
    for key in SECOND_LIFE_UNKNOWN:  # eligible for this pack before it was waste
        assert str(outcome.value(options[key], DBP.eligibility)).endswith("/unknown"), key
        assert "status is waste" in outcome.rationale(options[key]), key
        unknown = URIRef(f"{options[key]}/unknown/waste-status")
        assert (outcome.battery, DBP.hasUnknown, unknown) in outcome.derived, key
        assert outcome.value(unknown, DBP.decidingFact) == DBP.resultingStatus
    ranked = [key for key, _ in outcome.ranking()]
    assert ranked and ranked[0].startswith("recycling"), ranked
    assert not {"reuse", "repurpose", "repair", "module-swap", "module-repurpose",
                "remanufacture"} & set(ranked)


def test_a_pack_issued_as_waste_is_not_ranked_for_reuse(services: Services) -> None:
    outcome = Outcome(services, submit(services, _passport(
        status_of_issue="waste", waste_record=False, dismantled=False)))
    why = outcome.rationale(outcome.options()["reuse"])
    assert not outcome.eligible("reuse") and "status is waste (status of issue)" in why
    assert "dismantled" not in why


def test_a_later_status_from_a_treatment_operator_lifts_the_waste_status(
        services: Services) -> None:
    passport = _passport(dismantled=False, later_status="repurposed")
    outcome = Outcome(services, submit(services, passport))
    assert "status is waste" not in outcome.rationale(outcome.options()["reuse"])
    assert outcome.eligible("repurpose")


def test_an_original_pack_is_still_ranked_for_reuse(services: Services) -> None:
    outcome = Outcome(services, submit(services, _passport(waste_record=False, dismantled=False)))
    assert outcome.ranking()[0][0] == "reuse"
