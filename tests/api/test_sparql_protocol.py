"""The SPARQL 1.1 Protocol endpoint ``/sparql`` over TCP, as a SPARQL user sees it."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF
from rdflib.query import Result

from graph_service.model.graphs import AccessGroup
from graph_service.model.namespaces import SD
from graph_service.services.access import Role

from .conftest import EX, PREFIXES, SLOW_QUERY, load_slow_data, public_graph

_XSD = "http://www.w3.org/2001/XMLSchema#"
DECIMAL, DATE = URIRef(_XSD + "decimal"), URIRef(_XSD + "date")

SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
FORM = "application/x-www-form-urlencoded"
PROBLEM = "application/problem+json"

RESULTS_JSON = "application/sparql-results+json"
RESULTS_XML = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
TURTLE = "text/turtle"
NTRIPLES = "application/n-triples"
JSONLD = "application/ld+json"
RDFXML = "application/rdf+xml"

RDFLIB_FORMAT = {TURTLE: "turtle", NTRIPLES: "nt", JSONLD: "json-ld", RDFXML: "xml"}
RESULTS_FORMAT = {RESULTS_JSON: "json", RESULTS_XML: "xml", TSV: "tsv"}

# Every (subject, predicate, object) of the fixture's public part, except rdf:type.
ALL_VALUES = PREFIXES + f"""
SELECT ?s ?p ?o WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), STR(ex:)) && ?p != <{RDF.type}>) }}
"""
LABELS = PREFIXES + "SELECT ?b ?label WHERE { ?b a ex:Battery ; ex:label ?label }"
CONSTRUCT = PREFIXES + (
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(STRSTARTS(STR(?s), STR(ex:))) }"
)
SOH = PREFIXES + "SELECT ?soh WHERE { ex:battery1 ex:stateOfHealth ?soh }"


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------
def oracle(query: str) -> set[tuple]:
    """What rdflib's own engine answers over the fixture's public data."""
    return {tuple(row) for row in public_graph().query(query)}


def rows(response: httpx.Response) -> set[tuple]:
    """Parse a SPARQL results body (JSON, XML or TSV) back into rdflib terms."""
    media_type = response.headers["content-type"].split(";")[0]
    result = Result.parse(io.BytesIO(response.content), format=RESULTS_FORMAT[media_type])
    return {tuple(row) for row in result}


def graph_of(response: httpx.Response) -> Graph:
    media_type = response.headers["content-type"].split(";")[0]
    return Graph().parse(data=response.content, format=RDFLIB_FORMAT[media_type])


def get(live, query: str, accept: str | None = None, token: str | None = None, **params):
    headers = {"Accept": accept} if accept is not None else {}
    with live.client(token) as client:
        return client.get("/sparql", params={"query": query, **params}, headers=headers)


def post(live, body: str | bytes, content_type: str, *, token: str | None = None,
         accept: str | None = None, params: dict | None = None) -> httpx.Response:
    headers = {"Content-Type": content_type}
    if accept is not None:
        headers["Accept"] = accept
    with live.client(token) as client:
        return client.post("/sparql", content=body, headers=headers, params=params)


def form(**fields: str | list[str]) -> str:
    return urlencode(fields, doseq=True)


def assert_problem(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status
    assert body["title"] and body["detail"]
    text = response.text
    for leak in ("Traceback", 'File "', ".py", "pyoxigraph", "Error(", "site-packages"):
        assert leak not in text, f"{leak!r} leaked in {text}"
    return body


# ---------------------------------------------------------------------------------------------
# the three ways to send a query
# ---------------------------------------------------------------------------------------------
def test_query_by_get(server) -> None:
    response = get(server, LABELS)
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{RESULTS_JSON}; charset=utf-8"
    assert rows(response) == oracle(LABELS)
    assert (EX.battery1, Literal("Batterie un", lang="fr-be")) in rows(response)


def test_query_by_post_direct(server) -> None:
    response = post(server, LABELS, SPARQL_QUERY)
    assert response.status_code == 200
    assert rows(response) == oracle(LABELS)


def test_query_by_post_direct_with_charset_and_utf8_text(server) -> None:
    query = PREFIXES + 'ASK { ?b ex:unicode "Akku äöü € 電池" }'
    response = post(server, query.encode("utf-8"), f"{SPARQL_QUERY}; charset=UTF-8")
    assert response.status_code == 200
    assert response.json() == {"head": {}, "boolean": True}


def test_query_by_post_form(server) -> None:
    response = post(server, form(query=LABELS), f"{FORM}; charset=UTF-8")
    assert response.status_code == 200
    assert rows(response) == oracle(LABELS)


def test_all_values_round_trip_exactly(server) -> None:
    """Language tags, datatypes, quotes, commas, newlines, tabs and non-ASCII survive as-is."""
    expected = oracle(ALL_VALUES)
    assert (EX.battery1, EX.note, Literal('comma, "quoted" and\nnewline')) in expected
    assert (EX.battery1, EX.capacity, Literal("75.5", datatype=DECIMAL)) in expected
    for accept in (RESULTS_JSON, RESULTS_XML, TSV):
        response = get(server, ALL_VALUES, accept)
        assert response.status_code == 200, accept
        assert response.headers["content-type"].startswith(accept)
        assert rows(response) == expected, accept


# ---------------------------------------------------------------------------------------------
# what a caller may read
# ---------------------------------------------------------------------------------------------
def test_anonymous_reads_public_view_only_admin_reads_more(server, admin_token) -> None:
    assert rows(get(server, SOH)) == set()
    assert rows(get(server, SOH, token=admin_token)) == {
        (Literal("0.93", datatype=DECIMAL),)
    }
    researcher = server.token(Role.RESEARCHER)
    assert len(rows(get(server, SOH, token=researcher))) == 1


def test_default_graph_uri_narrows_the_dataset(server, admin_token) -> None:
    public = str(server.services.layout.view(AccessGroup.PUBLIC))
    restricted = str(server.services.layout.view(AccessGroup.LEGITIMATE_INTEREST))
    # Admin restricted to the public view no longer sees the legitimate-interest triple ...
    assert rows(get(server, SOH, token=admin_token, **{"default-graph-uri": public})) == set()
    # ... and sees it when asking for that view by name.
    narrowed = get(server, SOH, token=admin_token, **{"default-graph-uri": restricted})
    assert len(rows(narrowed)) == 1
    # Public data is still there when the public view is named.
    response = get(server, LABELS, **{"default-graph-uri": public})
    assert rows(response) == oracle(LABELS)


def test_dataset_parameters_cannot_widen_access(server) -> None:
    layout = server.services.layout
    restricted = str(layout.view(AccessGroup.LEGITIMATE_INTEREST))
    audit, principals = str(layout.audit), str(layout.principals)
    graph_query = PREFIXES + "SELECT ?g ?soh WHERE { GRAPH ?g { ?b ex:stateOfHealth ?soh } }"
    attempts = [
        get(server, SOH, **{"default-graph-uri": restricted}),
        get(server, SOH, **{"default-graph-uri": [restricted, principals]}),
        get(server, graph_query, **{"named-graph-uri": restricted}),
        get(server, graph_query, **{"default-graph-uri": restricted,
                                   "named-graph-uri": [restricted, audit]}),
        post(server, form(query=SOH, **{"default-graph-uri": restricted}), FORM),
        post(server, SOH, SPARQL_QUERY, params={"default-graph-uri": restricted}),
        # the query's own dataset clauses neither
        get(server, SOH.replace("SELECT ?soh", f"SELECT ?soh FROM <{restricted}>")),
        get(server, graph_query.replace("WHERE", f"FROM NAMED <{restricted}> WHERE")),
    ]
    for response in attempts:
        assert response.status_code == 200, response.text
        assert rows(response) == set(), response.request.url
    # Principals (token hashes) stay invisible even to a GRAPH ?g over everything.
    server.token(Role.ADMIN)
    leak = PREFIXES + "ASK { GRAPH ?g { ?p <https://w3id.org/dbp#tokenHash> ?h } }"
    assert get(server, leak, **{"named-graph-uri": principals}).json()["boolean"] is False


def test_named_graph_uri_selects_graph_for_graph_patterns(server, admin_token) -> None:
    restricted = server.services.layout.view(AccessGroup.LEGITIMATE_INTEREST)
    query = PREFIXES + "SELECT ?g ?soh WHERE { GRAPH ?g { ex:battery1 ex:stateOfHealth ?soh } }"
    response = get(server, query, token=admin_token, **{"named-graph-uri": str(restricted)})
    assert rows(response) == {(restricted, Literal("0.93", datatype=DECIMAL))}


def test_protocol_dataset_replaces_the_query_dataset(server, admin_token) -> None:
    """SPARQL 1.1 Protocol §2.1.4: protocol parameters override FROM *and* FROM NAMED."""
    layout = server.services.layout
    public = str(layout.view(AccessGroup.PUBLIC))
    restricted = str(layout.view(AccessGroup.LEGITIMATE_INTEREST))
    query = PREFIXES + (
        f"SELECT ?soh FROM NAMED <{restricted}> "
        "WHERE { GRAPH ?g { ex:battery1 ex:stateOfHealth ?soh } }"
    )
    # Without protocol parameters the query's FROM NAMED applies.
    assert len(rows(get(server, query, token=admin_token))) == 1
    # With default-graph-uri only, the protocol dataset has no named graphs at all.
    narrowed = get(server, query, token=admin_token, **{"default-graph-uri": public})
    assert rows(narrowed) == set()


def test_relative_from_is_resolved_against_the_base(server, admin_token) -> None:
    query = "BASE <{}graph/> SELECT ?soh FROM <view/legitimate-interest> WHERE {{ ?b <{}> ?soh }}"
    response = get(server, query.format(server.services.settings.base_iri, EX.stateOfHealth),
                   token=admin_token)
    assert len(rows(response)) == 1


# ---------------------------------------------------------------------------------------------
# content negotiation
# ---------------------------------------------------------------------------------------------
def test_select_as_json(server) -> None:
    body = get(server, LABELS, RESULTS_JSON).json()
    assert body["head"]["vars"] == ["b", "label"]
    labels = {(b["label"]["value"], b["label"].get("xml:lang")) for b in
              body["results"]["bindings"]}
    assert labels == {("Battery one", "en"), ("Batterie eins", "de"), ("Batterie un", "fr-be"),
                      ("Battery two", "en")}
    assert all(b["b"]["type"] == "uri" for b in body["results"]["bindings"])


def test_select_as_xml(server) -> None:
    response = get(server, ALL_VALUES, RESULTS_XML)
    assert response.headers["content-type"] == f"{RESULTS_XML}; charset=utf-8"
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    root = ET.fromstring(response.content)
    assert [v.get("name") for v in root.findall("r:head/r:variable", ns)] == ["s", "p", "o"]
    literal = root.find(f".//r:literal[@datatype='{DATE}']", ns)
    assert literal is not None and literal.text == "2024-03-01"
    homepage = [u.text for u in root.findall(".//r:uri", ns) if "acme?" in u.text]
    assert homepage == ["http://example.org/acme?a=1&b=2"]
    assert rows(response) == oracle(ALL_VALUES)


def test_select_as_csv(server) -> None:
    response = get(server, ALL_VALUES, CSV)
    assert response.headers["content-type"] == f"{CSV}; charset=utf-8"
    text = response.content.decode("utf-8")
    assert '"comma, ""quoted"" and\nnewline"' in text
    table = list(csv.reader(io.StringIO(text, newline="")))
    assert table[0] == ["s", "p", "o"]
    expected = {tuple(str(term) for term in row) for row in oracle(ALL_VALUES)}
    assert {tuple(row) for row in table[1:]} == expected


def test_select_as_tsv(server) -> None:
    response = get(server, ALL_VALUES, TSV)
    assert response.headers["content-type"] == f"{TSV}; charset=utf-8"
    lines = response.content.decode("utf-8").split("\n")
    assert lines[0] == "?s\t?p\t?o"
    assert all(line.count("\t") == 2 for line in lines if line)  # tabs in values are escaped
    assert rows(response) == oracle(ALL_VALUES)


def test_unbound_variables(server) -> None:
    query = PREFIXES + (
        "SELECT ?b ?soh WHERE { ?b a ex:Battery OPTIONAL { ?b ex:stateOfHealth ?soh } }"
    )
    body = get(server, query, RESULTS_JSON).json()
    assert [sorted(b) for b in body["results"]["bindings"]] == [["b"], ["b"]]
    csv_rows = list(csv.reader(io.StringIO(get(server, query, CSV).text, newline="")))
    assert sorted(csv_rows[1:]) == [[str(EX.battery1), ""], [str(EX.battery2), ""]]
    assert rows(get(server, query, RESULTS_XML)) == oracle(query)


@pytest.mark.parametrize("accept", [RESULTS_JSON, RESULTS_XML])
def test_ask(server, accept: str) -> None:
    yes = PREFIXES + "ASK { ex:battery1 ex:label 'Battery one'@en }"
    no = PREFIXES + "ASK { ex:battery1 ex:label 'Battery one' }"  # no language tag: no match
    for query, expected in ((yes, True), (no, False)):
        response = get(server, query, accept)
        assert response.headers["content-type"].startswith(accept)
        result = Result.parse(io.BytesIO(response.content), format=RESULTS_FORMAT[accept])
        assert result.askAnswer is expected


@pytest.mark.parametrize("accept", [CSV, TSV])
def test_ask_as_text_tables(server, accept: str) -> None:
    response = get(server, PREFIXES + "ASK { ex:battery1 a ex:Battery }", accept)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(accept)
    assert response.text.split()[-1] == "true"


@pytest.mark.parametrize("accept", [TURTLE, NTRIPLES, JSONLD, RDFXML])
def test_construct(server, accept: str) -> None:
    response = get(server, CONSTRUCT, accept)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == accept
    # no blank nodes: set equality (rdflib compares language tags case-insensitively)
    assert set(graph_of(response)) == set(public_graph().query(CONSTRUCT).graph)


@pytest.mark.parametrize("accept", [TURTLE, NTRIPLES, JSONLD, RDFXML])
def test_describe(server, accept: str) -> None:
    response = get(server, PREFIXES + "DESCRIBE ex:battery2", accept)
    assert response.status_code == 200
    described = graph_of(response)
    expected = Graph()
    for triple in public_graph().triples((EX.battery2, None, None)):
        expected.add(triple)
    assert set(described) == set(expected)


@pytest.mark.parametrize("accept", [None, "", "*/*", "application/*, text/*;q=0.5"])
def test_default_formats(server, accept: str | None) -> None:
    select = get(server, LABELS, accept)
    assert select.headers["content-type"].startswith(RESULTS_JSON)
    construct = get(server, CONSTRUCT, accept)
    expected = TURTLE if accept in (None, "", "*/*") else NTRIPLES
    assert construct.headers["content-type"].startswith(expected)
    assert "accept" in select.headers["vary"].lower()


@pytest.mark.parametrize(
    ("accept", "select_type", "construct_type"),
    [
        (f"{CSV};q=0.9, {RESULTS_XML}, {RDFXML};q=0.8, {TURTLE};q=0.5", RESULTS_XML, RDFXML),
        (f"{RESULTS_JSON};q=0.1, {TSV};q=0.8, {JSONLD};q=0.2, {NTRIPLES};q=0.3", TSV, NTRIPLES),
        (f"text/*;q=0.5, {RESULTS_JSON};q=0.4", CSV, TURTLE),
        (f"{RESULTS_JSON};q=0, */*;q=0.1", RESULTS_XML, TURTLE),
        ("application/json", RESULTS_JSON, JSONLD),
        ("text/xml", RESULTS_XML, RDFXML),  # the XML alias older clients send
    ],
)
def test_q_values_are_honoured(server, accept: str, select_type: str,
                               construct_type: str) -> None:
    select = get(server, LABELS, accept)
    assert select.status_code == 200
    assert select.headers["content-type"].split(";")[0] == select_type
    construct = get(server, CONSTRUCT, accept)
    assert construct.status_code == 200
    assert construct.headers["content-type"].split(";")[0] == construct_type


@pytest.mark.parametrize(
    ("query", "accept"),
    [
        (LABELS, "image/png"),
        (LABELS, TURTLE),  # a graph type for solutions
        (CONSTRUCT, RESULTS_JSON),  # a solutions type for a graph
        (CONSTRUCT, f"{TURTLE};q=0, {NTRIPLES};q=0, application/pdf"),
        (LABELS, "not a media type"),
    ],
)
def test_unacceptable_accept_is_406(server, query: str, accept: str) -> None:
    body = assert_problem(get(server, query, accept), 406)
    assert "available" in body["detail"]


# ---------------------------------------------------------------------------------------------
# service description
# ---------------------------------------------------------------------------------------------
_FORMAT_TYPES = {
    "SPARQL_Results_JSON": RESULTS_JSON, "SPARQL_Results_XML": RESULTS_XML,
    "SPARQL_Results_CSV": CSV, "SPARQL_Results_TSV": TSV,
    "Turtle": TURTLE, "N-Triples": NTRIPLES, "JSON-LD": JSONLD, "RDF_XML": RDFXML,
    "N-Quads": "application/n-quads", "TriG": "application/trig",
}


def _description(live, accept: str | None = None) -> tuple[httpx.Response, Graph]:
    with live.client() as client:
        response = client.get("/sparql", headers={"Accept": accept} if accept else {})
    assert response.status_code == 200, response.text
    return response, graph_of(response)


def test_service_description_turtle_by_default(server) -> None:
    response, graph = _description(server)
    assert response.headers["content-type"] == f"{TURTLE}; charset=utf-8"
    service = graph.value(predicate=RDF.type, object=SD.Service, any=False)
    assert service is not None
    assert graph.value(service, SD.endpoint) == URIRef(server.services.settings.public_endpoint)
    languages = set(graph.objects(service, SD.supportedLanguage))
    assert languages == {SD.SPARQL11Query, SD.SPARQL11Update}
    formats = {str(f).rsplit("/", 1)[1] for f in graph.objects(service, SD.resultFormat)}
    assert {"SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
            "SPARQL_Results_TSV", "Turtle", "N-Triples", "JSON-LD", "RDF_XML"} <= formats
    # No SERVICE endpoint is allow-listed, so federation is not advertised.
    assert SD.BasicFederatedQuery not in set(graph.objects(service, SD.feature))


@pytest.mark.parametrize("accept", [NTRIPLES, JSONLD, RDFXML, f"{RESULTS_JSON}, {TURTLE};q=0.1"])
def test_service_description_in_other_formats(server, accept: str) -> None:
    _, turtle = _description(server)
    response, graph = _description(server, accept)
    if "," not in accept:
        assert response.headers["content-type"].split(";")[0] == accept
    assert isomorphic(graph, turtle)


def test_service_description_not_acceptable(server) -> None:
    with server.client() as client:
        response = client.get("/sparql", headers={"Accept": RESULTS_JSON})
    assert_problem(response, 406)


def test_advertised_result_formats_are_served(server) -> None:
    _, graph = _description(server)
    for fmt in graph.objects(None, SD.resultFormat):
        media_type = _FORMAT_TYPES[str(fmt).rsplit("/", 1)[1]]
        query = LABELS if str(fmt).rsplit("/", 1)[1].startswith("SPARQL") else CONSTRUCT
        response = get(server, query, media_type)
        assert response.status_code == 200, (media_type, response.text)
        assert response.headers["content-type"].split(";")[0] == media_type


def test_service_description_without_update(start) -> None:
    live = start(enable_update=False)
    _, graph = _description(live)
    assert set(graph.objects(None, SD.supportedLanguage)) == {SD.SPARQL11Query}


def test_federation_advertised_only_with_an_allow_list(start) -> None:
    live = start(service_allowlist=["http://example.org/other/sparql"])
    _, graph = _description(live)
    assert SD.BasicFederatedQuery in set(graph.objects(None, SD.feature))


# ---------------------------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------------------------
def test_malformed_query_is_400_with_position(server) -> None:
    query = "PREFIX ex: <http://example.org/dbp-test#>\nSELECT ?s\nWHERE { ?s ex:label  }"
    for response in (get(server, query), post(server, query, SPARQL_QUERY),
                     post(server, form(query=query), FORM)):
        body = assert_problem(response, 400)
        assert body["line"] == 3
        assert isinstance(body["column"], int) and body["column"] > 1


def test_malformed_update_is_400(server, admin_token) -> None:
    body = assert_problem(post(server, "INSERT DATA { <a> }", SPARQL_UPDATE,
                               token=admin_token), 400)
    assert body["line"] == 1


@pytest.mark.parametrize(
    "request_args",
    [
        # GET: both, an update, a repeated query
        ("GET", {"query": LABELS, "update": "INSERT DATA {}"}, None, None),
        ("GET", {"update": "INSERT DATA {}"}, None, None),
        ("GET", {"query": [LABELS, LABELS]}, None, None),
        # form: both, neither, twice
        ("POST", None, FORM, form(query=LABELS, update="INSERT DATA {}")),
        ("POST", None, FORM, form(**{"default-graph-uri": "http://example.org/g"})),
        ("POST", None, FORM, form(query=[LABELS, LABELS])),
        # direct POST with a competing query/update in the URL
        ("POST", {"query": LABELS}, SPARQL_QUERY, LABELS),
        ("POST", {"update": "INSERT DATA {}"}, SPARQL_QUERY, LABELS),
        ("POST", {"query": LABELS}, SPARQL_UPDATE, "INSERT DATA {}"),
        # empty query
        ("GET", {"query": "  "}, None, None),
        ("POST", None, SPARQL_QUERY, ""),
    ],
)
def test_ambiguous_or_empty_requests_are_400(server, admin_token, request_args) -> None:
    method, params, content_type, body = request_args
    headers = {"Content-Type": content_type} if content_type else {}
    with server.client(admin_token) as client:
        response = client.request(method, "/sparql", params=params, headers=headers,
                                  content=body)
    assert_problem(response, 400)


def test_update_sent_as_query_and_query_sent_as_update(server, admin_token) -> None:
    body = assert_problem(get(server, "INSERT DATA { <urn:a> <urn:b> <urn:c> }"), 400)
    assert "update" in body["detail"].lower()
    assert_problem(post(server, LABELS, SPARQL_UPDATE, token=admin_token), 400)


def test_unsupported_content_type_is_415(server) -> None:
    assert_problem(post(server, LABELS, "text/plain"), 415)
    with server.client() as client:
        assert_problem(client.post("/sparql", content=LABELS.encode()), 415)  # none at all


def test_invalid_utf8_is_400(server) -> None:
    body = assert_problem(post(server, b"ASK { <urn:\xff> ?p ?o }", SPARQL_QUERY), 400)
    assert "UTF-8" in body["detail"]


def test_other_methods_are_405_problem_json(server) -> None:
    with server.client() as client:
        assert_problem(client.put("/sparql", content=LABELS), 405)
        assert_problem(client.delete("/sparql"), 405)


# The limit is hit while the engine's result iterator is alive on a query thread; the error must
# not carry it to the event loop thread (pyo3 reports "unsendable ... dropped on another thread").
@pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
def test_result_row_limit_is_a_problem(start) -> None:
    live = start(max_result_rows=3)
    body = assert_problem(get(live, LABELS), 422)
    assert "3 rows" in body["detail"]
    assert get(live, LABELS + " LIMIT 3").status_code == 200


def test_federated_query_refused(server) -> None:
    query = "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"
    body = assert_problem(get(server, query), 403)
    assert "allow-list" in body["detail"]


def test_body_too_large_is_413(start) -> None:
    live = start(max_body_bytes=2048)
    padding = "#" + "x" * 3000 + "\n"
    assert_problem(post(live, padding + LABELS, SPARQL_QUERY), 413)
    assert_problem(post(live, form(query=padding + LABELS), FORM), 413)

    # no Content-Length (chunked): the limit holds while reading
    def chunks():
        for _ in range(10):
            yield padding.encode()

    with live.client() as client:
        response = client.post("/sparql", content=chunks(),
                               headers={"Content-Type": SPARQL_QUERY})
    assert "content-length" not in response.request.headers
    assert_problem(response, 413)
    # a body within the limit is fine
    assert post(live, LABELS, SPARQL_QUERY).status_code == 200


def test_update_disabled_is_403_even_for_admin(start) -> None:
    live = start(enable_update=False)
    token = live.token(Role.ADMIN)
    update = PREFIXES + "INSERT DATA { ex:x ex:y ex:z }"
    assert_problem(post(live, update, SPARQL_UPDATE, token=token), 403)
    assert_problem(post(live, form(update=update), FORM, token=token), 403)
    assert get(live, PREFIXES + "ASK { ex:x ex:y ex:z }", token=token).json()["boolean"] is False


def test_update_needs_the_admin_role(server) -> None:
    update = PREFIXES + "INSERT DATA { ex:x ex:y ex:z }"
    assert_problem(post(server, update, SPARQL_UPDATE), 403)
    assert_problem(post(server, update, SPARQL_UPDATE, token=server.token(Role.AUTHORITY)), 403)
    assert_problem(post(server, form(update=update), FORM, token=server.token(Role.OEM)), 403)


def test_admin_update_is_visible_to_following_queries(writable_server) -> None:
    server, admin_token = writable_server, writable_server.token(Role.ADMIN)
    public = server.services.layout.view(AccessGroup.PUBLIC)
    update = PREFIXES + (
        f'INSERT DATA {{ GRAPH <{public}> {{ ex:battery3 a ex:Battery ; '
        'ex:label "Battery three"@en } } ; '
        "INSERT DATA { GRAPH <urn:test:notes> { ex:battery3 ex:note 'admin only' } }"
    )
    response = post(server, update, SPARQL_UPDATE, token=admin_token)
    assert response.status_code == 204, response.text
    labels = {row[1] for row in rows(get(server, LABELS))}
    assert Literal("Battery three", lang="en") in labels  # public view: everyone sees it
    note = PREFIXES + "SELECT ?n WHERE { GRAPH ?g { ex:battery3 ex:note ?n } }"
    assert rows(get(server, note)) == set()
    assert rows(get(server, note, token=admin_token)) == {(Literal("admin only"),)}
    # and by form
    delete = PREFIXES + f"DELETE DATA {{ GRAPH <{public}> {{ ex:battery3 a ex:Battery }} }}"
    assert post(server, form(update=delete), FORM, token=admin_token).status_code == 204
    assert Literal("Battery three", lang="en") not in {row[1] for row in rows(get(server, LABELS))}


@pytest.mark.parametrize(
    "authorization",
    ["Bearer dbp_000000000000_notthesecret", "Bearer garbage", "Bearer", "Basic dXNlcjpwYXNz"],
)
def test_invalid_bearer_token_is_401(server, authorization: str) -> None:
    with httpx.Client(base_url=server.url) as client:
        for response in (
            client.get("/sparql", params={"query": LABELS},
                       headers={"Authorization": authorization}),
            client.post("/sparql", content=LABELS, headers={
                "Authorization": authorization, "Content-Type": SPARQL_QUERY}),
            client.get("/sparql", headers={"Authorization": authorization}),
        ):
            assert_problem(response, 401)
            assert response.headers["www-authenticate"].startswith("Bearer")


def test_revoked_token_is_401(server) -> None:
    token = server.token(Role.ADMIN)
    assert get(server, SOH, token=token).status_code == 200
    principal_id = token.split("_")[1]
    assert server.services.principals.revoke(principal_id)
    assert_problem(get(server, SOH, token=token), 401)


def test_timeout_is_503(start) -> None:
    live = start(query_timeout=0.5)
    load_slow_data(live)
    response = get(live, SLOW_QUERY)
    body = assert_problem(response, 503)
    assert "0.5" in body["detail"]
    assert response.headers["retry-after"] == "1"
    # the endpoint keeps answering other queries
    assert get(live, LABELS).status_code == 200


@pytest.mark.parametrize("value", ["soon", "0", "-1", "nan", "inf", "1e400"])
def test_invalid_timeout_is_400_by_get_and_post(server, value: str) -> None:
    """The ``timeout`` parameter is read with one check for GET, the POST URL and the form."""
    for response in (
        get(server, LABELS, timeout=value),
        post(server, LABELS, SPARQL_QUERY, params={"timeout": value}),
        post(server, form(query=LABELS, timeout=value), FORM),
    ):
        body = assert_problem(response, 400)
        assert "timeout" in body["detail"]


def test_a_bad_token_is_401_before_the_parameters_are_read(server) -> None:
    with httpx.Client(base_url=server.url) as client:
        response = client.get("/sparql", params={"query": LABELS, "timeout": "soon"},
                              headers={"Authorization": "Bearer garbage"})
    assert_problem(response, 401)


def test_get_parameters_are_documented_for_clients(server) -> None:
    with server.client() as client:
        operation = client.get("/openapi.json").json()["paths"]["/sparql"]["get"]
    documented = {parameter["name"]: parameter for parameter in operation["parameters"]}
    assert set(documented) == {"query", "default-graph-uri", "named-graph-uri", "timeout"}
    assert documented["timeout"]["schema"] == {"type": "number", "exclusiveMinimum": 0}
    assert documented["default-graph-uri"]["schema"]["type"] == "array"
