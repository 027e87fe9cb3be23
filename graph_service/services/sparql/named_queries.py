"""The named-query runner: every read of the REST facade is a query file (``queries/facade/*.rq``)
run here, over the dataset the caller passes; the service's own reads and updates (bootstrap,
migration, ingest, rules, validation: ``queries/internal/*.rq`` and ``*.ru``) are run by the same
runner, built with ``directory=INTERNAL_QUERIES_DIR``.

A query file starts with a header comment::

    # id: battery-properties
    # binds: ?s
    # answers: the properties of one or more nodes (BatterySummary, BatteryItem, ...)

and is a SELECT, CONSTRUCT or ASK that may use the prefixes of ``model/namespaces.PREFIXES``
(prepended by the runner). ``id`` is the file name without ``.rq``; ``binds`` lists every
variable a caller may bind; ``answers`` says which answer the rows feed. Adding a REST read is
adding a file and calling :meth:`NamedQueries.select` (or ``construct``/``ask``) with its id.

Binding is never string formatting of caller input:

* a single rdflib term goes to the store's ``bindings`` (SEP-0007 substitution plus a ``VALUES``
  block the planner sees, ``store/values.py``);
* a sequence of terms becomes one ``VALUES ?var { ... }`` block opening the WHERE group, its terms
  written by rdflib's N-Triples/Turtle serialiser (``.n3()``, which refuses an IRI that is not
  one) - so a page of batteries is read in one query, not one per battery. Blank nodes cannot be
  bound (SPARQL has no syntax for them in ``VALUES``).

A binding of a variable the file does not declare is refused (:class:`UndeclaredBinding`): a
typo would otherwise silently leave the variable free and answer for the whole dataset.
``limit``/``offset`` (SPARQL has no variables for them) are appended as checked integers.

Update files (``.ru``, :meth:`NamedQueries.update` / :meth:`NamedQueries.update_text`) have the
same header; every binding, single term or sequence, becomes a ``VALUES`` block opening the
operation's WHERE group (an update has no SEP-0007 substitution). ``update_text`` gives the text
for a :class:`ChangeSet`'s ``sparql_before``/``sparql_after`` (one atomic change with the rest);
its prefixed names are written out as IRIs instead of a prefix block, because such a text may be
an operation after ``;`` in one request, where pyoxigraph refuses a prologue. A sub-select does
not see the bindings of the group around it: an update file that needs bound values inside one
says where with a line ``# values: ?a ?b`` (replaced by those variables' ``VALUES`` blocks); a
file with such lines gets its blocks there only.

Optional filters: a line of the file ending in ``# only if ?x is bound`` is left out when the
caller does not bind ``?x`` (the battery list's filters). The text chosen is the file's own
lines, never caller input; a filter not asked for costs nothing, where
``FILTER(!BOUND(?x) || EXISTS {...})`` would be evaluated for every battery.

Access control holds by construction: the caller passes its dataset (``SparqlService.dataset_for``
or the vocabulary graphs), and the store evaluates the query over exactly those graphs. The
runner counts executions per query id (``executed``), which tests use to check that a read costs
a fixed number of queries.
"""

from __future__ import annotations

import operator
import re
import threading
from collections import Counter
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from graph_service.config import REPO_ROOT
from graph_service.model.namespaces import PREFIXES
from graph_service.services.sparql.service import Dataset
from graph_service.store.base import GraphStore, QueryResult
from graph_service.store.sparql_text import tokens
from graph_service.store.values import where_group_start

FACADE_QUERIES_DIR = REPO_ROOT / "queries" / "facade"
INTERNAL_QUERIES_DIR = REPO_ROOT / "queries" / "internal"
QUERY_DIRS = (FACADE_QUERIES_DIR, INTERNAL_QUERIES_DIR)  # their files use PREFIX_BLOCK
PREFIX_BLOCK = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())

_HEADER = re.compile(r"^#\s*(id|binds|answers)\s*:\s*(.*?)\s*$")
_VARIABLE = re.compile(r"\?([A-Za-z_][A-Za-z0-9_]*)")
_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")
_ONLY_IF = re.compile(r"#\s*only if \?([A-Za-z_][A-Za-z0-9_]*) is bound\s*$")
_VALUES_HERE = re.compile(r"^\s*#\s*values:\s*((?:\?[A-Za-z_][A-Za-z0-9_]*\s*)+)$", re.MULTILINE)

Binding = Node | Sequence[Node] | Set[Node]


class NamedQueryError(ValueError):
    """A query file without a valid header, or an unknown query id (a programming error)."""


