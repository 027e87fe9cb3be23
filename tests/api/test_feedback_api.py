"""POST /batteries/{id}/feedback: step outcomes become end-of-life data, update the fleet
statistics and, through rules 32 and 33, the battery's re-derived procedure.

Each test uses its own battery of a shared demo fleet, so the tests do not depend on their
order; BP-000004 receives no feedback (it shows when other batteries see new statistics).
The statistics are fleet-wide, so every test that changes them uses its own step or fastener
type.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from graph_service.model.graphs import Stage
from graph_service.model.namespaces import DBP
from graph_service.services.access import Role
from graph_service.services.fleet.demo import write_demo_fleet

# The root tests/conftest.py, imported by pytest as the top-level module ``conftest``.
from conftest import LiveServer, make_settings, start_server  # isort: skip

STEP = "https://w3id.org/dbp/vocab/step/"
FASTENER = "https://w3id.org/dbp/vocab/fastener/"
TOOL = "https://w3id.org/dbp/vocab/tool/"
PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def fleet() -> Iterator[LiveServer]:
    with start_server(make_settings()) as live:
        write_demo_fleet(live.services, 4)
        yield live


@pytest.fixture(scope="module")
def recycler(fleet: LiveServer):
    with fleet.client(fleet.token(Role.RECYCLER, "circular-metals")) as client:
        yield client


def post(client, bid: str, *outcomes: dict):
    return client.post(f"/batteries/{bid}/feedback", json={"outcomes": list(outcomes)})


def created(response) -> dict:
    assert response.status_code == 201, response.text
    return response.json()


def step(answer: dict, step_type: str) -> dict:
    """The step of one type in a procedure or feedback answer."""
    return next(s for s in answer["disassemblySteps"] if s["stepType"]["iri"] == STEP + step_type)


def procedure(client, bid: str) -> dict:
    response = client.get(f"/batteries/{bid}/procedure")
    assert response.status_code == 200, response.text
    return response.json()


def end_of_life(fleet: LiveServer, bid: str) -> Graph:
    return fleet.services.store.graph(fleet.services.layout.source(bid, Stage.END_OF_LIFE))


def statistics(fleet: LiveServer) -> Graph:
    return fleet.services.store.graph(fleet.services.layout.statistics)


def snapshot(fleet: LiveServer, bid: str) -> tuple[set, set, set]:
    services = fleet.services
    return (set(end_of_life(fleet, bid)), set(statistics(fleet)),
            set(services.store.graph(services.layout.derived(bid))))


# -- the feedback loop ------------------------------------------------------------------------
def test_three_outcomes_replace_the_default_step_estimate(fleet, recycler):
    bid, other = "BP-000001", "BP-000004"
    before = step(procedure(recycler, bid), "remove-cover")
    assert before["estimatedMinutes"] != 42.0
    assert "default" in before["estimateSource"]
    other_before = step(procedure(recycler, other), "remove-cover")

    outcome = {"stepType": "remove-cover", "actualMinutes": 42}
    answer = created(post(recycler, bid, outcome, outcome, outcome))

    assert answer["battery"] == bid and len(answer["outcomes"]) == 3
    assert [s["observationCount"] for s in answer["statistics"]] == [3]
    assert answer["statistics"][0]["meanMinutes"] == 42.0
    assert answer["statistics"][0]["of"]["iri"] == STEP + "remove-cover"
    after = step(answer, "remove-cover")
    assert after["estimatedMinutes"] == 42.0
    assert "fed-back outcomes" in after["estimateSource"]
    assert "other batteries" in answer["note"]
    # The re-derived procedure a client reads afterwards says the same.
    stored = procedure(recycler, bid)
    assert step(stored, "remove-cover")["estimatedMinutes"] == 42.0
    assert stored["derivedAt"] == answer["derivedAt"]

    # The outcomes are end-of-life stage data of the battery.
    graph = end_of_life(fleet, bid)
    battery = fleet.services.minter.battery(bid)
    outcomes = set(graph.objects(battery, DBP.hasStepOutcome))
    assert {str(o) for o in outcomes} == {o["iri"] for o in answer["outcomes"]}
    for node in outcomes:
        assert str(node).startswith(f"{battery}/outcome/")
        assert (node, RDF.type, DBP.StepOutcome) in graph
        assert (node, DBP.stepType, URIRef(STEP + "remove-cover")) in graph
        assert float(graph.value(node, DBP.actualMinutes)) == 42.0

    # Another battery sees the new statistics when it is next derived, not before.
    assert step(procedure(recycler, other), "remove-cover") == other_before
    fleet.services.rules.rederive(other)
    refreshed = step(procedure(recycler, other), "remove-cover")
    assert refreshed["estimatedMinutes"] == 42.0
    assert "fed-back outcomes" in refreshed["estimateSource"]


def test_two_stripped_torx_screws_add_a_caution_and_an_extractor(fleet, recycler):
    bid = "BP-000002"

    def connector(answer: dict) -> dict:
        return step(answer, "disconnect-hv-connector")

    assert not any("Torx" in c for c in connector(procedure(recycler, bid))["cautions"])
    stripped = {"stepType": "disconnect-hv-connector", "strippedFastener": True,
                "fastenerType": "torx-screw"}
    first = created(post(recycler, bid, stripped))
    assert first["statistics"][0]["strippedCount"] == 1
    assert "torx-extractor" not in {t["id"] for t in connector(first)["tools"]}

    second = created(post(recycler, bid, stripped))
    assert [(s["of"]["iri"], s["strippedCount"]) for s in second["statistics"]] == [
        (FASTENER + "torx-screw", 2)]
    hv = connector(second)
    assert any("Torx" in c and "fasteners stripped in 2" in c for c in hv["cautions"])
    assert "torx-extractor" in {t["id"] for t in hv["tools"]}
    # (the tools of a procedure that disconnects the HV connector)
    tools = recycler.get(f"/batteries/{bid}/tools",
                         params={"pathway": "recycling-hydrometallurgical"}).json()["tools"]
    assert "torx-extractor" in {t["tool"]["id"] for t in tools}
    # The caution is explained by the fastener statistics it was derived from.
    explanation = recycler.get("/explain", params={"node": hv["iri"]}).json()
    assert "stripped-fastener-caution" in {r["id"] for r in explanation["rules"]}
    assert f"{fleet.services.layout.base}id/statistics/fastener/torx-screw" in {
        s["iri"] for s in explanation["sources"]}


def test_the_mean_is_updated_incrementally_and_needs_enough_observations(fleet, recycler):
    bid = "BP-000002"
    answer = created(post(recycler, bid, {"stepType": "remove-bms", "actualMinutes": 10},
                          {"stepType": "remove-bms", "actualMinutes": 20.5}))
    stats = answer["statistics"][0]
    assert (stats["observationCount"], stats["meanMinutes"]) == (2, 15.25)
    assert "default" in step(answer, "remove-bms")["estimateSource"]  # 2 < 3 observations

    answer = created(post(recycler, bid, {"stepType": f"{STEP}remove-bms",
                                          "actualMinutes": 30}))
    stats = answer["statistics"][0]
    assert stats["observationCount"] == 3
    assert stats["meanMinutes"] == pytest.approx((10 + 20.5 + 30) / 3, abs=1e-6)
    assert step(answer, "remove-bms")["estimatedMinutes"] == 20.2
    node = URIRef(stats["iri"])
    graph = statistics(fleet)
    assert (node, RDF.type, DBP.StepStatistics) in graph
    assert (node, DBP.statisticsOf, URIRef(STEP + "remove-bms")) in graph
    assert len(set(graph.objects(node, DBP.meanMinutes))) == 1  # replaced, not added


def test_admin_feedback_with_inferred_fastener_tool_and_note(fleet):
    bid = "BP-000003"  # its lid is bolted with hex bolts
    with fleet.client(fleet.token(Role.ADMIN)) as admin:
        answer = created(post(admin, bid, {
            "stepType": "remove-cover", "strippedFastener": True, "damagedTab": True,
            "toolUsed": "torx-extractor", "note": "one bolt seized; used an extractor"}))
    outcome = answer["outcomes"][0]
    assert outcome["fastenerType"]["iri"] == FASTENER + "hex-bolt"  # from the lid joint
    assert outcome["toolUsed"]["iri"] == TOOL + "torx-extractor"
    assert [(s["of"]["id"], s["strippedCount"]) for s in answer["statistics"]] == [
        ("hex-bolt", 1)]
    graph = end_of_life(fleet, bid)
    node = URIRef(outcome["iri"])
    assert graph.value(node, DBP.affectedFastenerType) == URIRef(FASTENER + "hex-bolt")
    assert graph.value(node, DBP.toolUsed) == URIRef(TOOL + "torx-extractor")
    assert graph.value(node, DBP.damagedTab) == Literal(True)
    assert str(graph.value(node, DBP.note)) == "one bolt seized; used an extractor"
    assert graph.value(node, DBP.actualMinutes) is None


# -- refusals change nothing ------------------------------------------------------------------
@pytest.mark.parametrize("role", [None, Role.OPERATOR, Role.RESEARCHER, Role.OEM])
def test_roles_that_may_not_write_end_of_life_get_403_and_nothing_changes(fleet, role):
    bid = "BP-000001"
    token = fleet.token(role, "citybus") if role is not None else None  # BP-000001's operator
    before = snapshot(fleet, bid)
    with fleet.client(token) as client:
        response = post(client, bid, {"stepType": "remove-cover", "actualMinutes": 1,
                                      "strippedFastener": True, "fastenerType": "hex-bolt"})
    assert response.status_code == 403, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert "end-of-life" in response.json()["detail"]
    assert snapshot(fleet, bid) == before


@pytest.mark.parametrize(("outcomes", "status"), [
    ([{"stepType": "no-such-step", "actualMinutes": 5}], 422),
    ([{"stepType": "remove-cover", "toolUsed": "hammer"}], 422),
    ([{"stepType": "remove-cover", "fastenerType": "no-such-fastener"}], 422),
    ([{"stepType": "remove-cover", "fastenerType": "bad value"}], 400),
    ([{"stepType": "drain-coolant", "strippedFastener": True}], 422),  # no fastener to infer
    ([{"stepType": "remove-cover", "actualMinutes": -3}], 422),
    ([{"actualMinutes": 3}], 422),
    ([], 422),
    ([{"stepType": "remove-cover", "actualMinutes": 5},
      {"stepType": "no-such-step"}], 422),  # one bad outcome rejects the whole request
])
def test_invalid_outcomes_are_rejected_and_nothing_changes(fleet, recycler, outcomes, status):
    bid = "BP-000001"
    before = snapshot(fleet, bid)
    response = recycler.post(f"/batteries/{bid}/feedback", json={"outcomes": outcomes})
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert snapshot(fleet, bid) == before


def test_malformed_requests(fleet, recycler):
    url = "/batteries/BP-000001/feedback"
    assert recycler.post(url, content=b"{not json", headers={
        "Content-Type": "application/json"}).status_code == 422
    assert recycler.post(url, content=b"stepType=x", headers={
        "Content-Type": "application/x-www-form-urlencoded"}).status_code == 415
    missing = post(recycler, "BP-999999", {"stepType": "remove-cover"})
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith(PROBLEM)
