"""The battery list (GET /batteries, ``BatteryQueries.list``) costs a fixed number of queries,
whatever the size of the fleet and the page: it used to run two or three queries per battery
(properties, alert level, manufacturer) plus one per vocabulary label. Counted at the store."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from graph_service.api.app import Services, build_services
from graph_service.services.access import ANONYMOUS, Principal, Role
from graph_service.services.fleet.demo import write_demo_fleet
from graph_service.store import open_memory_store

from conftest import make_settings, register_test_organisations  # isort: skip

RESEARCHER = Principal(id="researcher", role=Role.RESEARCHER, organisation="uni-lab")


def _fleet(size: int) -> tuple[Services, Callable[[], int]]:
    services = build_services(make_settings(), open_memory_store())
    register_test_organisations(services)
    write_demo_fleet(services, size)
    store = services.store
    calls = [0]
    query = store.query

    def counted(*args, **kwargs):
        calls[0] += 1
        return query(*args, **kwargs)

    store.query = counted  # type: ignore[method-assign]  # every query of the list goes here
    return services, lambda: calls[0]


@pytest.fixture(scope="module")
def small() -> tuple[Services, Callable[[], int]]:
    return _fleet(3)


@pytest.fixture(scope="module")
def large() -> tuple[Services, Callable[[], int]]:
    return _fleet(12)


@pytest.mark.parametrize("principal", [RESEARCHER, ANONYMOUS], ids=["researcher", "anonymous"])
def test_battery_list_costs_a_fixed_number_of_queries(small, large, principal) -> None:
    costs = []
    for services, calls in (small, large):
        before = calls()
        page = services.batteries.list(principal, limit=50)
        costs.append(calls() - before)
        assert len(page.items) == len({item.id for item in page.items}) > 0
        if principal is RESEARCHER:  # legitimate interest reads the alert level
            assert all(item.alertLevel is not None for item in page.items)
        assert all(item.manufacturer and item.manufacturer.name for item in page.items)
    assert costs[0] == costs[1] <= 5, costs


def test_a_filtered_list_costs_the_same(small, large) -> None:
    costs = []
    for services, calls in (small, large):
        # The filters' vocabularies are read once per process (a value no concept of its
        # vocabulary is refused, not answered with an empty list).
        services.batteries.list(RESEARCHER, limit=1, risk_level="high", chemistry="nmc811")
        before = calls()
        services.batteries.list(RESEARCHER, limit=50, risk_level="high", chemistry="nmc811")
        costs.append(calls() - before)
    assert costs[0] == costs[1] <= 5, costs