class UndeclaredBinding(NamedQueryError):
    """A caller bound a variable the query file does not declare in ``# binds:``."""

    def __init__(self, query_id: str, names: list[str], declared: frozenset[str]) -> None:
        shown = ", ".join(f"?{n}" for n in names)
        allowed = ", ".join(f"?{n}" for n in sorted(declared)) or "none"
        super().__init__(f"query {query_id!r} does not declare {shown} (binds: {allowed})")


@dataclass(frozen=True)
class NamedQuery:
    id: str
    binds: frozenset[str]
    answers: str
    text: str  # the file's text, without the prefix block
    path: Path
    # (line, the variable that must be bound for the line to be kept, or None)
    lines: tuple[tuple[str, str | None], ...] = ()

    @property
    def is_update(self) -> bool:
        return self.path.suffix == ".ru"

    @property
    def sparql(self) -> str:
        return PREFIX_BLOCK + self.text

    def update_for(self, bound: Set[str]) -> str:
        """The update's text with the prefixed names of ``PREFIXES`` written as IRIs."""
        text = self.text_for(bound)[len(PREFIX_BLOCK):]
        parts, last = [], 0
        for token in tokens(text):
            prefix, _, local = token.value.partition(":")
            if token.kind == "pname" and prefix in PREFIXES:
                parts.append(text[last:token.start])
                parts.append(f"<{PREFIXES[prefix]}{local}>")
                last = token.end
        parts.append(text[last:])
        return "".join(parts)

    def text_for(self, bound: Set[str]) -> str:
        """The query text with the prefix block, without the lines of unbound optional
        filters."""
        if all(condition is None for _, condition in self.lines):
            return self.sparql
        kept = [line for line, condition in self.lines if condition is None or condition in bound]
        return PREFIX_BLOCK + "\n".join(kept) + "\n"


def parse_named_query(path: Path) -> NamedQuery:
    text = path.read_text(encoding="utf-8")
    header: dict[str, str] = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = _HEADER.match(line)
        if match:
            header[match.group(1)] = match.group(2)
    if header.get("id") != path.stem or not _NAME.fullmatch(path.stem):
        raise NamedQueryError(f"{path.name}: the header must start with '# id: {path.stem}'")
    if path.suffix not in (".rq", ".ru"):
        raise NamedQueryError(f"{path.name}: a query file ends in .rq, an update file in .ru")
    if not header.get("answers"):
        raise NamedQueryError(f"{path.name}: the header must say what it answers ('# answers:')")
    binds = header.get("binds", "")
    names = _VARIABLE.findall(binds)
    if binds.strip() not in ("", "-") and len(names) != len(binds.split()):
        raise NamedQueryError(f"{path.name}: '# binds:' lists variables such as '?battery'")
    lines = []
    for line in text.splitlines():
        condition = _ONLY_IF.search(line)
        if condition and condition.group(1) not in names:
            raise NamedQueryError(f"{path.name}: '# only if ?{condition.group(1)} is bound' names "
                                  "a variable '# binds:' does not list")
        lines.append((line, condition.group(1) if condition else None))
    return NamedQuery(id=path.stem, binds=frozenset(names), answers=header["answers"], text=text,
                      path=path, lines=tuple(lines))


@lru_cache(maxsize=4)
def load_named_queries(directory: Path = FACADE_QUERIES_DIR) -> Mapping[str, NamedQuery]:
    """Every query (``.rq``) and update (``.ru``) file of ``directory`` by id (read once per
    process)."""
    paths = sorted([*directory.glob("*.rq"), *directory.glob("*.ru")])
    return {q.id: q for q in (parse_named_query(p) for p in paths)}


def _rendered(term: Node) -> str:
    if isinstance(term, BNode) or not isinstance(term, URIRef | Literal):
        raise NamedQueryError(f"cannot bind {type(term).__name__} values in VALUES")
    try:
        return term.n3()  # rdflib escapes literals and refuses an IRI with <, >, quotes, braces
    except Exception as exc:  # rdflib raises a bare Exception for an IRI it cannot write
        raise NamedQueryError(f"cannot bind {str(term)[:80]!r}: not an IRI") from exc


def _values_block(name: str, terms: Sequence[Node] | Set[Node]) -> str:
    rendered = sorted({_rendered(term) for term in terms})
    return f"VALUES ?{name} {{ {' '.join(rendered)} }}"


