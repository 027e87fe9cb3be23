"""Issue 17: a caller's default graph pruned to the graphs that hold what a query can read
(``sparql_prune_default_graph``, for texts that once took ``sparql_prune_after_seconds``).
Oxigraph reads a default graph of several graphs with one index lookup per graph and pattern, so
leaving out graphs that cannot match makes fleet queries 2-7x faster at 10 000 batteries
(docs/benchmarks.md). The answers must be the unpruned ones: for every published query, and for
the texts whose answer depends on graphs no pattern names.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import RDF, URIRef
from SPARQLWrapper import JSON, POST, SPARQLWrapper

from graph_service.services.access import Principal, Role
from graph_service.services.fleet.demo import battery_id, write_demo_fleet
from graph_service.services.sparql import Dataset, SparqlService
from graph_service.services.sparql.query_analysis import default_graph_read_keys

# The root tests/conftest.py, imported by pytest as the top-level module ``conftest``.
from conftest import LiveServer, make_settings, start_server  # isort: skip

QUERIES = sorted(Path(__file__).resolve().parents[3].joinpath("queries").glob("*.rq"))
RESEARCHER = Principal("test-researcher", Role.RESEARCHER, "lab")
# BattINFO's Battery (ontologies.md), the class of every demo passport's battery
BATTERY = URIRef("https://w3id.org/emmo/domain/battery#battery_be3b35a7_75a3_4be0_9265_beb178ea7b00")


@pytest.fixture(scope="module")
def fleet() -> Iterator[LiveServer]:
    with start_server(make_settings(sparql_prune_after_seconds=0)) as live:  # every text
        write_demo_fleet(live.services, 4)
        yield live


def unpruned(live: LiveServer) -> SparqlService:
    """The same store and access rules, pruning off."""
    sparql = live.services.sparql
    return SparqlService(sparql.store, make_settings(sparql_prune_default_graph=False),
                         sparql.layout, sparql.policy, sparql.custody)


def answer(service: SparqlService, text: str, dataset: Dataset) -> list:
    result = service.run_query(text, dataset)
    if result.kind.name == "GRAPH":
        return sorted(result.serialize("application/n-triples").decode().splitlines())
    body = json.loads(result.serialize("application/sparql-results+json"))
    if "boolean" in body:
        return [body["boolean"]]
    return sorted(json.dumps(row, sort_keys=True) for row in body["results"]["bindings"])


@pytest.mark.parametrize("path", QUERIES, ids=[p.stem for p in QUERIES])
def test_every_published_query_answers_the_same_pruned(fleet: LiveServer, path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    dataset = fleet.services.sparql.dataset_for(RESEARCHER)
    pruned = answer(fleet.services.sparql, text, dataset)
    assert pruned == answer(unpruned(fleet), text, dataset)


def test_fleet_queries_read_fewer_graphs(fleet: LiveServer) -> None:
    sparql = fleet.services.sparql
    dataset = sparql.dataset_for(RESEARCHER)
    for name in ("packs-by-voltage-and-energy-summary.rq", "passport-overview-summary.rq"):
        text = Path(QUERIES[0].parent, name).read_text(encoding="utf-8")
        kept = sparql.pruned(text, dataset).default_graph
        assert 0 < len(kept) < len(dataset.default_graph), name
        assert set(kept) <= set(dataset.default_graph)  # never a graph the caller may not read
        assert sparql.pruned(text, dataset).named_graphs == dataset.named_graphs


def test_a_type_pattern_keeps_only_graphs_with_members_of_its_class(fleet: LiveServer) -> None:
    sparql = fleet.services.sparql
    dataset = sparql.dataset_for(RESEARCHER)
    text = f"SELECT ?b WHERE {{ ?b a <{BATTERY}> }}"
    assert default_graph_read_keys(text) == {(RDF.type, BATTERY)}
    kept = sparql.pruned(text, dataset).default_graph
    assert fleet.services.layout.ontology not in kept  # it types classes, not batteries
    assert len(answer(sparql, text, dataset)) == 4
    assert answer(sparql, text, dataset) == answer(unpruned(fleet), text, dataset)


@pytest.mark.parametrize("text", [
    # Oxigraph answers the zero-length step only for a node of the default graph, which a
    # triple of any predicate makes one
    "SELECT ?y WHERE {{ <{battery}> <https://w3id.org/dbp#noSuchLink>* ?y }}",
    "SELECT ?y WHERE {{ ?y <https://w3id.org/dbp#noSuchLink>? <{battery}> }}",
    "DESCRIBE <{battery}>",
    "SELECT ?p WHERE {{ <{battery}> ?p ?o }}",
    "SELECT ?s WHERE {{ ?s !<https://w3id.org/dbp#batteryId> ?o }} LIMIT 5",
])
def test_texts_that_read_unnamed_predicates_are_not_pruned(fleet: LiveServer, text: str) -> None:
    text = text.format(battery=fleet.services.minter.battery(battery_id(1)))
    sparql = fleet.services.sparql
    dataset = sparql.dataset_for(RESEARCHER)
    assert default_graph_read_keys(text, sparql.settings.base_iri) is None
    assert sparql.pruned(text, dataset) == dataset
    assert answer(sparql, text, dataset) == answer(unpruned(fleet), text, dataset)
    assert answer(sparql, text, dataset)  # the battery is there: a non-empty answer


def test_relative_iris_are_resolved_against_the_base_before_pruning(fleet: LiveServer) -> None:
    base = fleet.services.sparql.settings.base_iri
    keys = default_graph_read_keys("SELECT * WHERE { ?s <vocab/term> ?o }", base)
    assert keys == {URIRef(base + "vocab/term")}


def test_sparql_endpoint_answers_pruned_as_unpruned(fleet: LiveServer) -> None:
    """Through /sparql (a query worker process evaluates it) with a real SPARQL client."""
    text = Path(QUERIES[0].parent, "packs-by-voltage-and-energy-summary.rq").read_text(
        encoding="utf-8")
    client = SPARQLWrapper(fleet.sparql)
    client.setMethod(POST)
    client.setQuery(text)
    client.setReturnFormat(JSON)
    client.addCustomHttpHeader("Authorization", f"Bearer {fleet.token(Role.RESEARCHER)}")
    rows = client.query().convert()["results"]["bindings"]
    expected = answer(unpruned(fleet), text, fleet.services.sparql.dataset_for(RESEARCHER))
    assert rows and sorted(json.dumps(r, sort_keys=True) for r in rows) == expected


def test_a_text_is_pruned_once_a_run_of_it_was_slow(server_factory) -> None:
    """By default only texts that once took sparql_prune_after_seconds are parsed and pruned
    (a millisecond query should not pay a parse); here every run counts as slow."""
    live = server_factory(sparql_prune_after_seconds=1e-6)
    write_demo_fleet(live.services, 2)
    sparql = live.services.sparql
    dataset = sparql.dataset_for(RESEARCHER)
    text = Path(QUERIES[0].parent, "packs-by-voltage-and-energy-summary.rq").read_text(
        encoding="utf-8")
    assert sparql.pruned(text, dataset) == dataset  # never run: not parsed, not pruned
    token = live.token(Role.RESEARCHER)
    with live.client(token) as client:
        response = client.post("/sparql", content=text,
                               headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 200
    assert len(sparql.pruned(text, dataset).default_graph) < len(dataset.default_graph)
    other = text.replace("ORDER BY DESC(?nominalEnergyKWh)", "")
    assert sparql.pruned(other, dataset) == dataset  # another text is not


def test_a_long_text_is_never_parsed_for_pruning(fleet: LiveServer) -> None:
    sparql = fleet.services.sparql
    dataset = sparql.dataset_for(RESEARCHER)
    text = "SELECT ?s WHERE { ?s <https://w3id.org/dbp#batteryId> ?id }\n" + "#" * 20_000
    assert sparql.pruned(text, dataset) == dataset
    assert len(answer(sparql, text, dataset)) == 4
