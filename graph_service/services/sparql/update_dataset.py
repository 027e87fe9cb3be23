"""The dataset of a SPARQL Update: the same default graph as a query, read from a real parse.

SPARQL 1.1 Update evaluates each ``DELETE/INSERT ... WHERE`` over a dataset, by default the graph
store's default graph. A query in this service reads, as its default graph, the merge of the
caller's readable graphs (docs/access.md); the engine's own default graph is not part of it.
One rule for both (docs/access.md, "SPARQL Update"):

* **The default graph is the merge, for queries and updates alike.** A ``WHERE`` that reads the
  default graph, in an operation without ``USING``/``WITH``, gets ``USING`` clauses naming the
  graphs of the admin's query default graph, inserted in front of its ``WHERE`` keyword (the
  position comes from the parse), plus ``USING NAMED`` for the graphs its ``GRAPH <iri>``
  patterns name (a ``USING`` without ``USING NAMED`` leaves no named graph). A ``WHERE`` that
  reads only through ``GRAPH`` patterns keeps every named graph, as an admin's query does. One
  that reads the default graph *and* ``GRAPH ?variable`` cannot have both, and is refused: it
  names its graphs with ``USING``/``USING NAMED`` itself.
* **The default graph is not written.** A merge is not a place to put triples: ``INSERT DATA``,
  ``DELETE DATA``, ``DELETE WHERE`` and templates without ``WITH`` must name their graph
  (``GRAPH <g> { ... }``), and ``CLEAR``/``DROP``/``ADD``/``MOVE``/``COPY`` never name
  ``DEFAULT``. Refused otherwise (400), never written somewhere no query reads.
* **Protocol dataset.** ``using-graph-uri`` / ``using-named-graph-uri`` (SPARQL 1.1 Protocol
  2.2.3) act as ``USING`` / ``USING NAMED`` on every ``DELETE/INSERT ... WHERE``; with them, an
  operation must not have ``USING``, ``USING NAMED`` or ``WITH`` itself (400), and a
  ``DELETE WHERE`` (which cannot carry ``USING``) is refused rather than run over another dataset.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pyparsing import ParseBaseException
from rdflib import Variable
from rdflib.plugins.sparql import parser as sparql_parser
from rdflib.plugins.sparql.parserutils import CompValue

from graph_service.services.sparql.query_analysis import (
    RDFLIB_PARSE_LOCK,
    _Context,
    _declarations,
    _install_position_actions,
)

_OPERATION_NAMES = {
    "InsertData": "INSERT DATA", "DeleteData": "DELETE DATA", "DeleteWhere": "DELETE WHERE",
    "Modify": "DELETE/INSERT ... WHERE", "Clear": "CLEAR", "Drop": "DROP", "Add": "ADD",
    "Move": "MOVE", "Copy": "COPY", "Create": "CREATE", "Load": "LOAD",
}
_NAME_THE_GRAPH = ("the default graph is the merge of the graphs you may read, not a stored "
                   "graph; name the graph to write with GRAPH <iri> { ... } (or WITH <iri>)")


class UpdateDatasetRefused(ValueError):
    """An update this service will not run over its dataset rule (400); says which operation."""


class UnparsableUpdate(ValueError):
    """The engine accepts the text but our SPARQL 1.1 parser does not, so its dataset cannot be
    decided (400)."""


@dataclass(frozen=True)
class _Reads:
    """What a WHERE pattern reads."""

    default_graph: bool
    graph_variables: bool
    graph_iris: tuple[str, ...]


def parse_update(text: str) -> object:
    """rdflib's parse tree of an update (positions recorded); raises ``UnparsableUpdate``."""
    _install_position_actions()
    try:
        with RDFLIB_PARSE_LOCK:
            return sparql_parser.UpdateUnit.parse_string(text, parse_all=True)[0]
    except ParseBaseException as exc:
        where = f" (at line {exc.lineno}, column {exc.col})"
        raise UnparsableUpdate(
            f"our SPARQL 1.1 parser does not accept this update{where}, so the graphs it "
            "reads and writes cannot be decided; fix its syntax") from None
    except RecursionError:
        raise UnparsableUpdate("this update is nested too deeply to be checked") from None


