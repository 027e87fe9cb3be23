"""Content negotiation: the one table that turns an Accept header into a representation, and the
one place that writes RDF in the chosen form.

Every route that answers RDF (``/id``, ``/doc``, ``/store``, ``/sparql``, ``/.well-known/*``, the
version and derived-data routes) chooses with :func:`choose` (or :func:`choose_query_result` for
SPARQL results) over the same table, and sends :func:`negotiated` responses, which carry
``Vary: Accept``. What a client may ask for:

=============================  ===================================================
Accept                          answer
=============================  ===================================================
text/turtle, application/x-turtle, text/n3   Turtle (N3 is a superset of Turtle)
application/ld+json, application/json        JSON-LD, compacted with our context by default
application/n-triples, text/plain            N-Triples (``text/plain`` is what rdflib's
                                             ``parse(iri, format="nt")`` sends)
application/rdf+xml, application/xml         RDF/XML (SPARQL results: XML results);
  text/xml                                     ``text/xml`` is older clients' XML
application/n-quads, application/trig        N-Quads, TriG (a graph is a one-graph dataset)
text/html                                    an HTML page, only where a route offers one and
                                             only when preferred (browsers); ``*/*`` stays RDF
=============================  ===================================================

Partner documents (``/batteries/{id}/export``, docs/interop.md) are offered in their own format
only: ``application/json`` for a JSON format (Catena-X), ``application/ld+json`` (also to
``application/json``) for a JSON-LD one (BattINFO); anything else is a 406.

JSON-LD forms follow the ``profile`` media-type parameter of JSON-LD 1.1 §9
(``application/ld+json;profile="http://www.w3.org/ns/json-ld#expanded"``): ``#compacted`` (the
default: terms of ``ontology/context.jsonld``, served at ``/context.jsonld`` and referenced
by IRI), ``#expanded``, ``#flattened`` (alone: flattened and expanded; with ``#compacted``:
flattened and compacted). The answer's Content-Type names the form it has.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import anyio.to_thread
import mimeparse
from fastapi import Request, Response
from rdflib import Dataset, Graph

from graph_service.services.rdf.jsonld import our_context
from graph_service.services.rdf.rdf_io import serialize_graph
from graph_service.store.base import QueryKind, RdfFormat, ResultFormat

if TYPE_CHECKING:
    from graph_service.services.sparql import Dataset as CallerDataset
    from graph_service.services.sparql import SparqlService

VARY = "Accept"
HTML = "text/html"
JSON = "application/json"  # the REST facade's own JSON models (not JSON-LD)
JSONLD_NS = "http://www.w3.org/ns/json-ld#"
COMPACTED, EXPANDED, FLATTENED = (f"{JSONLD_NS}{form}"
                                  for form in ("compacted", "expanded", "flattened"))
CONTEXT_PATH = "context.jsonld"  # under the base IRI


class NotAcceptable(Exception):
    def __init__(self, accept: str, offered: list[str]) -> None:
        super().__init__(
            f"none of the requested media types ({accept[:300]}) can be produced; "
            f"available: {', '.join(offered)}"
        )
        self.offered = offered


class Kind(StrEnum):
    """What a route answers with."""

    GRAPH = "graph"          # an RDF graph
    DATASET = "dataset"      # quads (several named graphs)
    SOLUTIONS = "solutions"  # SPARQL SELECT / ASK results
    FACADE = "facade"        # a REST facade model (JSON) or the same data as an RDF graph
    DOCUMENT = "document"    # a partner document in its own JSON format (docs/interop.md)
    LINKED_DOCUMENT = "linked-document"  # a partner document that is JSON-LD (BattINFO)
    REPORT = "report"        # a SHACL validation report: our JSON summary or the report graph


# The table: (media type a client may ask for, media type of the answer), in server preference
# order (the first is the answer to a missing Accept or */*).
_TURTLE, _JSONLD, _NT = RdfFormat.TURTLE.value, RdfFormat.JSON_LD.value, RdfFormat.N_TRIPLES.value
_XML, _NQ, _TRIG = RdfFormat.RDF_XML.value, RdfFormat.N_QUADS.value, RdfFormat.TRIG.value
# Canonical types first, aliases last (a wildcard such as application/* picks a canonical one).
_GRAPH_ROWS: list[tuple[str, str]] = [
    (_TURTLE, _TURTLE), (_NT, _NT), (_JSONLD, _JSONLD), (_XML, _XML), (_NQ, _NQ),
    (_TRIG, _TRIG),
    ("application/x-turtle", _TURTLE), ("text/n3", _TURTLE), (JSON, _JSONLD),
    ("text/plain", _NT), ("application/xml", _XML), ("text/xml", _XML),
]
TABLE: dict[Kind, list[tuple[str, str]]] = {
    Kind.GRAPH: _GRAPH_ROWS,
    Kind.DATASET: [(_TRIG, _TRIG), (_NQ, _NQ), (_JSONLD, _JSONLD), (JSON, _JSONLD)],
    Kind.SOLUTIONS: [
        (ResultFormat.JSON.value, ResultFormat.JSON.value),
        (ResultFormat.XML.value, ResultFormat.XML.value),
        (ResultFormat.CSV.value, ResultFormat.CSV.value),
        (ResultFormat.TSV.value, ResultFormat.TSV.value),
        (JSON, ResultFormat.JSON.value),
        ("application/xml", ResultFormat.XML.value),
        ("text/xml", ResultFormat.XML.value),  # older SPARQL clients' XML (RFC 7303 alias)
    ],
    Kind.FACADE: [(JSON, JSON), *(row for row in _GRAPH_ROWS if row[0] != JSON)],
    # Partner documents are written in their format only (an RDF view of the same passport is
    # /id or /store): a JSON format answers JSON; a JSON-LD one JSON-LD, also to plain JSON.
    Kind.DOCUMENT: [(JSON, JSON)],
    Kind.LINKED_DOCUMENT: [(_JSONLD, _JSONLD), (JSON, _JSONLD)],
    # A refused passport (422): the JSON summary unless Turtle or JSON-LD is preferred.
    Kind.REPORT: [(JSON, JSON), (_TURTLE, _TURTLE), (_JSONLD, _JSONLD)],
}


@dataclass(frozen=True)
class Choice:
    """The negotiated representation."""

    media_type: str
    jsonld_profile: tuple[str, ...] = ()  # the JSON-LD form, for JSON-LD answers

    @property
    def is_html(self) -> bool:
        return self.media_type == HTML

    @property
    def is_jsonld(self) -> bool:
        return self.media_type == _JSONLD

    @property
    def content_type(self) -> str:
        if self.is_jsonld:
            return f'{_JSONLD}; profile="{" ".join(self.jsonld_profile)}"'
        return with_charset(self.media_type)


def offered(kind: Kind, *, html: bool = False) -> list[str]:
    types = [asked for asked, _ in TABLE[kind]]
    return [*types, HTML] if html else types


def choose(accept: str | None, kind: Kind, *, html: bool = False) -> Choice:
    """The representation of ``kind`` that best fits ``accept`` (406 when none does). HTML is
    last in preference: only an explicit preference for it (a browser) gets a page."""
    types = offered(kind, html=html)
    if not accept or not accept.strip():
        asked = types[0]
    else:
        try:
            # mimeparse prefers the *last* of equally good matches; reverse keeps our order.
            asked = mimeparse.best_match(list(reversed(types)), accept)
        except (ValueError, IndexError):
            asked = ""
        if not asked:
            raise NotAcceptable(accept, types)
    if asked == HTML:
        return Choice(HTML)
    media_type = dict(TABLE[kind])[asked]
    if media_type == _JSONLD:
        return Choice(media_type, jsonld_profile(accept))
    return Choice(media_type)


def choose_query_result(accept: str | None, kind: QueryKind) -> Choice:
    """SPARQL results: solutions for SELECT/ASK, a graph for CONSTRUCT/DESCRIBE."""
    return choose(accept, Kind.GRAPH if kind is QueryKind.GRAPH else Kind.SOLUTIONS)


def choose_document(accept: str | None, media_type: str) -> Choice:
    """A partner document of a format whose media type is ``media_type`` (JSON or JSON-LD)."""
    return choose(accept, Kind.LINKED_DOCUMENT if media_type == _JSONLD else Kind.DOCUMENT)


def choose_document_type(accept: str | None, media_type: str) -> str:
    """The media type of :func:`choose_document` (406 when ``accept`` allows none)."""
    return choose_document(accept, media_type).media_type


def choose_report(accept: str | None) -> Choice:
    """How a validation report is answered. An error answer is never a 406: an Accept that
    allows none of the report's forms gets the JSON summary."""
    try:
        return choose(accept, Kind.REPORT)
    except NotAcceptable:
        return Choice(JSON)


