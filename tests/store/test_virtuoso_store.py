"""What only the Virtuoso adapter does: each test reproduces a Virtuoso 7 difference from the
SPARQL 1.1 Protocol that would break the store contract or access control if passed through
(the contract itself runs against Virtuoso in test_remote_store.py)."""

from __future__ import annotations

import httpx
import pytest
from rdflib import Literal, Namespace, URIRef

from graph_service.store.base import (
    ChangeSet,
    QueryEvaluationError,
    QuerySyntaxError,
    QueryTimeout,
)
from graph_service.store.virtuoso import SYSTEM_GRAPHS, VirtuosoStore
from tests.support.virtuoso_server import VirtuosoServer, virtuoso_executables

from .conftest import connect, empty

pytestmark = pytest.mark.skipif(virtuoso_executables() is None,
                                reason="virtuoso-t is not installed")

EX = Namespace("http://example.org/")
G_PUBLIC = EX["graph/public"]
G_SECRET = EX["graph/secret"]


@pytest.fixture
def store(virtuoso_server: VirtuosoServer):
    store = connect("virtuoso", virtuoso_server)
    assert isinstance(store, VirtuosoStore)
    empty(store)
    store.apply(ChangeSet(insert=[(EX.pub, EX.p, Literal("public"), G_PUBLIC),
                                  (EX.sec, EX.p, Literal("secret"), G_SECRET)]))
    yield store
    empty(store)
    store.close()


def values(result) -> set[str]:  # type: ignore[no-untyped-def]
    return {str(value) for row in result.rows() for value in row.values()}


