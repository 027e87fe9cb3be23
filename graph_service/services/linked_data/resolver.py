"""Linked Data: every minted IRI dereferences to what the caller may read about it.

A description is the node's own triples plus the triples that point at it, evaluated over the
caller's dataset (so access control holds exactly as for SPARQL). Browsers get a small HTML
page with links; RDF clients get Turtle, JSON-LD, N-Triples or RDF/XML. A battery also answers
a GS1 Digital Link style path (``/01/{gtin}/21/{serial}``) and names its current passport.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from graph_service.model.graphs import GraphLayout
from graph_service.model.iris import IriMinter
from graph_service.model.namespaces import DBP, PREFIXES
from graph_service.services.access import Principal
from graph_service.services.sparql import SparqlService
from graph_service.store import is_valid_iri

DESCRIBE = (
    "CONSTRUCT { ?node ?p ?o . ?s ?q ?node } WHERE { "
    "{ ?node ?p ?o } UNION { ?s ?q ?node } }"
)
_GTIN = re.compile(r"^[0-9]{8,14}$")
_SERIAL = re.compile(r"^[A-Za-z0-9!\"%&'()*+,\-./:;<=>?_]{1,20}$")
INCOMING_LIMIT = 500


class NothingToDescribe(LookupError):
    """The IRI is unknown, or nothing about it is readable by this caller."""


@dataclass
class Description:
    iri: URIRef
    graph: Graph
    passport: URIRef | None = None


class LinkedDataService:
    def __init__(self, sparql: SparqlService, layout: GraphLayout, minter: IriMinter) -> None:
        self.sparql = sparql
        self.layout = layout
        self.minter = minter

    def iri_for_path(self, path: str) -> URIRef:
        iri = f"{self.minter.base}id/{path}"
        if not is_valid_iri(iri):  # a space, '<', NUL...: no stored node can have this IRI
            raise NothingToDescribe(f"/id/{path[:200]} names no node: it is not a valid IRI")
        return URIRef(iri)

    def describe(self, iri: URIRef, principal: Principal) -> Description:
        dataset = self.sparql.dataset_for(principal.role)
        result = self.sparql.store.query(
            DESCRIBE, bindings={"node": iri}, default_graph=list(dataset.default_graph),
            named_graphs=list(dataset.named_graphs), max_rows=20_000,
            timeout=self.sparql.settings.query_timeout)
        graph = Graph()
        for prefix, namespace in PREFIXES.items():
            graph.bind(prefix, namespace)
        incoming = 0
        for s, p, o in result.triples():
            if o == iri and s != iri:
                incoming += 1
                if incoming > INCOMING_LIMIT:
                    continue
            graph.add((s, p, o))
        if len(graph) == 0:
            raise NothingToDescribe(f"nothing readable is known about <{iri}>")
        passport = None
        battery_id = self.minter.battery_id_of(str(iri))
        if battery_id is not None and str(iri) == str(self.minter.battery(battery_id)):
            passport = self._current_passport(iri, dataset)
        return Description(iri, graph, passport)

    def _current_passport(self, battery: URIRef, dataset) -> URIRef | None:
        result = self.sparql.store.query(
            "PREFIX dbp: <https://w3id.org/dbp#> SELECT ?battery ?p WHERE { "
            "?p dbp:passportOf ?battery ; dbp:passportNumber ?n } ORDER BY DESC(?n) LIMIT 1",
            bindings={"battery": battery}, default_graph=[self.layout.lineage])
        for row in result.rows():
            return row["p"]  # type: ignore[return-value]
        return None

    def resolve_digital_link(self, gtin: str, serial: str, principal: Principal) -> URIRef:
        """The battery whose serial number is ``serial`` (GS1 Digital Link AI 01 + 21)."""
        if not _GTIN.match(gtin) or not _SERIAL.match(serial):
            raise NothingToDescribe("not a GS1 Digital Link: /01/{GTIN: 8-14 digits}/21/{serial}")
        dataset = self.sparql.dataset_for(principal.role)
        result = self.sparql.store.query(
            "PREFIX dbp: <https://w3id.org/dbp#> SELECT ?serial ?b WHERE { "
            "?b dbp:serialNumber ?serial ; dbp:batteryId ?id } LIMIT 2",
            bindings={"serial": Literal(serial)}, default_graph=list(dataset.default_graph))
        batteries = [row["b"] for row in result.rows()]
        if len(batteries) != 1:
            raise NothingToDescribe(f"no battery with serial number {serial!r}")
        return batteries[0]  # type: ignore[return-value]


def render_html(description: Description, local_prefix: str) -> str:
    """A readable page: the node's statements with links; minted IRIs link to this server."""
    graph, iri = description.graph, description.iri

    def label(term: object) -> str:
        if isinstance(term, URIRef):
            for predicate in (DBP.name, RDFS.label, SKOS.prefLabel, DBP.batteryId):
                value = graph.value(term, predicate)
                if value is not None:
                    return str(value)
            text = str(term)
            for prefix, namespace in PREFIXES.items():
                if text.startswith(namespace):
                    return f"{prefix}:{text[len(namespace):]}"
            return text
        return str(term)

    def cell(term: object) -> str:
        if isinstance(term, URIRef):
            href = str(term)
            if href.startswith(local_prefix):
                href = "/" + href[len(local_prefix):]
            elif not href.startswith(("http://", "https://")):
                # Only web links are clickable: a javascript: or data: IRI is shown as text.
                return f"<code>{html.escape(href)}</code>"
            return f'<a href="{html.escape(href)}">{html.escape(label(term))}</a>'
        return html.escape(str(term))

    rows = "".join(
        f"<tr><td>{cell(p)}</td><td>{cell(o)}</td></tr>"
        for p, o in sorted(graph.predicate_objects(iri), key=lambda po: (str(po[0]), str(po[1])))
    )
    incoming = "".join(
        f"<tr><td>{cell(s)}</td><td>{cell(p)}</td></tr>"
        for s, p in sorted(graph.subject_predicates(iri), key=lambda sp: (str(sp[0]), str(sp[1])))
        if s != iri
    )
    types = ", ".join(label(t) for t in graph.objects(iri, RDF.type))
    passport = (f'<p>Passport: <a href="{html.escape(str(description.passport))}">'
                f"{html.escape(str(description.passport))}</a></p>" if description.passport else "")
    return (
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{html.escape(label(iri))}</title>"
        "<style>body{font-family:system-ui,sans-serif;margin:1.5rem;font-size:1.1rem}"
        "table{border-collapse:collapse}td{border-bottom:1px solid #ccc;padding:.4rem .8rem;"
        "vertical-align:top}a{color:#0645ad}</style></head><body>"
        f"<h1>{html.escape(label(iri))}</h1><p><code>{html.escape(str(iri))}</code></p>"
        f"<p>{html.escape(types)}</p>{passport}"
        f"<table><tbody>{rows}</tbody></table>"
        + (f"<h2>Referenced by</h2><table><tbody>{incoming}</tbody></table>" if incoming else "")
        + "</body></html>"
    )
