"""Fourth hostile probe, finding 1: a passport could name another battery's nodes as objects.
The operator of battery 13 wrote ``<13> dbp:hasUsageRecord <14/usage/1>`` (and a module of 13
holding a module of 14) into battery 13's usage stage: accepted, stored in 13's graphs and views,
so every reader joining 13's usage records read battery 14's - another organisation's - as 13's,
and every validation of 13 fetched 14's stored nodes. Subjects of another battery were refused
already; a node of another battery is refused in any position, for every writer and every write
path, naming the battery and the triples, and nothing is stored."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rdflib import Graph, URIRef

from graph_service.model.graphs import Stage
from graph_service.model.namespaces import DBP
from tests.conftest import LiveServer
from tests.security.support import TURTLE, Fleet, stored_demo_battery


@pytest.fixture(scope="module")
def fleets(server_factory_module: Callable[..., LiveServer]) -> tuple[Fleet, Fleet]:
    """Batteries 13 and 14 of different manufacturers and operators on one server."""
    server = server_factory_module()
    return stored_demo_battery(server, 13), stored_demo_battery(server, 14)


def _usage_naming(ours: Fleet, theirs: Fleet, node: str) -> Graph:
    document = ours.document(Stage.USAGE)
    document.add((ours.battery, DBP.hasUsageRecord, URIRef(f"{theirs.battery}{node}")))
    return document


@pytest.mark.parametrize("role", ["operator", "admin"])
@pytest.mark.parametrize("node", ["/usage/1", "/module/2/usage/2", ""])
def test_a_passport_cannot_name_another_batterys_nodes(fleets: tuple[Fleet, Fleet], role: str,
                                                       node: str) -> None:
    ours, theirs = fleets
    assert ours.operator != theirs.operator and ours.manufacturer != theirs.manufacturer
    before = ours.dump()
    with ours.client(role, ours.operator if role == "operator" else None) as client:
        response = ours.post(client, _usage_naming(ours, theirs, node))
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert theirs.battery_id in detail and f"<{theirs.battery}{node}>" in detail
    assert ours.dump() == before


def test_the_graph_store_protocol_refuses_them_too(fleets: tuple[Fleet, Fleet]) -> None:
    ours, theirs = fleets
    graph = str(ours.server.services.layout.source(ours.battery_id, Stage.USAGE))
    before = ours.dump()
    with ours.client("operator", ours.operator) as client:
        response = client.put("/store", params={"graph": graph}, headers=TURTLE,
                              content=_usage_naming(ours, theirs, "/usage/1")
                              .serialize(format="turtle").encode())
    assert response.status_code == 422, response.text
    assert theirs.battery_id in response.json()["detail"]
    assert ours.dump() == before


def test_naming_its_own_nodes_is_still_accepted(fleets: tuple[Fleet, Fleet]) -> None:
    ours, _ = fleets
    with ours.client("operator", ours.operator) as client:
        response = ours.post(client, ours.document(Stage.USAGE))
    assert response.status_code == 200, response.text
