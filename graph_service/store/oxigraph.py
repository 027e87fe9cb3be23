"""Embedded store adapter: pyoxigraph (RocksDB on disk, or in memory).

The only module that imports pyoxigraph. Engine facts that shape it (pyoxigraph 0.5):

* one ``Store.update`` call is atomic, so every multi-step write is compiled into one update;
* ``Store.query`` has no timeout or cancel; results are lazy, so the deadline and the row limit
  are checked while materialising. A query that computes for long before its first row (an
  aggregate over a huge join) cannot be interrupted in-process: the caller stops waiting at the
  deadline (see ``graph_service/services/sparql.py``) and the worker thread finishes in the
  background.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from graph_service.store import result_formats
from graph_service.store.base import (
    ChangeSet,
    GraphStore,
    Quad,
    QueryEvaluationError,
    QueryKind,
    QueryOptions,
    QueryResult,
    QuerySyntaxError,
    QueryTimeout,
    RdfFormat,
    RdfSyntaxError,
    ResultFormat,
    ResultTooLarge,
    Term,
    Triple,
    UnsupportedFormat,
    engine_message,
)
from graph_service.store.sparql_text import retract_update
from graph_service.store.values import with_values_block

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

_RDF_FORMATS: dict[RdfFormat, ox.RdfFormat] = {
    RdfFormat.TURTLE: ox.RdfFormat.TURTLE,
    RdfFormat.N_TRIPLES: ox.RdfFormat.N_TRIPLES,
    RdfFormat.N_QUADS: ox.RdfFormat.N_QUADS,
    RdfFormat.TRIG: ox.RdfFormat.TRIG,
    RdfFormat.JSON_LD: ox.RdfFormat.JSON_LD,
    RdfFormat.RDF_XML: ox.RdfFormat.RDF_XML,
}

_QUERY_ERROR_POSITION = re.compile(r"error at (\d+):(\d+)")


# ---------------------------------------------------------------------------------------------
# term conversion
# ---------------------------------------------------------------------------------------------
def to_ox(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot store term {term!r}")


def from_ox(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Term:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    raise TypeError(f"unsupported term {term!r}")


def _graph_name(graph: URIRef | None) -> ox.NamedNode | ox.DefaultGraph:
    return ox.DefaultGraph() if graph is None else ox.NamedNode(str(graph))


def _nt(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
    """N-Triples / SPARQL syntax of a term (pyoxigraph's str() escapes correctly)."""
    return str(term)


def is_valid_iri(text: str) -> bool:
    """Whether ``text`` is an absolute IRI the engine accepts (RFC 3987, as oxiri checks it)."""
    try:
        ox.NamedNode(text)
    except (ValueError, TypeError):
        return False
    return True


def _iri(iri: str) -> str:
    """``<iri>`` for SPARQL text, after checking it is an IRI (so it cannot break out of ``<>``).

    Raises ``ValueError`` for anything that is not an absolute IRI.
    """
    return str(ox.NamedNode(str(iri)))


class OxigraphResult(QueryResult):
    """A materialised pyoxigraph result."""

    def __init__(
        self,
        kind: QueryKind,
        variables: list[str],
        rows: list[ox.QuerySolution] | None = None,
        triples: list[ox.Triple] | None = None,
        boolean: bool = False,
    ) -> None:
        self.kind = kind
        self.variables = variables
        self._rows = rows or []
        self._triples = triples or []
        self._boolean = boolean

    @property
    def boolean(self) -> bool:
        return self._boolean

    def __len__(self) -> int:
        if self.kind is QueryKind.SELECT:
            return len(self._rows)
        if self.kind is QueryKind.GRAPH:
            return len(self._triples)
        return 1

    def rows(self) -> Iterator[dict[str, Term]]:
        names = self.variables
        for solution in self._rows:
            row: dict[str, Term] = {}
            for name in names:
                value = solution[name]
                if value is not None:
                    row[name] = from_ox(value)
            yield row

    def triples(self) -> Iterator[Triple]:
        for triple in self._triples:
            yield (from_ox(triple.subject), from_ox(triple.predicate), from_ox(triple.object))

    def serialize(self, media_type: str) -> bytes:
        if self.kind is QueryKind.GRAPH:
            fmt = _RDF_FORMATS[RdfFormat.from_name(media_type)]
            return ox.serialize(self._triples, format=fmt)
        fmt = ResultFormat.from_name(media_type)
        if self.kind is QueryKind.ASK:
            return result_formats.serialize_boolean(self._boolean, fmt.value)
        return result_formats.serialize_solutions(self._rows, self.variables, fmt.value)


# ---------------------------------------------------------------------------------------------
# the adapter
# ---------------------------------------------------------------------------------------------
class OxigraphStore(GraphStore):
    def __init__(self, path: str | Path | None = None, *, ephemeral: bool = False) -> None:
        """``path=None`` (or ':memory:') opens an in-memory store. ``ephemeral``: ``path`` is a
        private temporary directory, removed (with everything in it) on :meth:`close`."""
        if path is None or str(path) == ":memory:":
            self._store = ox.Store()
            self.path: Path | None = None
        else:
            self.path = Path(path)
            self.path.mkdir(parents=True, exist_ok=True)
            self._store = ox.Store(str(self.path))
        self.ephemeral = ephemeral and self.path is not None
        if self.ephemeral and self.path is not None:
            # Removed at close, or when the object is collected or the interpreter exits.
            import shutil
            import weakref

            weakref.finalize(self, shutil.rmtree, str(self.path.parent), ignore_errors=True)
        # Serialises writes that read before they write (the ChangeSet's SPARQL parts); plain
        # reads never take it.
        self._write_lock = threading.Lock()
        # Counts writes (acknowledged or not): query snapshots older than this are stale.
        self.generation = 0

    def _wrote(self) -> None:
        self.generation += 1

    # -- queries -----------------------------------------------------------------------------
    def _evaluate(self, sparql: str, options: QueryOptions, timeout: float | None,
                  max_rows: int | None) -> OxigraphResult:
        kwargs: dict = {"base_iri": options.base_iri}
        inlined = None
        if options.bindings:
            terms = {k: to_ox(v) for k, v in options.bindings.items()}
            kwargs["substitutions"] = {ox.Variable(k): term for k, term in terms.items()}
            if not any(isinstance(term, ox.BlankNode) for term in terms.values()):
                # Also as VALUES in the WHERE group: the planner then uses the value (see values.py)
                inlined = with_values_block(sparql, {k: str(t) for k, t in terms.items()})
        if options.explicit:
            # An explicit dataset replaces the whole dataset (as the SPARQL protocol's
            # default-graph-uri/named-graph-uri do): the part not given is empty, so no other
            # graph is reachable, neither through the default graph nor through GRAPH.
            defaults, named = options.dataset()
            kwargs["default_graph"] = [_graph_name(g) for g in defaults]
            if not options.all_named_graphs:
                kwargs["named_graphs"] = [ox.NamedNode(str(g)) for g in named]
        elif options.union_default_graph:
            kwargs["use_default_graph_as_union"] = True
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            if inlined is not None:
                try:
                    result = self._store.query(inlined, **kwargs)
                except SyntaxError:  # not a group we understood: substitution alone is exact
                    result = self._store.query(sparql, **kwargs)
            else:
                result = self._store.query(sparql, **kwargs)
            return self._materialise(result, deadline, timeout, max_rows)
        except SyntaxError as exc:
            raise _query_syntax_error(exc) from None
        except OSError as exc:
            raise QueryEvaluationError(_engine_message(exc)) from None
        except RuntimeError as exc:
            raise QueryEvaluationError(_engine_message(exc)) from None

    @staticmethod
    def _materialise(
        result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples,
        deadline: float | None,
        timeout: float | None,
        max_rows: int | None,
    ) -> OxigraphResult:
        if isinstance(result, ox.QueryBoolean):
            return OxigraphResult(QueryKind.ASK, [], boolean=bool(result))
        items: list = []
        # One row past the limit proves the result is too large without reading the rest.
        overflow = (max_rows + 1) if max_rows is not None else None
        check = time.monotonic
        for item in result:
            items.append(item)
            if overflow is not None and len(items) >= overflow:
                raise ResultTooLarge(max_rows or 0)
            if deadline is not None and check() > deadline:
                raise QueryTimeout(timeout or 0)
        if deadline is not None and check() > deadline:
            raise QueryTimeout(timeout or 0)
        if isinstance(result, ox.QuerySolutions):
            names = [v.value for v in result.variables]
            return OxigraphResult(QueryKind.SELECT, names, rows=items)
        return OxigraphResult(QueryKind.GRAPH, [], triples=items)

    # -- writes ------------------------------------------------------------------------------
    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        try:
            with self._write_lock:
                try:
                    self._store.update(sparql, base_iri=base_iri)
                finally:
                    self._wrote()
        except SyntaxError as exc:
            raise _query_syntax_error(exc) from None
        except (OSError, RuntimeError) as exc:
            raise QueryEvaluationError(_engine_message(exc)) from None

    def apply(self, changes: ChangeSet) -> None:
        if changes.is_empty():
            return
        if not (changes.delete or changes.sparql_before or changes.sparql_after):
            # Inserts only: the engine's quad API, one transaction (``Store.extend`` is
            # atomic), without generating and parsing SPARQL text (several times faster).
            # Blank nodes keep the SPARQL path (INSERT DATA makes them fresh per update).
            quads = _engine_quads(changes.insert)
            if quads is not None:
                with self._write_lock:
                    # Retractions and drops that match nothing are no-ops: a fresh battery's
                    # write (its stage graphs, derived graph and custody record do not exist
                    # yet) is an insert. Checked under the lock every write of this store
                    # takes, so nothing can add what they would remove before the insert.
                    if not self._removes_anything(changes):
                        try:
                            self._store.extend(quads)
                        finally:
                            self._wrote()
                        return
        self.update(_change_update(changes))

    def _removes_anything(self, changes: ChangeSet) -> bool:
        for pattern in changes.retract:
            subject = None if pattern.subject is None else ox.NamedNode(str(pattern.subject))
            predicate = None if pattern.predicate is None else ox.NamedNode(
                str(pattern.predicate))
            matches = self._store.quads_for_pattern(subject, predicate, None,
                                                    ox.NamedNode(str(pattern.graph)))
            if next(iter(matches), None) is not None:
                return True
        return any(self._has_quads(ox.NamedNode(str(graph))) for graph in changes.drop_graphs)

    def _insert_parsed(self, quads: list[ox.Quad]) -> None:
        with self._write_lock:
            try:
                self._store.extend(quads)
            finally:
                self._wrote()

    def bulk_load(self, quads: Iterable[Quad]) -> int:
        count = 0

        def convert() -> Iterator[ox.Quad]:
            nonlocal count
            for s, p, o, g in quads:
                count += 1
                yield ox.Quad(to_ox(s), to_ox(p), to_ox(o), _graph_name(g))

        with self._write_lock:
            try:
                self._store.bulk_extend(convert())
            finally:
                self._wrote()
        return count

    def bulk_load_bytes(self, data: bytes | BinaryIO, media_type: RdfFormat, *,
                        graph: URIRef | None = None, base_iri: str | None = None) -> None:
        """Fast non-transactional load of a serialized document (used by ``dbp load``), from
        bytes or a binary stream (e.g. a gzip file: never held in memory as a whole; streams
        are N-Quads of our own benchmark fleets, RDF/XML comes as bytes only)."""
        if media_type is RdfFormat.RDF_XML:
            from graph_service.store.parsing import reject_unsafe_xml  # it imports this module

            if not isinstance(data, bytes):
                raise UnsupportedFormat("RDF/XML is bulk-loaded from bytes only")
            reject_unsafe_xml(data)
        try:
            with self._write_lock:
                try:
                    self._store.bulk_load(
                        data, format=_RDF_FORMATS[media_type], base_iri=base_iri,
                        to_graph=None if graph is None else ox.NamedNode(str(graph)),
                    )
                finally:
                    self._wrote()
        except SyntaxError as exc:
            raise _rdf_syntax_error(exc) from None

    def copy_from(self, other: OxigraphStore) -> None:
        """Add every quad of ``other`` (engine terms throughout: no rdflib round trip)."""
        with self._write_lock:
            try:
                self._store.extend(other._store)
            finally:
                self._wrote()

    # -- reads -------------------------------------------------------------------------------
    def graph(self, graph: URIRef) -> Graph:
        result = Graph()
        for quad in self._store.quads_for_pattern(None, None, None, ox.NamedNode(str(graph))):
            result.add((from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)))
        return result

    # A named graph exists while it holds a quad. Oxigraph also remembers graphs that were
    # created empty or emptied by deletions; a remote quad store (and the remote adapter) does
    # not, so both adapters answer for non-empty graphs only.
    def _has_quads(self, graph: ox.NamedNode) -> bool:
        return next(iter(self._store.quads_for_pattern(None, None, None, graph)), None) is not None

    def graphs(self) -> list[URIRef]:
        return sorted(
            URIRef(g.value)
            for g in self._store.named_graphs()
            if isinstance(g, ox.NamedNode) and self._has_quads(g)
        )

    def contains_graph(self, graph: URIRef) -> bool:
        return self._has_quads(ox.NamedNode(str(graph)))

    def has_triple(self, subject: Node | None, predicate: URIRef, obj: Node | None) -> bool:
        try:
            pattern = (None if subject is None else to_ox(subject), ox.NamedNode(str(predicate)),
                       None if obj is None else to_ox(obj))
        except (ValueError, TypeError):  # not a term the engine holds: cannot rule it out
            return True
        return next(iter(self._store.quads_for_pattern(*pattern)), None) is not None

    def graphs_matching(self, keys: Iterable[URIRef | tuple[URIRef, URIRef]],
                        graphs: Sequence[URIRef]) -> list[URIRef]:
        # One index seek per graph and key, stopping at a graph's first match.
        try:
            patterns = [(ox.NamedNode(str(key[0])), ox.NamedNode(str(key[1])))
                        if isinstance(key, tuple) else (ox.NamedNode(str(key)), None)
                        for key in keys]
        except ValueError:  # not an absolute IRI: no lookup can rule a graph out
            return list(graphs)
        kept = []
        for graph in graphs:
            name = ox.NamedNode(str(graph))
            if any(next(iter(self._store.quads_for_pattern(None, predicate, obj, name)), None)
                   is not None for predicate, obj in patterns):
                kept.append(graph)
        return kept

    def count(self, graph: URIRef | None = None) -> int:
        if graph is None:
            return len(self._store)
        return sum(1 for _ in self._store.quads_for_pattern(None, None, None,
                                                            ox.NamedNode(str(graph))))

    def dump(self, media_type: RdfFormat, *, graph: URIRef | None = None) -> bytes:
        fmt = _RDF_FORMATS[media_type]
        if graph is None and not media_type.supports_datasets:
            raise UnsupportedFormat(
                f"{media_type.value} holds one graph; dump the whole store as N-Quads or TriG, "
                "or name a graph"
            )
        if graph is None:
            return self._store.dump(format=fmt)
        return self._store.dump(format=fmt, from_graph=ox.NamedNode(str(graph)))

    def partition_graph(self, graph: URIRef,
                        among: Sequence[URIRef]) -> dict[URIRef | None, bytes]:
        store = self._store
        names = [(key, ox.NamedNode(str(key))) for key in among]
        parts: dict[URIRef | None, list[ox.Triple]] = {}
        for quad in store.quads_for_pattern(None, None, None, ox.NamedNode(str(graph))):
            s, p, o = quad.subject, quad.predicate, quad.object
            key = next((key for key, name in names if ox.Quad(s, p, o, name) in store), None)
            parts.setdefault(key, []).append(ox.Triple(s, p, o))
        return {key: ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
                for key, triples in parts.items()}

    def flush(self) -> None:
        if self.path is not None:
            self._store.flush()

    def backup(self, target: Path) -> None:
        if self.path is None:
            raise UnsupportedFormat("an in-memory store has no on-disk backup")
        self._store.backup(str(target))

    def checkpoint(self, target: Path) -> None:
        """A consistent read-only copy of the store at ``target`` (a RocksDB checkpoint: hard
        links when on the same file system), holding every write that returned before."""
        if self.path is None:
            raise UnsupportedFormat("an in-memory store has no on-disk checkpoint")
        self._store.backup(str(target))

    def close(self) -> None:
        """Flush and release the store (idempotent); an ephemeral store is removed."""
        if not hasattr(self, "_store"):
            return
        self.flush()
        # pyoxigraph closes RocksDB when the object is collected.
        del self._store
        if self.ephemeral and self.path is not None:
            import shutil

            shutil.rmtree(self.path.parent, ignore_errors=True)


