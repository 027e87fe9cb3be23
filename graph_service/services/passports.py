"""Writing passport data: per-battery source graphs and the shared access-group views together.

See ``graph_service/model/graphs.py`` for the layout. A write of one or more stages of one
battery becomes ONE atomic store update that, for each stage,

1. removes from the views the triples of the old source graph that no other source graph
   still asserts (one index lookup per triple, so the cost is that battery's size),
2. drops the old source graph,

and then inserts the new source graphs and their triples into the views of their access groups.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from rdflib import BNode, URIRef
from rdflib.term import Node

from graph_service.model.graphs import AccessGroup, GraphLayout, Stage
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

    # -- writes ------------------------------------------------------------------------------
    def _retract_from_views(self, source: URIRef, views: Sequence[URIRef]) -> str:
        values = " ".join(f"<{v}>" for v in views)
        battery_graphs = f"{self.layout.base}graph/battery/"
        return (
            "DELETE { GRAPH ?view { ?s ?p ?o } } WHERE { "
            f"GRAPH <{source}> {{ ?s ?p ?o }} "
            f"VALUES ?view {{ {values} }} "
            "GRAPH ?view { ?s ?p ?o } "
            "FILTER NOT EXISTS { GRAPH ?other { ?s ?p ?o } "
            f'FILTER(?other != <{source}> && STRSTARTS(STR(?other), "{battery_graphs}") '
            '&& !STRENDS(STR(?other), "/derived")) } }'
        )

    def stage_changes(self, battery_id: str, staged: StagedTriples) -> ChangeSet:
        """The atomic change that replaces the given stages of one battery."""
        changes = ChangeSet()
        data_views = [self.layout.view(g) for g in AccessGroup]
        for stage, by_group in staged.items():
            source = self.layout.source(battery_id, stage)
            changes.sparql_before.append(self._retract_from_views(source, data_views))
            changes.sparql_before.append(f"DROP SILENT GRAPH <{source}>")
            for group, triples in by_group.items():
                view = self.layout.view(group)
                for s, p, o in triples:
                    _check_no_blank_node(s, o)
                    changes.insert.append((s, p, o, source))
                    changes.insert.append((s, p, o, view))
        return changes

    def derived_changes(self, battery_id: str, triples: Iterable[Triple]) -> ChangeSet:
        """The atomic change that replaces one battery's derived graph."""
        derived = self.layout.derived(battery_id)
        changes = ChangeSet(sparql_before=[
            _retract_derived(derived, self.layout.derived_view, self.layout.base),
            f"DROP SILENT GRAPH <{derived}>",
        ])
        for s, p, o in triples:
            changes.insert.append((s, p, o, derived))
            changes.insert.append((s, p, o, self.layout.derived_view))
        return changes

    def replace_stages(self, battery_id: str, staged: StagedTriples) -> None:
        self.store.apply(self.stage_changes(battery_id, staged))

    def bulk_quads(self, battery_id: str, staged: StagedTriples) -> list[Quad]:
        """Quads of a battery that is known not to be stored yet (bulk loading)."""
        quads: list[Quad] = []
        for stage, by_group in staged.items():
            source = self.layout.source(battery_id, stage)
            for group, triples in by_group.items():
                view = self.layout.view(group)
                for s, p, o in triples:
                    quads.append((s, p, o, source))
                    quads.append((s, p, o, view))
        return quads

    def bulk_derived_quads(self, battery_id: str, triples: Iterable[Triple]) -> list[Quad]:
        """Derived quads of a battery that has no derivation stored yet (bulk loading)."""
        derived = self.layout.derived(battery_id)
        quads: list[Quad] = []
        for s, p, o in triples:
            quads.append((s, p, o, derived))
            quads.append((s, p, o, self.layout.derived_view))
        return quads

    # -- reads -------------------------------------------------------------------------------
    def stored_stages(self, battery_id: str) -> list[Stage]:
        return [
            stage for stage in Stage
            if self.store.contains_graph(self.layout.source(battery_id, stage))
        ]

    def exists(self, battery_id: str) -> bool:
        return bool(self.stored_stages(battery_id))


def _retract_derived(derived: URIRef, view: URIRef, base: str) -> str:
    return (
        "DELETE { GRAPH ?view { ?s ?p ?o } } WHERE { "
        f"GRAPH <{derived}> {{ ?s ?p ?o }} BIND(<{view}> AS ?view) "
        "GRAPH ?view { ?s ?p ?o } "
        "FILTER NOT EXISTS { GRAPH ?other { ?s ?p ?o } "
        f'FILTER(?other != <{derived}> && STRSTARTS(STR(?other), "{base}graph/battery/") '
        '&& STRENDS(STR(?other), "/derived")) } }'
    )


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
