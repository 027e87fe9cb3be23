"""Remote store adapter: any SPARQL 1.1 Query + Update (+ Graph Store Protocol) endpoint.

Results are fetched in one standard format (SPARQL JSON, N-Triples/N-Quads) and parsed with the
same engine parsers as the embedded adapter, so serialisation, row limits and error shapes are
identical whichever adapter runs. Atomicity of ``apply`` is that of one SPARQL Update request on
the remote store (Oxigraph server, Fuseki/TDB2 and GraphDB execute a request as one transaction).

Variable bindings cannot be passed over the protocol, so they become a ``VALUES`` block (in the
WHERE group, else trailing) built from validated, N-Triples-escaped terms (never from raw user
strings).

Dataset control goes through the protocol's ``default-graph-uri``/``named-graph-uri``; the
protocol has no name for the store's own default graph, so ``None`` in ``default_graph`` cannot be
honoured remotely. ``union_default_graph`` without an explicit dataset is sent as Oxigraph
server's ``union-default-graph`` parameter (other servers need their own union setting).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Mapping, Sequence

import httpx
import pyoxigraph as ox
from rdflib import Graph, URIRef

from graph_service.store.base import (
    ChangeSet,
    GraphStore,
    Quad,
    QueryEvaluationError,
    QueryOptions,
    QuerySyntaxError,
    QueryTimeout,
    RdfFormat,
    StoreError,
    Term,
    UnsupportedFormat,
)
from graph_service.store.oxigraph import (
    _RDF_FORMATS,
    OxigraphResult,
    _change_update,
    _iri,
    from_ox,
    result_from_bytes,
    to_ox,
)
from graph_service.store.sparql_text import has_word
from graph_service.store.values import with_values_block

_BATCH = 5000
_EMPTY_GRAPH = "urn:dbp:empty-graph"
_ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9"
# "error at 3:7: ..." (Oxigraph server), "... at line 3, column 7." (Jena/Fuseki, RDF4J)
_ERROR_POSITION = re.compile(r"error at (\d+):(\d+)|line (\d+), column (\d+)")


def _syntax_error(text: str) -> QuerySyntaxError:
    message = text.strip()[:500]
    match = _ERROR_POSITION.search(message)
    if match is None:
        return QuerySyntaxError(message)
    line, column = (match.group(1), match.group(2)) if match.group(1) else match.group(3, 4)
    return QuerySyntaxError(message, int(line), int(column))


class RemoteStoreError(StoreError):
    """The remote store answered with an error that is not the client's fault."""


