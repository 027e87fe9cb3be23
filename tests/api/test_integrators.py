"""What an integrator's client meets (issue 18): one content-negotiation table, compact JSON-LD
with a served context, HEAD/OPTIONS with a true Allow, the landing index, things vs documents,
GS1 Digital Link with an RFC 9264 linkset. Real clients: rdflib (which fetches the JSON-LD
context itself), SPARQLWrapper and httpx against a server whose base IRI is its own address."""

from __future__ import annotations

import json
import warnings

import pytest
from rdflib import Graph, Literal, URIRef
from SPARQLWrapper import JSONLD, SPARQLWrapper

from graph_service.model.iris import IriMinter
from graph_service.model.namespaces import DBP
from graph_service.services.fleet.demo import demo_passport
from tests.conftest import LiveServer

BID = "BP-000003"
JSONLD_NS = "http://www.w3.org/ns/json-ld#"


@pytest.fixture
def server(addressed_server: LiveServer) -> LiveServer:
    minter = IriMinter(addressed_server.services.settings.base_iri)
    body = demo_passport(minter, 3).serialize(format="turtle").encode()
    admin = addressed_server.client(addressed_server.token("admin"))
    assert admin.post("/passports", content=body,
                      headers={"Content-Type": "text/turtle"}).status_code == 201
    addressed_server.battery = minter.battery(BID)  # type: ignore[attr-defined]
    return addressed_server


def _same(a: Graph, b: Graph) -> bool:
    """Same statements (literals compared by value: "5"^^xsd:decimal is "5.0"^^xsd:decimal, as
    N-Triples and Turtle writers spell decimals differently)."""
    def norm(graph: Graph) -> set[tuple]:
        return {(s, p, (o.datatype, o.language, o.toPython()) if isinstance(o, Literal) else o)
                for s, p, o in graph}
    return len(a) == len(b) and norm(a) == norm(b)