def _engine_quads(quads: Sequence[Quad]) -> list[ox.Quad] | None:
    """Engine quads of rdflib quads (``None`` if one has a blank node). Terms repeat a lot
    (graph names, predicates, classes), so each distinct term is converted once."""
    cache: dict[Node | None, ox.NamedNode | ox.Literal | ox.DefaultGraph] = {}
    out: list[ox.Quad] = []
    for quad in quads:
        terms = []
        for position, term in enumerate(quad):
            engine = cache.get(term)
            if engine is None:
                if isinstance(term, BNode):
                    return None
                engine = _graph_name(term) if position == 3 else to_ox(term)  # type: ignore[arg-type]
                cache[term] = engine  # type: ignore[assignment]
            terms.append(engine)
        out.append(ox.Quad(*terms))
    return out


def _quads_block(quads: Sequence[Quad]) -> str:
    """Group quads by graph into SPARQL ``GRAPH <g> { ... }`` blocks."""
    by_graph: dict[str | None, list[str]] = {}
    for s, p, o, g in quads:
        line = f"{_nt(to_ox(s))} {_nt(to_ox(p))} {_nt(to_ox(o))} ."
        by_graph.setdefault(None if g is None else _iri(g), []).append(line)
    parts = []
    for g, lines in by_graph.items():
        body = "\n".join(lines)
        parts.append(body if g is None else f"GRAPH {g} {{\n{body}\n}}")
    return "\n".join(parts)


