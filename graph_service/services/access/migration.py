"""One-off migration of a store written before custody records and custody partitions.

Run at start-up (and by ``dbp migrate``); idempotent, and a no-op once the meta graph says the
store is at ``LAYOUT_VERSION``. Everything is SPARQL over the whole store (the update files
``queries/internal/migration-*.ru``, run by the named-query runner), never a loop that reads
battery after battery:

1. custody records from the stored identity stage graphs (one INSERT ... WHERE);
2. the partition index from the distinct custody pairs (one INSERT ... WHERE);
3. the legitimate-interest and derived views copied into the partitions of each battery's
   custody pair, driven by the views (four INSERT ... WHERE: nodes under a battery, shared
   nodes);
4. the lineage's battery-status facts moved out of the public lineage graph into each battery's
   lineage graph and the legitimate-interest views (one DELETE/INSERT ... WHERE).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from rdflib import Literal, URIRef

from graph_service.model.graphs import NOBODY, AccessGroup, GraphLayout
from graph_service.model.iris import IriMinter
from graph_service.model.namespaces import DBP
from graph_service.services.sparql.named_queries import (
    INTERNAL_QUERIES_DIR,
    Dataset,
    NamedQueries,
)
from graph_service.store.base import ChangeSet, GraphStore, QuadPattern

log = logging.getLogger(__name__)

LAYOUT_VERSION = 1


def layout_version(store: GraphStore, layout: GraphLayout) -> int:
    meta = Dataset(default_graph=(layout.meta,), named_graphs=())
    rows = NamedQueries(store, directory=INTERNAL_QUERIES_DIR).select(
        "meta-values", meta, g=layout.custody, p=DBP.layoutVersion)
    versions = [int(str(row["v"])) for row in rows]
    return max(versions, default=0)


def migrate_custody(store: GraphStore, layout: GraphLayout, minter: IriMinter,
                    lineage_restricted: Iterable[URIRef]) -> bool:
    """Bring the store to ``LAYOUT_VERSION``; returns whether anything had to be done.
    ``lineage_restricted``: lineage predicates the ontology classifies legitimate-interest."""
    if layout_version(store, layout) >= LAYOUT_VERSION:
        return False
    custody, meta = layout.custody, layout.meta
    runner = NamedQueries(store, directory=INTERNAL_QUERIES_DIR)
    # The IRI prefixes the updates match and build from, as bound strings (never text).
    battery_prefix = Literal(str(minter.battery("x"))[:-1])
    org_prefix = Literal(str(minter.organisation("x"))[:-1])
    battery_graphs = Literal(f"{layout.base}graph/battery/")
    li_view = layout.view(AccessGroup.LEGITIMATE_INTEREST)
    li_partitions = Literal(str(layout.legitimate_interest_partition("")))
    derived_partitions = Literal(str(layout.derived_partition("")))
    pair = {"custody": custody, "orgPrefix": org_prefix, "nobody": Literal(NOBODY)}
    # 1. custody records; 2. the partition index
    runner.update("migration-custody-records", custody=custody,
                  public=layout.view(AccessGroup.PUBLIC), batteryPrefix=battery_prefix,
                  orgPrefix=org_prefix, batteryGraphPrefix=battery_graphs)
    runner.update("migration-partition-index", meta=meta, partitionPrefix=li_partitions, **pair)
    # 3. partitions, driven by the views (one pass each): triples about nodes under a battery,
    # then about shared nodes (a site, a rule)
    for view, partitions in ((li_view, li_partitions), (layout.derived_view, derived_partitions)):
        runner.update("migration-view-to-partitions", view=view, batteryPrefix=battery_prefix,
                      partitionPrefix=partitions, **pair)
    for view, partitions, derived in ((li_view, li_partitions, False),
                                      (layout.derived_view, derived_partitions, True)):
        runner.update("migration-shared-nodes-to-partitions", view=view,
                      derived=Literal(derived), batteryPrefix=battery_prefix,
                      batteryGraphPrefix=battery_graphs, partitionPrefix=partitions, **pair)
    restricted = list(lineage_restricted)
    if restricted:
        # 4. lineage status facts: out of the public lineage graph, into the battery's own
        # lineage graph, the legitimate-interest view and its custody partition.
        runner.update("migration-lineage-status", p=restricted, lineage=layout.lineage,
                      liView=li_view, batteryGraphPrefix=battery_graphs,
                      partitionPrefix=li_partitions, **pair)
    store.apply(ChangeSet(
        retract=[QuadPattern(meta, custody, DBP.layoutVersion)],
        insert=[(custody, DBP.layoutVersion, Literal(LAYOUT_VERSION), meta)]))
    log.info("migrated the store to custody layout %d", LAYOUT_VERSION)
    return True


def as_before_custody(services) -> None:
    """Turn today's layout back into the one before custody records (no custody graph, no
    partitions, no index, the lineage's status facts in the public lineage graph only): what
    the migration's test and benchmark start from. Never called by the service."""
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
        retract=[QuadPattern(layout.meta, predicate=DBP.partitionCustodian),
                 QuadPattern(layout.meta, predicate=DBP.layoutVersion)],
        delete=[(s, p, o, li_view) for s, p, o in moved],
        insert=[(s, p, o, layout.lineage) for s, p, o in moved]))


__all__ = ["LAYOUT_VERSION", "as_before_custody", "layout_version", "migrate_custody"]
