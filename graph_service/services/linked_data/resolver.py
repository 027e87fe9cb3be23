"""Linked Data: every minted IRI dereferences to what the caller may read about it.

A description is the node's own triples plus the triples that point at it, evaluated over the
caller's dataset (so access control holds exactly as for SPARQL). Browsers get a small HTML
page with links, the labels of the terms it uses and links to its RDF representations; RDF
clients get Turtle, JSON-LD, N-Triples or RDF/XML. A battery also answers its GS1 Digital Link
(``/01/{gtin}/21/{serial}``, see ``gs1``) and names its current passport.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from urllib.parse import quote

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from graph_service.model.graphs import GraphLayout
from graph_service.model.iris import IriMinter, safe_href
from graph_service.model.namespaces import DBP, PREFIXES
from graph_service.services.access import Principal
from graph_service.services.linked_data.gs1 import (
    DEFAULT_LINK,
    DPP,
    PIP,
    DigitalLinks,
    Link,
    check_serial,
    normalise_gtin,
)
from graph_service.services.sparql import Dataset, SparqlService
from graph_service.services.sparql.named_queries import NamedQueries
from graph_service.store import is_valid_iri

_FORMAT_NAMES = {"text/turtle": "Turtle", "application/ld+json": "JSON-LD",
                 "application/n-triples": "N-Triples", "application/rdf+xml": "RDF/XML"}

INCOMING_LIMIT = 500
LABEL_LIMIT = 2_000
# Labels of the terms a page shows: our own first, then EMMO's preferred label.
_LABEL_PREDICATES = (DBP.name, RDFS.label, SKOS.prefLabel, DBP.batteryId)


class NothingToDescribe(LookupError):
    """The IRI is unknown, or nothing about it is readable by this caller."""


@dataclass
class Description:
    iri: URIRef
    graph: Graph
    passport: URIRef | None = None


@dataclass(frozen=True)
class ResolvedItem:
    """A battery found by its GS1 Digital Link."""

    battery: URIRef
    battery_id: str
    gtin: str  # GTIN-14
    serial: str
    passport: URIRef | None


class LinkedDataService:
    def __init__(self, sparql: SparqlService, layout: GraphLayout, minter: IriMinter) -> None:
        self.sparql = sparql
        self.layout = layout
        self.minter = minter
        # Reads are query files of queries/facade/ (linked-data-describe, current-passport,
        # term-labels, digital-link).
        self.queries = NamedQueries(sparql.store, timeout=sparql.settings.query_timeout)

    def iri_for_path(self, path: str) -> URIRef:
        iri = f"{self.minter.base}id/{path}"
        if not is_valid_iri(iri):  # a space, '<', NUL...: no stored node can have this IRI
            raise NothingToDescribe(f"/id/{path[:200]} names no node: it is not a valid IRI")
        return URIRef(iri)

    def describe(self, iri: URIRef, principal: Principal) -> Description:
        dataset = self.sparql.dataset_for(principal)
        result = self.queries.run("linked-data-describe", dataset, max_rows=20_000, node=iri)
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
        lineage = Dataset(default_graph=(self.layout.lineage,), named_graphs=())
        for row in self.queries.select("current-passport", lineage, battery=battery):
            return row["p"]  # type: ignore[return-value]
        return None

    def labels(self, description: Description) -> dict[URIRef, str]:
        """Human labels of the IRIs a description mentions (its predicates, types and
        objects), from the description itself and the ontology graphs (EMMO's opaque
        ``EMMO_...`` IRIs carry an English skos:prefLabel there)."""
        terms = {t for triple in description.graph for t in triple if isinstance(t, URIRef)}
        labels: dict[URIRef, str] = {}
        for term in terms:
            for predicate in _LABEL_PREDICATES:
                value = description.graph.value(term, predicate)
                if value is not None:
                    labels[term] = str(value)
                    break
        missing = sorted(terms - set(labels))[:LABEL_LIMIT]
        if missing:
            ontology = Dataset(default_graph=(self.layout.ontology, self.layout.reference),
                               named_graphs=())
            terms_bound = [term for term in missing if is_valid_iri(str(term))]
            for row in self.queries.select("term-labels", ontology, term=terms_bound):
                labels.setdefault(row["term"], str(row["label"]))  # type: ignore[arg-type]
        return labels

    def resolve_digital_link(self, gtin: str, serial: str, principal: Principal) -> ResolvedItem:
        """The battery whose passport states both this GTIN (AI 01) and this serial (AI 21)."""
        gtin14 = normalise_gtin(gtin)
        check_serial(serial)
        dataset = self.sparql.dataset_for(principal)
        default = Dataset(default_graph=dataset.default_graph, named_graphs=())
        rows = self.queries.select("digital-link", default, serial=Literal(serial))
        matches = {(row["b"], str(row["id"])) for row in rows
                   if str(row["gtin"]).zfill(14) == gtin14}
        if len(matches) != 1:
            raise NothingToDescribe(
                f"no battery with GTIN {gtin14} and serial number {serial!r}"
                if not matches else
                f"GTIN {gtin14} with serial number {serial!r} names {len(matches)} batteries")
        battery, battery_id = matches.pop()
        dataset_passport = self._current_passport(battery, dataset)  # type: ignore[arg-type]
        return ResolvedItem(battery, battery_id, gtin14, serial,  # type: ignore[arg-type]
                            dataset_passport)

    def digital_links(self, item: ResolvedItem) -> DigitalLinks:
        """The GS1 links of a resolved battery, anchored at its canonical Digital Link."""
        base = self.minter.base
        links = DigitalLinks(anchor=f"{base}01/{item.gtin}/21/{quote(item.serial, safe='')}")
        links.links[DEFAULT_LINK] = [Link(str(item.battery), "Battery (Linked Data)")]
        if item.passport is not None:
            links.links[DPP] = [Link(str(item.passport), "Digital battery passport")]
        links.links[PIP] = [Link(f"{base}ui/batteries/{item.battery_id}",
                                 "Battery passport page", "text/html")]
        return links


def render_html(description: Description, local_prefix: str, *,
                labels: dict[URIRef, str] | None = None,
                alternates: dict[str, str] | None = None) -> str:
    """A readable page: the node's statements with links; minted IRIs link to this server;
    terms show their labels (``labels``); ``alternates`` (media type -> URL) become
    ``<link rel="alternate">`` elements and visible links."""
    graph, iri = description.graph, description.iri
    labels = labels or {}

    def label(term: object) -> str:
        if isinstance(term, URIRef):
            if term in labels:
                return labels[term]
            for predicate in _LABEL_PREDICATES:
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
            href = safe_href(str(term), local_prefix)
            if href is None:
                # Not a safe web link (javascript:, data:, "//other-site", no host...): text.
                return f"<code>{html.escape(str(term))}</code>"
            return (f'<a href="{html.escape(href)}" title="{html.escape(str(term))}">'
                    f"{html.escape(label(term))}</a>")
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
    types = ", ".join(sorted(label(t) for t in graph.objects(iri, RDF.type)))
    alternates = alternates or {}
    head_links = "".join(
        f'<link rel="alternate" type="{html.escape(media_type)}" href="{html.escape(href)}">'
        for media_type, href in alternates.items())
    formats = " · ".join(
        f'<a rel="alternate" type="{html.escape(media_type)}" href="{html.escape(href)}">'
        f"{html.escape(_FORMAT_NAMES.get(media_type, media_type))}</a>"
        for media_type, href in alternates.items())
    passport = (f"<p>Passport: {cell(description.passport)}</p>" if description.passport else "")
    return (
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{html.escape(label(iri))}</title>{head_links}"
        "<style>body{font-family:system-ui,sans-serif;margin:1.5rem;font-size:1.1rem}"
        "table{border-collapse:collapse}td{border-bottom:1px solid #ccc;padding:.4rem .8rem;"
        "vertical-align:top}a{color:#0645ad}</style></head><body>"
        f"<h1>{html.escape(label(iri))}</h1><p><code>{html.escape(str(iri))}</code></p>"
        f"<p>{html.escape(types)}</p>{passport}"
        + (f'<p class="formats">Also as: {formats}</p>' if formats else "")
        +
        f"<table><tbody>{rows}</tbody></table>"
        + (f"<h2>Referenced by</h2><table><tbody>{incoming}</tbody></table>" if incoming else "")
        + "</body></html>"
    )
