"""A store written before custody records (issue 14) is migrated once, by SPARQL over the whole
store: the result is exactly what writing the same fleet today produces, and running it again
changes nothing."""

from __future__ import annotations

from graph_service.api.app import build_services
from graph_service.model.namespaces import DBP
from graph_service.services.access.migration import (
    as_before_custody,
    layout_version,
    migrate_custody,
)
from graph_service.services.demo import write_demo_fleet
from graph_service.store import RdfFormat, open_memory_store
from tests.conftest import make_settings


def test_migration_rebuilds_what_writes_produce_and_is_idempotent() -> None:
    services = build_services(make_settings(), open_memory_store())
    write_demo_fleet(services, 12)
    expected = services.store.dump(RdfFormat.N_QUADS)
    assert services.custody.record("BP-000009") is not None

    as_before_custody(services)
    assert layout_version(services.store, services.layout) == 0
    assert services.custody.record("BP-000009") is None
    assert services.store.dump(RdfFormat.N_QUADS) != expected

    lineage = services.lineage.restricted_predicates()
    assert DBP.currentStatus in lineage and DBP.closedAt in lineage
    assert migrate_custody(services.store, services.layout, services.minter, lineage)
    assert sorted(services.store.dump(RdfFormat.N_QUADS).splitlines()) == \
        sorted(expected.splitlines())
    assert not migrate_custody(services.store, services.layout, services.minter, lineage)