def test_from_named_in_the_text_cannot_widen_the_dataset(store: VirtuosoStore):
    # Virtuoso adds FROM NAMED to the protocol's named graphs instead of ignoring it
    result = store.query(
        f"SELECT ?o FROM NAMED <{G_SECRET}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        default_graph=[G_PUBLIC], named_graphs=[G_PUBLIC])

    assert values(result) == {"public"}


def test_from_in_the_text_cannot_widen_the_dataset(store: VirtuosoStore):
    result = store.query(f"SELECT ?o FROM <{G_SECRET}> WHERE {{ ?s ?p ?o }}",
                         default_graph=[G_PUBLIC], named_graphs=[])

    assert values(result) == {"public"}


@pytest.mark.parametrize("query", [
    f"DEFINE input:default-graph-uri <{G_SECRET}> SELECT ?o WHERE {{ ?s ?p ?o }}",
    'DEFINE get:soft "replace" SELECT * FROM <http://127.0.0.1:1/x> WHERE { ?s ?p ?o }',
])
def test_virtuoso_pragmas_are_refused_as_syntax_errors(store: VirtuosoStore, query: str):
    with pytest.raises(QuerySyntaxError) as caught:
        store.query(query, default_graph=[G_PUBLIC], named_graphs=[])

    assert caught.value.line == 1


@pytest.mark.parametrize("query", [
    "PREFIX bif: <bif:> SELECT (bif:sprintf('%d', 1) AS ?x) WHERE {}",
    "SELECT (<sql:RDF_GRAPH_USER_PERMS_GET>('x', 'dbp') AS ?x) WHERE {}",
])
def test_built_in_function_iris_are_refused(store: VirtuosoStore, query: str):
    with pytest.raises(QueryEvaluationError, match="bif: and sql:"):
        store.query(query, default_graph=[G_PUBLIC], named_graphs=[])


def test_the_account_reads_none_of_virtuosos_own_graphs(store: VirtuosoStore):
    per_graph = store.query(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")

    assert {str(row["g"]) for row in per_graph.rows()} == {str(G_PUBLIC), str(G_SECRET)}
    # (SELECT DISTINCT ?g alone is answered from a graph list that shows their names)
    assert store.graphs() == [G_PUBLIC, G_SECRET]
    assert not any(store.contains_graph(URIRef(g)) for g in SYSTEM_GRAPHS)


def test_graph_names_outside_the_dataset_are_not_listed(store: VirtuosoStore):
    names = store.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
                        default_graph=[], named_graphs=[G_PUBLIC])

    assert values(names) == {str(G_PUBLIC)}


def test_unauthenticated_callers_read_no_graph(store: VirtuosoStore,
                                               virtuoso_server: VirtuosoServer):
    response = httpx.post(f"{virtuoso_server.url}/sparql",
                          data={"query": "SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }"},
                          headers={"Accept": "application/sparql-results+json"})

    assert response.status_code == 200
    assert response.json()["results"]["bindings"] == []


def test_an_account_without_graph_security_is_refused(virtuoso_server: VirtuosoServer):
    virtuoso_server.sql("DB.DBA.USER_CREATE('open', 'open-pw'); "
                        "GRANT SPARQL_SELECT TO \"open\"; "
                        "DB.DBA.RDF_DEFAULT_USER_PERMS_SET('open', 15, 1);")
    open_store = VirtuosoStore(virtuoso_server.query_url, virtuoso_server.update_url,
                               username="open", password="open-pw")
    try:
        with pytest.raises(Exception, match="graph security"):
            open_store.query("SELECT * WHERE { ?s ?p ?o }")
    finally:
        open_store.close()
        virtuoso_server.sql("DB.DBA.USER_DROP('open');")


@pytest.mark.parametrize("update", ["DROP ALL", "CLEAR NAMED", "DROP SILENT ALL"])
def test_whole_store_drops_are_refused_not_silently_ignored(store: VirtuosoStore, update: str):
    with pytest.raises(QueryEvaluationError, match="refused"):
        store.update(update)

    assert store.graphs() == [G_PUBLIC, G_SECRET]


def test_a_fallible_operation_inside_a_change_set_is_refused_before_anything_runs(
        store: VirtuosoStore):
    # Virtuoso would keep the drop of G_PUBLIC when the later CREATE failed
    with pytest.raises(QueryEvaluationError, match="SILENT"):
        store.apply(ChangeSet(drop_graphs=[G_PUBLIC],
                              sparql_after=[f"CREATE GRAPH <{G_SECRET}>"]))

    assert store.graphs() == [G_PUBLIC, G_SECRET]


def test_a_change_set_larger_than_virtuosos_parser_stack_is_one_request(store: VirtuosoStore):
    quads = [(EX[f"s{i}"], EX.p, Literal(i), EX["graph/big"]) for i in range(6000)]

    store.apply(ChangeSet(insert=quads))

    assert store.count(EX["graph/big"]) == 6000


def test_a_query_over_its_time_limit_is_a_timeout_not_a_partial_answer(store: VirtuosoStore):
    store.bulk_load((EX[f"n{i}"], EX.p, Literal(i), EX["graph/big"]) for i in range(3000))
    slow = ("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?a ?p ?x } GRAPH ?h { ?b ?q ?y } "
            "GRAPH ?i { ?c ?r ?z } }")

    with pytest.raises(QueryTimeout):
        store.query(slow, timeout=0.5)


def test_the_bulk_loader_fills_graphs_and_the_store_default_graph(
        store: VirtuosoStore, virtuoso_server: VirtuosoServer, tmp_path):
    dump = tmp_path / "fleet.nq"
    dump.write_text(
        f'<{EX.cell}> <{EX.p}> "52.5"^^<http://www.w3.org/2001/XMLSchema#decimal> '
        f'<{EX["graph/bulk"]}> .\n'
        f'<{EX.d}> <{EX.p}> <{EX.o}> .\n')

    virtuoso_server.bulk_load_nquads(dump, store_default_graph="urn:dbp:store-default-graph")

    assert store.count(EX["graph/bulk"]) == 1
    assert values(store.query("SELECT ?o WHERE { ?s ?p ?o }")) == {str(EX.o)}
