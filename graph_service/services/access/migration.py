"""One-off migration of a store written before custody records and custody partitions.

Run at start-up (and by ``dbp migrate``); idempotent, and a no-op once the meta graph says the
store is at ``LAYOUT_VERSION``. Everything is SPARQL over the whole store, never a loop that
reads battery after battery:

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
from graph_service.store import ChangeSet, GraphStore, QuadPattern

log = logging.getLogger(__name__)

LAYOUT_VERSION = 1


def layout_version(store: GraphStore, layout: GraphLayout) -> int:
    from graph_service.services.sparql.named_queries import (
        INTERNAL_QUERIES_DIR,
        Dataset,
        NamedQueries,
    )

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
    base = layout.base
    battery_prefix = str(minter.battery("x"))[:-1]
    org_prefix = str(minter.organisation("x"))[:-1]
    custody, meta = layout.custody, layout.meta
    li_view = layout.view(AccessGroup.LEGITIMATE_INTEREST)
    partition_key = (
        f'CONCAT(IF(BOUND(?m), STRAFTER(STR(?m), "{org_prefix}"), "{NOBODY}"), "/", '
        f'IF(BOUND(?op), STRAFTER(STR(?op), "{org_prefix}"), "{NOBODY}"))')
    li_partition = f'IRI(CONCAT("{layout.legitimate_interest_partition("")}", {partition_key}))'
    derived_partition = f'IRI(CONCAT("{layout.derived_partition("")}", {partition_key}))'
    battery_graph = f'CONCAT("{base}graph/battery/", ?id, "/")'
    custody_pattern = (
        f"GRAPH <{custody}> {{ ?b <{DBP.batteryId}> ?id "
        f"OPTIONAL {{ ?b <{DBP.manufacturer}> ?m }} OPTIONAL {{ ?b <{DBP.operator}> ?op }} }}")
    updates = [
        # 1. custody records: every battery with a stored identity stage; its manufacturer and
        # operator when they are our organisation IRIs (several: none is taken).
        f"""INSERT {{ GRAPH <{custody}> {{ ?b <{DBP.batteryId}> ?id . ?b <{DBP.manufacturer}> ?m .
                                          ?b <{DBP.operator}> ?op }} }}
        WHERE {{
          {{ SELECT ?b ?id WHERE {{
              GRAPH <{layout.view(AccessGroup.PUBLIC)}> {{ ?b <{DBP.batteryId}> ?any }}
              FILTER(STRSTARTS(STR(?b), "{battery_prefix}"))
              BIND(STRAFTER(STR(?b), "{battery_prefix}") AS ?id)
              FILTER(!CONTAINS(?id, "/"))
              FILTER NOT EXISTS {{ GRAPH <{custody}> {{ ?b <{DBP.batteryId}> ?known }} }}
          }} }}
          BIND(IRI(CONCAT({battery_graph}, "identity")) AS ?g)
          OPTIONAL {{ SELECT ?g ?b (SAMPLE(?m0) AS ?m) WHERE {{
              GRAPH ?g {{ ?b <{DBP.manufacturer}> ?m0 }} FILTER(STRSTARTS(STR(?m0), "{org_prefix}"))
          }} GROUP BY ?g ?b HAVING(COUNT(DISTINCT ?m0) = 1) }}
          OPTIONAL {{ SELECT ?g ?b (SAMPLE(?o0) AS ?op) WHERE {{
              GRAPH ?g {{ ?b <{DBP.operator}> ?o0 }} FILTER(STRSTARTS(STR(?o0), "{org_prefix}"))
          }} GROUP BY ?g ?b HAVING(COUNT(DISTINCT ?o0) = 1) }}
          FILTER EXISTS {{ GRAPH ?g {{ ?b ?p ?o }} }}
        }}""",
        # 2. the partition index
        f"""INSERT {{ GRAPH <{meta}> {{ ?part <{DBP.partitionCustodian}> ?org }} }}
        WHERE {{ {custody_pattern} VALUES ?which {{ 1 2 }}
                 BIND(IF(?which = 1, ?m, ?op) AS ?org) FILTER(BOUND(?org))
                 BIND({li_partition} AS ?part) }}""",
        # 3. partitions, driven by the views (one pass each): a triple about a node under a
        # battery goes to that battery's partition ...
        # (The custody pairs are a subquery: joined by hash with the view's triples, not
        # evaluated again for each of them.)
        *(f"""INSERT {{ GRAPH ?part {{ ?s ?p ?o }} }}
        WHERE {{ GRAPH <{view}> {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?s), "{battery_prefix}"))
                 BIND(IRI(CONCAT("{battery_prefix}", STRBEFORE(CONCAT(
                     STRAFTER(STR(?s), "{battery_prefix}"), "/"), "/"))) AS ?b)
                 {{ SELECT ?b ?part WHERE {{ {custody_pattern}
                                            BIND({partition} AS ?part) }} }} }}"""
          for view, partition in ((li_view, li_partition),
                                  (layout.derived_view, derived_partition))),
        # ... and a triple about a shared node (a site, a rule) to the partition of every
        # battery whose graphs of the same kind assert it.
        *(f"""INSERT {{ GRAPH ?part {{ ?s ?p ?o }} }}
        WHERE {{ {{ SELECT ?s ?p ?o WHERE {{ GRAPH <{view}> {{ ?s ?p ?o }}
                   FILTER(!STRSTARTS(STR(?s), "{battery_prefix}")) }} }}
                 GRAPH ?src {{ ?s ?p ?o }}
                 FILTER(STRSTARTS(STR(?src), "{base}graph/battery/")
                        && {kind}(STRENDS(STR(?src), "/derived")))
                 BIND(IRI(CONCAT("{battery_prefix}", STRBEFORE(STRAFTER(STR(?src),
                     "{base}graph/battery/"), "/"))) AS ?b)
                 {{ SELECT ?b ?part WHERE {{ {custody_pattern}
                                            BIND({partition} AS ?part) }} }} }}"""
          for view, partition, kind in ((li_view, li_partition, "!"),
                                        (layout.derived_view, derived_partition, ""))),
    ]
    restricted = " ".join(f"<{p}>" for p in lineage_restricted)
    if restricted:
        # 4. lineage status facts: out of the public lineage graph, into the battery's own
        # lineage graph, the legitimate-interest view and its custody partition.
        updates.append(
            f"""DELETE {{ GRAPH <{layout.lineage}> {{ ?x ?p ?v }} }}
            INSERT {{ GRAPH ?own {{ ?x ?p ?v }} GRAPH <{li_view}> {{ ?x ?p ?v }}
                      GRAPH ?part {{ ?x ?p ?v }} }}
            WHERE {{ VALUES ?p {{ {restricted} }}
                     GRAPH <{layout.lineage}> {{ ?x ?p ?v }}
                     OPTIONAL {{ GRAPH <{layout.lineage}> {{ ?x <{DBP.passportOf}> ?of }} }}
                     BIND(COALESCE(?of, ?x) AS ?b)
                     {custody_pattern}
                     BIND(IRI(CONCAT({battery_graph}, "lineage")) AS ?own)
                     BIND({li_partition} AS ?part) }}""")
    for update in updates:
        store.update(update)
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
