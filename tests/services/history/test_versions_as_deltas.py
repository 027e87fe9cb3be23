"""Versions as deltas (issue 17): a version stores no copy of what it writes; the content a later
version replaces is copied into the history then. Every version reads the same before and after."""

from __future__ import annotations

from rdflib import Literal
from rdflib.compare import to_isomorphic

from graph_service.config import Settings
from graph_service.container import build_services
from graph_service.model.graphs import AccessGroup
from graph_service.model.namespaces import DBP
from graph_service.services.access import Principal, Role
from graph_service.services.fleet.demo import demo_passport, write_demo_organisations
from graph_service.store import open_memory_store

ADMIN = Principal(id="admin-test", role=Role.ADMIN)
GROUP_SETS = [(AccessGroup.PUBLIC,), (AccessGroup.PUBLIC, AccessGroup.LEGITIMATE_INTEREST),
              tuple(AccessGroup)]


def _services():
    settings = Settings(_env_file=None, environment="test", store=":memory:")  # type: ignore[call-arg]
    services = build_services(settings, open_memory_store())
    write_demo_organisations(services)
    return services


def _history_graphs(services, bid: str) -> list:
    prefix = f"{services.layout.base}graph/history/battery/{bid}/"
    return [g for g in services.store.graphs() if str(g).startswith(prefix)]


def test_a_fresh_passport_stores_no_copy_and_every_version_reads_the_same_later() -> None:
    services = _services()
    versions = services.ingest.history
    first = demo_passport(services.minter, 1)
    result = services.ingest.submit_graph(first, principal=ADMIN)
    bid = result.battery_id
    assert result.version == 1
    assert _history_graphs(services, bid) == []  # the stage graphs are version 1's content
    v1 = {groups: to_isomorphic(versions.snapshot(bid, 1, groups)) for groups in GROUP_SETS}
    assert len(v1[tuple(AccessGroup)]) == len(first)

    second = demo_passport(services.minter, 1)
    battery = services.minter.battery(bid)
    second.set((battery, DBP.model, Literal("Renamed model")))
    assert services.ingest.submit_graph(second, principal=ADMIN).version == 2
    # Only the replaced stage (identity) was copied, filed under the version that wrote it.
    changed = versions.versions(bid)[1].stages
    kept = _history_graphs(services, bid)
    assert kept and all(any(f"/1/{stage}/" in str(g) for stage in changed) for g in kept)
    assert len(changed) < len(versions.versions(bid)[0].stages)
    for groups in GROUP_SETS:
        assert to_isomorphic(versions.snapshot(bid, 1, groups)) == v1[groups]
    latest = versions.snapshot(bid, 2, tuple(AccessGroup))
    assert str(latest.value(battery, DBP.model)) == "Renamed model"
    assert len(latest) == len(second)

    third = demo_passport(services.minter, 1)
    third.set((battery, DBP.model, Literal("Third model")))
    services.ingest.submit_graph(third, principal=ADMIN)
    for groups in GROUP_SETS:
        assert to_isomorphic(versions.snapshot(bid, 1, groups)) == v1[groups]
    assert str(versions.snapshot(bid, 2, tuple(AccessGroup)).value(battery, DBP.model)) \
        == "Renamed model"
