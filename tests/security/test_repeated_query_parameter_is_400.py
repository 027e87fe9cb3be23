"""Fourth hostile probe, finding 4: a repeated query parameter was read silently, the last value
winning. ``POST /passports?battery=BP-000014&battery=BP-000013`` wrote battery 13 and
``GET /store?graph=<14's usage>&graph=<13's usage>`` answered 13's usage graph, while a proxy,
gateway or access log in front of the service that reads the first value saw battery 14 (HTTP
parameter pollution: what was checked and what was done differ). Every query parameter the API
does not define as repeatable is refused when given twice, with a 400 naming it, before any
route, body or permission is read; the SPARQL Protocol's dataset parameters still repeat."""

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
    assert "'battery' (2 times)" in response.json()["detail"]
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


@pytest.mark.parametrize("path", ["/batteries?limit=1&limit=500",
                                  "/sparql?query=ASK{}&timeout=1&timeout=2",
                                  "/store?default&default"])
def test_any_other_repeated_parameter_is_400(fleet: Fleet, path: str) -> None:
    with fleet.client("researcher") as client:
        response = client.get(path)
    assert response.status_code == 400, response.text


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