def with_dataset(text: str, base_iri: str | None, default_graphs: Sequence[str],
                 using: Sequence[str] = (), using_named: Sequence[str] = ()) -> str:
    """``text`` with the USING clauses that give each operation the service's dataset (see the
    module docstring); raises ``UpdateDatasetRefused`` for what the rule refuses.

    ``default_graphs``: the admin's query default graph; ``using``/``using_named``: the
    protocol's ``using-graph-uri``/``using-named-graph-uri`` (absolute IRIs, checked)."""
    tree = parse_update(text)
    context = _Context(_declarations(tree), base_iri)
    protocol = bool(using or using_named)
    insertions: list[tuple[int, str]] = []
    for number, operation in enumerate(_part(tree, "request") or [], start=1):
        name = _OPERATION_NAMES.get(operation.name, operation.name)

        def refuse(reason: str, name: str = name, number: int = number) -> None:
            raise UpdateDatasetRefused(f"operation {number} ({name}): {reason}")

        if operation.name in ("InsertData", "DeleteData", "DeleteWhere"):
            if _default_triples(_part(operation, "quads")):
                refuse(f"writes to the default graph; {_NAME_THE_GRAPH}")
            if operation.name == "DeleteWhere" and protocol:
                refuse("using-graph-uri/using-named-graph-uri cannot apply to DELETE WHERE; "
                       "write it as DELETE { ... } WHERE { ... }")
        elif operation.name in ("Clear", "Drop"):
            if str(_part(operation, "graphiri")) == "DEFAULT":
                refuse(f"names DEFAULT; {_NAME_THE_GRAPH}")
        elif operation.name in ("Add", "Move", "Copy"):
            if any(str(g) == "DEFAULT" for g in _part(operation, "graph") or []):
                refuse(f"names DEFAULT; {_NAME_THE_GRAPH}")
        elif operation.name == "Modify":
            insertion = _modify(operation, context, default_graphs, using, using_named, refuse)
            if insertion is not None:
                insertions.append(insertion)
    for position, clauses in sorted(insertions, reverse=True):
        text = f"{text[:position]} {clauses}\n{text[position:]}"
    return text


def _modify(operation: CompValue, context: _Context, default_graphs: Sequence[str],
            using: Sequence[str], using_named: Sequence[str], refuse) -> tuple[int, str] | None:
    own_dataset = bool(_part(operation, "withClause") or _part(operation, "using"))
    templates = [_part(operation, part) for part in ("delete", "insert")]
    if not _part(operation, "withClause") and any(
            template is not None and _default_triples(_part(template, "quads"))
            for template in templates):
        refuse(f"its template writes to the default graph; {_NAME_THE_GRAPH}")
    where = operation["_where"]
    if using or using_named:
        if own_dataset:
            refuse("has USING, USING NAMED or WITH and the request also has "
                   "using-graph-uri/using-named-graph-uri; the SPARQL 1.1 Protocol allows one "
                   "of them, not both")
        return where, _clauses(using, using_named)
    if own_dataset:
        return None  # the text's own dataset, standard SPARQL Update
    reads = _reads(_part(operation, "where"), context, where)
    if not reads.default_graph:
        return None  # GRAPH patterns only: every named graph, as an admin's query
    if reads.graph_variables:
        refuse("its WHERE reads the default graph and GRAPH ?variable; a USING clause cannot "
               "keep every named graph, so name the graphs it reads with USING <iri> and "
               "USING NAMED <iri> (or the using-graph-uri/using-named-graph-uri parameters)")
    return where, _clauses(default_graphs, reads.graph_iris)


def _part(node: object, key: str) -> object:
    """A part of a parse node, or None (``CompValue.get`` answers the key itself when absent)."""
    return dict.get(node, key) if isinstance(node, dict) else None


def _clauses(default: Sequence[str], named: Sequence[str]) -> str:
    lines = [f"USING <{iri}>" for iri in default]
    lines.extend(f"USING NAMED <{iri}>" for iri in dict.fromkeys(named))
    return "\n".join(lines)


def _default_triples(quads: object) -> bool:
    """Whether a quad block (``Quads``) has triples outside ``GRAPH``."""
    return isinstance(quads, CompValue) and bool(_part(quads, "triples"))


def _reads(pattern: object, context: _Context, position: int) -> _Reads:
    """Which graphs a WHERE pattern reads: triple patterns outside GRAPH (in sub-selects and
    EXISTS too) read the default graph."""
    default = False
    variables = False
    iris: list[str] = []

    def walk(node: object, inside_graph: bool) -> None:
        nonlocal default, variables
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern":
                return  # answered by the remote endpoint (already replaced by our federation)
            if node.name == "GraphGraphPattern":
                term = _part(node, "term")
                if isinstance(term, Variable):
                    variables = True
                else:
                    iri, _ = context.term(term, position)
                    iris.append(str(iri))
                walk(_part(node, "graph"), True)
                return
            if node.name == "TriplesBlock" and _part(node, "triples") and not inside_graph:
                default = True
            for value in node.values():
                walk(value, inside_graph)
        elif isinstance(node, dict):
            for value in node.values():
                walk(value, inside_graph)
        elif isinstance(node, list | tuple) or hasattr(node, "as_list"):
            for value in node:  # type: ignore[attr-defined]
                walk(value, inside_graph)

    walk(pattern, False)
    return _Reads(default, variables, tuple(iris))


__all__ = ["UnparsableUpdate", "UpdateDatasetRefused", "parse_update", "with_dataset"]
