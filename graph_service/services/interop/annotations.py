"""Access-group and lifecycle-stage annotations of SAMM terms, made from a format's ACCESS table.

Ingest classifies every triple by annotations of its terms (services/passports/classify.py). A
format whose fields are kept with their SAMM property URNs needs those URNs annotated: this module
turns the format's ``ACCESS`` table (JSON part -> group, stage) and its official schema into
Turtle, written to ``ontology/interop-<format>.ttl`` by ``scripts/gen_interop_annotations.py``
and checked against the table by tests/services/interop/test_annotations.py.

Rules (they make the result never less restricted than the table):

* a property whose value is an object or a list is a ``dbp:ContainmentProperty``: its group is
  the most restricted group the table gives any part it leads to; the node it points to takes
  that group on top of what it inherits from the part that contains it;
* a leaf property gets the most restricted group the table gives any of its uses, else public
  (the node that holds it decides);
* a stage is written only when every use the table names agrees; otherwise the node's stage
  applies (parts in conflict are reported).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from graph_service.model.graphs import AccessGroup, Stage
from graph_service.model.namespaces import DBP
from graph_service.services.interop.schema import Pattern, SchemaModel, pattern_text
from graph_service.services.passports.classify import most_restricted

GROUP_IRIS = {AccessGroup.PUBLIC: DBP.PublicAccess,
              AccessGroup.LEGITIMATE_INTEREST: DBP.LegitimateInterestAccess,
              AccessGroup.AUTHORITY: DBP.AuthorityAccess}
STAGE_IRIS = {Stage.IDENTITY: DBP.IdentityStage, Stage.DESIGN: DBP.DesignStage,
              Stage.MANUFACTURING: DBP.ManufacturingStage,
              Stage.RATED_PERFORMANCE: DBP.RatedPerformanceStage, Stage.USAGE: DBP.UsageStage,
              Stage.SERVICE: DBP.ServiceStage, Stage.LOGISTICS: DBP.LogisticsStage,
              Stage.END_OF_LIFE: DBP.EndOfLifeStage}

Access = dict[Pattern, tuple[AccessGroup, Stage | None, str]]


@dataclass
class TermAnnotation:
    urn: str
    label: str
    containment: bool = False
    groups: list[AccessGroup] = field(default_factory=list)
    stages: set[Stage] = field(default_factory=set)
    uses: list[Pattern] = field(default_factory=list)


def term_annotations(schema: SchemaModel, access: Access) -> dict[str, TermAnnotation]:
    terms: dict[str, TermAnnotation] = {}
    for spec in schema.root.walk():
        if spec.urn is None or not spec.pattern:
            continue
        term = terms.setdefault(spec.urn, TermAnnotation(spec.urn, spec.pattern[-1]))
        term.containment = term.containment or not spec.is_leaf
        term.uses.append(spec.pattern)
        entry = access.get(spec.pattern)
        if entry is not None:
            term.groups.append(entry[0])
            if entry[1] is not None:
                term.stages.add(entry[1])
    return terms


def stage_conflicts(terms: dict[str, TermAnnotation]) -> list[str]:
    return [f"{t.urn}: {', '.join(sorted(s.value for s in t.stages))} "
            f"({', '.join(pattern_text(u) for u in t.uses)})"
            for t in terms.values() if len(t.stages) > 1]


def annotation_graph(schema: SchemaModel, access: Access) -> Graph:
    graph = Graph()
    graph.bind("dbp", str(DBP))
    for term in sorted(term_annotations(schema, access).values(), key=lambda t: t.urn):
        iri = URIRef(term.urn)
        graph.add((iri, RDFS.label, Literal(term.label)))
        if term.containment:
            graph.add((iri, RDF.type, DBP.ContainmentProperty))
        group = most_restricted(term.groups) or AccessGroup.PUBLIC
        graph.add((iri, DBP.accessGroup, GROUP_IRIS[group]))
        if len(term.stages) == 1:
            graph.add((iri, DBP.lifecycleStage, STAGE_IRIS[next(iter(term.stages))]))
    return graph


def annotation_turtle(schema: SchemaModel, access: Access, header: str) -> str:
    body = annotation_graph(schema, access).serialize(format="turtle")
    return header.rstrip() + "\n\n" + body