class RemoteStore(GraphStore):
    batch_size = _BATCH  # quads per bulk_load request
    # Every quad of the store, with ?g bound to its named graph (unbound: the default graph).
    every_quad = "{ ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } }"

    """Oxigraph server and other engines that follow the SPARQL 1.1 Protocol to the letter; see
    :class:`graph_service.store.virtuoso.VirtuosoStore` for Virtuoso's differences."""

    def __init__(self, query_url: str, update_url: str, store_url: str | None = None,
                 timeout: float = 60.0, *, username: str | None = None,
                 password: str | None = None) -> None:
        self.query_url = query_url
        self.update_url = update_url
        self.store_url = store_url
        self._client = httpx.Client(timeout=timeout, auth=self._auth(username, password))

    def _auth(self, username: str | None, password: str | None) -> httpx.Auth | None:
        return httpx.BasicAuth(username, password or "") if username else None

    def _check_response(self, response: httpx.Response, *, query: bool) -> None:
        """Raise the store error an error response stands for."""
        if response.status_code == 400:
            raise _syntax_error(response.text)
        if response.status_code >= 400:
            raise QueryEvaluationError(
                f"remote store answered {response.status_code}: {response.text.strip()[:300]}"
            )

    # -- protocol helpers ----------------------------------------------------------------------
    def _post_query(self, sparql: str, accept: str, params: list[tuple[str, str]],
                    timeout: float | None) -> bytes:
        try:
            response = self._client.post(
                self.query_url,
                data={"query": sparql},
                params=params,
                headers={"Accept": accept},
                timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT,
            )
        except httpx.TimeoutException:
            raise QueryTimeout(timeout or 0) from None
        except httpx.HTTPError as exc:
            raise RemoteStoreError(f"remote store unreachable: {exc.__class__.__name__}") from None
        self._check_response(response, query=True)
        return self._result_body(response, timeout)

    def _result_body(self, response: httpx.Response, timeout: float | None) -> bytes:
        return response.content

    def _post_update(self, sparql: str) -> None:
        try:
            response = self._client.post(self.update_url, data={"update": sparql})
        except httpx.HTTPError as exc:
            raise RemoteStoreError(f"remote store unreachable: {exc.__class__.__name__}") from None
        self._check_response(response, query=False)

    # -- queries -------------------------------------------------------------------------------
    def _evaluate(self, sparql: str, options: QueryOptions, timeout: float | None,
                  max_rows: int | None) -> OxigraphResult:
        text, params, accept = self._prepare_query(sparql, options)
        started = time.monotonic()
        body = self._post_query(text, accept, params, timeout)
        if timeout is not None and time.monotonic() - started > timeout:
            raise QueryTimeout(timeout)
        return result_from_bytes(body, max_rows)

    def _prepare_query(self, sparql: str,
                       options: QueryOptions) -> tuple[str, list[tuple[str, str]], str]:
        """The text, protocol parameters and Accept header that ask the server this query."""
        text, accept = self._checked_text(sparql, options)
        if options.base_iri:
            text = f"BASE {_iri(options.base_iri)}\n{text}"
        text = _with_bindings(text, options.bindings)
        pragmas, params = self._dataset(sparql, options)
        # Pragmas go on the first line, so the server's line numbers stay the query's.
        return f"{' '.join(pragmas)} {text}" if pragmas else text, params, accept

    def _checked_text(self, sparql: str, options: QueryOptions) -> tuple[str, str]:
        """The query text to send (before BASE and bindings) and the Accept header for it; an
        engine that departs from the protocol checks or rewrites the text here."""
        return sparql, _ACCEPT

    def _dataset(self, sparql: str,
                 options: QueryOptions) -> tuple[list[str], list[tuple[str, str]]]:
        """Pragmas to put before the text, and protocol parameters, that give the server the
        query's dataset."""
        if options.explicit:
            defaults, named = options.dataset()
            # The protocol has no name for the store's own default graph; it is omitted.
            default_graphs = [str(g) for g in defaults if g is not None]
            if options.all_named_graphs:
                # A protocol dataset with default graphs only has no named graphs (SPARQL 1.1
                # Protocol 2.1.4; `oxigraph serve` follows it): "every named graph" is no
                # dataset at all where the default graph is empty and the text reads graphs
                # (the server's own default graph, which our layout never writes, stands in for
                # the empty one), and the listed graphs otherwise.
                if not default_graphs and has_word(sparql, "GRAPH"):
                    return [], []
                return [], dataset_parameters(default_graphs, [str(g) for g in self.graphs()])
            return [], dataset_parameters(default_graphs, [str(g) for g in named])
        if options.union_default_graph:
            return [], [("union-default-graph", "true")]
        return [], []

    # -- writes --------------------------------------------------------------------------------
    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        self._post_update(f"BASE {_iri(base_iri)}\n{sparql}" if base_iri else sparql)

    def apply(self, changes: ChangeSet) -> None:
        if changes.is_empty():
            return
        self._post_update(_change_update(changes))

    def _insert_parsed(self, quads: list[ox.Quad]) -> None:
        self.apply(ChangeSet(insert=[
            (from_ox(q.subject), from_ox(q.predicate), from_ox(q.object),
             None if isinstance(q.graph_name, ox.DefaultGraph) else URIRef(q.graph_name.value))
            for q in quads]))

    def bulk_load(self, quads: Iterable[Quad]) -> int:
        batch: list[Quad] = []
        count = 0
        for quad in quads:
            batch.append(quad)
            if len(batch) >= self.batch_size:
                self.apply(ChangeSet(insert=batch))
                count += len(batch)
                batch = []
        if batch:
            self.apply(ChangeSet(insert=batch))
            count += len(batch)
        return count

    # -- reads ---------------------------------------------------------------------------------
    def graph(self, graph: URIRef) -> Graph:
        result = self.query(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {_iri(graph)} {{ ?s ?p ?o }} }}"
        )
        out = Graph()
        for triple in result.triples():
            out.add(triple)
        return out

    def graphs(self) -> list[URIRef]:
        result = self._internal_query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(row["g"] for row in result.rows())  # type: ignore[misc]

    def contains_graph(self, graph: URIRef) -> bool:
        return self._internal_query(f"ASK {{ GRAPH {_iri(graph)} {{ ?s ?p ?o }} }}").boolean

    def count(self, graph: URIRef | None = None) -> int:
        pattern = self.every_quad if graph is None else f"GRAPH {_iri(graph)} {{ ?s ?p ?o }}"
        result = self._internal_query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}")
        for row in result.rows():
            return int(row["n"])  # type: ignore[arg-type]
        return 0

    def dump(self, media_type: RdfFormat, *, graph: URIRef | None = None) -> bytes:
        if graph is None and not media_type.supports_datasets:
            raise UnsupportedFormat(
                f"{media_type.value} holds one graph; dump the whole store as N-Quads or TriG"
            )
        if graph is not None:
            result = self.query(
                f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {_iri(graph)} {{ ?s ?p ?o }} }}"
            )
            return result.serialize(media_type.value)
        rows = self._internal_query(f"SELECT ?s ?p ?o ?g WHERE {{ {self.every_quad} }}")._rows
        quads = [ox.Quad(row["s"], row["p"], row["o"], self._graph_name(row["g"]))
                 for row in rows]
        return ox.serialize(quads, format=_RDF_FORMATS[media_type])

    def _internal_query(self, sparql: str) -> OxigraphResult:
        """A query of the adapter itself, over the whole store."""
        return self._evaluate(sparql, QueryOptions(), None, None)

    @staticmethod
    def _graph_name(name: ox.NamedNode | None) -> ox.NamedNode | ox.DefaultGraph:
        """The graph of a quad, from the ``?g`` of :attr:`every_quad`."""
        return ox.DefaultGraph() if name is None else name

    def partition_graph(self, graph: URIRef,
                        among: Sequence[URIRef]) -> dict[URIRef | None, bytes]:
        # One query: each triple of the graph with every listed graph that also holds it.
        if not among:
            data = self.dump(RdfFormat.N_TRIPLES, graph=graph)
            return {None: data} if data.strip() else {}
        # The candidate graphs as constants (Virtuoso leaves GRAPH ?g unbound under a FILTER
        # on an outer variable); the IRIs are checked by _iri.
        candidates = " ".join(_iri(g) for g in among)
        result = self.query(
            f"SELECT ?s ?p ?o ?in WHERE {{ GRAPH {_iri(graph)} {{ ?s ?p ?o }} "
            f"OPTIONAL {{ VALUES ?in {{ {candidates} }} GRAPH ?in {{ ?s ?p ?o }} }} }}",
            named_graphs=[graph, *among], max_rows=None)
        order = {str(key): position for position, key in enumerate(among)}
        best: dict[tuple, int] = {}
        triples: dict[tuple, ox.Triple] = {}
        for solution in result._rows:
            key = (str(solution["s"]), str(solution["p"]), str(solution["o"]))
            triples[key] = ox.Triple(solution["s"], solution["p"], solution["o"])
            found = solution["in"]
            rank = order.get(found.value, len(among)) if found is not None else len(among)
            best[key] = min(best.get(key, len(among)), rank)
        parts: dict[URIRef | None, list[ox.Triple]] = {}
        for key, triple in triples.items():
            rank = best[key]
            parts.setdefault(among[rank] if rank < len(among) else None, []).append(triple)
        return {key: ox.serialize(items, format=ox.RdfFormat.N_TRIPLES)
                for key, items in parts.items()}

    def flush(self) -> None:
        return None

    def close(self) -> None:
        self._client.close()


def _with_bindings(text: str, bindings: Mapping[str, Term] | None) -> str:
    if not bindings:
        return text
    rendered = {name: str(to_ox(term)) for name, term in bindings.items()}
    # Inside the WHERE group the remote planner sees the values (see values.py); a trailing
    # VALUES where no group is found.
    return with_values_block(text, rendered) or (
        f"{text}\nVALUES ({' '.join('?' + n for n in rendered)}) "
        f"{{ ({' '.join(rendered.values())}) }}")


def dataset_parameters(defaults: list[str],
                       named: list[str] | None) -> list[tuple[str, str]]:
    """The protocol's ``default-graph-uri``/``named-graph-uri`` parameters of an explicit
    dataset (``named=None``: every named graph stays reachable). An empty part is sent as one
    graph that holds nothing: no parameter at all would mean the server's whole dataset."""
    params = [("default-graph-uri", g) for g in defaults or [_EMPTY_GRAPH]]
    if named is not None:
        params.extend(("named-graph-uri", g) for g in named or [_EMPTY_GRAPH])
    return params