def _with_values(query: NamedQuery, bound: Set[str],
                 lists: Mapping[str, Sequence[Node] | Set[Node]]) -> str:
    """The file's text (optional lines chosen by ``bound``) with one ``VALUES`` block per
    entry of ``lists`` opening the WHERE group."""
    text = query.update_for(bound) if query.is_update else query.text_for(bound)
    if query.is_update and _VALUES_HERE.search(text):
        def here(match: re.Match[str]) -> str:
            names = _VARIABLE.findall(match.group(1))
            missing = [n for n in names if n not in lists]
            if missing:
                raise NamedQueryError(f"{query.path.name} needs ?{missing[0]} bound")
            return " ".join(_values_block(n, lists[n]) for n in names)
        return _VALUES_HERE.sub(here, text)
    if not lists:
        return text
    start = where_group_start(text)
    if start is None:
        raise NamedQueryError(f"{query.path.name} has no WHERE group to carry VALUES")
    blocks = " ".join(_values_block(k, v) for k, v in lists.items())
    return f"{text[:start]} {blocks} {text[start:]}"


class NamedQueries:
    """Loads the facade's query files once and runs them with safe bindings."""

    def __init__(self, store: GraphStore, *, timeout: float | None = None,
                 max_rows: int | None = None,
                 directory: Path = FACADE_QUERIES_DIR) -> None:
        self.store = store
        self.timeout = timeout
        self.max_rows = max_rows
        self.queries = load_named_queries(directory)
        self.executed: Counter[str] = Counter()
        self._lock = threading.Lock()

    def get(self, query_id: str) -> NamedQuery:
        try:
            return self.queries[query_id]
        except KeyError:
            raise NamedQueryError(f"no query file {query_id}.rq") from None

    def run(self, query_id: str, dataset: Dataset, *, limit: int | None = None,
            offset: int | None = None, timeout: float | None = None,
            max_rows: int | None = None, **bindings: Binding) -> QueryResult:
        query = self._checked(query_id, bindings, update=False)
        single = {k: v for k, v in bindings.items() if isinstance(v, Node)}
        text = _with_values(query, bindings.keys(),
                            {k: v for k, v in bindings.items() if not isinstance(v, Node)})
        # SPARQL has no variables for LIMIT/OFFSET: integers only, checked here.
        if limit is not None:
            text += f"\nLIMIT {operator.index(limit)}"
        if offset is not None:
            text += f"\nOFFSET {operator.index(offset)}"
        with self._lock:
            self.executed[query_id] += 1
        return self.store.query(
            text,
            bindings=single or None,  # type: ignore[arg-type]
            default_graph=list(dataset.default_graph),
            named_graphs=list(dataset.named_graphs),
            all_named_graphs=dataset.all_named,
            timeout=self.timeout if timeout is None else timeout,
            max_rows=self.max_rows if max_rows is None else max_rows,
        )

    def _checked(self, query_id: str, bindings: Mapping[str, Binding], *,
                 update: bool) -> NamedQuery:
        query = self.get(query_id)
        if query.is_update != update:
            kind = "an update (.ru)" if query.is_update else "a query (.rq)"
            raise NamedQueryError(f"{query_id} is {kind}")
        undeclared = sorted(set(bindings) - query.binds)
        if undeclared:
            raise UndeclaredBinding(query_id, undeclared, query.binds)
        return query

    def update_text(self, query_id: str, **bindings: Binding) -> str:
        """The update file's text with its bindings (each a ``VALUES`` block), for a
        :class:`ChangeSet`; :meth:`update` runs it alone."""
        query = self._checked(query_id, bindings, update=True)
        lists = {k: [v] if isinstance(v, Node) else v for k, v in bindings.items()}
        with self._lock:
            self.executed[query_id] += 1
        return _with_values(query, bindings.keys(), lists)

    def update(self, query_id: str, **bindings: Binding) -> None:
        self.store.update(self.update_text(query_id, **bindings))

    def select(self, query_id: str, dataset: Dataset, *, limit: int | None = None,
               offset: int | None = None, timeout: float | None = None,
               **bindings: Binding) -> list[dict[str, Node]]:
        result = self.run(query_id, dataset, limit=limit, offset=offset, timeout=timeout,
                          **bindings)
        return list(result.rows())  # type: ignore[arg-type]

    def construct(self, query_id: str, dataset: Dataset, **bindings: Binding) -> Graph:
        graph = Graph()
        for triple in self.run(query_id, dataset, **bindings).triples():
            graph.add(triple)
        return graph

    def ask(self, query_id: str, dataset: Dataset, *, timeout: float | None = None,
            **bindings: Binding) -> bool:
        return self.run(query_id, dataset, timeout=timeout, **bindings).boolean

    def total(self) -> int:
        """Queries run so far (all ids)."""
        with self._lock:
            return sum(self.executed.values())


__all__ = [
    "FACADE_QUERIES_DIR",
    "INTERNAL_QUERIES_DIR",
    "QUERY_DIRS",
    "Dataset",
    "NamedQueries",
    "NamedQuery",
    "NamedQueryError",
    "UndeclaredBinding",
    "load_named_queries",
    "parse_named_query",
]
