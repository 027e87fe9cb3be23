"""A page start larger than the engine's 64-bit OFFSET is a 422 naming ``offset``.

Finding (stop 33): ``GET /batteries?offset=10^29`` answered 400 "Malformed SPARQL" with a
position in a query the caller never wrote (the service's own list query); the cells page did
the same. Every paged route takes its ``offset`` through one parameter type
(graph_service/api/params.py) with an upper bound.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from graph_service.api.params import MAX_PAGE_OFFSET
from graph_service.services.fleet.demo import write_demo_fleet

# The root tests/conftest.py, imported by pytest as the top-level module ``conftest``.
from conftest import LiveServer, make_settings, start_server  # isort: skip

HUGE = [str(10**29), str(2**64), str(MAX_PAGE_OFFSET + 1)]


@pytest.fixture(scope="module")
def fleet() -> Iterator[LiveServer]:
    with start_server(make_settings()) as live:
        write_demo_fleet(live.services, 2)
        yield live


@pytest.mark.parametrize("path", ["/batteries", "/batteries/BP-000001/cells"])
@pytest.mark.parametrize("offset", HUGE)
def test_a_page_start_beyond_the_bound_names_offset(fleet: LiveServer, path: str,
                                                    offset: str) -> None:
    admin = fleet.client(fleet.token("admin"))
    response = admin.get(path, params={"offset": offset})
    assert response.status_code == 422, response.text
    problem = response.json()
    assert "offset" in problem["detail"]
    assert "sparql" not in problem["detail"].lower()


@pytest.mark.parametrize("path", ["/batteries", "/batteries/BP-000001/cells"])
def test_the_largest_page_start_is_an_empty_page(fleet: LiveServer, path: str) -> None:
    admin = fleet.client(fleet.token("admin"))
    response = admin.get(path, params={"offset": MAX_PAGE_OFFSET})
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["items"] == []
    assert page["offset"] == MAX_PAGE_OFFSET
    assert page.get("hasMore", False) is False  # the cells page says its total instead
