"""Issue 14, finding 5: the Graph Store Protocol was an oracle for which batteries have usage,
service or end-of-life records. A restricted stage graph answered "nothing in <...> is readable",
a missing one "no graph <...>". Both must answer exactly alike (status and body shape), for GET,
HEAD and DELETE."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from graph_service.model.graphs import Stage
from tests.conftest import LiveServer
from tests.security.support import Fleet, stored_demo_battery


@pytest.fixture(scope="module")
def fleet(server_factory_module: Callable[..., LiveServer]) -> Fleet:
    """Read-only tests: one server for the module."""
    return stored_demo_battery(server_factory_module())


def _graph(fleet: Fleet, battery_id: str, stage: Stage) -> str:
    return str(fleet.server.services.layout.source(battery_id, stage))


def _shape(response: httpx.Response, graph: str) -> tuple:
    """Status, media type and body with the graph IRI taken out."""
    body = response.text.replace(graph, "<GRAPH>")
    return response.status_code, response.headers.get("content-type"), body


@pytest.mark.parametrize("method", ["GET", "HEAD", "DELETE"])
@pytest.mark.parametrize(("role", "stage"), [
    ("public", Stage.USAGE), ("public", Stage.SERVICE), ("public", Stage.LOGISTICS),
    # an OEM that did not make this battery reads none of its legitimate-interest data
    ("oem", Stage.USAGE),
])
def test_restricted_and_missing_stage_graphs_answer_alike(fleet: Fleet, method: str, role: str,
                                                          stage: Stage) -> None:
    stored = fleet.server.services.repository.stored_stages(fleet.battery_id)
    assert stage in stored  # the restricted graph really exists
    existing = _graph(fleet, fleet.battery_id, stage)
    missing = _graph(fleet, "BP-999999", stage)
    before = fleet.dump()
    with fleet.client(role) as client:
        answers = [client.request(method, "/store", params={"graph": graph})
                   for graph in (existing, missing)]
    assert answers[0].status_code in (403, 404)
    assert _shape(answers[0], existing) == _shape(answers[1], missing)
    assert fleet.dump() == before


def test_a_missing_stage_of_a_stored_battery_answers_like_a_restricted_one(fleet: Fleet) -> None:
    """End of life is not stored for this battery, usage is: the public cannot tell."""
    stored = fleet.server.services.repository.stored_stages(fleet.battery_id)
    assert Stage.END_OF_LIFE not in stored and Stage.USAGE in stored
    usage = _graph(fleet, fleet.battery_id, Stage.USAGE)
    end_of_life = _graph(fleet, fleet.battery_id, Stage.END_OF_LIFE)
    with fleet.client("public") as client:
        shapes = [_shape(client.get("/store", params={"graph": g}), g)
                  for g in (usage, end_of_life)]
    assert shapes[0] == shapes[1]
