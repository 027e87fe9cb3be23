"""Writing passport data: per-battery source graphs and the shared access-group views together.

See ``graph_service/model/graphs.py`` for the layout. A write of one or more stages of one
battery becomes ONE atomic store update that, for each stage,

1. removes from the views the triples of the old source graph that no other source graph
   still asserts (one index lookup per triple, so the cost is that battery's size),
2. drops the old source graph,

and then inserts the new source graphs and their triples into the views of their access groups,
and the legitimate-interest ones also into the partition of the battery's custody pair (so that
callers whose legitimate interest is bound to custody name a few partitions, see
``graph_service/model/graphs.py``).

Derived triples (rule output) go to the battery's derived graph, the derived view and the
derived partition of its custody, except *summary facts*: triples that a rule placed in an
access group (``placement``, see ``services/derivation/rules.py``) go where that group's data of the
battery goes instead, so a caller reads a battery's summary with the same dataset, and the same
permissions, as the facts it summarises. Their provenance (``dbp:derivedByRule``,
``prov:wasDerivedFrom``...) stays derived. Which graphs hold a group's data of a battery is
decided in one place, :meth:`PassportRepository.graphs_of`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from rdflib import BNode, URIRef
from rdflib.term import Node

from graph_service.model.graphs import AccessGroup, GraphLayout, Stage
from graph_service.model.iris import IriMinter
from graph_service.services.access.custody import UNASSIGNED, Custody, CustodyRecords
from graph_service.services.sparql.named_queries import INTERNAL_QUERIES_DIR, Dataset, NamedQueries
from graph_service.store.base import ChangeSet, GraphStore, Quad

Triple = tuple[Node, Node, Node]
StagedTriples = Mapping[Stage, Mapping[AccessGroup, Sequence[Triple]]]


class BlankNodeInPassport(ValueError):
    """Passport data must be skolemised before it is stored."""


@dataclass
class PassportRepository:
    store: GraphStore
    layout: GraphLayout
    # Predicates of summary facts (annotated with dbp:accessGroup in ontology/summary.ttl):
    # a re-derivation retracts the old ones from the access views too.
    summary_predicates: frozenset[URIRef] = frozenset()
    # Where each battery's legitimate-interest and derived triples are partitioned by custody.
    custody: CustodyRecords | None = None

    def _custody(self, battery_id: str, custody: Custody | None) -> Custody:
        if custody is not None:
            return custody
        record = self.custody.record(battery_id) if self.custody is not None else None
        return record or UNASSIGNED

    def graphs_of(self, group: AccessGroup, custody: Custody) -> tuple[URIRef, ...]:
        """The graphs holding ``group``'s data (source facts and summaries) of a battery in
        ``custody``: the group's view, and for legitimate interest its custody partition."""
        view = self.layout.view(group)
        if group is AccessGroup.LEGITIMATE_INTEREST:
            return view, self.layout.legitimate_interest_partition(custody.key)
        return (view,)

    # -- writes ------------------------------------------------------------------------------
    def _retractions(self, battery_id: str, graph: URIRef, views: Sequence[URIRef],
                     derived: bool, partition: URIRef | None = None,
                     custody: Custody | None = None) -> list[Quad]:
        """Quads to delete from the views (and the battery's custody partition) when ``graph``
        is replaced.

        Computed here, not by one DELETE ... WHERE over the views: the engine would join the
        views (every battery's triples) first, which made a write cost grow with the fleet
        (measured: 1 s per stage at 300 batteries). A node under the battery's IRI is described
        only by this battery's graphs (ingest refuses foreign battery nodes), so its triples go
        unconditionally; the few triples about shared nodes (sites, rules) stay in a view when
        another battery's graph of the same kind still asserts them (a lookup by the complete
        triple), and in a partition when such a battery is in the same partition."""
        if not self.store.contains_graph(graph):
            return []
        battery = str(IriMinter(self.layout.base).battery(battery_id))
        # Summary facts sit where their access group's data sits instead of the derived view
        # (their group is not recorded: deleting an absent quad changes nothing).
        summary_graphs = list(dict.fromkeys(
            g for group in AccessGroup for g in self.graphs_of(group, custody or UNASSIGNED))) \
            if derived and self.summary_predicates else []
        key = (custody or UNASSIGNED).key
        keys: dict[str, str] = {}  # other battery -> its partition key, looked up once

        def same_partition(other: str) -> bool:
            if other not in keys:
                keys[other] = self._custody(other, None).key
            return keys[other] == key

        gone: list[Quad] = []
        for s, p, o in self.store.graph(graph):
            subject = str(s)
            own = subject == battery or subject.startswith(battery + "/")
            others = iter(()) if own else self._asserted_elsewhere((s, p, o), graph, derived)
            first = next(others, None)
            if first is None:
                gone.extend((s, p, o, view) for view in views)
                if own and p in self.summary_predicates:
                    gone.extend((s, p, o, g) for g in summary_graphs)
            if partition is not None and (first is None or not (
                    same_partition(first) or any(same_partition(b) for b in others))):
                gone.append((s, p, o, partition))
        return gone

    def _asserted_elsewhere(self, triple: Triple, graph: URIRef,
                            derived: bool) -> Iterator[str]:
        """The other batteries whose graphs of the same kind assert ``triple`` (lazily)."""
        prefix = f"{self.layout.base}graph/battery/"
        rows = NamedQueries(self.store, directory=INTERNAL_QUERIES_DIR).select(
            "graphs-asserting", Dataset(default_graph=(), named_graphs=(), all_named=True),
            s=triple[0], p=triple[1], o=triple[2])
        for row in rows:
            other = str(row["g"])
            if other != str(graph) and other.startswith(prefix) and \
                    other.endswith("/derived") == derived:
                yield other[len(prefix):].split("/", 1)[0]

    def stage_changes(self, battery_id: str, staged: StagedTriples,
                      custody: Custody | None = None) -> ChangeSet:
        """The atomic change that replaces the given stages of one battery."""
        changes = ChangeSet()
        for stage, by_group in staged.items():
            changes.extend(self.source_changes(
                battery_id, self.layout.source(battery_id, stage), by_group, custody))
        return changes

    def source_changes(self, battery_id: str, source: URIRef,
                       by_group: Mapping[AccessGroup, Sequence[Triple]],
                       custody: Custody | None = None) -> ChangeSet:
        """Replace one of a battery's source graphs (a stage, or its lineage facts) and its
        triples in the access views and the battery's custody partition."""
        custody = self._custody(battery_id, custody)
        partition = self.layout.legitimate_interest_partition(custody.key)
        data_views = [self.layout.view(g) for g in AccessGroup]
        changes = ChangeSet()
        changes.delete.extend(self._retractions(battery_id, source, data_views, False,
                                                partition, custody))
        changes.drop_graphs.append(source)
        for group, triples in by_group.items():
            targets = self.graphs_of(group, custody)
            for s, p, o in triples:
                _check_no_blank_node(s, o)
                changes.insert.append((s, p, o, source))
                changes.insert.extend((s, p, o, g) for g in targets)
        return changes

    def derived_changes(self, battery_id: str, triples: Iterable[Triple],
                        placement: Mapping[Triple, AccessGroup] | None = None,
                        custody: Custody | None = None) -> ChangeSet:
        """The atomic change that replaces one battery's derived graph. ``placement``: summary
        facts and the access group whose graphs hold them (instead of the derived view)."""
        custody = self._custody(battery_id, custody)
        partition = self.layout.derived_partition(custody.key)
        derived = self.layout.derived(battery_id)
        changes = ChangeSet(
            delete=self._retractions(battery_id, derived, [self.layout.derived_view], True,
                                     partition, custody),
            drop_graphs=[derived])
        changes.insert.extend(self.bulk_derived_quads(battery_id, triples, placement, custody))
        return changes

    def move_changes(self, battery_id: str, old: Custody, new: Custody) -> ChangeSet:
        """Move a battery's legitimate-interest and derived triples from the partition of its
        old custody to that of its new one (a transfer). Cost: that battery's size."""
        changes = ChangeSet()
        if old.key == new.key:
            return changes
        li_view = self.layout.view(AccessGroup.LEGITIMATE_INTEREST)
        old_li = self.layout.legitimate_interest_partition(old.key)
        new_li = self.layout.legitimate_interest_partition(new.key)
        derived = self.layout.derived(battery_id)
        # The derived graph's summary facts placed in legitimate interest move with that data.
        sources = [*(self.layout.source(battery_id, s) for s in self.stored_stages(battery_id)),
                   self.layout.lineage_source(battery_id), derived]
        for source in sources:
            if not self.store.contains_graph(source):
                continue
            moved = list(NamedQueries(self.store, directory=INTERNAL_QUERIES_DIR).construct(
                "graph-triples-in-view", Dataset(default_graph=(), named_graphs=(source, li_view)),
                source=source, view=li_view))
            leaving = {(q[0], q[1], q[2]) for q in self._retractions(
                battery_id, source, [], False, old_li, old)}
            changes.delete.extend((s, p, o, old_li) for s, p, o in moved if (s, p, o) in leaving)
            changes.insert.extend((s, p, o, new_li) for s, p, o in moved)
        if self.store.contains_graph(derived):
            old_derived = self.layout.derived_partition(old.key)
            new_derived = self.layout.derived_partition(new.key)
            # Only the old derived partition: _retractions of a derived graph also lists its
            # summary facts in every view, which a transfer must keep (public and
            # legitimate-interest readers lost the battery's class counts).
            changes.delete.extend(q for q in self._retractions(battery_id, derived, [], True,
                                                               old_derived, old)
                                  if q[3] == old_derived)
            changes.insert.extend((s, p, o, new_derived) for s, p, o in
                                  self.store.graph(derived)
                                  if p not in self.summary_predicates)
        return changes

    def replace_stages(self, battery_id: str, staged: StagedTriples) -> None:
        self.store.apply(self.stage_changes(battery_id, staged))

    def bulk_quads(self, battery_id: str, staged: StagedTriples,
                   custody: Custody = UNASSIGNED) -> list[Quad]:
        """Quads of a battery that is known not to be stored yet (bulk loading)."""
        quads: list[Quad] = []
        for stage, by_group in staged.items():
            source = self.layout.source(battery_id, stage)
            for group, triples in by_group.items():
                targets = self.graphs_of(group, custody)
                for s, p, o in triples:
                    quads.append((s, p, o, source))
                    quads.extend((s, p, o, g) for g in targets)
        return quads

    def bulk_derived_quads(self, battery_id: str, triples: Iterable[Triple],
                           placement: Mapping[Triple, AccessGroup] | None = None,
                           custody: Custody = UNASSIGNED) -> list[Quad]:
        """Derived quads of a battery that has no derivation stored yet (bulk loading)."""
        derived = self.layout.derived(battery_id)
        placed = placement or {}
        partition = self.layout.derived_partition(custody.key)
        unplaced = (self.layout.derived_view, partition)
        placed_graphs = {group: self.graphs_of(group, custody) for group in set(placed.values())}
        quads: list[Quad] = []
        for triple in triples:
            s, p, o = triple
            group = placed.get(triple)
            quads.append((s, p, o, derived))
            quads.extend((s, p, o, g) for g in
                         (unplaced if group is None else placed_graphs[group]))
        return quads

    def stored_data_by_group(self, battery_id: str,
                             stages: Iterable[Stage]) -> dict[AccessGroup | None, list[bytes]]:
        """The battery's stored data of ``stages`` as N-Triples, split by the access group of
        the view holding each triple (``None``: in no view, which a consistent store never
        has). The views decide, not a re-classification: a stage written on its own may have
        been classified more strictly than the whole passport would be."""
        views = {group: self.layout.view(group) for group in AccessGroup}
        groups = {view: group for group, view in views.items()}
        # Least restricted first: a triple in two views (two stages) counts in the lower one.
        order = [views[group] for group in AccessGroup]
        out: dict[AccessGroup | None, list[bytes]] = {}
        for stage in stages:
            parts = self.store.partition_graph(self.layout.source(battery_id, stage),
                                               list(dict.fromkeys(order)))
            for view, data in parts.items():
                if data:
                    out.setdefault(None if view is None else groups[view], []).append(data)
        return out

    # -- reads -------------------------------------------------------------------------------
    def stored_stages(self, battery_id: str) -> list[Stage]:
        return [
            stage for stage in Stage
            if self.store.contains_graph(self.layout.source(battery_id, stage))
        ]

    def exists(self, battery_id: str) -> bool:
        return bool(self.stored_stages(battery_id))


def _check_no_blank_node(*terms: Node) -> None:
    for term in terms:
        if isinstance(term, BNode):
            raise BlankNodeInPassport(f"blank node {term} must be skolemised before storing")


def group_by_classification(
    triples: Iterable[Triple],
    classify: Callable[[Triple], tuple[Stage, AccessGroup]],
) -> dict[Stage, dict[AccessGroup, list[Triple]]]:
    staged: dict[Stage, dict[AccessGroup, list[Triple]]] = {}
    for triple in triples:
        stage, group = classify(triple)
        staged.setdefault(stage, {}).setdefault(group, []).append(triple)
    return staged
