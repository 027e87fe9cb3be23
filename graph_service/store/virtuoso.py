"""Remote store adapter for OpenLink Virtuoso 7 (open-source edition), over its SPARQL endpoint.

Virtuoso speaks the SPARQL 1.1 Protocol, but differs from it where our access control depends on
it. Each difference found (tests/store/test_remote_store.py runs the whole store contract against
a real Virtuoso) and how this adapter handles it:

* FROM / FROM NAMED in the query text are *added* to the protocol's ``default-graph-uri`` /
  ``named-graph-uri`` instead of being overridden by them (a FROM could widen a reader's
  dataset). With an explicit dataset the adapter blanks the query's dataset clauses and adds
  ``DEFINE input:freeze``, under which Virtuoso refuses any graph outside the protocol dataset.
* Virtuoso-only syntax (``DEFINE`` pragmas: input graphs, network fetches with ``get:soft``)
  and built-in SQL functions named by ``bif:`` / ``sql:`` IRIs are reachable from query text.
  Every query is first parsed by the embedded engine's standard SPARQL 1.1 parser (so syntax
  errors carry the same line and column as the embedded store), and IRIs in the ``bif:``,
  ``sql:`` schemes are refused.
* There is no store default graph: every triple is in a graph, a query without a dataset sees
  the union of all graphs, and ``INSERT DATA`` without ``GRAPH`` is refused. The store's own
  default graph is kept in the graph ``urn:dbp:store-default-graph``; every request names its
  dataset so that graph is the default graph and not a named one.
* The database holds Virtuoso's own graphs (its RDF views metadata, the service description,
  the LDP vocabulary). They are excluded from every dataset (``input:named-graph-exclude``) and
  never listed, counted, dumped or dropped; ``DROP ALL`` / ``CLEAR ALL`` would be silently ignored
  by Virtuoso, so the adapter refuses them.
* A server-side time limit returns *partial* results ("anytime queries") flagged only in the
  ``X-SQL-State`` header; the adapter turns them into :class:`QueryTimeout`.
* Blank nodes come back as ``nodeID://b123`` labels, which are not valid blank node labels; the
  adapter rewrites them. ``BNODE()`` is not implemented by Virtuoso 7 (refused with an error).
* Updates need an account with the SPARQL_UPDATE role: the adapter uses ``/sparql-auth`` with
  HTTP digest authentication.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import httpx
import pyoxigraph as ox
from rdflib import BNode, URIRef

from graph_service.store.base import (
    ChangeSet,
    Quad,
    QueryEvaluationError,
    QueryOptions,
    QuerySyntaxError,
    QueryTimeout,
    RdfFormat,
    StoreError,
)
from graph_service.store.oxigraph import (
    OxigraphResult,
    _iri,
    _quads_block,
    _query_syntax_error,
    result_from_bytes,
)
from graph_service.store.remote import (
    _EMPTY_GRAPH,
    RemoteStore,
    RemoteStoreError,
    _syntax_error,
    dataset_parameters,
)
from graph_service.store.sparql_text import (
    has_word,
    iris_in_schemes,
    retract_update,
    tokens,
    without_dataset_clauses,
)

STORE_DEFAULT_GRAPH = URIRef("urn:dbp:store-default-graph")
# Graphs a fresh Virtuoso 7 database holds for itself.
SYSTEM_GRAPHS = (
    "http://www.openlinksw.com/schemas/virtrdf#",
    "http://www.w3.org/ns/ldp#",
    "http://localuriqaserver/sparql",
)
_VIRTUOSO_LINE = re.compile(r"SPARQL compiler, line (\d+)")
_REFUSED_SCHEMES = ("bif:", "sql:")
_JSON = "application/sparql-results+json"
_NTRIPLES = "application/n-triples"
_BNODE_LABEL = re.compile(rb'("type": "bnode", "value": ")nodeID://')
_BNODE_IRI = re.compile(rb"<nodeID://(\w+)>")
_WHOLE_STORE_UPDATE = re.compile(r"^\s*(DROP|CLEAR)\s+(SILENT\s+)?(ALL|NAMED)\s*$", re.I)
_DEFAULT_UPDATE = re.compile(r"^\s*(DROP|CLEAR)\s+(SILENT\s+)?DEFAULT\s*$", re.I)
# pyoxigraph parses a query when it is asked, and evaluates a SELECT/CONSTRUCT only when its
# results are read: an empty store parses with the same grammar and positions as the embedded
# adapter, and nothing of the query runs.
_PARSER = ox.Store()
_LARGE_LOAD_BYTES = 4 * 1024 * 1024  # Virtuoso refuses update requests over 10 MB
_MAY_FAIL = {"DROP", "CLEAR", "CREATE", "ADD", "MOVE", "COPY"}
_OPERATIONS = _MAY_FAIL | {"INSERT", "DELETE", "LOAD"}


def _check_update_syntax(sparql: str) -> None:
    """Parse an update with the embedded engine's standard grammar (the same positions as the
    embedded adapter): it runs on a fresh empty store, so it changes nothing that matters."""
    try:
        ox.Store().update(sparql)
    except SyntaxError as exc:
        raise _query_syntax_error(exc) from None
    except (OSError, RuntimeError, ValueError):
        pass  # an evaluation error on the empty store is no syntax error


def graph_security_sql(username: str) -> list[str]:
    """SQL (run once, as DBA) that lets ``username`` read and write every graph but Virtuoso's
    own, and gives unauthenticated callers no graph at all."""
    group = "http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs"
    statements = [
        f"DB.DBA.RDF_GRAPH_GROUP_CREATE('{group}', 1)",
        "DB.DBA.RDF_DEFAULT_USER_PERMS_SET('nobody', 0, 0)",
        "DB.DBA.RDF_DEFAULT_USER_PERMS_SET('nobody', 0, 1)",
        f"DB.DBA.RDF_DEFAULT_USER_PERMS_SET('{username}', 15, 0)",
        f"DB.DBA.RDF_DEFAULT_USER_PERMS_SET('{username}', 0, 1)",
    ]
    for graph in SYSTEM_GRAPHS:
        statements.append(f"DB.DBA.RDF_GRAPH_GROUP_INS('{group}', '{graph}')")
        statements.append(f"DB.DBA.RDF_GRAPH_USER_PERMS_SET('{graph}', '{username}', 0)")
    return statements


class VirtuosoStore(RemoteStore):
    # Every triple is in a graph: the store's default graph is STORE_DEFAULT_GRAPH.
    every_quad = "GRAPH ?g { ?s ?p ?o }"

    def __init__(self, query_url: str, update_url: str, store_url: str | None = None,
                 timeout: float = 60.0, *, username: str | None = None,
                 password: str | None = None,
                 system_graphs: Sequence[str] = SYSTEM_GRAPHS) -> None:
        super().__init__(query_url, update_url, store_url, timeout, username=username,
                         password=password)
        self.system_graphs = tuple(system_graphs)
        self._account_checked = False

    def _auth(self, username: str | None, password: str | None) -> httpx.Auth | None:
        # /sparql-auth asks for digest authentication
        return httpx.DigestAuth(username, password or "") if username else None

    # -- errors --------------------------------------------------------------------------------
    def _check_response(self, response: httpx.Response, *, query: bool) -> None:
        if response.status_code < 400:
            return
        first_line = response.text.strip().splitlines()[0][:300] if response.text.strip() else ""
        if query and response.status_code in (400, 500):
            # Queries were parsed locally first: what Virtuoso refuses now is a construct it
            # does not implement, or a graph outside the frozen dataset.
            raise QueryEvaluationError(f"Virtuoso refused the query: {first_line}")
        if response.status_code == 400 or "SP030" in first_line:
            line = _VIRTUOSO_LINE.search(first_line)
            if line is None:
                raise _syntax_error(first_line)
            raise QuerySyntaxError(first_line, int(line.group(1)))
        raise QueryEvaluationError(f"Virtuoso answered {response.status_code}: {first_line}")

    def _result_body(self, response: httpx.Response, timeout: float | None) -> bytes:
        if response.headers.get("X-SQL-State") == "S1TAT":  # an "anytime" partial result
            raise QueryTimeout(timeout or 0)
        return self._result_body_of(response.content)

    @staticmethod
    def _result_body_of(body: bytes) -> bytes:
        if b'"vars": ["__ASK_RETVAL"]' in body[:200]:
            # Virtuoso answers ASK as a one-column table: one row "1" for true, none for false.
            answer = b'"value": "1"' in body
            return b'{"head": {}, "boolean": %s}' % (b"true" if answer else b"false")
        if b"nodeID://" in body:
            body = _BNODE_LABEL.sub(rb"\1", body)
            body = _BNODE_IRI.sub(rb"_:\1", body)
        return body

    # -- queries -------------------------------------------------------------------------------
    def _checked_text(self, sparql: str, options: QueryOptions) -> tuple[str, str]:
        """Refuse what standard SPARQL 1.1 does not allow, and Virtuoso's built-in function
        IRIs; the text without its dataset clauses when the dataset is explicit (they would
        widen it: see above), and the Accept header for the query's form."""
        if has_word(sparql, "ASK") and has_word(sparql, "SERVICE"):
            # An ASK is evaluated when parsed: skip the local parse rather than call the
            # SERVICE from here. Virtuoso parses it instead.
            parsed: object = ox.QueryBoolean
            if has_word(sparql, "DEFINE"):
                raise QueryEvaluationError("Virtuoso DEFINE pragmas are not SPARQL; refused")
        else:
            try:
                parsed = _PARSER.query(sparql, base_iri=options.base_iri)
            except SyntaxError as exc:
                raise _query_syntax_error(exc) from None
            except (OSError, RuntimeError):
                parsed = None
        refused = iris_in_schemes(sparql, _REFUSED_SCHEMES)
        if refused:
            raise QueryEvaluationError(
                f"IRIs in the bif: and sql: schemes call Virtuoso built-ins; refused: {refused[0]}")
        accept = _NTRIPLES if isinstance(parsed, ox.QueryTriples) else _JSON
        return (without_dataset_clauses(sparql) if options.explicit else sparql), accept

    def _check_account(self) -> None:
        """Refuse to work through an account that sees Virtuoso's own graphs: without graph
        security a GRAPH ?g over "every named graph" would include them."""
        if self._account_checked:
            return
        visible = self._post_query(
            f"ASK {{ GRAPH {_iri(self.system_graphs[0])} {{ ?s ?p ?o }} }}", _JSON, [], None)
        if result_from_bytes(visible, None).boolean:
            raise StoreError(
                "the Virtuoso account can read Virtuoso's own graphs; set up graph security "
                "first (docs/scale-out.md, graph_service.store.virtuoso.graph_security_sql)")
        self._account_checked = True

    def _default_graph_is_empty(self) -> bool:
        answer = self._post_query(
            f"ASK {{ GRAPH {_iri(STORE_DEFAULT_GRAPH)} {{ ?s ?p ?o }} }}", _JSON, [], None)
        return not result_from_bytes(self._result_body_of(answer), None).boolean

    def _dataset(self, text: str,
                 options: QueryOptions) -> tuple[list[str], list[tuple[str, str]]]:
        """Pragmas and protocol parameters that give Virtuoso the contract's dataset.

        Virtuoso 7.2 quirk: once a default graph is set (parameter or pragma) and no named
        graph is, ``GRAPH ?g`` still ranges over every graph but ``GRAPH <iri>`` matches
        nothing. So "every named graph" is sent as no dataset at all where the default graph
        does not matter (an empty default graph and a query that only uses GRAPH patterns,
        where the union default graph is then never read), and as the listed graphs otherwise.
        """
        self._check_account()
        sentinel = str(STORE_DEFAULT_GRAPH)
        freeze = ['DEFINE input:freeze "dataset"']
        uses_graph = has_word(text, "GRAPH")
        if not options.explicit:
            if options.union_default_graph:
                return [], []
            if not uses_graph:
                return [f"DEFINE input:default-graph-uri {_iri(sentinel)}"], []
            if self._default_graph_is_empty():
                return [], []  # the default graph is the union: see the docstring
            # GRAPH ?g would also see the store's default graph: name the graphs
            return freeze, [("default-graph-uri", sentinel),
                            *(("named-graph-uri", str(g)) for g in self.graphs())]
        default_graph, named_graphs = options.dataset()
        defaults = [sentinel if g is None else str(g) for g in default_graph]
        named = [str(g) for g in named_graphs]
        if options.all_named_graphs:
            if not defaults and uses_graph:
                return [], []
            named = [str(g) for g in self.graphs()]
        return freeze, dataset_parameters(defaults, named)

    def _internal_query(self, sparql: str) -> OxigraphResult:
        """A query of the adapter itself, over every graph the account can read (without the
        dataset pragmas of a caller's query)."""
        self._check_account()
        accept = _NTRIPLES if sparql.lstrip().upper().startswith("CONSTRUCT") else _JSON
        return result_from_bytes(self._post_query(sparql, accept, [], None), None)

    # -- writes --------------------------------------------------------------------------------
    def _update_text(self, sparql: str, *, alone: bool = False) -> str:
        """Refuse what Virtuoso would ignore or could fail half-way through; return the text.

        Virtuoso compiles a whole update request before running it (a syntax error changes
        nothing), but does not roll back operations that ran when a later one fails at run
        time: an operation that can fail at run time is refused before anything is sent.
        """
        if _WHOLE_STORE_UPDATE.match(sparql):
            raise QueryEvaluationError(
                "DROP/CLEAR ALL and NAMED are refused on Virtuoso (it would ignore them, or "
                "touch its own graphs); drop the graphs by name")
        if _DEFAULT_UPDATE.match(sparql):
            return f"DROP SILENT GRAPH {_iri(STORE_DEFAULT_GRAPH)}"
        refused = iris_in_schemes(sparql, _REFUSED_SCHEMES)
        if refused:
            raise QueryEvaluationError(
                f"IRIs in the bif: and sql: schemes call Virtuoso built-ins; refused: {refused[0]}")
        found = tokens(sparql)
        if not any(t.kind == "word" and t.value.upper() == "LOAD" for t in found):
            _check_update_syntax(sparql)
        operations = sum(1 for t in found if t.kind == "word" and t.value.upper() in _OPERATIONS)
        for i, token in enumerate(found):
            keyword = token.value.upper() if token.kind == "word" else ""
            if keyword == "LOAD":
                raise QueryEvaluationError(
                    "LOAD is refused on Virtuoso: a failed fetch would not undo the operations "
                    "before it in the same request")
            if keyword in _MAY_FAIL and not (alone and operations == 1) and not (
                    i + 1 < len(found) and found[i + 1].value.upper() == "SILENT"):
                raise QueryEvaluationError(
                    f"{keyword} without SILENT is refused on Virtuoso: its failure would not "
                    "undo the operations before it in the same request")
        return sparql

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        text = f"BASE {_iri(base_iri)}\n{sparql}" if base_iri else sparql
        self._post_update(self._update_text(text, alone=True))

    def apply(self, changes: ChangeSet) -> None:
        if changes.is_empty():
            return
        operations = [retract_update(pattern) for pattern in changes.retract]
        operations.extend(self._update_text(part) for part in changes.sparql_before)
        operations.extend(f"DROP SILENT GRAPH {_iri(g)}" for g in changes.drop_graphs)
        delete = [_in_store_default(q) for q in changes.delete]
        insert = [_in_store_default(q) for q in changes.insert]
        # Virtuoso's parser runs out of stack on one DATA block of about 5 000 quads: the
        # quads go in several operations of one request.
        for chunk in _chunks(delete):
            operations.append(f"DELETE DATA {{ {_quads_block(chunk)} }}")
        plain = [q for q in insert if not any(isinstance(term, BNode) for term in q)]
        for chunk in _chunks(plain):
            operations.append(f"INSERT DATA {{ {_quads_block(chunk)} }}")
        if len(plain) < len(insert):
            # Virtuoso refuses blank nodes in INSERT DATA; a template with an empty WHERE
            # inserts the same quads (one fresh blank node per label, as INSERT DATA would).
            blank = [q for q in insert if any(isinstance(term, BNode) for term in q)]
            operations.append(f"INSERT {{ {_quads_block(blank)} }} WHERE {{}}")
        operations.extend(self._update_text(part) for part in changes.sparql_after)
        self._post_update("\n;\n".join(operations))

    def load(self, data: bytes, media_type: RdfFormat, *, graph: URIRef | None = None,
             base_iri: str | None = None) -> int:
        """Small documents go in one update request (atomic); Virtuoso refuses a request over
        10 MB, so a larger one is posted graph by graph through the Graph Store Protocol
        (atomic per graph; a multi-graph document that large is not atomic as a whole)."""
        if len(data) < _LARGE_LOAD_BYTES or not self.store_url:
            return super().load(data, media_type, graph=graph, base_iri=base_iri)
        from graph_service.store.parsing import read_quads  # it imports the engine adapter

        parsed = list(read_quads(data, media_type, base_iri=base_iri, graph=graph))
        by_graph: dict[str, list[ox.Triple]] = {}
        for quad in parsed:
            in_default = isinstance(quad.graph_name, ox.DefaultGraph)
            target = str(STORE_DEFAULT_GRAPH) if in_default else quad.graph_name.value
            by_graph.setdefault(target, []).append(quad.triple)
        for target, triples in by_graph.items():
            body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
            try:
                response = self._client.post(self.store_url, params={"graph": target},
                                             content=body,
                                             headers={"Content-Type": "text/turtle"})
            except httpx.HTTPError as exc:
                raise RemoteStoreError(
                    f"remote store unreachable: {exc.__class__.__name__}") from None
            self._check_response(response, query=False)
        return len(parsed)

    # -- reads ---------------------------------------------------------------------------------
    def graphs(self) -> list[URIRef]:
        # SELECT DISTINCT ?g is answered from Virtuoso's graph list, which ignores graph
        # security: its own graphs' names are filtered here.
        hidden = ", ".join(_iri(g) for g in (*self.system_graphs, STORE_DEFAULT_GRAPH))
        result = self._internal_query(
            f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g NOT IN ({hidden})) }}")
        return sorted(URIRef(str(row["g"])) for row in result.rows())

    def _hidden(self, graph: URIRef) -> bool:
        """Virtuoso's own graphs and the one holding the store's default graph are no named
        graphs of the store: never found or counted."""
        return str(graph) in self.system_graphs or graph == STORE_DEFAULT_GRAPH

    def contains_graph(self, graph: URIRef) -> bool:
        return not self._hidden(graph) and super().contains_graph(graph)

    def count(self, graph: URIRef | None = None) -> int:
        return 0 if graph is not None and self._hidden(graph) else super().count(graph)

    def graph(self, graph: URIRef):  # type: ignore[no-untyped-def]
        if str(graph) in self.system_graphs:
            return super().graph(URIRef(_EMPTY_GRAPH))
        return super().graph(graph)

    @staticmethod
    def _graph_name(name: ox.NamedNode | None) -> ox.NamedNode | ox.DefaultGraph:
        in_default = name is None or name.value == str(STORE_DEFAULT_GRAPH)
        return ox.DefaultGraph() if in_default else name


def _chunks(quads: list[Quad], size: int = 2000) -> Iterable[list[Quad]]:
    for start in range(0, len(quads), size):
        yield quads[start:start + size]


def _in_store_default(quad: Quad) -> Quad:
    s, p, o, g = quad
    if g is None:
        return (s, p, o, STORE_DEFAULT_GRAPH)
    if g == STORE_DEFAULT_GRAPH:
        raise StoreError(f"{STORE_DEFAULT_GRAPH} is reserved for the store's default graph")
    return quad
