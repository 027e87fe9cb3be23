"""Self-descriptions for partners: VoID + DCAT 3 of the dataset and its services, and the
example queries of ``queries/`` as SHACL ``sh:SPARQLExecutable`` resources (the convention of
SIB / UniProt ``sparql-examples``), linked from the Service Description."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS, SH, XSD

from graph_service import __version__
from graph_service.config import REPO_ROOT, Settings
from graph_service.model.graphs import AccessGroup, GraphLayout
from graph_service.model.namespaces import DBP, PREFIXES, SCHEMA, VOID

QUERIES_DIR = REPO_ROOT / "queries"
_HEADER = re.compile(r"^#\s*(title|description|tags)\s*:\s*(.*?)\s*$")
_KIND = re.compile(r"^\s*(SELECT|CONSTRUCT|ASK|DESCRIBE)\b", re.IGNORECASE | re.MULTILINE)
ACCESS_RIGHTS = {
    AccessGroup.PUBLIC: "general public",
    AccessGroup.LEGITIMATE_INTEREST: "persons with a legitimate interest and the Commission",
    AccessGroup.AUTHORITY: "notified bodies, market surveillance authorities and the Commission",
}


@dataclass(frozen=True)
class ExampleQuery:
    name: str
    title: str
    description: str
    tags: tuple[str, ...]
    text: str
    kind: str


@lru_cache(maxsize=1)
def example_queries(directory: Path = QUERIES_DIR) -> tuple[ExampleQuery, ...]:
    examples = []
    for path in sorted(directory.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        header: dict[str, str] = {}
        for line in text.splitlines():
            match = _HEADER.match(line)
            if match:
                header[match.group(1)] = match.group(2)
        kind = _KIND.search(re.sub(r"#.*", "", text))
        examples.append(ExampleQuery(
            name=path.stem, title=header.get("title", path.stem),
            description=header.get("description", ""),
            tags=tuple(t.strip() for t in header.get("tags", "").split(",") if t.strip()),
            text=text, kind=(kind.group(1).upper() if kind else "SELECT")))
    return tuple(examples)


def _bind(graph: Graph) -> None:
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    graph.bind("void", VOID)
    graph.bind("dcat", DCAT)


def examples_graph(settings: Settings) -> Graph:
    graph = Graph()
    _bind(graph)
    endpoint = URIRef(settings.public_endpoint)
    base = f"{settings.base_iri}.well-known/sparql-examples#"
    # SHACL-AF names SELECT, CONSTRUCT and ASK executables; the sparql-examples convention
    # adds sh:describe for DESCRIBE (not in rdflib's closed SH namespace).
    predicate = {"SELECT": SH.select, "CONSTRUCT": SH.construct, "ASK": SH.ask,
                 "DESCRIBE": URIRef(str(SH) + "describe")}
    executable = {"SELECT": SH.SPARQLSelectExecutable, "CONSTRUCT": SH.SPARQLConstructExecutable,
                  "ASK": SH.SPARQLAskExecutable, "DESCRIBE": SH.SPARQLExecutable}
    for example in example_queries():
        node = URIRef(base + example.name)
        graph.add((node, RDF.type, SH.SPARQLExecutable))
        graph.add((node, RDF.type, executable[example.kind]))
        graph.add((node, RDFS.label, Literal(example.title, lang="en")))
        graph.add((node, RDFS.comment, Literal(example.description, lang="en")))
        graph.add((node, predicate[example.kind], Literal(example.text)))
        graph.add((node, SCHEMA.target, endpoint))
        for tag in example.tags:
            graph.add((node, SCHEMA.keywords, Literal(tag)))
    return graph


def void_graph(settings: Settings, layout: GraphLayout) -> Graph:
    graph = Graph()
    _bind(graph)
    base = settings.base_iri
    dataset = URIRef(f"{base}.well-known/void#passports")
    sparql = URIRef(settings.public_endpoint)
    rest = URIRef(f"{base}docs")
    graph.add((dataset, RDF.type, VOID.Dataset))
    graph.add((dataset, RDF.type, DCAT.Dataset))
    graph.add((dataset, DCTERMS.title, Literal("Digital Battery Passports", lang="en")))
    graph.add((dataset, DCTERMS.description, Literal(
        "Lithium-ion battery passports (EU Battery Regulation Annex XIII) as RDF with "
        "EMMO / BattINFO terms, and derived disassembly procedures and end-of-life pathways.",
        lang="en")))
    graph.add((dataset, DCTERMS.conformsTo, URIRef("https://w3id.org/dbp")))
    graph.add((dataset, VOID.uriSpace, Literal(f"{base}id/")))
    graph.add((dataset, VOID.sparqlEndpoint, sparql))
    graph.add((dataset, VOID.exampleResource, URIRef(f"{base}.well-known/sparql-examples")))
    graph.add((dataset, DCTERMS.hasVersion, Literal(__version__)))
    for namespace in ("dbp", "emmo", "echem", "battery", "chemsub"):
        graph.add((dataset, VOID.vocabulary, URIRef(PREFIXES[namespace])))
    for group in AccessGroup:
        subset = URIRef(f"{base}.well-known/void#{group.value}")
        graph.add((dataset, VOID.subset, subset))
        graph.add((subset, RDF.type, VOID.Dataset))
        graph.add((subset, DCTERMS.title, Literal(f"{group.value} view", lang="en")))
        graph.add((subset, DCTERMS.accessRights, Literal(ACCESS_RIGHTS[group], lang="en")))
        graph.add((subset, URIRef("http://rdfs.org/ns/void#inDataset"), dataset))
        graph.add((subset, DBP.namedGraph, layout.view(group)))
    derived = URIRef(f"{base}.well-known/void#derived")
    graph.add((dataset, VOID.subset, derived))
    graph.add((derived, RDF.type, VOID.Dataset))
    graph.add((derived, DCTERMS.title, Literal("derived dismantling information", lang="en")))
    graph.add((derived, DCTERMS.accessRights, Literal(
        ACCESS_RIGHTS[AccessGroup.LEGITIMATE_INTEREST], lang="en")))
    graph.add((derived, DBP.namedGraph, layout.derived_view))
    for service, title, url, conforms in (
        (sparql, "SPARQL 1.1 endpoint", sparql, "https://www.w3.org/TR/sparql11-protocol/"),
        (URIRef(f"{base}store"), "SPARQL 1.1 Graph Store HTTP Protocol", URIRef(f"{base}store"),
         "https://www.w3.org/TR/sparql11-http-rdf-update/"),
        (rest, "REST facade (OpenAPI)", URIRef(base), "https://spec.openapis.org/oas/v3.1.0"),
    ):
        graph.add((service, RDF.type, DCAT.DataService))
        graph.add((service, DCTERMS.title, Literal(title, lang="en")))
        graph.add((service, DCAT.endpointURL, url))
        graph.add((service, DCAT.servesDataset, dataset))
        graph.add((service, DCTERMS.conformsTo, URIRef(conforms)))
        graph.add((dataset, DCAT.distribution, _distribution(graph, service, base)))
    graph.add((rest, DCAT.endpointDescription, URIRef(f"{base}openapi.json")))
    graph.add((dataset, DCTERMS.modified, Literal(__version__, datatype=XSD.string)))
    return graph


def _distribution(graph: Graph, service: URIRef, base: str) -> BNode:
    distribution = BNode()
    graph.add((distribution, RDF.type, DCAT.Distribution))
    graph.add((distribution, DCAT.accessService, service))
    graph.add((distribution, DCAT.accessURL, service))
    return distribution
