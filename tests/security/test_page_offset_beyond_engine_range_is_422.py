"""Fourth hostile probe, finding 2: ``GET /batteries?offset=18446744073709551616`` (2^64) was
answered 400 "Malformed SPARQL", with a line and column of our own query: the engine's OFFSET
counts in 64 bits, so the service's query failed to parse and the caller was told its SPARQL was
malformed. Every page offset of the REST facade and the dashboard is bounded where it is read:
a larger one is a 422 naming the parameter; the largest one is an empty page."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from graph_service.api.params import MAX_OFFSET
from tests.conftest import LiveServer
from tests.security.support import Fleet, stored_demo_battery


@pytest.fixture(scope="module")
def fleet(server_factory_module: Callable[..., LiveServer]) -> Fleet:
    return stored_demo_battery(server_factory_module())


@pytest.mark.parametrize("offset", [MAX_OFFSET + 1, 2**64, 10**30])
@pytest.mark.parametrize("path", ["/batteries", "/batteries/{id}/cells", "/ui/batteries"])
def test_an_offset_beyond_the_engine_range_is_422_naming_it(fleet: Fleet, path: str,
                                                            offset: int) -> None:
    with fleet.client("researcher") as client:
        response = client.get(path.format(id=fleet.battery_id), params={"offset": offset})
    assert response.status_code == 422, response.text
    assert "offset" in response.text
    assert "SPARQL" not in response.text


def test_the_largest_offset_is_an_empty_page(fleet: Fleet) -> None:
    with fleet.client("researcher") as client:
        response = client.get("/batteries", params={"offset": MAX_OFFSET})
    assert response.status_code == 200, response.text
    assert response.json()["items"] == []
