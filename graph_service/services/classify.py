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
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS
from rdflib.term import Node

from graph_service.model.graphs import AccessGroup, GraphLayout, Stage
from graph_service.model.namespaces import (
    DBP,
    HAS_CONSTITUENT,
    HAS_MEASUREMENT_UNIT,
    HAS_NUMBER_VALUE,
    HAS_NUMERICAL_PART,
    HAS_PROPERTY,
)
from graph_service.store import GraphStore

_GROUP_ORDER = [AccessGroup.PUBLIC, AccessGroup.LEGITIMATE_INTEREST, AccessGroup.AUTHORITY]
_GROUP_IRIS = {
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

    @classmethod
    def from_store(cls, store: GraphStore, layout: GraphLayout) -> TermAnnotations:
        result = store.query(
            "SELECT ?term ?group ?stage WHERE { "
            "{ ?term <https://w3id.org/dbp#accessGroup> ?group } UNION "
            "{ ?term <https://w3id.org/dbp#lifecycleStage> ?stage } }",
            default_graph=[layout.ontology],
        )
        annotations = cls()
        for row in result.rows():
            term = row["term"]
            if not isinstance(term, URIRef):
                continue
            if "group" in row and row["group"] in _GROUP_IRIS:
                annotations.groups[term] = _GROUP_IRIS[row["group"]]  # type: ignore[index]
            if "stage" in row and row["stage"] in _STAGE_IRIS:
                annotations.stages[term] = _STAGE_IRIS[row["stage"]]  # type: ignore[index]
        return annotations

    @classmethod
    def from_graph(cls, graph: Graph) -> TermAnnotations:
        annotations = cls()
        for term, value in graph.subject_objects(DBP.accessGroup):
            if isinstance(term, URIRef) and value in _GROUP_IRIS:
                annotations.groups[term] = _GROUP_IRIS[value]  # type: ignore[index]
        for term, value in graph.subject_objects(DBP.lifecycleStage):
            if isinstance(term, URIRef) and value in _STAGE_IRIS:
                annotations.stages[term] = _STAGE_IRIS[value]  # type: ignore[index]
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

    for s, p, o in graph:
        if p == RDF.type and isinstance(o, URIRef):
            if o in annotations.groups:
                own_groups[s].append(annotations.groups[o])
            if o in annotations.stages:
                own_stages[s].append(annotations.stages[o])
            continue
        if o in nodes and not isinstance(o, Literal):
            parents[o].add(s)
            # An incoming predicate hints at the node's stage, but never at its access group:
            # `event concernsBattery battery` must not make the battery itself restricted.
            if p in annotations.stages:
                incoming_stages[o].append(annotations.stages[p])

    node_group: dict[Node, AccessGroup | None] = {}
    node_stage: dict[Node, Stage | None] = {}

    def group_of(node: Node, seen: frozenset[Node] = frozenset()) -> AccessGroup | None:
        if node in node_group:
            return node_group[node]
        own = most_restricted(own_groups.get(node, ()))
        if own is None and node not in seen:
            own = most_restricted(
                g for parent in parents.get(node, ()) if (g := group_of(parent, seen | {node}))
            )
        if not seen:
            node_group[node] = own
        return own

    def stage_of(node: Node, seen: frozenset[Node] = frozenset()) -> Stage | None:
        if node in node_stage:
            return node_stage[node]
        # Earliest stage wins, so a node shared by two stages is classified the same way
        # whatever order the parser produced the triples in.
        stages = own_stages.get(node) or incoming_stages.get(node)
        own = min(stages, key=_STAGE_ORDER.index) if stages else None
        if own is None and node not in seen:
            for parent in sorted(parents.get(node, ()), key=str):
                own = stage_of(parent, seen | {node})
                if own is not None:
                    break
        if not seen:
            node_stage[node] = own
        return own

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
