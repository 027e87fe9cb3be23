"""Off-the-shelf SPARQL clients against the live endpoint: SPARQLWrapper, rdflib SPARQLStore."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal
from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore
from SPARQLWrapper import (
    JSON,
    JSONLD,
    POST,
    POSTDIRECTLY,
    RDFXML,
    TURTLE,
    URLENCODED,
    XML,
    SPARQLWrapper,
)
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, Unauthorized

from graph_service.model.graphs import AccessGroup
from graph_service.services.access import Role

from .conftest import EX, PREFIXES, public_graph

LABELS = PREFIXES + "SELECT ?b ?label WHERE { ?b a ex:Battery ; ex:label ?label }"
CONSTRUCT = PREFIXES + "CONSTRUCT { ex:battery1 ?p ?o } WHERE { ex:battery1 ?p ?o }"


def expected_labels() -> set[tuple]:
    return {tuple(row) for row in public_graph().query(LABELS)}


def expected_battery1() -> set[tuple]:
    return set(public_graph().triples((EX.battery1, None, None)))


def wrapper(live, token: str | None = None) -> SPARQLWrapper:
    client = SPARQLWrapper(live.sparql)
    if token:
        client.addCustomHttpHeader("Authorization", f"Bearer {token}")
    return client


def _term(binding: dict):
    if binding["type"] == "uri":
        return EX[binding["value"].removeprefix(str(EX))]
    return Literal(binding["value"], lang=binding.get("xml:lang"),
                   datatype=binding.get("datatype"))


# ---------------------------------------------------------------------------------------------
# SPARQLWrapper
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["GET", POST])
def test_sparqlwrapper_select_json(server, method: str) -> None:
    client = wrapper(server)
    client.setMethod(method)
    client.setQuery(LABELS)
    client.setReturnFormat(JSON)
    document = client.query().convert()
    assert document["head"]["vars"] == ["b", "label"]
    got = {(_term(b["b"]), _term(b["label"])) for b in document["results"]["bindings"]}
    assert got == expected_labels()


def test_sparqlwrapper_select_xml(server) -> None:
    client = wrapper(server)
    client.setQuery(LABELS)
    client.setReturnFormat(XML)
    document = client.query().convert()  # an xml.dom.minidom Document
    literals = {(node.firstChild.data, node.getAttribute("xml:lang"))
                for node in document.getElementsByTagName("literal")}
    # language tags are case-insensitive; the engine answers them in lower case
    assert literals == {(str(label), label.language.lower()) for _, label in expected_labels()}


@pytest.mark.parametrize("fmt", [JSON, XML])
def test_sparqlwrapper_ask(server, fmt: str) -> None:
    client = wrapper(server)
    client.setReturnFormat(fmt)
    client.setQuery(PREFIXES + "ASK { ex:battery2 ex:cycles 300 }")
    result = client.query().convert()
    if fmt == JSON:
        assert result["boolean"] is True
    else:
        assert result.getElementsByTagName("boolean")[0].firstChild.data == "true"
    client.setQuery(PREFIXES + "ASK { ex:battery1 ex:stateOfHealth ?soh }")  # not public
    client.setReturnFormat(JSON)
    assert client.query().convert()["boolean"] is False


@pytest.mark.parametrize("fmt", [RDFXML, JSONLD, XML])
def test_sparqlwrapper_construct_to_graph(server, fmt: str) -> None:
    client = wrapper(server)
    client.setQuery(CONSTRUCT)
    client.setReturnFormat(fmt)
    graph = client.query().convert()
    assert isinstance(graph, Graph)
    assert set(graph) == expected_battery1()


def test_sparqlwrapper_construct_turtle(server) -> None:
    client = wrapper(server)
    client.setQuery(CONSTRUCT)
    client.setReturnFormat(TURTLE)
    body = client.query().convert()
    assert set(Graph().parse(data=body, format="turtle")) == expected_battery1()


@pytest.mark.parametrize("request_method", [URLENCODED, POSTDIRECTLY])
def test_sparqlwrapper_insert_data_with_admin_token(writable_server,
                                                   request_method: str) -> None:
    server = writable_server
    public = server.services.layout.view(AccessGroup.PUBLIC)
    client = wrapper(server, server.token(Role.ADMIN))
    client.setMethod(POST)
    client.setRequestMethod(request_method)
    client.setQuery(PREFIXES + f'INSERT DATA {{ GRAPH <{public}> {{ ex:battery9 a ex:Battery ; '
                    'ex:label "Neun"@de } }')
    response = client.query().response
    assert response.status == 204

    reader = wrapper(server)  # anonymous: the public view shows the new battery
    reader.setQuery(LABELS)
    reader.setReturnFormat(JSON)
    bindings = reader.query().convert()["results"]["bindings"]
    assert {"type": "literal", "value": "Neun", "xml:lang": "de"} in [b["label"] for b in
                                                                        bindings]


def test_sparqlwrapper_sees_protocol_errors(server) -> None:
    client = wrapper(server)
    client.setQuery("SELECT ?x WHERE { ?x }")
    client.setReturnFormat(JSON)
    with pytest.raises(QueryBadFormed) as bad:
        client.query()
    assert "Malformed SPARQL" in str(bad.value)

    client = wrapper(server, "dbp_000000000000_not-a-valid-secret")
    client.setQuery(LABELS)
    with pytest.raises(Unauthorized):
        client.query()


# ---------------------------------------------------------------------------------------------
# rdflib SPARQLStore
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "return_format"),
    [("GET", "xml"), ("GET", "json"), ("POST", "json"), ("POST_FORM", "xml")],
)
def test_rdflib_sparqlstore_select(server, method: str, return_format: str) -> None:
    graph = Graph(store=SPARQLStore(query_endpoint=server.sparql, method=method,
                                    returnFormat=return_format))
    result = graph.query(LABELS)
    got = set()
    for row in result:
        assert row.b in (EX.battery1, EX.battery2)
        got.add((row.b, row.label))
    assert got == expected_labels()


def test_rdflib_sparqlstore_ask_construct_and_triples(server) -> None:
    graph = Graph(store=SPARQLStore(query_endpoint=server.sparql))
    assert graph.query(PREFIXES + "ASK { ex:battery1 ex:cycles 1200 }").askAnswer is True
    constructed = graph.query(CONSTRUCT).graph
    assert set(constructed) == expected_battery1()
    assert set(graph.triples((EX.battery1, None, None))) == expected_battery1()


def test_rdflib_sparqlstore_with_bearer_header(server) -> None:
    token = server.token(Role.ADMIN)
    soh = PREFIXES + "SELECT ?soh WHERE { ex:battery1 ex:stateOfHealth ?soh }"
    anonymous = Graph(store=SPARQLStore(query_endpoint=server.sparql))
    assert list(anonymous.query(soh)) == []
    admin = Graph(store=SPARQLStore(query_endpoint=server.sparql,
                                    headers={"Authorization": f"Bearer {token}"}))
    assert [str(row.soh) for row in admin.query(soh)] == ["0.93"]


def test_rdflib_sparqlupdatestore_update(writable_server) -> None:
    server = writable_server
    token = server.token(Role.ADMIN)
    public = server.services.layout.view(AccessGroup.PUBLIC)
    store = SPARQLUpdateStore(query_endpoint=server.sparql, update_endpoint=server.sparql,
                              headers={"Authorization": f"Bearer {token}"})
    store.update(PREFIXES + f"INSERT DATA {{ GRAPH <{public}> {{ ex:battery8 ex:cycles 8 }} }}")
    reader = Graph(store=SPARQLStore(query_endpoint=server.sparql))
    assert reader.query(PREFIXES + "ASK { ex:battery8 ex:cycles 8 }").askAnswer is True
