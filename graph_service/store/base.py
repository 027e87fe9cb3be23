"""The store protocol: what every layer above ``store/`` may ask of a quad store.

Terms crossing this boundary are rdflib terms (``URIRef``, ``Literal``, ``BNode``); result
serialisation to the SPARQL/RDF wire formats happens inside the adapter, so an engine that can
serialise natively (pyoxigraph, a remote endpoint) does so without a per-row detour through Python
objects the caller never looks at.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

if TYPE_CHECKING:
    import pyoxigraph as ox

Term = URIRef | Literal | BNode
Triple = tuple[Node, Node, Node]
Quad = tuple[Node, Node, Node, URIRef | None]


class QueryKind(StrEnum):
    SELECT = "select"
    ASK = "ask"
    GRAPH = "graph"  # CONSTRUCT and DESCRIBE


# ---------------------------------------------------------------------------------------------
# errors (mapped to HTTP statuses in exactly one place: graph_service/api/errors.py)
# ---------------------------------------------------------------------------------------------
class StoreError(Exception):
    """Base class for store errors that carry a message safe to show a client."""


class PositionedError(Exception):
    """An error about a text, with where in it (1-based line and column, when known): the
    store's syntax errors and the JSON-LD reader's errors (mixed into their own bases)."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


class QuerySyntaxError(PositionedError, StoreError):
    pass


class RdfSyntaxError(PositionedError, StoreError):
    pass


class UnsafeXml(RdfSyntaxError):
    """RDF/XML with a document type declaration: internal entities expand without bound (a
    727-byte document can ask for gigabytes) and external ones read files or URLs, so a document
    that declares any is refused before the RDF parser sees it."""


class ParseLimitExceeded(StoreError):
    """A document holds more triples (or blank nodes) than the caller's limit allows."""

    def __init__(self, what: str, limit: int):
        super().__init__(f"the document holds more than {limit} {what}")
        self.what = what
        self.limit = limit


class QueryTimeout(StoreError):
    def __init__(self, seconds: float):
        super().__init__(f"the query did not finish within {seconds:g} s")
        self.seconds = seconds


class ResultTooLarge(StoreError):
    def __init__(self, limit: int):
        super().__init__(
            f"the result has more than {limit} rows; add LIMIT or narrow the query"
        )
        self.limit = limit


class QueryEvaluationError(StoreError):
    """The engine refused to evaluate a syntactically valid query (e.g. unreachable SERVICE)."""


# A local file path (two or more segments) that does not continue an IRI or another word: a
# path right after "http:/" or inside "<http://ex.org/g>" is the caller's graph name, which the
# message must keep ("The graph <http://ex.org/g> does not exist" read "<http:/<path>>").
_LOCAL_PATH = re.compile(r"(?<![\w:/.~%-])(/[\w.~-]+){2,}")


def engine_message(text: str) -> str:
    """An engine's explanation fit for a caller: its first line, local file paths taken out,
    at most 500 characters."""
    first = text.splitlines()[0] if text else ""
    return _LOCAL_PATH.sub("<path>", first)[:500]


class UnsupportedFormat(StoreError):
    pass


# ---------------------------------------------------------------------------------------------
# formats
# ---------------------------------------------------------------------------------------------
class RdfFormat(StrEnum):
    TURTLE = "text/turtle"
    N_TRIPLES = "application/n-triples"
    N_QUADS = "application/n-quads"
    TRIG = "application/trig"
    JSON_LD = "application/ld+json"
    RDF_XML = "application/rdf+xml"

    @property
    def supports_datasets(self) -> bool:
        return self in (RdfFormat.N_QUADS, RdfFormat.TRIG, RdfFormat.JSON_LD)

    @classmethod
    def from_name(cls, name: str) -> RdfFormat:
        """Accept a media type, a file extension or a short name (``ttl``, ``turtle``, ``nq``)."""
        key = name.strip().lower().split(";", 1)[0].strip()
        aliases = {
            "ttl": cls.TURTLE, "turtle": cls.TURTLE, "text/turtle": cls.TURTLE,
            "application/x-turtle": cls.TURTLE,
            "nt": cls.N_TRIPLES, "ntriples": cls.N_TRIPLES, "n-triples": cls.N_TRIPLES,
            "application/n-triples": cls.N_TRIPLES, "text/plain": cls.N_TRIPLES,
            "nq": cls.N_QUADS, "nquads": cls.N_QUADS, "n-quads": cls.N_QUADS,
            "application/n-quads": cls.N_QUADS,
            "trig": cls.TRIG, "application/trig": cls.TRIG,
            "jsonld": cls.JSON_LD, "json-ld": cls.JSON_LD, "application/ld+json": cls.JSON_LD,
            "rdf": cls.RDF_XML, "xml": cls.RDF_XML, "owl": cls.RDF_XML, "rdfxml": cls.RDF_XML,
            "rdf/xml": cls.RDF_XML, "application/rdf+xml": cls.RDF_XML,
        }
        try:
            return aliases[key]
        except KeyError:
            raise UnsupportedFormat(f"unknown RDF format {name!r}") from None

    @classmethod
    def from_path(cls, path: str) -> RdfFormat:
        suffix = path.rsplit(".", 1)[-1] if "." in path else ""
        return cls.from_name(suffix)


