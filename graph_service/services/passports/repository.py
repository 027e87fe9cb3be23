"""Writing passport data: per-battery source graphs and the shared access-group views together.

See ``graph_service/model/graphs.py`` for the layout. A write of one or more stages of one
battery becomes ONE atomic store update that, for each stage,

1. removes from the views the triples of the old source graph that no other source graph
   still asserts (one index lookup per triple, so the cost is that battery's size),
2. drops the old source graph,

and then inserts the new source graphs and their triples into the views of their access groups.

Derived triples (rule output) go to the battery's derived graph and the derived view, except
*summary facts*: triples that a rule placed in an access group (``placement``, see
``services/rules.py``) go to that group's view instead, so a caller reads a battery's summary
with the same dataset, and the same permissions, as the facts it summarises. Their provenance
(``dbp:derivedByRule``, ``prov:wasDerivedFrom``...) stays in the derived view. Which view holds
a group's data of a battery is decided in one place, :meth:`PassportRepository.view_of`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from rdflib import BNode, URIRef
from rdflib.term import Node

from graph_service.model.graphs import AccessGroup, GraphLayout, Stage
from graph_service.model.iris import IriMinter
from graph_service.store import ChangeSet, GraphStore
from graph_service.store.base import Quad

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

    def view_of(self, battery_id: str, group: AccessGroup) -> URIRef:
        """The view graph holding ``group``'s data of this battery (source and summary)."""
        return self.layout.view(group)

    def views_of(self, battery_id: str) -> dict[AccessGroup, URIRef]:
        return {group: self.view_of(battery_id, group) for group in AccessGroup}

    # -- writes ------------------------------------------------------------------------------
    def _retractions(self, battery_id: str, graph: URIRef, views: Sequence[URIRef],
                     derived: bool) -> list[Quad]:
        """Quads to delete from the views when ``graph`` is replaced.

        Computed here, not by one DELETE ... WHERE over the views: the engine would join the
        views (every battery's triples) first, which made a write cost grow with the fleet
        (measured: 1 s per stage at 300 batteries). A node under the battery's IRI is described
        only by this battery's graphs (ingest refuses foreign battery nodes), so its triples go
        unconditionally; the few triples about shared nodes (organisations, sites, rules) stay
        when another battery's graph of the same kind still asserts them (a lookup by the
        complete triple)."""
        if not self.store.contains_graph(graph):
            return []
        battery = str(IriMinter(self.layout.base).battery(battery_id))
        # Summary facts sit in an access view instead of the derived view (their group is not
        # recorded: deleting an absent quad changes nothing).
        summary_views = list(dict.fromkeys(self.views_of(battery_id).values())) \
            if derived and self.summary_predicates else []
        gone: list[Quad] = []
        for s, p, o in self.store.graph(graph):
            subject = str(s)
            own = subject == battery or subject.startswith(battery + "/")
            if own or not self._asserted_elsewhere((s, p, o), graph, derived):
                gone.extend((s, p, o, view) for view in views)
                if own and p in self.summary_predicates:
                    gone.extend((s, p, o, view) for view in summary_views)
        return gone

    def _asserted_elsewhere(self, triple: Triple, graph: URIRef, derived: bool) -> bool:
        prefix = f"{self.layout.base}graph/battery/"
        result = self.store.query(
            "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
            bindings={"s": triple[0], "p": triple[1], "o": triple[2]},  # type: ignore[dict-item]
            all_named_graphs=True, default_graph=[], max_rows=None)
        for row in result.rows():
            other = str(row["g"])
            if other != str(graph) and other.startswith(prefix) and \
                    other.endswith("/derived") == derived:
                return True
        return False

    def stage_changes(self, battery_id: str, staged: StagedTriples) -> ChangeSet:
        """The atomic change that replaces the given stages of one battery."""
        changes = ChangeSet()
        views = self.views_of(battery_id)
        data_views = list(dict.fromkeys(views.values()))
        for stage, by_group in staged.items():
            source = self.layout.source(battery_id, stage)
            changes.delete.extend(self._retractions(battery_id, source, data_views, False))
            changes.drop_graphs.append(source)
            for group, triples in by_group.items():
                view = views[group]
                for s, p, o in triples:
                    _check_no_blank_node(s, o)
                    changes.insert.append((s, p, o, source))
                    changes.insert.append((s, p, o, view))
        return changes

    def derived_changes(self, battery_id: str, triples: Iterable[Triple],
                        placement: Mapping[Triple, AccessGroup] | None = None) -> ChangeSet:
        """The atomic change that replaces one battery's derived graph. ``placement``: summary
        facts and the access group whose view holds them (instead of the derived view)."""
        derived = self.layout.derived(battery_id)
        changes = ChangeSet(
            delete=self._retractions(battery_id, derived, [self.layout.derived_view], True),
            drop_graphs=[derived])
        changes.insert.extend(self.bulk_derived_quads(battery_id, triples, placement))
        return changes

    def replace_stages(self, battery_id: str, staged: StagedTriples) -> None:
        self.store.apply(self.stage_changes(battery_id, staged))

    def bulk_quads(self, battery_id: str, staged: StagedTriples) -> list[Quad]:
        """Quads of a battery that is known not to be stored yet (bulk loading)."""
        quads: list[Quad] = []
        views = self.views_of(battery_id)
        for stage, by_group in staged.items():
            source = self.layout.source(battery_id, stage)
            for group, triples in by_group.items():
                view = views[group]
                for s, p, o in triples:
                    quads.append((s, p, o, source))
                    quads.append((s, p, o, view))
        return quads

    def bulk_derived_quads(self, battery_id: str, triples: Iterable[Triple],
                           placement: Mapping[Triple, AccessGroup] | None = None) -> list[Quad]:
        """Derived quads of a battery that has no derivation stored yet (bulk loading)."""
        derived = self.layout.derived(battery_id)
        placed = placement or {}
        views = self.views_of(battery_id) if placed else {}
        derived_view = self.layout.derived_view
        quads: list[Quad] = []
        for triple in triples:
            s, p, o = triple
            group = placed.get(triple)
            quads.append((s, p, o, derived))
            quads.append((s, p, o, derived_view if group is None else views[group]))
        return quads

    def stored_data_by_group(self, battery_id: str,
                             stages: Iterable[Stage]) -> dict[AccessGroup | None, list[bytes]]:
        """The battery's stored data of ``stages`` as N-Triples, split by the access group of
        the view holding each triple (``None``: in no view, which a consistent store never
        has). The views decide, not a re-classification: a stage written on its own may have
        been classified more strictly than the whole passport would be."""
        views = self.views_of(battery_id)
        # Should two groups share a view, its triples count as the more restricted group.
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
