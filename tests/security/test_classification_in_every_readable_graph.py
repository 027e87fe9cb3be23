"""One access classification per fact, in every graph a role can read (issue 14, finding 5).

The walk: for every role, every graph of its SPARQL dataset (named graphs and the default graph)
and the REST copies of facts (/id descriptions of the battery and its passport, old versions).
Every fact about a minted node there must be classified no stricter than the role may read: a
passport fact by ingest's own classification of the stored passport, any other fact (lineage,
derived data, statistics) by the ``dbp:accessGroup`` of its predicate or class in the ontology,
with ingest's default for our unannotated terms. The roles' groups are written out here
(Art. 77(2))."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rdflib import Graph
from rdflib.namespace import RDF

from graph_service.model.graphs import AccessGroup
from graph_service.model.namespaces import DBP
from graph_service.services.passports.classify import (
    DEFAULT_GROUP,
    NEUTRAL_PREDICATES,
    TermAnnotations,
    classify,
)
from tests.conftest import LiveServer
from tests.security.support import BASE, Fleet, stored_demo_battery

ORDER = [AccessGroup.PUBLIC, AccessGroup.LEGITIMATE_INTEREST, AccessGroup.AUTHORITY]
# The strictest group each role reads (of the batteries it has a legitimate interest in).
ROLES = {
    "public": AccessGroup.PUBLIC,
    "oem": AccessGroup.LEGITIMATE_INTEREST,
    "operator": AccessGroup.LEGITIMATE_INTEREST,
    "repairer": AccessGroup.LEGITIMATE_INTEREST,
    "remanufacturer": AccessGroup.LEGITIMATE_INTEREST,
    "recycler": AccessGroup.LEGITIMATE_INTEREST,
    "researcher": AccessGroup.LEGITIMATE_INTEREST,
    "authority": AccessGroup.AUTHORITY,
}
JSON = {"Accept": "application/sparql-results+json"}
MINTED = f"{BASE}id/"


@pytest.fixture(scope="module")
def fleet(server_factory_module: Callable[..., LiveServer]) -> Fleet:
    """Read-only tests: one server for the module."""
    return stored_demo_battery(server_factory_module())


@pytest.fixture(scope="module")
def classes(fleet: Fleet) -> Classes:
    services = fleet.server.services
    return Classes(fleet, TermAnnotations.from_store(services.store, services.layout))


def _triples(client, graph: str | None) -> Graph:
    """The facts about minted nodes (batteries, passports, sites, organisations) in one graph;
    vocabulary graphs (ontology, rule parameters) describe terms, not batteries."""
    pattern = "?s ?p ?o" if graph is None else f"GRAPH <{graph}> {{ ?s ?p ?o }}"
    query = (f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {pattern} "
             f"FILTER(STRSTARTS(STR(?s), '{MINTED}')) }}")
    answer = client.get("/sparql", params={"query": query},
                        headers={"Accept": "application/n-triples"})
    assert answer.status_code == 200, answer.text
    return Graph().parse(data=answer.text, format="nt")


class Classes:
    """The access group of a fact: the stored passport's own classification (ingest's, per
    triple) where the fact is passport data, else its predicate's or class's annotation, with
    ingest's default for unannotated terms of our namespace."""

    def __init__(self, fleet: Fleet, annotations: TermAnnotations) -> None:
        services = fleet.server.services
        stored = Graph()
        for stage in services.repository.stored_stages(fleet.battery_id):
            stored += services.store.graph(services.layout.source(fleet.battery_id, stage))
        self.facts = {triple: cls.group for triple, cls in classify(stored, annotations).items()}
        self.annotations = annotations

    def group(self, triple) -> AccessGroup | None:
        if triple in self.facts:
            return self.facts[triple]
        _, p, o = triple
        term = o if p == RDF.type else p
        if term in self.annotations.groups:
            return self.annotations.groups[term]
        if str(term).startswith(str(DBP)) and p not in NEUTRAL_PREDICATES:
            return DEFAULT_GROUP
        return None

    def too_strict(self, graph: Graph, allowed: AccessGroup) -> list[str]:
        limit = ORDER.index(allowed)
        found = set()
        for triple in graph:
            group = self.group(triple)
            if group is not None and ORDER.index(group) > limit:
                found.add(f"{triple[2] if triple[1] == RDF.type else triple[1]} ({group.value})")
        return sorted(found)


@pytest.mark.parametrize("role", sorted(ROLES))
def test_no_graph_a_role_reads_holds_a_stricter_fact(fleet: Fleet, classes: Classes,
                                                     role: str) -> None:
    leaks: dict[str, list[str]] = {}
    with fleet.client(role) as client:
        answer = client.get("/sparql", params={
            "query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"}, headers=JSON)
        assert answer.status_code == 200, answer.text
        graphs = [row["g"]["value"] for row in answer.json()["results"]["bindings"]]
        assert graphs, "every role reads some named graph"
        for graph in [None, *graphs]:
            found = classes.too_strict(_triples(client, graph), ROLES[role])
            if found:
                leaks[graph or "(default graph)"] = found
        # REST copies of facts: Linked Data descriptions, the export, old versions.
        rdf = {"Accept": "application/n-triples"}
        for path in (f"/id/battery/{fleet.battery_id}", f"/id/passport/{fleet.battery_id}/1",
                     f"/batteries/{fleet.battery_id}/versions/1"):
            response = client.get(path, headers=rdf)
            if response.status_code == 200:
                found = classes.too_strict(Graph().parse(data=response.text, format="nt"),
                                           ROLES[role])
                if found:
                    leaks[path] = found
    assert not leaks, f"{role} reads facts of a stricter class: {leaks}"
