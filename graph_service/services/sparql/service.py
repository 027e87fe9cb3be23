"""SPARQL query and update execution over a caller's readable dataset.

Contract 5 lives here: every query runs with an explicit ``default_graph``/``named_graphs`` list
handed to the engine, so FROM, FROM NAMED, GRAPH and property paths can reach only graphs the
caller may read. Protocol ``default-graph-uri``/``named-graph-uri`` parameters and the query's own
FROM clauses can narrow that dataset, never widen it.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from rdflib import URIRef

from graph_service.config import Settings
from graph_service.model.graphs import GraphLayout
from graph_service.services.access import Principal, Role
from graph_service.services.access.custody import CustodyRecords
from graph_service.services.access.datasets import custody_partitions, readable_graphs
from graph_service.services.access.policy import AccessPolicy
from graph_service.services.rdf.rdf_io import serialize_graph
from graph_service.services.sparql.federation import (
    Federation,
    ServiceNotAllowed,
    check_allowed,
)
from graph_service.services.sparql.query_analysis import (
    InvalidCodePoint,
    QueryAnalysis,
    Unparsable,
    analyse_query,
    analyse_update,
    default_graph_read_keys,
)
from graph_service.services.sparql.query_text import (
    DatasetClauses,
    check_complexity,
    inspect_query,
)
from graph_service.services.sparql.service_description import build_service_description
from graph_service.services.sparql.update_dataset import UnparsableUpdate, with_dataset
from graph_service.store import is_valid_iri, open_memory_store
from graph_service.store.base import (
    GraphStore,
    QueryEvaluationError,
    QueryKind,
    QueryResult,
    QuerySyntaxError,
    QueryTimeout,
    StoreError,
)

if TYPE_CHECKING:
    from graph_service.store.isolation import QueryIsolation


class UpdateDisabled(Exception):
    """SPARQL Update is switched off (or not permitted for this caller)."""


class WrongOperation(Exception):
    """A query was sent where an update is expected, or the other way round."""


class InvalidGraphIri(QueryEvaluationError):
    """A default-graph-uri / named-graph-uri parameter that is not an absolute IRI (400)."""


class UncheckableText(Exception):
    """A text with the SERVICE (or LOAD) keyword that our SPARQL 1.1 parser does not accept,
    where nothing else stops the engine from calling out: refused (fail closed), 400."""

    def __init__(self, error: Unparsable | None) -> None:
        where = (f" (at line {error.line}, column {error.column})"
                 if error is not None and error.line is not None else "")
        super().__init__(
            "this text mentions SERVICE or LOAD and our SPARQL 1.1 parser does not accept it"
            f"{where}, so it cannot be checked against the SERVICE allow-list; fix its syntax")


class LoadRefused(Exception):
    """SPARQL Update LOAD would make the server fetch a document: 403."""

    def __init__(self) -> None:
        super().__init__("LOAD is refused (the server fetches nothing on a caller's behalf); "
                         "send the data with the Graph Store Protocol or POST /passports")


# How many slow query texts are remembered for pruning (least recently slow forgotten first).
SLOW_TEXTS_KEPT = 4096
# Longer texts are never parsed for pruning (rdflib's parser holds the GIL while it works).
PRUNE_MAX_TEXT_CHARS = 16_384


@dataclass(frozen=True)
class Dataset:
    """The graphs a caller may read: default graph (merged) and named graphs."""

    default_graph: tuple[URIRef | None, ...]  # None = the store's own default graph
    named_graphs: tuple[URIRef, ...]
    # Every named graph of the store is reachable with GRAPH (admins): naming 100k graphs per
    # query would cost more than the query.
    all_named: bool = False


class SparqlService:
    def __init__(self, store: GraphStore, settings: Settings, layout: GraphLayout,
                 policy: AccessPolicy, custody: CustodyRecords,
                 isolation: QueryIsolation | None = None) -> None:
        self.store = store
        self.settings = settings
        self.layout = layout
        # Of which batteries a caller reads legitimate-interest data: the access policy and the
        # custody records (``services/access/datasets.py``).
        self.policy = policy
        self.custody = custody
        # Callers' texts run in killable, sandboxed worker processes when the store has them;
        # otherwise (a private in-memory store, a remote store) in-process, failing closed on
        # anything that might call out.
        self.isolation = isolation
        self.federation = Federation(settings.service_allowlist, settings.base_iri,
                                     max_bytes=settings.federation_max_bytes,
                                     max_rows=settings.max_result_rows,
                                     private_networks=settings.service_private_networks)
        # A dedicated pool: long queries occupy these threads, never the server's own pool
        # that serves health checks and REST routes.
        self._executor = ThreadPoolExecutor(
            max_workers=settings.query_workers, thread_name_prefix="sparql"
        )
        self._descriptions: dict[str, bytes] = {}
        # Built once per role (and, for custody-bound roles, per organisation and set of
        # partitions): every query needs its dataset, and building its graph IRIs (rdflib
        # validates each) showed in the profile of small queries.
        self._datasets: dict[tuple[Role, str | None, tuple[str, ...]], Dataset] = {}
        # Texts that took sparql_prune_after_seconds or longer (oldest first, bounded).
        self._slow_texts: OrderedDict[str, None] = OrderedDict()
        self._slow_lock = threading.Lock()

    # -- datasets ------------------------------------------------------------------------------
    def full_dataset(self) -> Dataset:
        """Admins: the data views and ontology graphs as the default graph (their merge, as for
        every caller; the engine's own default graph is in no dataset and never written, see
        ``update_dataset``); every named graph through GRAPH."""
        graphs = tuple(self.layout.all_data_views())
        return Dataset(default_graph=graphs, named_graphs=(*graphs, self.layout.custody),
                       all_named=True)

    def dataset_for(self, principal: Principal) -> Dataset:
        """The engine-level dataset of a caller (contract 5): its role's access groups, and the
        legitimate-interest data its policy scope names (``services/access/datasets.py``)."""
        partitions = custody_partitions(principal, self.policy, self.custody)
        key = (principal.role, principal.organisation if partitions else None, partitions)
        known = self._datasets.get(key)
        if known is not None:
            return known
        if principal.role is Role.ADMIN:
            dataset = self.full_dataset()
        else:
            graphs = tuple(readable_graphs(principal, self.layout, self.policy, partitions))
            dataset = Dataset(default_graph=graphs, named_graphs=(*graphs, self.layout.custody))
        if len(self._datasets) > 10_000:  # one entry per organisation and partition set
            self._datasets.clear()
        self._datasets[key] = dataset
        return dataset

    @staticmethod
    def effective_dataset(clauses: DatasetClauses, readable: Dataset,
                          default_graph_uris: Sequence[str],
                          named_graph_uris: Sequence[str]) -> Dataset:
        """What a query runs over: ``readable`` narrowed by the protocol's graph parameters or
        else by the query's FROM / FROM NAMED ``clauses``."""
        # FROM / FROM NAMED only narrow the dataset within what the role may read (the engine
        # is always given an explicit dataset), so the light scanner's clauses suffice here; no
        # trust decision depends on them.
        # Protocol parameters, when given, replace the query's whole dataset description, FROM
        # and FROM NAMED alike (SPARQL 1.1 Protocol §2.1.4); they are never mixed.
        if default_graph_uris or named_graph_uris:
            wanted_default, wanted_named = list(default_graph_uris), list(named_graph_uris)
            for name, values in (("default-graph-uri", wanted_default),
                                 ("named-graph-uri", wanted_named)):
                for value in values:
                    if not is_valid_iri(value):
                        raise InvalidGraphIri(f"{name} {value[:200]!r} is not an absolute IRI")
        else:
            wanted_default, wanted_named = clauses.default_graphs, clauses.named_graphs
        if not wanted_default and not wanted_named:
            return readable
        if readable.all_named:
            # Admins may name any graph; FROM/FROM NAMED are taken as given.
            return Dataset(
                default_graph=tuple(URIRef(g) for g in wanted_default),
                named_graphs=tuple(URIRef(g) for g in wanted_named),
            )
        allowed_default = set(readable.default_graph) | set(readable.named_graphs)
        allowed_named = set(readable.named_graphs)
        default = (
            tuple(URIRef(g) for g in wanted_default if URIRef(g) in allowed_default)
            if wanted_default
            else ()
        )
        named = (
            tuple(URIRef(g) for g in wanted_named if URIRef(g) in allowed_named)
            if wanted_named
            else ()
        )
        return Dataset(default_graph=default, named_graphs=named)

    # -- execution -----------------------------------------------------------------------------
    def run_query(
        self,
        query: str,
        dataset: Dataset,
        *,
        timeout: float | None = None,
        max_rows: int | None = None,
    ) -> QueryResult:
        """Blocking: evaluate ``query`` over ``dataset`` within the time and row limits."""
        dataset = self.pruned(query, dataset)
        try:
            return self.store.query(
                query,
                default_graph=list(dataset.default_graph),
                named_graphs=list(dataset.named_graphs),
                all_named_graphs=dataset.all_named,
                base_iri=self.settings.base_iri,
                timeout=timeout or self.settings.query_timeout,
                max_rows=max_rows or self.settings.max_result_rows,
            )
        except StoreError as exc:
            # Free the engine's frames here, on the thread that created them: a deadline or row
            # limit hit while reading leaves pyoxigraph's result iterator in a frame of the
            # traceback, and that object must not be dropped on another thread (the event loop
            # would report "unsendable ... dropped on another thread" and leak it).
            raise exc.with_traceback(None) from None

    def pruned(self, query: str, dataset: Dataset) -> Dataset:
        """``dataset`` less the graphs of its default graph that hold nothing the query can
        match (``sparql_prune_default_graph``), for texts once slow (``_note_duration``).
        Sound because a triple pattern matches only triples of its predicate (or, for
        ``?x a C``, of that class) and a path only through its predicates; whatever can read
        other triples - a DESCRIBE, a variable predicate, a negated property set, a zero-length
        path with a constant end or between two otherwise unbound variables - makes
        ``default_graph_read_keys`` answer None (nothing pruned). Engines read a default graph
        of several graphs with one index lookup per graph and pattern, so each graph left out
        saves a lookup per row of every join."""
        if (not self.settings.sparql_prune_default_graph or len(query) > PRUNE_MAX_TEXT_CHARS
                or not self._is_slow(query)):
            return dataset
        keys = default_graph_read_keys(query, self.settings.base_iri or None)
        graphs = [g for g in dataset.default_graph if g is not None]
        if keys is None or not graphs:
            return dataset
        kept = set(self.store.graphs_matching(keys, graphs))
        default = tuple(g for g in dataset.default_graph if g is None or g in kept)
        if not default:
            # Nothing to read: the empty default graph (an empty tuple would be read as "not
            # given"); keep one graph, which holds no match either.
            default = (graphs[0],)
        return replace(dataset, default_graph=default)

    def _is_slow(self, query: str) -> bool:
        if self.settings.sparql_prune_after_seconds == 0:
            return True
        with self._slow_lock:
            return query in self._slow_texts

    def _note_duration(self, query: str, started: float) -> None:
        """Remember a text whose run took ``sparql_prune_after_seconds`` or longer (timed-out
        runs too): its later runs are pruned."""
        if (time.monotonic() - started < self.settings.sparql_prune_after_seconds
                or len(query) > PRUNE_MAX_TEXT_CHARS):  # never pruned: not worth keeping
            return
        with self._slow_lock:
            self._slow_texts[query] = None
            self._slow_texts.move_to_end(query)
            while len(self._slow_texts) > SLOW_TEXTS_KEPT:
                self._slow_texts.popitem(last=False)

    async def query(
        self,
        query: str,
        dataset: Dataset,
        *,
        default_graph_uris: Sequence[str] = (),
        named_graph_uris: Sequence[str] = (),
        timeout: float | None = None,
    ) -> QueryResult:
        """Evaluate a caller's query text off the event loop within the deadline (pages that
        render rows)."""
        started = time.monotonic()
        try:
            return await self._query(query, dataset, default_graph_uris, named_graph_uris,
                                     timeout)
        finally:
            self._note_duration(query, started)

    async def _query(self, query: str, dataset: Dataset, default_graph_uris: Sequence[str],
                     named_graph_uris: Sequence[str], timeout: float | None) -> QueryResult:
        limit = min(timeout or self.settings.query_timeout, self.settings.query_timeout)
        if self.isolation is not None:
            return await asyncio.wrap_future(self._executor.submit(
                self._isolated_result, query, dataset, default_graph_uris, named_graph_uris,
                limit))
        future = self._executor.submit(self._inspected_query, query, dataset,
                                       default_graph_uris, named_graph_uris, limit)
        try:
            # The store checks the deadline while reading rows; this outer wait covers queries
            # that compute long before their first row (the engine cannot be interrupted).
            return await asyncio.wait_for(asyncio.wrap_future(future), timeout=limit + 0.5)
        except TimeoutError:
            raise QueryTimeout(limit) from None

    async def answer(
        self,
        query: str,
        dataset: Dataset,
        choose_media_type: Callable[[QueryKind], str],
        *,
        default_graph_uris: Sequence[str] = (),
        named_graph_uris: Sequence[str] = (),
        timeout: float | None = None,
    ) -> tuple[bytes, str]:
        """``query`` then its serialisation, in one trip to a query thread (each trip costs a
        thread wake-up, a large part of a small query's time). ``choose_media_type`` picks the
        format once the result's kind is known. The deadline covers the evaluation; a result
        being serialised when it passes is finished."""
        started = time.monotonic()
        try:
            return await self._answer(query, dataset, choose_media_type, default_graph_uris,
                                      named_graph_uris, timeout)
        finally:
            self._note_duration(query, started)

    async def _answer(self, query: str, dataset: Dataset,
                      choose_media_type: Callable[[QueryKind], str],
                      default_graph_uris: Sequence[str], named_graph_uris: Sequence[str],
                      timeout: float | None) -> tuple[bytes, str]:
        limit = min(timeout or self.settings.query_timeout, self.settings.query_timeout)
        if self.isolation is not None:
            return await asyncio.wrap_future(self._executor.submit(
                self._isolated_answer, query, dataset, choose_media_type, default_graph_uris,
                named_graph_uris, limit))
        evaluated = threading.Event()

        def evaluate_and_serialise() -> tuple[bytes, str]:
            result = self._inspected_query(query, dataset, default_graph_uris,
                                           named_graph_uris, limit)
            evaluated.set()
            media_type = choose_media_type(result.kind)
            return result.serialize(media_type), media_type

        future = asyncio.wrap_future(self._executor.submit(evaluate_and_serialise))
        try:
            return await asyncio.wait_for(asyncio.shield(future), timeout=limit + 0.5)
        except TimeoutError:
            if not evaluated.is_set():
                future.cancel()
                raise QueryTimeout(limit) from None
        return await future

    # -- a caller's text: analysis, federation, evaluation ---------------------------------------
    def _analyse(self, query: str) -> QueryAnalysis:
        check_complexity(query)
        try:
            return analyse_query(query, self.settings.base_iri)
        except InvalidCodePoint as exc:
            raise QuerySyntaxError(str(exc), exc.line, exc.column) from None

    def _prepare(self, query: str, deadline: float) -> tuple[str, QueryAnalysis]:
        """The text the engine gets: code points expanded, allow-listed SERVICE clauses replaced
        by their answers; refuses what could call a host that is not allow-listed."""
        analysis = self._analyse(query)
        sandboxed = self.isolation is not None and self.isolation.sandboxed
        if analysis.needs_parse and not analysis.parsed:
            if not sandboxed:
                raise UncheckableText(analysis.syntax_error)
            # In the sandbox the engine cannot open a socket: it may evaluate the text (and
            # fail on any SERVICE in it, answered with the fixed refusal below).
            return analysis.text, analysis
        if not analysis.services:
            return analysis.text, analysis
        check_allowed(analysis.services, self.settings.service_allowlist)
        text = self.federation.rewrite(analysis, deadline)
        if not sandboxed:
            # Nothing but our rewrite stands between the engine and the network here: prove
            # that no SERVICE is left.
            again = self._analyse(text)
            if not again.proven_free_of_service:
                raise ServiceNotAllowed()
        return text, analysis

    def _check_operation(self, query: str, clauses: DatasetClauses) -> None:
        if clauses.is_update and _looks_like_update(query):
            raise WrongOperation("this is a SPARQL Update; send it as an update, not a query")

    def _checked(self, query: str, dataset: Dataset, default_graph_uris: Sequence[str],
                 named_graph_uris: Sequence[str], limit: float
                 ) -> tuple[str, Dataset, QueryAnalysis]:
        """The text the engine gets (see ``_prepare``), once it is known to be a query, and the
        dataset it runs over."""
        text, analysis = self._prepare(query, time.monotonic() + limit)
        clauses = inspect_query(text, base_iri=self.settings.base_iri)
        self._check_operation(text, clauses)
        effective = self.effective_dataset(clauses, dataset, default_graph_uris,
                                           named_graph_uris)
        return text, effective, analysis

    def _inspected_query(self, query: str, dataset: Dataset, default_graph_uris: Sequence[str],
                         named_graph_uris: Sequence[str], limit: float) -> QueryResult:
        """Blocking (a query thread), in-process: check the operation and the dataset, then
        evaluate."""
        text, effective, _ = self._checked(query, dataset, default_graph_uris,
                                           named_graph_uris, limit)
        return self.run_query(text, effective, timeout=limit)

    def _isolated(self, query: str, dataset: Dataset, default_graph_uris: Sequence[str],
                  named_graph_uris: Sequence[str], limit: float
                  ) -> tuple[str, dict, QueryAnalysis]:
        text, effective, analysis = self._checked(query, dataset, default_graph_uris,
                                                  named_graph_uris, limit)
        effective = self.pruned(text, effective)
        arguments = {
            "default_graph": [None if g is None else str(g) for g in effective.default_graph],
            "named_graphs": None if effective.all_named
            else [str(g) for g in effective.named_graphs],
            "base_iri": self.settings.base_iri,
            "timeout": limit,
            "max_rows": self.settings.max_result_rows,
        }
        return text, arguments, analysis

    @staticmethod
    def _refusal(analysis: QueryAnalysis, exc: QueryEvaluationError) -> Exception:
        """An engine error of a text that may hold a SERVICE we could not parse is the
        sandbox's refusal: answer the fixed text, never the engine's network message."""
        if not analysis.proven_free_of_service:
            return ServiceNotAllowed()
        return exc

    def _isolated_answer(self, query: str, dataset: Dataset,
                         choose_media_type: Callable[[QueryKind], str],
                         default_graph_uris: Sequence[str], named_graph_uris: Sequence[str],
                         limit: float) -> tuple[bytes, str]:
        assert self.isolation is not None
        text, arguments, analysis = self._isolated(query, dataset, default_graph_uris,
                                                   named_graph_uris, limit)
        media_types: dict[QueryKind, str | None] = {}
        for kind in QueryKind:
            try:
                media_types[kind] = choose_media_type(kind)
            except Exception:  # nothing acceptable for that kind: said once the kind is known
                media_types[kind] = None
        try:
            answer = self.run_isolated(text, media_types, arguments)
        except QueryEvaluationError as exc:
            raise self._refusal(analysis, exc) from None
        if answer.media_type is None:
            return b"", choose_media_type(answer.kind)  # raises the caller's NotAcceptable
        return answer.body, answer.media_type

    def _isolated_result(self, query: str, dataset: Dataset, default_graph_uris: Sequence[str],
                         named_graph_uris: Sequence[str], limit: float) -> QueryResult:
        assert self.isolation is not None
        text, arguments, analysis = self._isolated(query, dataset, default_graph_uris,
                                                   named_graph_uris, limit)
        try:
            return self.run_isolated(text, None, arguments)
        except QueryEvaluationError as exc:
            raise self._refusal(analysis, exc) from None

    def run_isolated(self, text: str, media_types: dict[QueryKind, str | None] | None,
                     arguments: dict) -> Any:
        """Blocking: evaluate a prepared text in a worker; its serialised answer, or (without
        ``media_types``) a result object. One method, so metrics can time every such query."""
        assert self.isolation is not None
        if media_types is None:
            return self.isolation.run_result(text, **arguments)
        return self.isolation.run(text, media_types=media_types, **arguments)

    # -- updates ---------------------------------------------------------------------------------
    async def update(self, update: str, *, allowed: bool, using_graph_uris: Sequence[str] = (),
                     using_named_graph_uris: Sequence[str] = ()) -> None:
        """Run an admin's update. ``using_graph_uris``/``using_named_graph_uris``: the
        protocol's ``using-graph-uri``/``using-named-graph-uri`` (act as USING/USING NAMED)."""
        if not allowed:
            raise UpdateDisabled(
                "SPARQL Update needs the admin role and an endpoint started with --enable-update"
            )
        for name, values in (("using-graph-uri", using_graph_uris),
                             ("using-named-graph-uri", using_named_graph_uris)):
            for value in values:
                if not is_valid_iri(value):
                    raise InvalidGraphIri(f"{name} {value[:200]!r} is not an absolute IRI")
        await asyncio.wrap_future(self._executor.submit(
            self._inspected_update, update, tuple(using_graph_uris),
            tuple(using_named_graph_uris)))

    def _inspected_update(self, update: str, using: Sequence[str] = (),
                          using_named: Sequence[str] = ()) -> None:
        """Updates run in the writer (this process): the text must parse wherever SERVICE or
        LOAD may occur, LOAD is refused, SERVICE is federated by our code, and the rewritten
        text is proven free of both before the engine sees it. Then it gets the dataset of an
        admin's query (``update_dataset``: USING clauses from a real parse)."""
        check_complexity(update)
        try:
            analysis = analyse_update(update, self.settings.base_iri)
        except InvalidCodePoint as exc:
            raise QuerySyntaxError(str(exc), exc.line, exc.column) from None
        if analysis.needs_parse and not analysis.parsed:
            raise UncheckableText(analysis.syntax_error)
        if analysis.loads:
            raise LoadRefused()
        text = analysis.text
        if analysis.services:
            check_allowed(analysis.services, self.settings.service_allowlist)
            text = self.federation.rewrite(analysis,
                                           time.monotonic() + self.settings.query_timeout)
            again = analyse_update(text, self.settings.base_iri)
            if not again.proven_free_of_service or again.loads:
                raise ServiceNotAllowed()
        default_graphs = [str(g) for g in self.full_dataset().default_graph]
        try:
            text = with_dataset(text, self.settings.base_iri, default_graphs, using, using_named)
        except UnparsableUpdate:
            # The engine's own syntax error (with its position) when it refuses the text too;
            # an empty private store, and no SERVICE or LOAD can be in the text here.
            open_memory_store().update(text, base_iri=self.settings.base_iri)
            raise
        self.store.update(text, base_iri=self.settings.base_iri)

    async def serialize(self, result: QueryResult, media_type: str) -> bytes:
        """Serialise a result on the query threads: at the row limit this takes seconds of pure
        Python, which must not block the event loop (and every other request) meanwhile."""
        return await asyncio.wrap_future(self._executor.submit(result.serialize, media_type))

    def service_description(self, media_type: str) -> bytes:
        cached = self._descriptions.get(media_type)
        if cached is None:
            graph = build_service_description(
                self.settings, self.layout, update_enabled=self.settings.enable_update
            )
            cached = serialize_graph(graph, media_type)
            self._descriptions[media_type] = cached
        return cached

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
        if self.isolation is not None:
            self.isolation.close()


def _looks_like_update(text: str) -> bool:
    """A query form keyword never appears in an update; an update keyword may appear in a query
    only as part of a longer word, which the tokenizer already separates."""
    from graph_service.store.sparql_text import token_values

    for kind, value in token_values(text):
        if kind == "word" and value.upper() in {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}:
            return False
    return True
