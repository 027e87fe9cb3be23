"""A store written before custody records (issue 14) is migrated once, by SPARQL over the whole
store: the result is exactly what writing the same fleet today produces, and running it again
changes nothing."""

from __future__ import annotations

from graph_service.api.app import build_services
from graph_service.model.graphs import AccessGroup
from graph_service.model.namespaces import DBP
from graph_service.services.access.migration import layout_version, migrate_custody
from graph_service.services.demo import write_demo_fleet
from graph_service.store import ChangeSet, RdfFormat, open_memory_store
from tests.conftest import make_settings


def _as_before_custody(services) -> None:
    """Turn today's layout back into the old one: no custody graph, no partitions and no index,
    and the lineage's status facts in the public lineage graph only."""
    layout, store = services.layout, services.store
    old_graphs = [g for g in store.graphs()
                  if str(g).startswith((str(layout.legitimate_interest_partition("")),
                                        str(layout.derived_partition(""))))
                  or (str(g).endswith("/lineage") and "/graph/battery/" in str(g))]
    moved = []
    for graph in old_graphs:
        if str(graph).endswith("/lineage"):
            for s, p, o in store.graph(graph):
                moved.append((s, p, o))
    li_view = layout.view(AccessGroup.LEGITIMATE_INTEREST)
    store.apply(ChangeSet(
        drop_graphs=[layout.custody, *old_graphs],
        sparql_before=[f"DELETE WHERE {{ GRAPH <{layout.meta}> {{ ?g <{DBP.partitionCustodian}> "
                       f"?o }} }}",
                       f"DELETE WHERE {{ GRAPH <{layout.meta}> {{ ?g <{DBP.layoutVersion}> "
                       "?v } }"],
        delete=[(s, p, o, li_view) for s, p, o in moved],
        insert=[(s, p, o, layout.lineage) for s, p, o in moved]))


def test_migration_rebuilds_what_writes_produce_and_is_idempotent() -> None:
    services = build_services(make_settings(), open_memory_store())
    write_demo_fleet(services, 12)
    expected = services.store.dump(RdfFormat.N_QUADS)
    assert services.custody.record("BP-000009") is not None

    _as_before_custody(services)
    assert layout_version(services.store, services.layout) == 0
    assert services.custody.record("BP-000009") is None
    assert services.store.dump(RdfFormat.N_QUADS) != expected

    lineage = services.lineage.restricted_predicates()
    assert DBP.currentStatus in lineage and DBP.closedAt in lineage
    assert migrate_custody(services.store, services.layout, services.minter, lineage)
    assert sorted(services.store.dump(RdfFormat.N_QUADS).splitlines()) == \
        sorted(expected.splitlines())
    assert not migrate_custody(services.store, services.layout, services.minter, lineage)
