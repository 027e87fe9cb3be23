"""VoID + DCAT and the published example queries, as a partner's crawler reads them."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, RDF, SH

from graph_service.config import REPO_ROOT
from graph_service.model.namespaces import SCHEMA, VOID
from tests.conftest import LiveServer


def _graph(live: LiveServer, path: str, accept: str = "text/turtle") -> Graph:
    response = live.client().get(path, headers={"Accept": accept})
    assert response.status_code == 200, response.text
    return Graph().parse(data=response.text, format="json-ld" if "json" in accept else "turtle")


def test_void_and_dcat_describe_the_dataset_and_its_services(live_server: LiveServer) -> None:
    graph = _graph(live_server, "/.well-known/void")
    datasets = set(graph.subjects(RDF.type, DCAT.Dataset))
    assert datasets
    dataset = datasets.pop()
    assert (dataset, VOID.sparqlEndpoint, URIRef("http://127.0.0.1:8000/sparql")) in graph
    services = set(graph.subjects(RDF.type, DCAT.DataService))
    assert len(services) == 3
    assert all((s, DCAT.servesDataset, dataset) in graph for s in services)
    assert len(list(graph.objects(dataset, VOID.subset))) == 4  # 3 access groups + derived
    assert _graph(live_server, "/.well-known/void", "application/ld+json")


def test_every_example_query_is_published_and_runs(live_server: LiveServer) -> None:
    graph = _graph(live_server, "/.well-known/sparql-examples")
    examples = set(graph.subjects(RDF.type, SH.SPARQLExecutable))
    files = sorted(Path(REPO_ROOT / "queries").glob("*.rq"))
    assert len(examples) == len(files) >= 8
    client = live_server.client(live_server.token("researcher", "uni"))
    for example in examples:
        assert (example, SCHEMA.target, URIRef("http://127.0.0.1:8000/sparql")) in graph
        text = graph.value(example, SH.select) or graph.value(example, SH.construct)
        assert text is not None, example
        response = client.post("/sparql", content=str(text).encode(),
                               headers={"Content-Type": "application/sparql-query"})
        assert response.status_code == 200, (example, response.text)


def test_the_service_description_lists_the_examples(live_server: LiveServer) -> None:
    graph = _graph(live_server, "/sparql")
    assert len(set(graph.subjects(RDF.type, SH.SPARQLExecutable))) >= 8
