"""Bounded blank-node labelling (issue 14, finding 3: rdflib's canonicalisation was
super-exponential on 12-15 crafted triples and could not be stopped).

Properties: the same graph with its blank nodes renamed and its triples shuffled gets the same
IRIs; the result is the input with each blank node replaced by its own IRI (so different graphs
give different results); known hard structures are labelled or refused within the budget.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from bench.hostile_graphs import HARD_CASES
from graph_service.config import Settings
from graph_service.services.passports.skolemise import (
    SkolemisationRefused,
    skolemise,
)

NODE = "http://example.org/battery/B1/node/"
PREDICATES = [URIRef(f"http://example.org/p{i}") for i in range(3)]
CONSTANTS = [URIRef("http://example.org/c0"), URIRef("http://example.org/c1"), Literal(1),
             Literal("x")]
DEFAULT_BUDGET = Settings.model_fields["ingest_normalise_budget"].default
BIG_BUDGET = 10**9


def mint(suffix: str) -> URIRef:
    return URIRef(NODE + suffix)


@st.composite
def graphs(draw, max_nodes: int = 9, max_triples: int = 14, symmetric: bool = False) -> Graph:
    """Random graphs of blank nodes (and, unless ``symmetric``, IRIs, literals and several
    predicates): symmetric ones have one predicate and no constants, where ties abound."""
    count = draw(st.integers(1, max_nodes))
    nodes = [BNode() for _ in range(count)]
    predicates = PREDICATES[:1] if symmetric else PREDICATES
    objects = nodes if symmetric else nodes + CONSTANTS
    subjects = nodes if symmetric else nodes + CONSTANTS[:2]
    triples = draw(st.lists(
        st.tuples(st.sampled_from(subjects), st.sampled_from(predicates),
                  st.sampled_from(objects)), min_size=1, max_size=max_triples))
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return graph


def renamed_and_shuffled(graph: Graph, seed: int) -> Graph:
    rng = random.Random(seed)
    names = {t: BNode() for triple in graph for t in triple if isinstance(t, BNode)}
    triples = [tuple(names.get(t, t) for t in triple) for triple in graph]
    rng.shuffle(triples)
    result = Graph()
    for triple in triples:
        result.add(triple)  # type: ignore[arg-type]
    return result


def labelled(graph: Graph) -> set:
    result, _ = skolemise(graph, mint, BIG_BUDGET)
    return set(result)


def unlabelled(triples: set) -> Graph:
    """The labelled graph with each minted IRI turned back into a blank node."""
    graph = Graph()
    for triple in triples:
        graph.add(tuple(BNode(str(t)[len(NODE):]) if str(t).startswith(NODE) else t
                        for t in triple))  # type: ignore[arg-type]
    return graph


HYPOTHESIS = settings(max_examples=300, deadline=None,
                      suppress_health_check=[HealthCheck.too_slow])


@HYPOTHESIS
@given(graphs(), st.integers(0, 2**32))
def test_renaming_blank_nodes_and_shuffling_triples_gives_the_same_iris(graph, seed) -> None:
    assert labelled(graph) == labelled(renamed_and_shuffled(graph, seed))


@HYPOTHESIS
@given(graphs(max_nodes=12, max_triples=24, symmetric=True), st.integers(0, 2**32))
def test_the_same_holds_where_blank_nodes_are_hard_to_tell_apart(graph, seed) -> None:
    assert labelled(graph) == labelled(renamed_and_shuffled(graph, seed))


@st.composite
def trees(draw) -> Graph:
    """Blank-node trees with many identical subtrees (nested JSON-LD objects)."""
    count = draw(st.integers(2, 40))
    nodes = [BNode()]
    graph = Graph()
    graph.add((URIRef("http://example.org/root"), PREDICATES[0], nodes[0]))
    for _ in range(count - 1):
        parent = draw(st.sampled_from(nodes))
        child = BNode()
        nodes.append(child)
        graph.add((parent, draw(st.sampled_from(PREDICATES[:2])), child))
        if draw(st.booleans()):
            graph.add((child, PREDICATES[2], draw(st.sampled_from([Literal(0), Literal(1)]))))
    return graph


@HYPOTHESIS
@given(trees(), st.integers(0, 2**32))
def test_trees_with_identical_subtrees_get_the_same_iris(graph, seed) -> None:
    assert labelled(graph) == labelled(renamed_and_shuffled(graph, seed))


@HYPOTHESIS
@given(graphs(max_nodes=6, max_triples=9))
def test_every_blank_node_gets_its_own_iri_and_nothing_else_changes(graph) -> None:
    blank = {t for triple in graph for t in triple if isinstance(t, BNode)}
    result = labelled(graph)
    assert len(result) == len(graph)
    assert not any(isinstance(t, BNode) for triple in result for t in triple)
    minted = {t for triple in result for t in triple if str(t).startswith(NODE)}
    assert len(minted) == len(blank)
    assert isomorphic(unlabelled(result), graph)


@HYPOTHESIS
@given(graphs(max_nodes=5, max_triples=8, symmetric=True),
       graphs(max_nodes=5, max_triples=8, symmetric=True))
def test_different_graphs_give_different_graphs(first, second) -> None:
    assert (labelled(first) == labelled(second)) == isomorphic(first, second)


def test_disjoint_copies_of_one_structure_are_told_apart() -> None:
    """Five identical triangles: fifteen IRIs, and the same fifteen whatever the names."""
    triangles = HARD_CASES["4 triangles (the issue's 12 triples)"][0]()
    result = labelled(triangles)
    minted = {t for triple in result for t in triple if str(t).startswith(NODE)}
    assert len(minted) == 12
    assert result == labelled(renamed_and_shuffled(triangles, 7))


@pytest.mark.parametrize("name", list(HARD_CASES))
def test_hard_structures_are_labelled_or_refused_within_the_budget(name: str) -> None:
    build, must_finish = HARD_CASES[name]
    graph = build()
    try:
        result, stats = skolemise(graph, mint, DEFAULT_BUDGET)
    except SkolemisationRefused as refused:
        assert not must_finish, f"{name} was refused: {refused}"
        # It says how big the structure is, what makes it hard and what to change.
        message = str(refused)
        assert f"{refused.structure_size} blank nodes" in message and "on cycles" in message
        assert "give these nodes IRIs" in message
        return
    assert stats.work <= DEFAULT_BUDGET
    assert len(result) == len(graph)
    assert not any(isinstance(t, BNode) for triple in result for t in triple)


def test_a_graph_without_blank_nodes_is_returned_as_it_is() -> None:
    graph = Graph()
    graph.add((URIRef("http://example.org/a"), PREDICATES[0], Literal(1)))
    result, stats = skolemise(graph, mint, 1000)
    assert set(result) == set(graph) and stats.blank_nodes == 0
