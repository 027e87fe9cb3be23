"""Fourth hostile probe, finding 4: a repeated query parameter was read silently, the last value
winning. ``POST /passports?battery=BP-000014&battery=BP-000013`` wrote battery 13 and
``GET /store?graph=<14's usage>&graph=<13's usage>`` answered 13's usage graph, while a proxy,
gateway or access log in front of the service that reads the first value saw battery 14 (HTTP
parameter pollution: what was checked and what was done differ). The parameters that choose
what a request reads or writes (battery, graph, default, node) are refused when given twice with
different values, with a 400 naming them, before any route, body or permission is read; other
parameters pass as before (SPARQLWrapper sends format, output and results with two values
each), and so do the SPARQL Protocol's repeatable dataset parameters."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from graph_service.model.graphs import Stage
from tests.conftest import LiveServer
from tests.security.support import TURTLE, Fleet, stored_demo_battery


@pytest.fixture(scope="module")
def fleet(server_factory_module: Callable[..., LiveServer]) -> Fleet:
    return stored_demo_battery(server_factory_module())


def test_a_passport_write_with_two_battery_parameters_is_400(fleet: Fleet) -> None:
    before = fleet.dump()
    with fleet.client("operator", fleet.operator) as client:
        response = client.post(f"/passports?battery=BP-000014&battery={fleet.battery_id}",
                               content=fleet.document(Stage.USAGE).serialize(format="turtle")
                               .encode(), headers=TURTLE)
    assert response.status_code == 400, response.text
    assert "'battery' (2 different values)" in response.json()["detail"]
    assert fleet.dump() == before


@pytest.mark.parametrize("method", ["GET", "HEAD", "DELETE"])
def test_a_graph_store_request_naming_two_graphs_is_400(fleet: Fleet, method: str) -> None:
    layout = fleet.server.services.layout
    ours = layout.source(fleet.battery_id, Stage.USAGE)
    other = layout.source("BP-000014", Stage.USAGE)
    before = fleet.dump()
    with fleet.client("operator", fleet.operator) as client:
        response = client.request(method, "/store", params=[("graph", str(other)),
                                                             ("graph", str(ours))])
    assert response.status_code == 400
    if method != "HEAD":
        assert "'graph'" in response.json()["detail"]
    assert fleet.dump() == before


@pytest.mark.parametrize("path", [
    "/store?graph=http://a.example/g&graph=http://b.example/g",
    "/audit?battery=BP-000013&battery=BP-000014",
    "/explain?node=http://a.example/n&node=http://b.example/n"])
def test_every_target_parameter_given_twice_is_400(fleet: Fleet, path: str) -> None:
    with fleet.client("researcher") as client:
        response = client.get(path)
    assert response.status_code == 400, response.text


def test_other_parameters_and_the_same_value_twice_pass(fleet: Fleet) -> None:
    """SPARQLWrapper sends format, output and results with two values each."""
    with fleet.client("researcher") as client:
        response = client.get("/sparql?query=ASK%7B%7D&format=json&format=xml"
                              "&output=json&output=xml",
                              headers={"Accept": "application/sparql-results+json"})
        assert response.status_code == 200, response.text
        same = client.get(f"/batteries/{fleet.battery_id}/cells?limit=1")
        assert same.status_code == 200, same.text


def test_the_sparql_dataset_parameters_still_repeat(fleet: Fleet) -> None:
    views = [f"{fleet.server.services.layout.base}graph/view/public",
             f"{fleet.server.services.layout.base}graph/view/legitimate-interest"]
    with fleet.client("researcher") as client:
        response = client.get("/sparql", params=[
            ("query", "ASK { ?s ?p ?o }"), *(("default-graph-uri", g) for g in views),
            *(("named-graph-uri", g) for g in views)],
            headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    assert response.json()["boolean"] is True
