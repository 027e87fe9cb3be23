"""Shared read helpers of the REST facade services (batteries, procedures, feedback).

Every read runs over the caller's readable dataset (``SparqlService.dataset_for(principal)``), so
the engine itself enforces the access groups: a caller simply gets no rows for data it may not
read.
Every query is a file of ``queries/facade/`` run by the named-query runner
(``services/sparql/named_queries.py``): ``select``/``construct``/``vocabulary`` take its id.
Values reach queries only as bound terms (SEP-0007 substitution plus a VALUES block, or a VALUES
list). With pyoxigraph a substituted variable must appear in the SELECT projection and is visible
to triple patterns and FILTERs, not to BIND expressions: the files are written accordingly.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping
from decimal import Decimal

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from graph_service.config import Settings
from graph_service.model.graphs import GraphLayout
from graph_service.model.iris import IriMinter, check_identifier
from graph_service.model.read_models import Concept, Term
from graph_service.model.terms import vocab
from graph_service.services.access import Principal
from graph_service.services.access.datasets import reads_derived
from graph_service.services.passports import PassportRepository
from graph_service.services.sparql import Dataset, SparqlService
from graph_service.services.sparql.named_queries import Binding, NamedQueries
from graph_service.store import is_valid_iri
from graph_service.store.base import GraphStore

_INTEGER_TYPES = {XSD.integer, XSD.int, XSD.long, XSD.short, XSD.nonNegativeInteger,
                  XSD.positiveInteger, XSD.unsignedInt, XSD.unsignedLong}
_FLOAT_TYPES = {XSD.decimal, XSD.double, XSD.float}
# Used with fullmatch ("$" would accept a trailing newline).
_VOCAB_LOCAL = re.compile(r"[a-z0-9][a-z0-9._-]{0,127}")
_IRI = re.compile(r"https?://[^\s<>\"{}|\\^`]+")


class BatteryNotFound(LookupError):
    def __init__(self, battery_id: str) -> None:
        super().__init__(f"no battery {battery_id!r} is stored")
        self.battery_id = battery_id


class DerivedDataForbidden(PermissionError):
    """Derived dismantling information is legitimate-interest data (Annex XIII 2)."""

    def __init__(self, what: str = "derived dismantling information") -> None:
        super().__init__(
            f"{what} is legitimate-interest data (EU Battery Regulation Annex XIII 2): "
            "authenticate as a role with legitimate interest (e.g. recycler, repairer, "
            "researcher)"
        )


class UnknownConcept(ValueError):
    """A filter names a concept its vocabulary does not have (a typo would otherwise answer
    with an empty list, as if no battery matched)."""

    def __init__(self, parameter: str, value: str, known: Iterable[str]) -> None:
        super().__init__(f"{parameter}={value[:80]!r} is no concept of its vocabulary; use one "
                         f"of: {', '.join(sorted(known))}")


class InvalidNodeIri(ValueError):
    """A node IRI parameter that is not an absolute http(s) IRI."""


# -- term helpers ------------------------------------------------------------------------------
def local_name(iri: str) -> str:
    for separator in ("#", "/"):
        if separator in iri:
            tail = iri.rsplit(separator, 1)[1]
            if tail:
                return tail
    return iri


def py(term: Node | None) -> object:
    """A JSON-friendly value: numbers and booleans as such, everything else as its lexical form."""
    if term is None:
        return None
    if isinstance(term, Literal):
        if term.datatype == XSD.boolean:
            return str(term).strip().lower() in ("true", "1")
        if term.datatype in _INTEGER_TYPES:
            try:
                return int(str(term))
            except ValueError:
                return str(term)
        if term.datatype in _FLOAT_TYPES:
            try:
                return float(Decimal(str(term)))
            except ArithmeticError:
                return str(term)
        return str(term)
    return str(term)


def number(term: Node | None) -> float | None:
    value = py(term)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value))
    except ValueError:
        return None


def integer(term: Node | None) -> int | None:
    value = number(term)
    return None if value is None else int(value)


def text(term: Node | None) -> str | None:
    return None if term is None else str(term)


def term_model(term: Node) -> Term:
    if isinstance(term, Literal):
        return Term(type="literal", value=str(term),
                    datatype=str(term.datatype) if term.datatype else None,
                    language=term.language)
    if isinstance(term, BNode):
        return Term(type="bnode", value=str(term))
    return Term(type="uri", value=str(term))


def vocab_iri(value: str, scheme: str, what: str) -> URIRef:
    """A vocabulary concept from its local name (``nmc811``) or its full IRI."""
    value = value.strip()
    if "://" in value:
        return node_iri(value, what)
    if not _VOCAB_LOCAL.fullmatch(value):
        check_identifier(value, what)  # raises with the standard message
    return vocab(scheme, value)


def node_iri(value: str, what: str = "node") -> URIRef:
    """A caller's IRI of a node: http(s), and an IRI the engine accepts (RFC 3987, checked by
    the store's parser). A value the pattern lets through - U+FFFD from an undecodable
    ``%F0%9F`` in the URL, a noncharacter, a surrogate - reached the engine's term conversion
    and was a 500."""
    if not _IRI.fullmatch(value or "") or not is_valid_iri(value):
        raise InvalidNodeIri(f"{what} must be an absolute http(s) IRI, got {value[:80]!r}")
    return URIRef(value)


def group_properties(rows: Iterable[Mapping[str, Node]], subject: str = "s", predicate: str = "p",
                     obj: str = "o") -> dict[Node, dict[Node, list[Node]]]:
    """Rows of (subject, predicate, object) as {subject: {predicate: [objects]}}, objects sorted."""
    nodes: dict[Node, dict[Node, list[Node]]] = {}
    for row in rows:
        if subject not in row or predicate not in row or obj not in row:
            continue
        values = nodes.setdefault(row[subject], {}).setdefault(row[predicate], [])
        if row[obj] not in values:
            values.append(row[obj])
    for properties in nodes.values():
        for values in properties.values():
            values.sort(key=str)
    return nodes


def first(properties: Mapping[Node, list[Node]], predicate: Node) -> Node | None:
    values = properties.get(predicate)
    return values[0] if values else None


class GraphReader:
    """Queries over a caller's dataset, battery lookup and cached vocabulary labels."""

    def __init__(self, store: GraphStore, layout: GraphLayout, minter: IriMinter,
                 repository: PassportRepository, sparql: SparqlService,
                 settings: Settings) -> None:
        self.store = store
        self.layout = layout
        self.minter = minter
        self.repository = repository
        self.sparql = sparql
        self.settings = settings
        # Every read of the facade is a query file run by one runner (queries/facade/).
        self.queries = NamedQueries(store, timeout=settings.query_timeout,
                                    max_rows=settings.max_result_rows)
        self.vocabulary_dataset = Dataset(
            default_graph=(layout.ontology, layout.parameters, layout.reference),
            named_graphs=())
        self._labels: dict[str, str | None] = {}
        self._labels_lock = threading.Lock()
        self._schemes: dict[URIRef, frozenset[URIRef]] = {}

    # -- datasets and queries ----------------------------------------------------------------
    def dataset(self, principal: Principal) -> Dataset:
        return self.sparql.dataset_for(principal)

    def may_read_derived(self, principal: Principal) -> bool:
        """Whether the caller reads derived data of any battery (of which ones: its dataset)."""
        return reads_derived(principal, self.sparql.policy)

    def require_derived(self, principal: Principal, what: str = "derived dismantling "
                        "information") -> None:
        if not self.may_read_derived(principal):
            raise DerivedDataForbidden(what)

    def select(self, query_id: str, dataset: Dataset, *, limit: int | None = None,
               offset: int | None = None, **bindings: Binding) -> list[dict[str, Node]]:
        """Rows of the facade query ``queries/facade/{query_id}.rq`` over ``dataset``."""
        return self.queries.select(query_id, dataset, limit=limit, offset=offset, **bindings)

    def construct(self, query_id: str, dataset: Dataset, **bindings: Binding) -> Graph:
        return self.queries.construct(query_id, dataset, **bindings)

    def properties_of(self, nodes: Node | list[Node], dataset: Dataset
                      ) -> dict[Node, dict[Node, list[Node]]]:
        """The properties of one node or of several (one query) as {node: {predicate:
        [objects]}}, objects sorted."""
        return group_properties(self.select("node-properties", dataset, s=nodes))

    def properties(self, node: Node, dataset: Dataset) -> dict[Node, list[Node]]:
        """One node's properties as {predicate: [objects]}; empty where it has none."""
        return self.properties_of(node, dataset).get(node, {})

    def vocabulary(self, query_id: str, **bindings: Binding) -> list[dict[str, Node]]:
        """A facade query over the vocabulary graphs every caller may read (ontology,
        parameters, the reference ontologies)."""
        return self.queries.select(query_id, self.vocabulary_dataset, **bindings)

    def require_concept(self, concept: URIRef, scheme: URIRef, parameter: str,
                        given: str) -> URIRef:
        """``concept`` when the SKOS scheme ``scheme`` has it; else :class:`UnknownConcept`
        naming the parameter and the scheme's concepts (read once per scheme)."""
        known = self._schemes.get(scheme)
        if known is None:
            rows = self.vocabulary("scheme-concepts", scheme=[scheme])
            known = frozenset(row["c"] for row in rows if isinstance(row["c"], URIRef))
            self._schemes[scheme] = known
        if concept not in known:
            raise UnknownConcept(parameter, given, (local_name(str(c)) for c in known))
        return concept

    # -- batteries ---------------------------------------------------------------------------
    def require_battery(self, battery_id: str) -> URIRef:
        iri = self.minter.battery(battery_id)  # validates the identifier
        if not self.repository.exists(battery_id):
            raise BatteryNotFound(battery_id)
        return iri

    # -- labels ------------------------------------------------------------------------------
    def label(self, iri: Node | None) -> str | None:
        if not isinstance(iri, URIRef):
            return None
        key = str(iri)
        if key not in self._labels:
            self.load_labels([iri])
        return self._labels.get(key)

    def load_labels(self, iris: Iterable[Node]) -> None:
        """Read the labels of the terms not yet cached, all in one query (a page of batteries
        costs one label query, not one per term)."""
        wanted = {iri for iri in iris if isinstance(iri, URIRef) and str(iri) not in self._labels}
        if not wanted:
            return
        rows = self.vocabulary("concept-labels", c=sorted(wanted, key=str))
        best: dict[str, tuple[int, str]] = {}
        for row in rows:
            value = row.get("l")
            if not isinstance(value, Literal):
                continue
            score = {"en": 3, None: 2}.get(value.language, 1)
            key = str(row["c"])
            current = best.get(key)
            if current is None or score > current[0] or (score == current[0]
                                                         and str(value) < current[1]):
                best[key] = (score, str(value))
        with self._labels_lock:
            for iri in wanted:
                found = best.get(str(iri))
                self._labels[str(iri)] = found[1] if found else None

    def concept(self, iri: Node | None) -> Concept | None:
        if not isinstance(iri, URIRef):
            return None
        return Concept(iri=str(iri), id=local_name(str(iri)), label=self.label(iri))

    def concepts(self, iris: Iterable[Node]) -> list[Concept]:
        found = [c for iri in iris if (c := self.concept(iri)) is not None]
        return sorted(found, key=lambda c: (c.id, c.iri))


__all__ = [
    "BatteryNotFound",
    "DerivedDataForbidden",
    "GraphReader",
    "InvalidNodeIri",
    "UnknownConcept",
    "first",
    "group_properties",
    "integer",
    "local_name",
    "node_iri",
    "number",
    "py",
    "term_model",
    "text",
    "vocab_iri",
]
