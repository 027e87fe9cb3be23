"""Issue 18, finding 8: update and query saw different default graphs.

An admin's query reads, as its default graph, the merge of the views and ontology graphs; an
update's WHERE read the engine's own default graph (empty), so ``INSERT ... WHERE`` computed
from nothing, and ``using-graph-uri`` / ``using-named-graph-uri`` were dropped silently. Now
(docs/access.md, "SPARQL Update"): an update's WHERE reads the admin's query default graph, the
default graph is never written (a merge is not a stored graph), and the protocol's dataset
parameters act as USING / USING NAMED - or the request is refused with a 400 that says why.

Every request goes through a real client against a real server: SPARQLWrapper and rdflib's
SPARQLUpdateStore / SPARQLStore.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.error import HTTPError

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore
from SPARQLWrapper import JSON, POST, POSTDIRECTLY, URLENCODED, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from graph_service.model.graphs import AccessGroup
from graph_service.services.access import Role
from graph_service.store.base import RdfFormat

# The root tests/conftest.py, imported by pytest as the top-level module ``conftest``.
from conftest import LiveServer  # isort: skip

EX = "http://example.org/dbp-test#"
PREFIXES = f"PREFIX ex: <{EX}>\n"
REPORT = "urn:test:report"
PUBLIC_DATA = f"""
<{EX}b1> <{EX}cycles> 10 . <{EX}b2> <{EX}cycles> 20 . <{EX}b3> <{EX}cycles> 30 .
"""
RESTRICTED_DATA = f"<{EX}b1> <{EX}soh> 0.9 ."
TOTAL_QUERY = PREFIXES + "SELECT (SUM(?c) AS ?n) WHERE { ?b ex:cycles ?c }"
TOTAL_UPDATE = PREFIXES + (
    f"INSERT {{ GRAPH <{REPORT}> {{ ex:report ex:total ?n }} }} "
    "WHERE { SELECT (SUM(?c) AS ?n) WHERE { ?b ex:cycles ?c } }")
REPORTED = PREFIXES + f"SELECT ?n WHERE {{ GRAPH <{REPORT}> {{ ex:report ex:total ?n }} }}"


@pytest.fixture
def server(server_factory: Callable[..., LiveServer]) -> LiveServer:
    live = server_factory(load_reference_ontologies=False, enable_update=True)
    layout, store = live.services.layout, live.services.store
    store.load(PUBLIC_DATA.encode(), RdfFormat.TURTLE,
               graph=layout.view(AccessGroup.PUBLIC))
    store.load(RESTRICTED_DATA.encode(), RdfFormat.TURTLE,
               graph=layout.view(AccessGroup.LEGITIMATE_INTEREST))
    return live


@pytest.fixture
def admin(server: LiveServer) -> str:
    return server.token(Role.ADMIN)


def wrapper(server: LiveServer, token: str) -> SPARQLWrapper:
    client = SPARQLWrapper(server.sparql)
    client.addCustomHttpHeader("Authorization", f"Bearer {token}")
    return client


def select(server: LiveServer, token: str, query: str) -> list[dict]:
    client = wrapper(server, token)
    client.setQuery(query)
    client.setReturnFormat(JSON)
    return client.query().convert()["results"]["bindings"]


def update(server: LiveServer, token: str, text: str, request_method: str = URLENCODED,
           **parameters: list[str]) -> int:
    client = wrapper(server, token)
    client.setMethod(POST)
    client.setRequestMethod(request_method)
    for name, values in parameters.items():
        for value in values:
            client.addParameter(name.replace("_", "-"), value)
    client.setQuery(text)
    return client.query().response.status


def reported(server: LiveServer, token: str) -> list[int]:
    return sorted(int(b["n"]["value"]) for b in select(server, token, REPORTED))


def refused(server: LiveServer, token: str, text: str, **parameters: list[str]) -> str:
    """The 400 detail of a refused update (sent as a form, the protocol's usual way)."""
    data = {"update": text, **{k.replace("_", "-"): v for k, v in parameters.items()}}
    response = httpx.post(server.sparql, data=data,
                          headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400, response.text
    return response.json()["detail"]


def dump(server: LiveServer) -> bytes:
    return server.services.store.dump(RdfFormat.N_QUADS)


@pytest.mark.parametrize("request_method", [URLENCODED, POSTDIRECTLY])
def test_update_where_reads_the_default_graph_a_query_reads(server: LiveServer, admin: str,
                                                            request_method: str) -> None:
    (total,) = select(server, admin, TOTAL_QUERY)
    assert total["n"]["value"] == "60"
    assert update(server, admin, TOTAL_UPDATE, request_method) == 204
    assert reported(server, admin) == [60]  # was 0: the WHERE saw an empty default graph


def test_rdflib_update_store_gets_the_same_answer_as_its_query(server: LiveServer,
                                                               admin: str) -> None:
    headers = {"Authorization": f"Bearer {admin}"}
    store = SPARQLUpdateStore(query_endpoint=server.sparql, update_endpoint=server.sparql,
                              headers=headers)
    store.update(TOTAL_UPDATE)
    reader = Graph(store=SPARQLStore(query_endpoint=server.sparql, headers=headers))
    (queried,) = list(reader.query(TOTAL_QUERY))
    (stored,) = list(reader.query(REPORTED))
    assert queried.n == stored.n == Literal(60)


def test_update_reading_named_graphs_keeps_them(server: LiveServer, admin: str) -> None:
    restricted = server.services.layout.view(AccessGroup.LEGITIMATE_INTEREST)
    # GRAPH <iri> next to default-graph patterns: that graph stays readable.
    assert update(server, admin, PREFIXES + (
        f"INSERT {{ GRAPH <{REPORT}> {{ ex:report ex:total ?c }} }} WHERE {{ "
        f"?b ex:cycles ?c GRAPH <{restricted}> {{ ?b ex:soh ?h }} }}")) == 204
    assert reported(server, admin) == [10]
    # GRAPH ?g alone: every named graph, as for an admin's query.
    assert update(server, admin, PREFIXES + (
        "INSERT { GRAPH <urn:test:where> { ?g ex:holds ?b } } WHERE { "
        "GRAPH ?g { ?b ex:soh ?h } }")) == 204
    graphs = select(server, admin, PREFIXES + (
        "SELECT ?g WHERE { GRAPH <urn:test:where> { ?g ex:holds ?b } }"))
    assert [b["g"]["value"] for b in graphs] == [str(restricted)]


def test_protocol_using_parameters_are_honoured(server: LiveServer, admin: str) -> None:
    public = str(server.services.layout.view(AccessGroup.PUBLIC))
    extra = "urn:test:extra"
    assert update(server, admin, PREFIXES + (
        f"INSERT DATA {{ GRAPH <{extra}> {{ ex:b9 ex:cycles 100 }} }}")) == 204
    # using-graph-uri replaces the default graph of the WHERE: only that graph is read.
    for request_method in (URLENCODED, POSTDIRECTLY):
        assert update(server, admin, TOTAL_UPDATE, request_method,
                      using_graph_uri=[extra]) == 204
    assert reported(server, admin) == [100]
    assert update(server, admin, TOTAL_UPDATE, using_graph_uri=[extra, public]) == 204
    assert reported(server, admin) == [100, 160]
    # using-named-graph-uri: what GRAPH ?g ranges over.
    assert update(server, admin, PREFIXES + (
        "INSERT { GRAPH <urn:test:where> { ?g ex:holds ?b } } WHERE { GRAPH ?g { ?b ?p ?o } }"),
        using_named_graph_uri=[extra]) == 204
    rows = select(server, admin, "SELECT DISTINCT ?g WHERE { GRAPH <urn:test:where> "
                                 "{ ?g ?p ?b } }")
    assert [b["g"]["value"] for b in rows] == [extra]


def test_protocol_parameters_and_a_dataset_in_the_text_are_refused(server: LiveServer,
                                                                     admin: str) -> None:
    before = dump(server)
    for text in (
        PREFIXES + f"WITH <{REPORT}> INSERT {{ ex:r ex:n ?c }} WHERE {{ ?b ex:cycles ?c }}",
        PREFIXES + (f"INSERT {{ GRAPH <{REPORT}> {{ ex:r ex:n ?c }} }} USING <urn:test:x> "
                    "WHERE { ?b ex:cycles ?c }"),
    ):
        detail = refused(server, admin, text, using_graph_uri=["urn:test:extra"])
        assert "not both" in detail
    assert "DELETE WHERE" in refused(server, admin, "DELETE WHERE { GRAPH ?g { ?s ?p ?o } }",
                                     using_named_graph_uri=["urn:test:extra"])
    assert "not an absolute IRI" in refused(server, admin, TOTAL_UPDATE,
                                            using_graph_uri=["not an iri"])
    # and through SPARQLWrapper: a 400 it reports as a bad request
    with pytest.raises(QueryBadFormed):
        update(server, admin, PREFIXES + f"WITH <{REPORT}> INSERT {{ ex:r ex:n 1 }} WHERE {{}}",
               using_graph_uri=["urn:test:extra"])
    assert dump(server) == before


def test_query_and_update_dataset_parameters_are_not_swapped(server: LiveServer,
                                                             admin: str) -> None:
    """Each operation's own parameters: the other one's would be ignored, so they are refused."""
    headers = {"Authorization": f"Bearer {admin}"}
    answer = httpx.post(server.sparql, data={"update": TOTAL_UPDATE,
                                             "default-graph-uri": "urn:test:extra"},
                        headers=headers)
    assert answer.status_code == 400 and "using-graph-uri" in answer.json()["detail"]
    answer = httpx.get(server.sparql, params={"query": TOTAL_QUERY,
                                              "using-graph-uri": "urn:test:extra"})
    assert answer.status_code == 400 and "default-graph-uri" in answer.json()["detail"]
    assert reported(server, admin) == []


def test_writes_to_the_default_graph_are_refused(server: LiveServer, admin: str) -> None:
    public = server.services.layout.view(AccessGroup.PUBLIC)
    before = dump(server)
    for text, operation in [
        (PREFIXES + f"INSERT DATA {{ GRAPH <{public}> {{ ex:b4 ex:cycles 4 }} }} ; "
         "INSERT DATA { ex:b4 ex:note 'where would this go?' }", "operation 2 (INSERT DATA)"),
        (PREFIXES + "DELETE { ?b ex:cycles ?c } WHERE { ?b ex:cycles ?c }",
         "operation 1 (DELETE/INSERT ... WHERE)"),
        (PREFIXES + "DELETE WHERE { ?b ex:cycles ?c }", "operation 1 (DELETE WHERE)"),
        ("CLEAR DEFAULT", "operation 1 (CLEAR)"),
        (f"COPY <{public}> TO DEFAULT", "operation 1 (COPY)"),
    ]:
        detail = refused(server, admin, text)
        assert detail.startswith(operation) and "GRAPH <iri>" in detail, detail
    assert dump(server) == before  # nothing of a refused request was applied

    # rdflib writing a dataset's default graph gets the refusal as an HTTP 400
    store = SPARQLUpdateStore(query_endpoint=server.sparql, update_endpoint=server.sparql,
                              headers={"Authorization": f"Bearer {admin}"})
    with pytest.raises(HTTPError) as error:
        store.update(PREFIXES + "INSERT DATA { ex:b5 ex:cycles 5 }")
    assert error.value.code == 400
    # ... and writes a named graph as usual (a new store: the refused edit stays queued)
    store = SPARQLUpdateStore(query_endpoint=server.sparql, update_endpoint=server.sparql,
                              headers={"Authorization": f"Bearer {admin}"})
    named = Graph(store=store, identifier=URIRef("urn:test:named"))
    named.add((URIRef(EX + "b5"), URIRef(EX + "cycles"), Literal(5)))
    assert (URIRef(EX + "b5"), URIRef(EX + "cycles"), Literal(5)) in set(
        server.services.store.graph(URIRef("urn:test:named")))

    # WITH names the graph a template without GRAPH writes
    assert update(server, admin, PREFIXES + (
        f"WITH <{REPORT}> INSERT {{ ex:report ex:total ?c }} WHERE {{ GRAPH <{public}> "
        "{ ex:b1 ex:cycles ?c } }")) == 204
    assert reported(server, admin) == [10]


def test_a_where_over_the_default_graph_and_any_named_graph_is_refused(
        server: LiveServer, admin: str) -> None:
    detail = refused(server, admin, PREFIXES + (
        f"INSERT {{ GRAPH <{REPORT}> {{ ex:report ex:total ?c }} }} WHERE {{ "
        "?b ex:cycles ?c GRAPH ?g { ?b ex:soh ?h } }"))
    assert "USING NAMED" in detail
    # naming the graphs itself is standard SPARQL Update and runs as written
    restricted = server.services.layout.view(AccessGroup.LEGITIMATE_INTEREST)
    public = server.services.layout.view(AccessGroup.PUBLIC)
    assert update(server, admin, PREFIXES + (
        f"INSERT {{ GRAPH <{REPORT}> {{ ex:report ex:total ?c }} }} USING <{public}> "
        f"USING NAMED <{restricted}> WHERE {{ ?b ex:cycles ?c GRAPH ?g {{ ?b ex:soh ?h }} }}")
    ) == 204
    assert reported(server, admin) == [10]


def test_graph_store_protocol_default_graph_is_the_same_merge(server: LiveServer,
                                                             admin: str) -> None:
    headers = {"Authorization": f"Bearer {admin}", "Accept": "application/n-triples"}
    answer = httpx.get(f"{server.url}/store?default", headers=headers)
    assert answer.status_code == 200
    graph = Graph().parse(data=answer.text, format="nt")
    soh = Literal("0.9", datatype=XSD.decimal)
    assert (URIRef(EX + "b1"), URIRef(EX + "soh"), soh) in graph  # the views' merge
    before = dump(server)
    answer = httpx.put(f"{server.url}/store?default", content=PUBLIC_DATA,
                       headers={**headers, "Content-Type": "text/turtle"})
    assert answer.status_code == 400 and "named graph" in answer.json()["detail"]
    assert dump(server) == before
