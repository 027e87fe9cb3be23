"""Minted IRIs dereference with content negotiation and access control; GS1 Digital Link."""

from __future__ import annotations

import json

import pytest
from rdflib import Dataset, Graph, Literal, URIRef

from graph_service.model.iris import IriMinter
from graph_service.model.namespaces import DBP
from graph_service.services.fleet.demo import demo_passport
from tests.conftest import LiveServer

MINTER = IriMinter("http://127.0.0.1:8000/")
BID = "BP-000002"
BATTERY = MINTER.battery(BID)


@pytest.fixture
def server(live_server: LiveServer) -> LiveServer:
    admin = live_server.client(live_server.token("admin"))
    body = demo_passport(MINTER, 2).serialize(format="turtle").encode()
    assert admin.post("/passports", content=body,
                      headers={"Content-Type": "text/turtle"}).status_code == 201
    return live_server


def _path(iri: object) -> str:
    return "/" + str(iri)[len("http://127.0.0.1:8000/"):]


def test_battery_iri_dereferences_per_access_group(server: LiveServer) -> None:
    public = server.client().get(_path(BATTERY), headers={"Accept": "text/turtle"})
    assert public.status_code == 200
    graph = Graph().parse(data=public.text, format="turtle")
    assert (BATTERY, DBP.batteryId, Literal(BID)) in graph
    assert (BATTERY, DBP.cellCount, None) not in graph
    assert 'rel="dpp"' in public.headers["link"] and "/id/passport/BP-000002/1" in \
        public.headers["link"]
    researcher = server.client(server.token("researcher", "uni")).get(
        _path(BATTERY), headers={"Accept": "application/ld+json"})
    as_jsonld = Graph().parse(data=researcher.text, format="json-ld")
    assert (BATTERY, DBP.cellCount, None) in as_jsonld
    assert isinstance(json.loads(researcher.text), dict | list)


@pytest.mark.parametrize("accept, parse_format", [
    ("application/n-triples", "nt"), ("application/rdf+xml", "xml")])
def test_rdf_formats(server: LiveServer, accept: str, parse_format: str) -> None:
    response = server.client().get(_path(BATTERY), headers={"Accept": accept})
    assert response.headers["content-type"].startswith(accept)
    assert (BATTERY, DBP.batteryId, None) in Graph().parse(data=response.text,
                                                           format=parse_format)


def test_browsers_get_html_with_links(server: LiveServer) -> None:
    response = server.client().get(_path(BATTERY), headers={"Accept": "text/html,*/*;q=0.8"})
    assert response.headers["content-type"].startswith("text/html")
    assert BID in response.text and 'href="/id/' in response.text



@pytest.mark.parametrize("prefix", ["id", "doc"])
@pytest.mark.parametrize("accept, parse_format", [
    ("application/n-quads", "nquads"), ("application/trig", "trig")])
def test_description_as_nquads_or_trig_is_no_5xx_and_names_no_document(
        server: LiveServer, prefix: str, accept: str, parse_format: str) -> None:
    """Regression: N-Quads and TriG have no fixed document (/doc/...ttl and the like); /doc
    answered 500 and /id named "Content-Location: .../doc/battery/BP-000002.None"."""
    response = server.client().get(f"/{prefix}/battery/{BID}", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(accept)
    assert "content-location" not in response.headers
    assert f'<{MINTER.base}doc/battery/{BID}>; rel="describedby"' in response.headers["link"]
    dataset = Dataset(default_union=True).parse(data=response.text, format=parse_format)
    assert (BATTERY, DBP.batteryId, Literal(BID)) in dataset

def test_derived_nodes_dereference_for_legitimate_interest_only(server: LiveServer) -> None:
    node = f"{BATTERY}/derived/hazard/high-voltage"
    researcher = server.client(server.token("researcher", "uni"))
    response = researcher.get(_path(node), headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = Graph().parse(data=response.text, format="turtle")
    assert (None, DBP.derivedByRule, None) in graph
    assert server.client().get(_path(node)).status_code == 404


def test_unknown_iri_is_404_problem(server: LiveServer) -> None:
    response = server.client().get("/id/battery/NOPE-1")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


def test_gs1_digital_link_redirects_to_the_battery(server: LiveServer) -> None:
    passport = demo_passport(MINTER, 2)
    serial = str(passport.value(BATTERY, DBP.serialNumber))
    gtin = str(passport.value(BATTERY, DBP.gtin))
    response = server.client(follow_redirects=False).get(f"/01/{gtin.zfill(14)}/21/{serial}")
    assert response.status_code == 307
    assert response.headers["location"] == str(BATTERY)  # absolute: the battery's own IRI
    assert server.client().get(f"/01/{gtin}/21/UNKNOWN").status_code == 404
    # a valid GTIN of another product does not resolve this battery's serial number
    assert server.client().get(f"/01/09506000134352/21/{serial}").status_code == 404
    # a wrong GS1 check digit is a malformed link, said as such
    assert server.client().get(f"/01/04012345000010/21/{serial}").status_code == 400
    assert server.client().get("/01/not-a-gtin/21/x").status_code == 400


def test_html_links_only_web_iris() -> None:
    from rdflib import Graph as RdfGraph

    from graph_service.services.linked_data import Description, render_html

    graph = RdfGraph()
    node = MINTER.battery("X1")
    graph.add((node, DBP.dismantlingManual, URIRef("javascript:alert(1)")))
    graph.add((node, DBP.operator, URIRef("https://example.org/org")))
    page = render_html(Description(node, graph), "http://127.0.0.1:8000/")
    assert 'href="javascript:' not in page and "javascript:alert(1)" in page
    assert 'href="https://example.org/org"' in page