def wants_html(accept: str | None) -> bool:
    """True when a browser asks (text/html preferred over every RDF/SPARQL type)."""
    if not accept:
        return False
    try:
        return choose(accept, Kind.GRAPH, html=True).is_html
    except NotAcceptable:
        return False


def jsonld_profile(accept: str | None) -> tuple[str, ...]:
    """The JSON-LD form asked for by the ``profile`` parameter of the best JSON-LD range."""
    best_q, profile = -1.0, ""
    for part in (accept or "").split(","):
        try:
            main, sub, params = mimeparse.parse_media_range(part)
        except (ValueError, IndexError):
            continue
        if f"{main}/{sub}" not in (_JSONLD, JSON):
            continue
        try:
            q = float(params.get("q", "1"))
        except ValueError:
            continue
        if q > best_q:
            best_q, profile = q, params.get("profile", "").strip('"')
    forms = set(profile.split())
    if FLATTENED in forms:
        return (FLATTENED, COMPACTED) if COMPACTED in forms else (FLATTENED,)
    if EXPANDED in forms and COMPACTED not in forms:
        return (EXPANDED,)
    return (COMPACTED,)


def context_iri(request: Request) -> str:
    """Where ``ontology/context.jsonld`` is served, as this client reached the service: the
    context compacted JSON-LD names must be fetchable by the client that got it (behind a
    proxy, from the forwarded address; the base IRI of minted IRIs may be a name that is not
    reachable from everywhere)."""
    return f"{request.base_url}{CONTEXT_PATH}"


