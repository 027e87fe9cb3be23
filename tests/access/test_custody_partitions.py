"""Custody partitions as a caller bound to custody sees them (docs/access.md, Enforcement): a
fact about a node shared by batteries of several of its custody pairs (the manufacturer's plant)
comes once per partition that asserts it; callers that read every battery see it once."""

from __future__ import annotations

import pytest

from graph_service.model.iris import IriMinter
from graph_service.model.namespaces import DBP
from graph_service.services.fleet.demo import demo_passport
from tests.conftest import LiveServer

MINTER = IriMinter("http://127.0.0.1:8000/")
PLANT = "http://127.0.0.1:8000/id/site/rheinvolt-plant"
JSON = {"Accept": "application/sparql-results+json"}


@pytest.fixture
def server(live_server: LiveServer) -> LiveServer:
    admin = live_server.client(live_server.token("admin", "ops"))
    operators = set()
    for index in (1, 13):  # both made by rheinvolt, operated by citybus and eurofleet
        passport = demo_passport(MINTER, index)
        operators.add(passport.value(MINTER.battery(f"BP-{index:06d}"), DBP.operator))
        answer = admin.post("/passports", content=passport.serialize(format="turtle").encode(),
                            headers={"Content-Type": "text/turtle"})
        assert answer.status_code == 201, answer.text
    assert len(operators) == 2
    return live_server


def _rows(server: LiveServer, token: str, distinct: bool) -> int:
    query = (f"SELECT {'DISTINCT ' if distinct else ''}?name WHERE "
             f"{{ <{PLANT}> <https://w3id.org/dbp#name> ?name }}")
    answer = server.client(token).get("/sparql", params={"query": query}, headers=JSON)
    assert answer.status_code == 200, answer.text
    return len(answer.json()["results"]["bindings"])


def test_a_shared_fact_comes_once_per_own_partition(server: LiveServer) -> None:
    oem = server.token("oem", "rheinvolt")
    researcher = server.token("researcher", "lab")
    assert _rows(server, researcher, distinct=False) == 1
    assert _rows(server, oem, distinct=False) == 2
    assert _rows(server, oem, distinct=True) == 1
    assert _rows(server, server.token("oem", "nordcell"), distinct=False) == 0