class ResultFormat(StrEnum):
    JSON = "application/sparql-results+json"
    XML = "application/sparql-results+xml"
    CSV = "text/csv"
    TSV = "text/tab-separated-values"

    @classmethod
    def from_name(cls, name: str) -> ResultFormat:
        key = name.strip().lower().split(";", 1)[0].strip()
        aliases = {
            "json": cls.JSON, "application/sparql-results+json": cls.JSON,
            "application/json": cls.JSON,
            "xml": cls.XML, "application/sparql-results+xml": cls.XML,
            "csv": cls.CSV, "text/csv": cls.CSV,
            "tsv": cls.TSV, "text/tab-separated-values": cls.TSV,
        }
        try:
            return aliases[key]
        except KeyError:
            raise UnsupportedFormat(f"unknown SPARQL results format {name!r}") from None


# ---------------------------------------------------------------------------------------------
# query results
# ---------------------------------------------------------------------------------------------
class QueryResult(Protocol):
    """A fully evaluated query result (materialised within the deadline and row limit)."""

    kind: QueryKind
    variables: list[str]

    @property
    def boolean(self) -> bool: ...

    def __len__(self) -> int: ...

    def rows(self) -> Iterator[dict[str, Term]]:
        """SELECT solutions as dicts (unbound variables are absent)."""
        ...

    def triples(self) -> Iterator[Triple]: ...

    def serialize(self, media_type: str) -> bytes:
        """Serialise to a SPARQL results format (SELECT/ASK) or an RDF format (graph results)."""
        ...


@dataclass(frozen=True)
class QuadPattern:
    """Every quad of ``graph`` with this subject and this predicate (``None``: any), whatever
    its object: what :attr:`ChangeSet.retract` removes (a record replaced as a whole, a
    single-valued property set anew)."""

    graph: URIRef
    subject: URIRef | None = None
    predicate: URIRef | None = None


@dataclass
class ChangeSet:
    """Writes applied atomically by :meth:`GraphStore.apply`: all of them or none.

    Order of application: ``retract`` patterns, ``sparql_before`` updates, graph drops, quad
    deletions, quad insertions, ``sparql_after`` updates. Services state writes as data
    (patterns, quads, graphs); ``sparql_before``/``sparql_after`` carry update texts that the
    named-query runner read from ``queries/internal/*.ru`` (never text built in a service).
    """

    retract: list[QuadPattern] = field(default_factory=list)
    drop_graphs: list[URIRef] = field(default_factory=list)
    delete: list[Quad] = field(default_factory=list)
    insert: list[Quad] = field(default_factory=list)
    sparql_before: list[str] = field(default_factory=list)
    sparql_after: list[str] = field(default_factory=list)

    def is_empty(self) -> bool:
        return not (
            self.retract or self.drop_graphs or self.delete or self.insert
            or self.sparql_before or self.sparql_after
        )

    def extend(self, more: ChangeSet) -> None:
        """Add ``more``'s writes to this change set (one atomic update instead of two)."""
        self.retract.extend(more.retract)
        self.sparql_before.extend(more.sparql_before)
        self.drop_graphs.extend(more.drop_graphs)
        self.delete.extend(more.delete)
        self.insert.extend(more.insert)
        self.sparql_after.extend(more.sparql_after)


@dataclass(frozen=True)
class QueryOptions:
    """What a query sees and how its text is read: everything of :meth:`GraphStore.query` but
    its text and limits, collected once so that every adapter reads the same dataset rules.

    In ``default_graph``, ``None`` stands for the store's own default graph.
    ``default_graph``/``named_graphs`` replace the dataset the query sees, whatever its
    FROM/FROM NAMED say, and hide every other graph from ``GRAPH`` patterns - unless
    ``all_named_graphs`` keeps every named graph of the store reachable through ``GRAPH``.
    ``bindings`` pre-bind variables (SEP-0007 substitution), never by string building.
    """

    bindings: Mapping[str, Term] | None = None
    default_graph: tuple[URIRef | None, ...] | None = None
    named_graphs: tuple[URIRef, ...] | None = None
    union_default_graph: bool = False
    all_named_graphs: bool = False
    base_iri: str | None = None

    @property
    def explicit(self) -> bool:
        """Whether the caller gave a dataset (which then replaces the whole dataset)."""
        return self.default_graph is not None or self.named_graphs is not None

    def dataset(self) -> tuple[list[URIRef | None], list[URIRef]]:
        """The default and named graphs of an explicit dataset: the part not given is empty,
        but for a union default graph, which is then the merge of the named graphs."""
        named = list(self.named_graphs or [])
        if self.default_graph is not None:
            return list(self.default_graph), named
        return (list(named) if self.union_default_graph else []), named


