"""The reference graph holds the EMMO stack minus what our ontology graph already holds, so the
two never share a triple in a caller's default graph (issue 18, finding 9)."""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef

from graph_service.model.graphs import GraphLayout
from graph_service.model.namespaces import DBP
from graph_service.services.ontology.bootstrap import (
    REFERENCE_FILE,
    _digest,
    ensure_ontology_loaded,
)
from graph_service.store import open_memory_store
from graph_service.store.base import ChangeSet, GraphStore, RdfFormat

from .conftest import reference_dir

# The root tests/conftest.py, imported by pytest as the top-level module ``conftest``.
from conftest import make_settings  # isort: skip

FULL_STACK = URIRef("urn:test:full-reference-stack")


@pytest.fixture
def loaded() -> tuple[GraphStore, GraphLayout]:
    reference = reference_dir() / REFERENCE_FILE
    if not reference.is_file():
        pytest.skip(f"reference ontologies not installed ({reference})")
    settings = make_settings()
    layout = GraphLayout(settings.base_iri)
    store = open_memory_store()
    ensure_ontology_loaded(store, layout, settings)
    store.load(reference.read_bytes(), RdfFormat.TURTLE, graph=FULL_STACK,
               base_iri=reference.as_uri())
    return store, layout


def shared(store: GraphStore, first: URIRef, second: URIRef) -> int:
    result = store.query(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{first}> {{ ?s ?p ?o }} "
        f"GRAPH <{second}> {{ ?s ?p ?o }} }}", named_graphs=[first, second], default_graph=[])
    return int(next(result.rows())["n"])


def test_reference_graph_is_the_stack_minus_the_ontology(loaded) -> None:
    store, layout = loaded
    restated = shared(store, FULL_STACK, layout.ontology)
    assert restated > 0  # our alignment axioms restate part of the EMMO hierarchy
    assert shared(store, layout.reference, layout.ontology) == 0
    # Nothing else is lost: every other triple of the stack is in the reference graph.
    assert store.count(layout.reference) == store.count(FULL_STACK) - restated


def test_a_store_loaded_with_the_duplicates_is_repaired_at_the_next_start(loaded) -> None:
    """A store written before the reference graph was deduplicated: same file, old hash."""
    store, layout = loaded
    store.apply(ChangeSet(sparql_after=[
        f"INSERT {{ GRAPH <{layout.reference}> {{ ?s ?p ?o }} }} WHERE {{ "
        f"GRAPH <{layout.ontology}> {{ ?s ?p ?o }} GRAPH <{FULL_STACK}> {{ ?s ?p ?o }} }}",
        f"DELETE WHERE {{ GRAPH <{layout.meta}> {{ <{layout.reference}> ?p ?h }} }}"]))
    old_hash = _digest([reference_dir() / REFERENCE_FILE])
    store.apply(ChangeSet(insert=[(layout.reference, DBP.sourceHash, Literal(old_hash),
                                   layout.meta)]))
    assert shared(store, layout.reference, layout.ontology) > 0

    ensure_ontology_loaded(store, layout, make_settings())
    assert shared(store, layout.reference, layout.ontology) == 0