# -- writing -----------------------------------------------------------------------------------
def render(graph: Graph | Dataset, choice: Choice, context: str) -> bytes:
    """Blocking: ``graph`` in the chosen RDF representation."""
    if not choice.is_jsonld:
        return serialize_graph(graph, choice.media_type)
    if choice.jsonld_profile == (COMPACTED,):
        # rdflib compacts with the context itself (10x PyLD's speed, checked lossless by the
        # tests); the answer names the context by its IRI instead of repeating it.
        document = json.loads(graph.serialize(format="json-ld", context=our_context(),
                                              auto_compact=True))
        if isinstance(document, dict):
            document["@context"] = context
        return _json_bytes(document)
    expanded = json.loads(graph.serialize(format="json-ld"))
    return _json_bytes(shape_expanded(expanded, choice.jsonld_profile, context))


def render_jsonld_bytes(body: bytes, choice: Choice, context: str) -> bytes:
    """Blocking: JSON-LD written by the engine (SPARQL CONSTRUCT), in the chosen form."""
    graph = Graph().parse(data=body, format="json-ld")
    return render(graph, choice, context)


def shape_expanded(expanded: Any, profile: tuple[str, ...], context: str) -> Any:
    """Expanded JSON-LD in the expanded or flattened form of ``profile`` (PyLD)."""
    if FLATTENED not in profile:
        return expanded
    from pyld import jsonld

    if COMPACTED in profile:
        flattened = jsonld.flatten(expanded, {"@context": our_context()})
        flattened["@context"] = context
        return flattened
    return jsonld.flatten(expanded)


def _json_bytes(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=1).encode()


def negotiated(body: bytes, choice: Choice, *, status_code: int = 200,
               headers: dict[str, str] | None = None) -> Response:
    """A negotiated answer: the chosen Content-Type and ``Vary: Accept``."""
    out = {"Vary": VARY, **(headers or {})}
    return Response(body, status_code=status_code, headers=out, media_type=choice.content_type)


def with_charset(media_type: str) -> str:
    if media_type.startswith("text/") or media_type.endswith(("json", "xml")):
        return f"{media_type}; charset=utf-8"
    return media_type


async def answer_query(sparql: SparqlService, query: str, dataset: CallerDataset,
                       accept: str | None, *, context: str,
                       default_graph_uris: Sequence[str] = (),
                       named_graph_uris: Sequence[str] = (), timeout: float | None = None,
                       headers: dict[str, str] | None = None) -> Response:
    """A caller's SPARQL query answered in the representation ``accept`` asks for (``/sparql``
    and the dashboard's query editor): results for SELECT/ASK, a graph for CONSTRUCT/DESCRIBE,
    406 when none fits."""
    # The isolated path asks for every kind's media type before the result's kind is known,
    # so the choice is looked up by the media type the answer was serialised in.
    choices: dict[str, Choice] = {}

    def media_type_for(kind: QueryKind) -> str:
        choice = choose_query_result(accept, kind)
        choices[choice.media_type] = choice
        return choice.media_type

    body, media_type = await sparql.answer(
        query, dataset, media_type_for, default_graph_uris=default_graph_uris,
        named_graph_uris=named_graph_uris, timeout=timeout)
    choice = choices[media_type]
    if choice.is_jsonld:  # the engine writes JSON-LD in one form; the client chose its form
        body = await anyio.to_thread.run_sync(render_jsonld_bytes, body, choice, context)
    return negotiated(body, choice, headers=headers)
