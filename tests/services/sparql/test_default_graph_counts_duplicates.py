"""Issue 18, finding 9: the default graph counts duplicates.

SPARQL's default graph is the RDF merge of its graphs: a set. The engine (pyoxigraph 0.5) reads a
default graph made of several graphs as a bag, so a triple held by two of them is matched twice
and ``COUNT(*)`` / ``SUM`` count it twice (66 ``rdfs:subClassOf`` triples were in both the
``ontology`` and ``ontology/reference`` graphs). The service therefore keeps the graphs of every
caller's default graph disjoint.

Checked over the demo fleet (passports, derivations, lineage, fleet statistics from fed-back
step outcomes) for every role's dataset, whatever graphs the datasets name: a new view, a
partition of a view or summary facts in the views are covered without changing this test.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from rdflib import URIRef
from SPARQLWrapper import JSON, SPARQLWrapper

from graph_service.services.access import Principal, Role
from graph_service.services.derivation.feedback import StepOutcomeIn
from graph_service.services.fleet.demo import battery_id, write_demo_fleet
from graph_service.services.sparql import Dataset

# The root tests/conftest.py, imported by pytest as the top-level module ``conftest``.
from conftest import LiveServer, make_settings, start_server  # isort: skip

BATTERIES = 6
COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
COUNT_DISTINCT = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
SUBCLASS = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
COUNT_SUBCLASS = SUBCLASS + "SELECT (COUNT(*) AS ?n) WHERE { ?c rdfs:subClassOf ?d }"
COUNT_DISTINCT_SUBCLASS = SUBCLASS + (
    "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?c ?d WHERE { ?c rdfs:subClassOf ?d } }")


@pytest.fixture(scope="module")
def fleet() -> Iterator[LiveServer]:
    """A real server (reference ontology loaded when DBP_ONTOLOGY_DIR has it) with a derived
    demo fleet, its lineage, and fleet statistics from a recycler's step outcomes."""
    with start_server(make_settings()) as live:
        services = live.services
        write_demo_fleet(services, BATTERIES)
        recycler = services.principals.create(Role.RECYCLER, "circular-metals").principal
        services.feedback.record(battery_id(1), [
            StepOutcomeIn(stepType="remove-cover", actualMinutes=12),
            StepOutcomeIn(stepType="remove-cover", actualMinutes=9, strippedFastener=True),
        ], recycler)
        assert services.store.count(services.layout.statistics) > 0
        yield live


def role_datasets(live: LiveServer) -> dict[str, Dataset]:
    """Every dataset a caller's query can run over (one per role)."""
    return {role.value: live.services.sparql.dataset_for(Principal("test", role))
            for role in Role}


def shared_triples(live: LiveServer, first: URIRef, second: URIRef) -> int:
    result = live.services.store.query(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{first}> {{ ?s ?p ?o }} "
        f"GRAPH <{second}> {{ ?s ?p ?o }} }}",
        named_graphs=[first, second], default_graph=[])
    return int(next(result.rows())["n"])


def number(live: LiveServer, query: str, dataset: Dataset) -> int:
    return int(next(live.services.sparql.run_query(query, dataset).rows())["n"])


def test_no_triple_is_in_two_graphs_of_a_default_graph(fleet: LiveServer) -> None:
    datasets = role_datasets(fleet)
    graphs = sorted({g for d in datasets.values() for g in d.default_graph if g is not None})
    overlaps = {pair: shared_triples(fleet, *pair) for pair in itertools.combinations(graphs, 2)}
    found = []
    for role, dataset in datasets.items():
        own = {g for g in dataset.default_graph if g is not None}
        found.extend(f"{role}: {n} triples in both <{a}> and <{b}>"
                     for (a, b), n in overlaps.items() if n and a in own and b in own)
    assert not found, "\n".join(found)


def test_count_star_over_every_default_graph_counts_each_triple_once(fleet: LiveServer) -> None:
    for role, dataset in role_datasets(fleet).items():
        assert number(fleet, COUNT_ALL, dataset) == number(fleet, COUNT_DISTINCT, dataset), role


def test_subclass_axioms_are_counted_once_through_a_sparql_client(fleet: LiveServer) -> None:
    """The finding as a researcher met it: the class hierarchy counted through /sparql."""
    def count(query: str) -> int:
        client = SPARQLWrapper(fleet.sparql)
        client.setQuery(query)
        client.setReturnFormat(JSON)
        return int(client.query().convert()["results"]["bindings"][0]["n"]["value"])

    axioms = count(COUNT_SUBCLASS)
    assert axioms > 0
    assert axioms == count(COUNT_DISTINCT_SUBCLASS)