def _change_update(changes: ChangeSet) -> str:
    """A change set as one SPARQL Update request, in the order :class:`ChangeSet` documents."""
    # One update request is one transaction of the engine: the pattern deletes are its first
    # operations (pyoxigraph offers no transaction spanning quad-API removals and an update).
    operations = [retract_update(pattern) for pattern in changes.retract]
    operations.extend(changes.sparql_before)
    operations.extend(f"DROP SILENT GRAPH {_iri(g)}" for g in changes.drop_graphs)
    if changes.delete:
        operations.append(f"DELETE DATA {{ {_quads_block(changes.delete)} }}")
    if changes.insert:
        operations.append(f"INSERT DATA {{ {_quads_block(changes.insert)} }}")
    operations.extend(changes.sparql_after)
    # Separators on their own line: an operation may end with a "# comment".
    return "\n;\n".join(operations)


def _query_syntax_error(exc: SyntaxError) -> QuerySyntaxError:
    message = str(exc)
    match = _QUERY_ERROR_POSITION.search(message)
    if match:
        return QuerySyntaxError(message, int(match.group(1)), int(match.group(2)))
    return QuerySyntaxError(message, exc.lineno, exc.offset)


def _rdf_syntax_error(exc: SyntaxError) -> RdfSyntaxError:
    return RdfSyntaxError(str(exc.msg if exc.msg else exc), exc.lineno, exc.offset)


def _engine_message(exc: Exception) -> str:
    """Keep the engine's explanation but drop anything that looks like a local file path."""
    return engine_message(str(exc)) or exc.__class__.__name__


def result_from_bytes(body: bytes, max_rows: int | None) -> OxigraphResult:
    """A result read back from SPARQL JSON results or N-Triples (a remote store's answer, a
    query worker's answer)."""
    stripped = body.lstrip()
    if stripped.startswith(b"{"):
        parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        if isinstance(parsed, ox.QueryBoolean):
            return OxigraphResult(QueryKind.ASK, [], boolean=bool(parsed))
        rows = list(parsed)
        if max_rows is not None and len(rows) > max_rows:
            raise ResultTooLarge(max_rows)
        return OxigraphResult(QueryKind.SELECT, [v.value for v in parsed.variables], rows=rows)
    try:
        triples = [q.triple for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]
    except SyntaxError as exc:
        raise RdfSyntaxError(f"unreadable answer from the remote store: {exc}") from None
    if max_rows is not None and len(triples) > max_rows:
        raise ResultTooLarge(max_rows)
    return OxigraphResult(QueryKind.GRAPH, [], triples=triples)
