"""Parsing RDF documents: the one way every untrusted (and trusted) document reaches a parser.

* RDF/XML first goes through a hardened XML parser (defusedxml over expat, no tree built) that
  refuses any document type declaration, entity declaration or external reference; the engine's
  own RDF/XML parser expands internal entities without bound (a 727-byte, ten-level entity
  document made the server process abort out of memory).
* Triples and blank nodes are counted while the engine streams the document, so an over-limit
  document is refused before anything big is built.
"""

from __future__ import annotations

from collections.abc import Iterator
from io import BytesIO
from xml.sax import SAXParseException
from xml.sax.handler import ContentHandler
from xml.sax.xmlreader import Locator

import pyoxigraph as ox
from defusedxml.common import DefusedXmlException
from defusedxml.expatreader import create_parser
from rdflib import Graph, URIRef

from graph_service.store.base import (
    ParseLimitExceeded,
    RdfFormat,
    RdfSyntaxError,
    UnsafeXml,
)
from graph_service.store.oxigraph import _RDF_FORMATS, _rdf_syntax_error, from_ox


class _Position(ContentHandler):
    def __init__(self) -> None:
        super().__init__()
        self.locator: Locator | None = None

    def setDocumentLocator(self, locator: Locator) -> None:
        self.locator = locator

    def where(self) -> tuple[int | None, int | None]:
        if self.locator is None:
            return None, None
        return self.locator.getLineNumber(), self.locator.getColumnNumber() + 1


def reject_unsafe_xml(data: bytes | str) -> None:
    """Raise :class:`UnsafeXml` when an XML document declares a DTD, an entity or an external
    reference, :class:`RdfSyntaxError` when it is not well-formed XML. Decided by a hardened XML
    parser reading the whole document (a declaration anywhere is found), never by a text scan."""
    parser = create_parser(forbid_dtd=True, forbid_entities=True, forbid_external=True)
    position = _Position()
    parser.setContentHandler(position)
    try:
        parser.parse(BytesIO(data.encode() if isinstance(data, str) else data))
    except DefusedXmlException:
        line, column = position.where()
        raise UnsafeXml(
            f"RDF/XML with a document type declaration (<!DOCTYPE ...>, line {line}) is not "
            "accepted: its entity declarations could expand without bound or read local files; "
            "send the document with its entities written out and no <!DOCTYPE>",
            line, column) from None
    except SAXParseException as exc:
        raise RdfSyntaxError(f"malformed XML: {exc.getMessage()}", exc.getLineNumber(),
                             exc.getColumnNumber() + 1) from None


def read_quads(data: bytes | str, media_type: RdfFormat, *, base_iri: str | None = None,
               graph: URIRef | None = None) -> Iterator[ox.Quad]:
    """The engine's quads of one document, as they stream: what the stores load. Quads of the
    default graph go into ``graph`` when it is given.

    Raises :class:`UnsafeXml` or :class:`RdfSyntaxError` (with line and column).
    """
    quads = _parsed(data, media_type, base_iri)
    return quads if graph is None else _into_graph(quads, graph)


def _parsed(data: bytes | str, media_type: RdfFormat,
            base_iri: str | None) -> Iterator[ox.Quad]:
    if media_type is RdfFormat.RDF_XML:
        reject_unsafe_xml(data)
    try:
        yield from ox.parse(data, format=_RDF_FORMATS[media_type], base_iri=base_iri)
    except SyntaxError as exc:
        raise _rdf_syntax_error(exc) from None
    except (ValueError, OSError) as exc:
        raise RdfSyntaxError(str(exc).splitlines()[0][:500]) from None


def _into_graph(quads: Iterator[ox.Quad], graph: URIRef) -> Iterator[ox.Quad]:
    # A graph name that is not an IRI is the caller's error (ValueError), not the document's.
    target = ox.NamedNode(str(graph))
    for quad in quads:
        if isinstance(quad.graph_name, ox.DefaultGraph):
            quad = ox.Quad(quad.subject, quad.predicate, quad.object, target)
        yield quad


def parse_rdf(
    data: bytes | str,
    media_type: RdfFormat,
    *,
    base_iri: str | None = None,
    max_triples: int | None = None,
    max_blank_nodes: int | None = None,
) -> Graph:
    """Parse one RDF document into an rdflib graph; triples of every graph in a dataset format
    are merged. Errors as :func:`read_quads`, and :class:`ParseLimitExceeded` (more than
    ``max_triples`` quads or ``max_blank_nodes`` distinct blank nodes), counted as the document
    streams so that an over-limit one is refused before anything big is built."""
    graph = Graph()
    blank: set[str] = set()
    for count, quad in enumerate(read_quads(data, media_type, base_iri=base_iri), start=1):
        if max_triples is not None and count > max_triples:
            raise ParseLimitExceeded("triples", max_triples)
        if max_blank_nodes is not None:
            for term in (quad.subject, quad.object):
                if isinstance(term, ox.BlankNode):
                    blank.add(term.value)
            if len(blank) > max_blank_nodes:
                raise ParseLimitExceeded("blank nodes", max_blank_nodes)
        graph.add((from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)))
    return graph
