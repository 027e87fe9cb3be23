"""Classify each triple of a passport document by lifecycle stage and Annex XIII access group.

The ontology annotates terms with ``dbp:lifecycleStage`` and ``dbp:accessGroup``. A triple takes:

* **access group**: the most restricted group among its predicate, its subject node and (when the
  object is a node of the same document) its object node — so the link that reveals a restricted
  node is as restricted as the node;
* **stage**: its predicate's stage if annotated, else its object node's, else its subject node's.

A node's own access group comes from its types, its stage from its types or else the predicates
that point to it; a node with neither (e.g. an EMMO ``RealData`` numerical part) inherits from
the nodes that point to it. Unannotated predicates that carry data default to
legitimate-interest (least privilege); structural EMMO predicates carry no classification.

A predicate typed ``dbp:ContainmentProperty`` (the nesting of a partner document kept as data,
see ontology/interop.ttl) also passes its access group to the node it points to, so a nested
entity of a restricted section is restricted even when its own fields use generic terms.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS
from rdflib.term import Node

from graph_service.model.graphs import AccessGroup, GraphLayout, Stage
from graph_service.model.namespaces import DBP
from graph_service.model.terms import (
    HAS_CONSTITUENT,
    HAS_MEASUREMENT_UNIT,
    HAS_NUMBER_VALUE,
    HAS_NUMERICAL_PART,
    HAS_PROPERTY,
)
from graph_service.store.base import GraphStore

_GROUP_ORDER = [AccessGroup.PUBLIC, AccessGroup.LEGITIMATE_INTEREST, AccessGroup.AUTHORITY]
GROUP_IRIS = {
    DBP.PublicAccess: AccessGroup.PUBLIC,
    DBP.LegitimateInterestAccess: AccessGroup.LEGITIMATE_INTEREST,
    DBP.AuthorityAccess: AccessGroup.AUTHORITY,
}
_STAGE_IRIS = {
    DBP.IdentityStage: Stage.IDENTITY,
    DBP.DesignStage: Stage.DESIGN,
    DBP.ManufacturingStage: Stage.MANUFACTURING,
    DBP.RatedPerformanceStage: Stage.RATED_PERFORMANCE,
    DBP.UsageStage: Stage.USAGE,
    DBP.ServiceStage: Stage.SERVICE,
    DBP.LogisticsStage: Stage.LOGISTICS,
    DBP.EndOfLifeStage: Stage.END_OF_LIFE,
}

# Predicates that only structure data; they take the classification of what they connect.
NEUTRAL_PREDICATES = frozenset({
    RDF.type, RDFS.label, RDFS.comment, SKOS.prefLabel, SKOS.altLabel,
    HAS_PROPERTY, HAS_NUMERICAL_PART, HAS_NUMBER_VALUE, HAS_MEASUREMENT_UNIT, HAS_CONSTITUENT,
})

_STAGE_ORDER = list(Stage)
DEFAULT_GROUP = AccessGroup.LEGITIMATE_INTEREST
DEFAULT_STAGE = Stage.IDENTITY


def most_restricted(groups: Iterable[AccessGroup]) -> AccessGroup | None:
    best: AccessGroup | None = None
    for group in groups:
        if best is None or _GROUP_ORDER.index(group) > _GROUP_ORDER.index(best):
            best = group
    return best


@dataclass
class TermAnnotations:
    """Stage and access-group annotations of ontology terms."""

    groups: dict[URIRef, AccessGroup] = field(default_factory=dict)
    stages: dict[URIRef, Stage] = field(default_factory=dict)
    containment: frozenset[URIRef] = frozenset()

    @classmethod
    def from_store(cls, store: GraphStore, layout: GraphLayout) -> TermAnnotations:
        from graph_service.services.sparql.named_queries import (
            INTERNAL_QUERIES_DIR,
            Dataset,
            NamedQueries,
        )

        rows = NamedQueries(store, directory=INTERNAL_QUERIES_DIR).select(
            "term-annotations", Dataset(default_graph=(layout.ontology,), named_graphs=()))
        annotations = cls()
        containment: set[URIRef] = set()
        for row in rows:
            term = row["term"]
            if not isinstance(term, URIRef):
                continue
            if "group" in row and row["group"] in GROUP_IRIS:
                annotations.groups[term] = GROUP_IRIS[row["group"]]  # type: ignore[index]
            if "stage" in row and row["stage"] in _STAGE_IRIS:
                annotations.stages[term] = _STAGE_IRIS[row["stage"]]  # type: ignore[index]
            if "contains" in row:
                containment.add(term)
        annotations.containment = frozenset(containment)
        return annotations

    @classmethod
    def from_graph(cls, graph: Graph) -> TermAnnotations:
        annotations = cls()
        for term, value in graph.subject_objects(DBP.accessGroup):
            if isinstance(term, URIRef) and value in GROUP_IRIS:
                annotations.groups[term] = GROUP_IRIS[value]  # type: ignore[index]
        for term, value in graph.subject_objects(DBP.lifecycleStage):
            if isinstance(term, URIRef) and value in _STAGE_IRIS:
                annotations.stages[term] = _STAGE_IRIS[value]  # type: ignore[index]
        annotations.containment = frozenset(
            t for t in graph.subjects(RDF.type, DBP.ContainmentProperty) if isinstance(t, URIRef))
        return annotations


@dataclass(frozen=True)
class Classification:
    stage: Stage
    group: AccessGroup


def classify(graph: Graph, annotations: TermAnnotations) -> dict[tuple[Node, Node, Node],
                                                                 Classification]:
    """Stage and access group of every triple in ``graph``."""
    nodes = {s for s in graph.subjects()}
    parents: dict[Node, set[Node]] = defaultdict(set)
    own_groups: dict[Node, list[AccessGroup]] = defaultdict(list)
    own_stages: dict[Node, list[Stage]] = defaultdict(list)
    incoming_stages: dict[Node, list[Stage]] = defaultdict(list)
    # Groups passed down by containment properties: added to (never replacing) what the node
    # inherits from the nodes that contain it.
    contained_groups: dict[Node, list[AccessGroup]] = defaultdict(list)

    for s, p, o in graph:
        if p == RDF.type and isinstance(o, URIRef):
            if o in annotations.groups:
                own_groups[s].append(annotations.groups[o])
            if o in annotations.stages:
                own_stages[s].append(annotations.stages[o])
            continue
        if p in annotations.containment and p in annotations.groups:
            contained_groups[o].append(annotations.groups[p])  # type: ignore[index]
        if o in nodes and not isinstance(o, Literal):
            parents[o].add(s)
            # An incoming predicate hints at the node's stage, but never at its access group:
            # `event concernsBattery battery` must not make the battery itself restricted.
            if p in annotations.stages:
                incoming_stages[o].append(annotations.stages[p])

    node_group = _inherited_groups(nodes, parents, own_groups, contained_groups)
    node_stage = _inherited_stages(nodes, parents, own_stages, incoming_stages)

    def group_of(node: Node) -> AccessGroup | None:
        return node_group.get(node)

    def stage_of(node: Node) -> Stage | None:
        return node_stage.get(node)

    result: dict[tuple[Node, Node, Node], Classification] = {}
    for s, p, o in graph:
        object_is_node = o in nodes and not isinstance(o, Literal)
        candidates = [group_of(s)]
        if p not in NEUTRAL_PREDICATES:
            candidates.append(annotations.groups.get(p, DEFAULT_GROUP))  # type: ignore[arg-type]
        if object_is_node:
            candidates.append(group_of(o))
        group = most_restricted(g for g in candidates if g is not None) or DEFAULT_GROUP

        stage = annotations.stages.get(p) if isinstance(p, URIRef) else None
        if stage is None and object_is_node:
            stage = stage_of(o)
        if stage is None:
            stage = stage_of(s)
        result[(s, p, o)] = Classification(stage or DEFAULT_STAGE, group)
    return result


def _inherited_groups(nodes: set[Node], parents: dict[Node, set[Node]],
                      own_groups: dict[Node, list[AccessGroup]],
                      contained_groups: dict[Node, list[AccessGroup]] | None = None,
                      ) -> dict[Node, AccessGroup | None]:
    """A node's access group: its own (from its types), else the most restricted group among
    the nearest nodes with a group of their own that reach it through nodes without one; in
    both cases raised to the groups containment properties pass to it (``contained_groups``),
    which its children inherit in turn.

    Computed as a least fixed point over the "points to" edges (a group only ever rises, at most
    three times per node), so the cost is linear in the document: following every path instead
    took seconds for thirty nodes on cycles."""
    group: dict[Node, AccessGroup | None] = {}
    children: dict[Node, list[Node]] = defaultdict(list)
    for child, of in parents.items():
        for parent in of:
            children[parent].append(child)
    pending: list[Node] = []
    contained_groups = contained_groups or {}
    for node in nodes | set(parents):
        own = most_restricted((*own_groups.get(node, ()), *contained_groups.get(node, ())))
        group[node] = own
        if own is not None:
            pending.append(node)
    inherits = {node for node in group if most_restricted(own_groups.get(node, ())) is None}
    while pending:
        node = pending.pop()
        value = group[node]
        for child in children.get(node, ()):
            if child not in inherits:
                continue
            raised = most_restricted(g for g in (group[child], value) if g is not None)
            if raised != group[child]:
                group[child] = raised
                pending.append(child)
    return group


def _inherited_stages(nodes: set[Node], parents: dict[Node, set[Node]],
                      own_stages: dict[Node, list[Stage]],
                      incoming_stages: dict[Node, list[Stage]]) -> dict[Node, Stage | None]:
    """A node's stage: its types', else the earliest its incoming predicates name, else that of
    the first node pointing to it (in IRI order) that has or inherits one.

    Nodes on a cycle of nodes without a stage of their own all take the earliest stage that
    any of them inherits from outside the cycle. Strongly connected components are found
    iteratively (Tarjan), each once, so the cost is linear in the document."""
    own: dict[Node, Stage | None] = {}
    every = nodes | set(parents)
    for node in every:
        stages = own_stages.get(node) or incoming_stages.get(node)
        own[node] = min(stages, key=_STAGE_ORDER.index) if stages else None
    unstaged = [node for node in every if own[node] is None]
    ordered = {node: sorted(parents.get(node, ()), key=str) for node in unstaged}
    result: dict[Node, Stage | None] = dict(own)

    def value(parent: Node) -> Stage | None:
        return result.get(parent)

    for component in _components_in_dependency_order(unstaged, ordered):
        members = set(component)
        if len(component) == 1 and component[0] not in ordered[component[0]]:
            node = component[0]
            result[node] = next((v for p in ordered[node] if (v := value(p)) is not None), None)
            continue
        exits = [v for node in component for p in ordered[node]
                 if p not in members and (v := value(p)) is not None]
        earliest = min(exits, key=_STAGE_ORDER.index) if exits else None
        for node in component:
            result[node] = earliest
    return result


def _components_in_dependency_order(
        nodes: list[Node], edges: dict[Node, list[Node]]) -> list[list[Node]]:
    """Strongly connected components of ``nodes`` (edges to nodes outside are ignored), each
    listed after every component it has an edge into (iterative Tarjan)."""
    index: dict[Node, int] = {}
    low: dict[Node, int] = {}
    on_stack: set[Node] = set()
    stack: list[Node] = []
    components: list[list[Node]] = []
    counter = 0
    inside = {node: [t for t in edges.get(node, ()) if t in edges] for node in nodes}
    for start in sorted(nodes, key=str):
        if start in index:
            continue
        work: list[tuple[Node, int]] = [(start, 0)]
        while work:
            node, position = work.pop()
            if position == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            targets = inside[node]
            if position < len(targets):
                work.append((node, position + 1))
                target = targets[position]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return components
