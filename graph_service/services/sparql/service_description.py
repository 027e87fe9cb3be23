"""SPARQL 1.1 Service Description of our endpoint (served on a bare GET /sparql)."""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF

from graph_service import __version__
from graph_service.config import Settings
from graph_service.model.graphs import GraphLayout
from graph_service.model.namespaces import SD
from graph_service.services.sparql.descriptions import examples_graph
from graph_service.store.base import RdfFormat, ResultFormat

_FORMATS = "http://www.w3.org/ns/formats/"
_RESULT_FORMATS = {
    ResultFormat.JSON: "SPARQL_Results_JSON",
    ResultFormat.XML: "SPARQL_Results_XML",
    ResultFormat.CSV: "SPARQL_Results_CSV",
    ResultFormat.TSV: "SPARQL_Results_TSV",
}
_RDF_FORMATS = {
    RdfFormat.TURTLE: "Turtle",
    RdfFormat.N_TRIPLES: "N-Triples",
    RdfFormat.JSON_LD: "JSON-LD",
    RdfFormat.RDF_XML: "RDF_XML",
    RdfFormat.N_QUADS: "N-Quads",
    RdfFormat.TRIG: "TriG",
}


def build_service_description(settings: Settings, layout: GraphLayout, *,
                              update_enabled: bool) -> Graph:
    graph = Graph()
    graph.bind("sd", SD)
    graph.bind("dcterms", DCTERMS)
    service = URIRef(settings.public_endpoint)
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, service))
    graph.add((service, DCTERMS.title, Literal("Digital Battery Passport knowledge graph")))
    graph.add((service, DCTERMS.description, Literal(
        "SPARQL 1.1 endpoint over battery passports modelled with EMMO/BattINFO terms. "
        "Each caller's dataset is the set of access-group views it may read."
    )))
    graph.add((service, URIRef("http://purl.org/dc/terms/hasVersion"), Literal(__version__)))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    if update_enabled:
        graph.add((service, SD.supportedLanguage, SD.SPARQL11Update))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    if settings.service_allowlist:
        # SERVICE is refused for every endpoint that is not allow-listed.
        graph.add((service, SD.feature, SD.BasicFederatedQuery))
    for name in [*_RESULT_FORMATS.values(), *_RDF_FORMATS.values()]:
        graph.add((service, SD.resultFormat, URIRef(_FORMATS + name)))
    for name in ("Turtle", "N-Triples", "N-Quads", "TriG", "JSON-LD", "RDF_XML"):
        graph.add((service, SD.inputFormat, URIRef(_FORMATS + name)))

    # Where partners find the example queries and the dataset description.
    graph.add((service, URIRef("http://www.w3.org/2000/01/rdf-schema#seeAlso"),
               URIRef(f"{settings.base_iri}.well-known/sparql-examples")))
    graph.add((service, URIRef("http://www.w3.org/2000/01/rdf-schema#seeAlso"),
               URIRef(f"{settings.base_iri}.well-known/void")))
    # The example queries themselves (sh:SPARQLExecutable, schema:target this endpoint).
    graph += examples_graph(settings)
    dataset = BNode()
    default_graph = BNode()
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, SD.defaultGraph, default_graph))
    graph.add((default_graph, RDF.type, SD.Graph))
    graph.add((default_graph, DCTERMS.description, Literal(
        "The merge of the access-group views the caller may read."
    )))
    for name in layout.all_data_views():
        named = BNode()
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, name))
    return graph