class GraphStore(ABC):
    """A SPARQL 1.1 quad store; the adapters subclass it."""

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Term] | None = None,
        default_graph: Sequence[URIRef | None] | None = None,
        named_graphs: Sequence[URIRef] | None = None,
        union_default_graph: bool = False,
        all_named_graphs: bool = False,
        base_iri: str | None = None,
        timeout: float | None = None,
        max_rows: int | None = None,
    ) -> QueryResult:
        """Evaluate a query over the dataset :class:`QueryOptions` describes, within
        ``timeout`` seconds and ``max_rows`` rows."""
        options = QueryOptions(
            bindings=bindings,
            default_graph=None if default_graph is None else tuple(default_graph),
            named_graphs=None if named_graphs is None else tuple(named_graphs),
            union_default_graph=union_default_graph, all_named_graphs=all_named_graphs,
            base_iri=base_iri)
        return self._evaluate(sparql, options, timeout, max_rows)

    @abstractmethod
    def _evaluate(self, sparql: str, options: QueryOptions, timeout: float | None,
                  max_rows: int | None) -> QueryResult:
        """The adapter's evaluation of :meth:`query`."""

    @abstractmethod
    def update(self, sparql: str, *, base_iri: str | None = None) -> None: ...

    @abstractmethod
    def apply(self, changes: ChangeSet) -> None:
        """Apply a change set atomically."""
        ...

    def load(
        self,
        data: bytes,
        media_type: RdfFormat,
        *,
        graph: URIRef | None = None,
        base_iri: str | None = None,
    ) -> int:
        """Load RDF atomically into ``graph`` (or the quads' own graphs for dataset formats).

        Returns the number of quads parsed.
        """
        from graph_service.store.parsing import read_quads  # it imports the engine adapter

        quads = list(read_quads(data, media_type, base_iri=base_iri, graph=graph))
        self._insert_parsed(quads)
        return len(quads)

    @abstractmethod
    def _insert_parsed(self, quads: list[ox.Quad]) -> None:
        """Insert a parsed document's quads (engine quads, from ``parsing.read_quads``) in one
        transaction."""

    @abstractmethod
    def bulk_load(self, quads: Iterable[Quad]) -> int:
        """Fast, non-transactional load for bulk imports (demo fleets, benchmarks)."""
        ...

    def replace_graph(self, graph: URIRef, triples: Iterable[Triple]) -> None:
        """Atomically replace a named graph's content."""
        self.apply(ChangeSet(drop_graphs=[graph],
                             insert=[(s, p, o, graph) for s, p, o in triples]))

    @abstractmethod
    def graph(self, graph: URIRef) -> Graph:
        """One named graph as an rdflib Graph."""
        ...

    @abstractmethod
    def graphs(self) -> list[URIRef]: ...

    @abstractmethod
    def contains_graph(self, graph: URIRef) -> bool: ...

    def graphs_matching(self, keys: Iterable[URIRef | tuple[URIRef, URIRef]],
                        graphs: Sequence[URIRef]) -> list[URIRef]:
        """The graphs of ``graphs`` that hold a triple matching one of ``keys``: a predicate, or
        a pair (predicate, object). An adapter without cheap index lookups answers every graph
        (it may answer more graphs than match, never fewer)."""
        return list(graphs)

    def has_triple(self, subject: Node | None, predicate: URIRef, obj: Node | None) -> bool:
        """Whether any graph holds a triple matching the pattern (None: any term). An adapter
        without cheap index lookups may answer True when unsure (never False wrongly)."""
        return True

    @abstractmethod
    def count(self, graph: URIRef | None = None) -> int:
        """Number of quads (in one graph, or in the whole store)."""
        ...

    @abstractmethod
    def dump(self, media_type: RdfFormat, *, graph: URIRef | None = None) -> bytes: ...

    @abstractmethod
    def partition_graph(self, graph: URIRef,
                        among: Sequence[URIRef]) -> dict[URIRef | None, bytes]:
        """The triples of ``graph`` as N-Triples, keyed by the first graph of ``among`` that
        also holds each of them (key ``None``: held by none). One lookup per triple, so the
        cost is the size of ``graph``, however large the graphs of ``among`` are."""
        ...

    @abstractmethod
    def flush(self) -> None: ...

    @abstractmethod
    def close(self) -> None: ...
