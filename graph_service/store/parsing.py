"""Parsing RDF documents with the engine's fast parsers into rdflib graphs for validation."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import Graph

from graph_service.store.base import RdfFormat, RdfSyntaxError
from graph_service.store.oxigraph import _RDF_FORMATS, _rdf_syntax_error, from_ox


def parse_rdf(data: bytes | str, media_type: RdfFormat, *, base_iri: str | None = None) -> Graph:
    """Parse one RDF document; triples of every graph in a dataset format are merged.

    Raises :class:`RdfSyntaxError` with line and column on malformed input.
    """
    graph = Graph()
    try:
        for quad in ox.parse(data, format=_RDF_FORMATS[media_type], base_iri=base_iri):
            graph.add((from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)))
    except SyntaxError as exc:
        raise _rdf_syntax_error(exc) from None
    except (ValueError, OSError) as exc:
        raise RdfSyntaxError(str(exc).splitlines()[0][:500]) from None
    return graph