def _public(server: LiveServer) -> Graph:
    response = server.client().get(f"/id/battery/{BID}", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    return Graph().parse(data=response.text, format="turtle")


# -- item 5: one negotiation table -----------------------------------------------------------
def test_finding_5_rdflib_parse_nt_gets_n_triples(server: LiveServer) -> None:
    """rdflib's parse(iri, format="nt") sends 'text/plain, */*;q=0.1' and got Turtle."""
    iri = str(server.battery)  # type: ignore[attr-defined]
    graph = Graph().parse(iri, format="nt")
    assert (URIRef(iri), DBP.batteryId, Literal(BID)) in graph
    assert _same(graph, _public(server))


@pytest.mark.parametrize("accept, starts", [
    ("application/json", "application/ld+json"), ("text/plain", "application/n-triples"),
    ("text/n3", "text/turtle"), ("application/xml", "application/rdf+xml")])
def test_finding_5_id_answers_the_aliases_sparql_and_store_accept(
        server: LiveServer, accept: str, starts: str) -> None:
    for path in (f"/id/battery/{BID}", "/.well-known/void", "/store?default"):
        client = server.client(server.token("admin")) if "store" in path else server.client()
        response = client.get(path, headers={"Accept": accept})
        assert response.status_code == 200, (path, response.text)
        assert response.headers["content-type"].startswith(starts), path
        assert "Accept" in response.headers["vary"], path


def test_finding_5_vary_accept_on_store_well_known_and_errors(server: LiveServer) -> None:
    client = server.client(server.token("admin"))
    for path in ("/store?default", "/.well-known/void", "/.well-known/sparql-examples",
                 "/sparql", "/id/battery/NO-SUCH", "/store", "/01/123/21/x"):
        response = client.get(path)
        assert "Accept" in response.headers.get("vary", ""), (path, response.status_code)
    refused = client.get("/.well-known/void", headers={"Accept": "image/png"})
    assert refused.status_code == 406 and "Accept" in refused.headers["vary"]


# -- item 4: compact JSON-LD with a served context -------------------------------------------
def test_finding_4_jsonld_is_compacted_with_our_context(server: LiveServer) -> None:
    iri = str(server.battery)  # type: ignore[attr-defined]
    response = server.client().get(f"/id/battery/{BID}",
                                   headers={"Accept": "application/ld+json"})
    document = response.json()
    assert document["@context"] == f"{server.url}/context.jsonld"
    assert f'profile="{JSONLD_NS}compacted"' in response.headers["content-type"]
    text = json.dumps(document)
    assert '"batteryId"' in text and "https://w3id.org/dbp#batteryId" not in text
    # rdflib fetches the context from the service and reads the same graph as Turtle gives
    assert _same(Graph().parse(iri, format="json-ld"), _public(server))
    context = server.client().get("/context.jsonld")
    assert context.headers["content-type"].startswith("application/ld+json")
    assert context.json()["@context"]["batteryId"] == "https://w3id.org/dbp#batteryId"


@pytest.mark.parametrize("profile", ["expanded", "flattened", "flattened compacted"])
def test_finding_4_expanded_and_flattened_on_request(server: LiveServer, profile: str) -> None:
    asked = " ".join(f"{JSONLD_NS}{p}" for p in profile.split())
    response = server.client().get(f"/id/battery/{BID}", headers={
        "Accept": f'application/ld+json;profile="{asked}"'})
    assert response.status_code == 200
    assert f"{JSONLD_NS}{profile.split()[0]}" in response.headers["content-type"]
    document = response.json()
    if profile == "expanded" or profile == "flattened":
        assert isinstance(document, list) and "@context" not in json.dumps(document)
    else:
        assert document["@context"].endswith("/context.jsonld") and "@graph" in document
    assert _same(Graph().parse(data=response.text, format="json-ld",
                                    base=server.url), _public(server))


def test_finding_4_sparql_construct_jsonld_is_compacted(server: LiveServer) -> None:
    wrapper = SPARQLWrapper(server.sparql)
    wrapper.setQuery("PREFIX dbp: <https://w3id.org/dbp#> "
                     "CONSTRUCT { ?b dbp:batteryId ?id } WHERE { ?b dbp:batteryId ?id }")
    wrapper.setReturnFormat(JSONLD)
    graph = wrapper.queryAndConvert()
    assert (server.battery, DBP.batteryId, Literal(BID)) in graph  # type: ignore[attr-defined]


# -- item 6: HEAD and OPTIONS ----------------------------------------------------------------
@pytest.mark.parametrize("path, allow", [
    ("/sparql", {"GET", "HEAD", "POST", "OPTIONS"}),
    (f"/id/battery/{BID}", {"GET", "HEAD", "OPTIONS"}),
    ("/.well-known/void", {"GET", "HEAD", "OPTIONS"}),
    ("/store?default", {"GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS"}),
])
def test_finding_6_head_and_options_where_get_is_served(server: LiveServer, path: str,
                                                        allow: set[str]) -> None:
    client = server.client()
    get = client.get(path, headers={"Accept": "text/turtle"})
    head = client.head(path, headers={"Accept": "text/turtle"})
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    options = client.options(path)
    assert options.status_code == 204
    assert {m.strip() for m in options.headers["allow"].split(",")} == allow
    if "PUT" not in allow:
        refused = client.put(path, content=b"x")
        assert refused.status_code == 405
        assert {m.strip() for m in refused.headers["allow"].split(",")} == allow


# -- item 3: landing -------------------------------------------------------------------------
def test_finding_3_landing_page(server: LiveServer) -> None:
    browser = server.client(follow_redirects=False).get("/", headers={
        "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"})
    assert browser.status_code == 303 and browser.headers["location"] == "/ui"
    index = server.client().get("/")
    assert index.status_code == 200
    links = index.json()["links"]
    assert links["sparql"] == f"{server.url}/sparql"
    for name in ("dashboard", "apiDocs", "void", "jsonLdContext", "sparqlExamples"):
        assert server.client().get(links[name]).status_code == 200, name


# -- item 10: things and their documents -----------------------------------------------------
def test_finding_10_thing_answers_200_naming_its_document(server: LiveServer) -> None:
    response = server.client().get(f"/id/battery/{BID}", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["content-location"] == f"{server.url}/doc/battery/{BID}.ttl"
    link = response.headers["link"]
    assert f'<{server.url}/doc/battery/{BID}>; rel="describedby"' in link
    assert f'<{server.url}/doc/battery/{BID}.jsonld>; rel="alternate"' in link
    for ext, fmt in (("ttl", "turtle"), ("nt", "nt"), ("rdf", "xml"), ("jsonld", "json-ld")):
        document = Graph().parse(f"{server.url}/doc/battery/{BID}.{ext}", format=fmt)
        assert _same(document, _public(server)), ext
    doc = server.client().get(f"/doc/battery/{BID}", headers={"Accept": "text/turtle"})
    assert f'<{server.url}/id/battery/{BID}>; rel="describes"' in doc.headers["link"]


def test_finding_10_trailing_slash_redirects_to_the_iri(server: LiveServer) -> None:
    response = server.client(follow_redirects=False).get(f"/id/battery/{BID}/")
    assert response.status_code == 308
    assert response.headers["location"] == f"{server.url}/id/battery/{BID}"
    assert server.client(follow_redirects=True).get(f"/id/battery/{BID}/").status_code == 200


# -- item 7: GS1 Digital Link ----------------------------------------------------------------
def _gs1(server: LiveServer) -> tuple[str, str]:
    graph = _public(server)
    battery = server.battery  # type: ignore[attr-defined]
    return str(graph.value(battery, DBP.gtin)), str(graph.value(battery, DBP.serialNumber))


def test_finding_7_digital_link_resolves_gtin_and_serial_together(server: LiveServer) -> None:
    gtin, serial = _gs1(server)
    client = server.client(follow_redirects=False)
    response = client.get(f"/01/{gtin.zfill(14)}/21/{serial}")
    assert response.status_code == 307
    assert response.headers["location"] == str(server.battery)  # type: ignore[attr-defined]
    assert 'rel="linkset"' in response.headers["link"]
    assert 'rel="https://ref.gs1.org/voc/dpp"' in response.headers["link"]
    # GTIN-13 as printed resolves the same item; another valid GTIN does not
    assert client.get(f"/01/{gtin}/21/{serial}").status_code == 307
    assert client.get(f"/01/09506000134352/21/{serial}").status_code == 404
    wrong = gtin[:-1] + str((int(gtin[-1]) + 1) % 10)
    bad = client.get(f"/01/{wrong}/21/{serial}")
    assert bad.status_code == 400 and "check digit" in bad.json()["detail"]


def test_finding_7_linkset_and_link_types(server: LiveServer) -> None:
    gtin, serial = _gs1(server)
    path = f"/01/{gtin.zfill(14)}/21/{serial}"
    client = server.client(follow_redirects=False)
    linkset = client.get(path, headers={"Accept": "application/linkset+json"})
    assert linkset.headers["content-type"].startswith("application/linkset+json")
    (context,) = linkset.json()["linkset"]
    assert context["anchor"] == f"{server.url}{path}"
    passport = context["https://ref.gs1.org/voc/dpp"][0]["href"]
    assert passport.startswith(f"{server.url}/id/passport/{BID}/")
    assert client.get(f"{path}?linkType=linkset").json() == linkset.json()
    dpp = client.get(f"{path}?linkType=gs1:dpp")
    assert dpp.status_code == 307 and dpp.headers["location"] == passport
    assert server.client().get(passport, headers={"Accept": "text/turtle"}).status_code == 200
    unknown = client.get(f"{path}?linkType=gs1:recipeInfo")
    assert unknown.status_code == 404 and "gs1:dpp" in unknown.json()["detail"]


# -- item 12: tokens do not depend on the base IRI --------------------------------------------
def test_finding_12_token_survives_a_base_iri_change(tmp_path) -> None:
    from graph_service.container import build_services
    from graph_service.services.access import Role

    from conftest import make_settings  # isort: skip

    store = str(tmp_path / "store")
    first = build_services(make_settings(store=store, base_iri="http://127.0.0.1:8000/"))
    token = first.principals.create(Role.RECYCLER, "circular").token
    first.store.flush()
    del first
    import gc

    gc.collect()
    second = build_services(make_settings(store=store, base_iri="http://127.0.0.1:9000/"))
    assert second.principals.authenticate(token).role is Role.RECYCLER


def test_finding_12_base_iri_follows_the_address() -> None:
    from graph_service.config import Settings
    from graph_service.services.linked_data.base_iri import describe_base_iri

    with warnings.catch_warnings():
        settings = Settings(_env_file=None, port=9123)
    assert settings.base_iri == "http://127.0.0.1:9123/"
    assert "from --host/--port" in describe_base_iri(settings)
    fixed = Settings(_env_file=None, port=9123, base_iri="https://passports.example.org/")
    assert fixed.base_iri == "https://passports.example.org/"
    assert "DBP_BASE_IRI" in describe_base_iri(fixed)
    wildcard = Settings(_env_file=None, host="0.0.0.0", port=9123)
    assert "set DBP_BASE_IRI" in describe_base_iri(wildcard)
