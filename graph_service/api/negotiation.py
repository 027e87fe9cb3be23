"""Content negotiation: the single place that turns an Accept header into a media type."""

from __future__ import annotations

import mimeparse

from graph_service.store import QueryKind, RdfFormat, ResultFormat


class NotAcceptable(Exception):
    def __init__(self, accept: str, offered: list[str]) -> None:
        super().__init__(
            f"none of the requested media types ({accept}) can be produced; "
            f"available: {', '.join(offered)}"
        )
        self.offered = offered


# Order = server preference when the client accepts several equally (first is the default).
SOLUTION_TYPES = [
    ResultFormat.JSON.value,
    ResultFormat.XML.value,
    ResultFormat.CSV.value,
    ResultFormat.TSV.value,
    "application/json",
]
GRAPH_TYPES = [
    RdfFormat.TURTLE.value,
    RdfFormat.N_TRIPLES.value,
    RdfFormat.JSON_LD.value,
    RdfFormat.RDF_XML.value,
    RdfFormat.N_QUADS.value,
    RdfFormat.TRIG.value,
    "application/json",
    "text/plain",
]
DATASET_TYPES = [RdfFormat.TRIG.value, RdfFormat.N_QUADS.value, RdfFormat.JSON_LD.value]

# Aliases the client may ask for; the answer carries the canonical type.
_CANONICAL = {
    "application/json": None,  # resolved per kind below
    "text/plain": RdfFormat.N_TRIPLES.value,
}


def choose(accept: str | None, offered: list[str]) -> str:
    """Best offered media type for an Accept header; the first offered when Accept is absent."""
    if not accept or not accept.strip():
        return offered[0]
    try:
        # mimeparse prefers the *last* of equally good matches; reverse keeps our order.
        best = mimeparse.best_match(list(reversed(offered)), accept)
    except (ValueError, IndexError):
        best = ""
    if not best:
        raise NotAcceptable(accept, offered)
    return best


def choose_query_result_type(accept: str | None, kind: QueryKind) -> str:
    if kind is QueryKind.GRAPH:
        chosen = choose(accept, GRAPH_TYPES)
        if chosen == "application/json":
            return RdfFormat.JSON_LD.value
        return _CANONICAL.get(chosen) or chosen
    chosen = choose(accept, SOLUTION_TYPES)
    return ResultFormat.JSON.value if chosen == "application/json" else chosen


def choose_rdf_type(accept: str | None, *, dataset: bool = False) -> str:
    offered = DATASET_TYPES if dataset else GRAPH_TYPES
    chosen = choose(accept, offered)
    if chosen == "application/json":
        return RdfFormat.JSON_LD.value
    return _CANONICAL.get(chosen) or chosen


def wants_html(accept: str | None) -> bool:
    """True when a browser asks (text/html preferred over every RDF/SPARQL type)."""
    if not accept:
        return False
    try:
        # mimeparse prefers the *last* of equally good matches: text/html goes first, so a
        # wildcard (curl's */*, text/*) keeps answering RDF and only an explicit preference
        # for HTML (a browser) wins.
        best = mimeparse.best_match(["text/html", *GRAPH_TYPES, *SOLUTION_TYPES], accept)
    except (ValueError, IndexError):
        return False
    return best == "text/html"


def with_charset(media_type: str) -> str:
    if media_type.startswith("text/") or media_type.endswith(("json", "xml")):
        return f"{media_type}; charset=utf-8"
    return media_type
