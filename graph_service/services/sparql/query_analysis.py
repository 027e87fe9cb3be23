"""What a caller's SPARQL text asks for, read with a real SPARQL 1.1 parser.

Every decision about SERVICE (which endpoints a text names, where each clause starts and ends) is
taken from rdflib's SPARQL 1.1 grammar, never from a token scan: a scanner that takes ``ex:a\\'``
(a legal prefixed name) for the start of a string misses the SERVICE behind it (issue 14).

Code points. SPARQL 1.1 (section 19.2) expands ``\\uXXXX`` / ``\\UXXXXXXXX`` anywhere in the text
before parsing; the engine (pyoxigraph 0.5) only inside strings and IRIs. So that the parser and
the engine read the same text, :func:`expand_code_points` expands them once, here, and the engine
is given that expanded text (:attr:`QueryAnalysis.text`), never the original.

Keyword presence. A SERVICE clause (or LOAD) can only come from the keyword spelled in the
expanded text: the engine expands escapes only inside strings and IRIs, where no keyword can be.
A text whose expanded form does not contain the letters ``service`` (any case) therefore has no
SERVICE clause, and is not parsed for it (rdflib's parser is pure Python and takes tens of
milliseconds for a typical query). That is an over-approximation, not a scan: false positives cost
a parse, false negatives cannot exist.
"""

from __future__ import annotations

import itertools
import re
import threading
import types
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urljoin

from pyparsing import ParseBaseException
from rdflib import RDF, Literal, URIRef, Variable
from rdflib.paths import AlternativePath, InvPath, MulPath, SequencePath
from rdflib.plugins.sparql import parser as sparql_parser
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue, Param, ParamValue

_CODE_POINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_SERVICE_LETTERS = re.compile(r"service", re.IGNORECASE | re.ASCII)
_LOAD_LETTERS = re.compile(r"load", re.IGNORECASE | re.ASCII)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_LOCAL_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
# Texts up to this size are remembered with their analysis (dashboards repeat small queries).
_CACHED_TEXT_CHARS = 16_384

# what a rule's read set holds: a predicate IRI, or (rdf:type, class) for `?x a class`
ReadKey = URIRef | tuple[URIRef, URIRef]


class InvalidCodePoint(ValueError):
    """A ``\\u``/``\\U`` escape that names no Unicode scalar value (a surrogate or > U+10FFFF)."""

    def __init__(self, escape: str, line: int, column: int) -> None:
        super().__init__(f"{escape} at line {line}, column {column} is not a Unicode code point")
        self.line = line
        self.column = column


class Unparsable(ValueError):
    """The SPARQL 1.1 parser did not accept the text (so nothing can be proven about it)."""

    def __init__(self, line: int | None, column: int | None) -> None:
        super().__init__("not accepted by the SPARQL 1.1 parser")
        self.line = line
        self.column = column


def expand_code_points(text: str) -> str:
    """SPARQL 1.1 section 19.2: replace every ``\\uXXXX`` and ``\\UXXXXXXXX`` by its character."""
    if "\\u" not in text and "\\U" not in text:
        return text

    def expand(match: re.Match[str]) -> str:
        value = int(match.group(1) or match.group(2), 16)
        if value > 0x10FFFF or 0xD800 <= value <= 0xDFFF:
            before = text[: match.start()]
            raise InvalidCodePoint(match.group(), before.count("\n") + 1,
                                   match.start() - (before.rfind("\n") + 1) + 1)
        return chr(value)

    return _CODE_POINT.sub(expand, text)


def may_contain_service(expanded: str) -> bool:
    """Whether ``expanded`` (see :func:`expand_code_points`) could hold a SERVICE clause."""
    return _SERVICE_LETTERS.search(expanded) is not None


def may_contain_load(expanded: str) -> bool:
    return _LOAD_LETTERS.search(expanded) is not None


# ---------------------------------------------------------------------------------------------
# where each SERVICE clause and each prologue declaration is (parse actions on rdflib's grammar)
# ---------------------------------------------------------------------------------------------
# rdflib's SPARQL grammar (pyparsing, with parse actions and packrat state) is not thread-safe:
# two parses at once - a request's SERVICE check while the app warms the rule analyses in its
# background thread - failed with "Param.postParse2() missing ... 'tokenList'" (a 500). Every
# parse in the package holds this lock (pure Python under the GIL: nothing is lost).
RDFLIB_PARSE_LOCK = threading.RLock()
_INSTALLED = False


def _service_post_parse(self: object, instring: str, loc: int, tokens: list) -> CompValue:
    """rdflib's ``Comp.postParse`` for ServiceGraphPattern, minus its search of the whole text for
    the first SERVICE (quadratic, and the wrong clause when there are several); ``loc`` is where
    the clause ends, recorded for the splice."""
    result = CompValue("ServiceGraphPattern")
    result["_end"] = loc
    for token in tokens:
        if isinstance(token, ParamValue):
            if token.name == "graph":
                result["_group_start"] = getattr(token, "group_start", None)
            if token.isList:
                result.setdefault(token.name, []).append(token.tokenList)
            else:
                result[token.name] = token.tokenList
    return result


def _record_start(instring: str, loc: int, tokens: list) -> None:
    clause = tokens[0]
    clause["_start"] = loc
    # What rdflib's own evaluator reads (it would otherwise have searched the whole text).
    clause["service_string"] = instring[loc:clause["_end"]]


def _record_declaration(instring: str, loc: int, tokens: list) -> None:
    tokens[0]["_start"] = loc


def _record_group_start(instring: str, loc: int, tokens: list) -> None:
    tokens[0].group_start = loc


def _record_modify_where(instring: str, loc: int, tokens: list) -> ParamValue:
    """The WHERE keyword of a DELETE/INSERT operation: where USING clauses go in front of it.
    Returned as a parameter, so the operation's parse node carries it (``_where``)."""
    return ParamValue("_where", loc, False)


def _keyword_of(element: object, word: str) -> list[object]:
    """The ``word`` keywords that are direct parts of ``element`` (through nested sequences,
    never into named sub-rules)."""
    import pyparsing

    found = []
    for part in getattr(element, "exprs", []):
        if isinstance(part, pyparsing.Keyword) and part.match == word:
            found.append(part)
        elif isinstance(part, pyparsing.And):
            found.extend(_keyword_of(part, word))
    return found


def _install_position_actions() -> None:
    """Teach rdflib's grammar objects to record positions (once per process)."""
    global _INSTALLED
    # Under the parse lock: this rewires grammar elements a parse in another thread may be
    # running through (the 500 described at RDFLIB_PARSE_LOCK).
    with RDFLIB_PARSE_LOCK:
        if _INSTALLED:
            return
        (where,) = _keyword_of(sparql_parser.Modify.expr, "WHERE")
        where.add_parse_action(_record_modify_where)
        service = sparql_parser.ServiceGraphPattern
        service.postParse = types.MethodType(_service_post_parse, service)  # type: ignore[method-assign]
        service.add_parse_action(_record_start)
        # The clause's group parameter is an element of its own (not shared with other rules).
        group = service.expr.exprs[-1]
        assert isinstance(group, Param) and group.name == "graph"
        group.add_parse_action(_record_group_start)
        # Positions must index the text itself: pyparsing would otherwise parse a copy with
        # tabs expanded to spaces (which also changes tabs inside string literals).
        sparql_parser.Query.parse_with_tabs()
        sparql_parser.UpdateUnit.parse_with_tabs()
        sparql_parser.BaseDecl.add_parse_action(_record_declaration)
        sparql_parser.PrefixDecl.add_parse_action(_record_declaration)
        _INSTALLED = True


# ---------------------------------------------------------------------------------------------
# results
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ServiceClause:
    """One ``SERVICE [SILENT] target { group }`` of a text, with its span in the expanded text."""

    start: int
    end: int
    group_start: int  # where the group pattern's "{" is
    target: str | None  # absolute IRI; None for a variable
    variable: str | None
    silent: bool
    prologue: str  # BASE and PREFIX declarations in force there, for the remote query
    outermost: bool


@dataclass(frozen=True)
class QueryAnalysis:
    """The expanded text and what the parser found in it."""

    text: str
    parsed: bool  # False when no parse was needed (no SERVICE keyword) or possible
    services: tuple[ServiceClause, ...] = ()
    loads: tuple[str, ...] = ()  # LOAD source IRIs (updates)
    syntax_error: Unparsable | None = None
    needs_parse: bool = False  # the SERVICE (or LOAD) letters occur: a parse was required

    @property
    def proven_free_of_service(self) -> bool:
        """No SERVICE clause can be in :attr:`text` (no keyword, or parsed and none found)."""
        return not self.needs_parse or (self.parsed and not self.services)


def _resolve(reference: str, base: str | None) -> str:
    if base is None or _SCHEME.match(reference):
        return reference
    return urljoin(base, reference)


def _nodes(tree: object, names: frozenset[str], *, inside_found: bool = True,
           plain_dicts: bool = False) -> list[CompValue]:
    """The nodes of a parse tree with one of ``names``, in walk order (without looking inside
    a found node unless ``inside_found``; through plain dicts only with ``plain_dicts``)."""
    found: list[CompValue] = []

    def walk(node: object) -> None:
        if isinstance(node, CompValue):
            if node.name in names:
                found.append(node)
                if not inside_found:
                    return
            for value in node.values():
                walk(value)
        elif plain_dicts and isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list | tuple) or hasattr(node, "as_list"):
            for value in node:  # type: ignore[attr-defined]
                walk(value)

    walk(tree)
    return found


def _declarations(tree: object) -> list[CompValue]:
    """Base and PrefixDecl nodes anywhere in a parse tree, in text order."""
    found = _nodes(tree, frozenset({"Base", "PrefixDecl"}), inside_found=False)
    return sorted(found, key=lambda d: d.get("_start", 0))


def _service_nodes(tree: object) -> list[CompValue]:
    return _nodes(tree, frozenset({"ServiceGraphPattern"}), plain_dicts=True)


def _load_nodes(tree: object) -> list[CompValue]:
    return _nodes(tree, frozenset({"Load"}))


class _Context:
    """Prefixes and base in force at a position of the text."""

    def __init__(self, declarations: list[CompValue], base_iri: str | None) -> None:
        self.declarations = declarations
        self.base_iri = base_iri

    def at(self, position: int) -> tuple[str | None, dict[str, str]]:
        base, prefixes = self.base_iri, {}
        for declaration in self.declarations:
            if declaration.get("_start", 0) >= position:
                break
            iri = str(declaration["iri"])
            if declaration.name == "Base":
                base = _resolve(iri, base)
            else:
                prefixes[str(declaration.get("prefix") or "")] = _resolve(iri, base)
        return base, prefixes

    def prologue(self, position: int) -> str:
        base, prefixes = self.at(position)
        lines = [f"BASE <{base}>"] if base else []
        lines.extend(f"PREFIX {name}: <{iri}>" for name, iri in prefixes.items())
        return "\n".join(lines)

    def term(self, term: object, position: int) -> tuple[str | None, str | None]:
        """(absolute IRI, None) for an IRI or prefixed name; (None, name) for a variable."""
        if isinstance(term, Variable):
            return None, str(term)
        base, prefixes = self.at(position)
        if isinstance(term, CompValue) and term.name == "pname":
            prefix = str(term.get("prefix") or "")
            local = _LOCAL_ESCAPE.sub(r"\1", str(term.get("localname") or ""))
            if prefix not in prefixes:
                # The engine refuses an undeclared prefix; name something never allow-listed.
                return f"urn:dbp:undeclared-prefix:{prefix}", None
            return prefixes[prefix] + local, None
        return _resolve(str(term), base), None


def _services_in(text: str, tree: object, base_iri: str | None) -> tuple[ServiceClause, ...]:
    context = _Context(_declarations(tree), base_iri)
    nodes = sorted(_service_nodes(tree), key=lambda n: n["_start"])
    clauses = []
    for node in nodes:
        start, end = node["_start"], node["_end"]
        target, variable = context.term(node["term"], start)
        outermost = not any(o["_start"] < start and end <= o["_end"] for o in nodes)
        clauses.append(ServiceClause(
            start=start, end=end, group_start=node["_group_start"], target=target,
            variable=variable, silent="silent" in node, prologue=context.prologue(start),
            outermost=outermost))
    return tuple(clauses)


def _error(exc: ParseBaseException) -> Unparsable:
    return Unparsable(getattr(exc, "lineno", None), getattr(exc, "col", None))


def analyse_query(text: str, base_iri: str | None = None) -> QueryAnalysis:
    """Expand code points; parse when a SERVICE keyword may be present."""
    if len(text) <= _CACHED_TEXT_CHARS:
        return _analyse_cached(text, base_iri, False)
    return _analyse(text, base_iri, False)


def analyse_update(text: str, base_iri: str | None = None) -> QueryAnalysis:
    """As :func:`analyse_query` for SPARQL Update; LOAD also needs a parse."""
    if len(text) <= _CACHED_TEXT_CHARS:
        return _analyse_cached(text, base_iri, True)
    return _analyse(text, base_iri, True)


@lru_cache(maxsize=512)
def _analyse_cached(text: str, base_iri: str | None, update: bool) -> QueryAnalysis:
    return _analyse(text, base_iri, update)


def _analyse(text: str, base_iri: str | None, update: bool) -> QueryAnalysis:
    expanded = expand_code_points(text)
    needs_parse = may_contain_service(expanded) or (update and may_contain_load(expanded))
    if not needs_parse:
        return QueryAnalysis(expanded, parsed=False)
    _install_position_actions()
    grammar = sparql_parser.UpdateUnit if update else sparql_parser.Query
    try:
        with RDFLIB_PARSE_LOCK:
            tree = grammar.parse_string(expanded, parse_all=True)
    except ParseBaseException as exc:
        return QueryAnalysis(expanded, parsed=False, syntax_error=_error(exc), needs_parse=True)
    except RecursionError:  # a deeply nested text: nothing proven
        return QueryAnalysis(expanded, parsed=False, syntax_error=Unparsable(None, None),
                             needs_parse=True)
    services = _services_in(expanded, tree, base_iri)
    loads = tuple(str(node.get("iri")) for node in _load_nodes(tree)) if update else ()
    return QueryAnalysis(expanded, parsed=True, services=services, loads=loads,
                         needs_parse=True)


def parses_as_update(text: str) -> bool:
    """Whether ``text`` is a SPARQL Update (for the "wrong operation" answer only)."""
    try:
        with RDFLIB_PARSE_LOCK:
            sparql_parser.UpdateUnit.parse_string(expand_code_points(text), parse_all=True)
    except (ParseBaseException, RecursionError, InvalidCodePoint):
        return False
    return True


__all__ = [
    "InvalidCodePoint",
    "QueryAnalysis",
    "ServiceClause",
    "Unparsable",
    "analyse_query",
    "analyse_update",
    "expand_code_points",
    "may_contain_service",
    "parses_as_update",
]

_ = URIRef  # rdflib terms appear in parse trees; kept for type readers


# ---------------------------------------------------------------------------------------------
# predicates a query can read
# ---------------------------------------------------------------------------------------------
def _path_predicates(path: object) -> frozenset[URIRef] | None:
    """The IRIs a property path can traverse; None for a negated property set (``!p`` matches
    every predicate but the listed ones) or anything not known to be constant."""
    if isinstance(path, URIRef):
        return frozenset({path})
    if isinstance(path, SequencePath | AlternativePath):
        found: set[URIRef] = set()
        for part in path.args:
            inner = _path_predicates(part)
            if inner is None:
                return None
            found |= inner
        return frozenset(found)
    if isinstance(path, InvPath):
        return _path_predicates(path.arg)
    if isinstance(path, MulPath):
        return _path_predicates(path.path)
    return None  # a variable, a NegatedPath, or a term the walk does not know


def _may_be_empty(path: object) -> bool:
    """Whether a path matches with length zero (``p*``, ``p?``), which pairs every node of the
    graph with itself when both of its ends are variables."""
    if isinstance(path, MulPath):
        return path.zero
    if isinstance(path, SequencePath):
        return all(_may_be_empty(part) for part in path.args)
    if isinstance(path, AlternativePath):
        return any(_may_be_empty(part) for part in path.args)
    if isinstance(path, InvPath):
        return _may_be_empty(path.arg)
    return False


def _bgp_predicates(triples: list, *, constant_ends: bool = True) -> frozenset[ReadKey] | None:
    """The predicates of a BGP's patterns (None: any). A zero-length path between two variables
    also matches every node of the graph, so it depends on triples of any predicate - unless one
    of its variables is also an end of another pattern of the BGP, whose matches (only triples of
    the listed predicates) then decide which nodes can join (the graph only grows in a fixpoint,
    so a node already there stays)."""
    found: set[ReadKey] = set()
    anchored: set[object] = set()
    for subject, predicate, obj in triples:
        if not _may_be_empty(predicate):
            anchored.update(t for t in (subject, obj) if isinstance(t, Variable))
    for subject, predicate, obj in triples:
        if predicate == RDF.type and isinstance(obj, URIRef):
            # `?x a C` matches only rdf:type triples whose object is C
            found.add((RDF.type, obj))
            continue
        inner = _path_predicates(predicate)
        if inner is None:
            return None
        if (_may_be_empty(predicate) and isinstance(subject, Variable)
                and isinstance(obj, Variable) and not {subject, obj} & anchored):
            return None
        if (not constant_ends and _may_be_empty(predicate)
                and not (isinstance(subject, Variable) and isinstance(obj, Variable))):
            # Oxigraph answers the zero-length step of `<x> p* ?y` only when <x> is a node of
            # the default graph, through a triple of any predicate.
            return None
        found |= inner
    return frozenset(found)


def read_keys_of(triples: Iterable[tuple[object, object, object]]) -> set[ReadKey]:
    """The keys a read set is matched against for these (added) triples: each predicate, and for
    an ``rdf:type`` triple also the pair (``rdf:type``, its class)."""
    keys: set[ReadKey] = set()
    for _, predicate, obj in triples:
        keys.add(predicate)  # type: ignore[arg-type]
        if predicate == RDF.type:
            keys.add((RDF.type, obj))  # type: ignore[arg-type]
    return keys


@lru_cache(maxsize=256)
def _parsed(text: str, base_iri: str | None) -> CompValue | None:
    """The algebra of a rule text (None: the parser does not accept it), parsed once for its
    read set, guards and required patterns: rdflib's parser takes ~70 ms a rule. The walks
    only read it."""
    try:
        with RDFLIB_PARSE_LOCK:
            return prepareQuery(text, base=base_iri).algebra
    except Exception:  # any parser failure
        return None


def read_predicates(text: str, base_iri: str | None = None) -> frozenset[ReadKey] | None:
    """The predicate IRIs the triple patterns of a query can match, anywhere in it (property
    paths, OPTIONAL, MINUS, EXISTS and NOT EXISTS in FILTER or BIND, sub-selects); None when it
    can read every predicate (a variable predicate or a negated property set) or the parser
    does not accept the text. A CONSTRUCT template is not read and does not count. A plain
    pattern ``?x rdf:type C`` with a constant class reads only that class: it is keyed as the
    pair (``rdf:type``, C) - see :func:`read_keys_of` - while ``rdf:type`` in a path or with a
    variable class stands for every class.

    Read from rdflib's algebra (prefixes resolved, sequence and inverse paths already split into
    plain patterns where possible), where every triple pattern sits in a BGP node. The pattern
    of an EXISTS / NOT EXISTS is translated into an attribute of its expression node (``graph``)
    while the node's item keeps the parse tree; the walk reads the attribute. Any other
    untranslated block of triples met on the way counts as reading everything."""
    algebra = _parsed(text, base_iri)
    if algebra is None:  # any parser failure: assume the worst
        return None
    return _algebra_read_keys(algebra)


# A necessary condition on an added triple (s, p, o) for one triple pattern with predicate p to
# match it while the rest of its BGP matches too: ("subject", S) s is S; ("object", O) o is the
# IRI O; ("in", q) some triple (?, q, s) exists; ("out", q) some triple (s, q, ?) exists.
Guard = tuple[str, URIRef]
# The guards of one pattern (all must hold); an empty one: any triple of the predicate may match.
Occurrence = frozenset[Guard]


_fresh_variables = itertools.count()


def _steps(subject: object, path: object, obj: object) -> list[tuple]:
    """A pattern as plain patterns where its path is a chain of (inverse) IRIs: ``?s p/^q ?o``
    is ``?s p ?v . ?o q ?v``; any other path stays one pattern."""
    if isinstance(path, URIRef | Variable):
        return [(subject, path, obj)]
    if isinstance(path, InvPath):
        return _steps(obj, path.arg, subject)
    if isinstance(path, SequencePath):
        found: list[tuple] = []
        ends = [subject, *(Variable(f"_guard_step_{next(_fresh_variables)}")
                           for _ in path.args[1:]), obj]
        for index, part in enumerate(path.args):
            found.extend(_steps(ends[index], part, ends[index + 1]))
        return found
    return [(subject, path, obj)]


def _plain(triples: Iterable) -> list[tuple]:
    return [step for s, p, o in triples for step in _steps(s, p, o)]


def _certain(node: object) -> list[tuple]:
    """The patterns every solution of an algebra node matches, in the variables of its scope
    (none for a sub-select, UNION, GRAPH, aggregate or VALUES: nothing is certain there)."""
    if not isinstance(node, CompValue):
        return []
    if node.name == "BGP":
        return _plain(node.get("triples") or ())
    if node.name == "Join":
        return _certain(node.p1) + _certain(node.p2)
    if node.name in ("LeftJoin", "Minus"):
        return _certain(node.p1)
    if node.name in ("Filter", "Extend"):
        return _certain(node.p)
    return []


def required_patterns(text: str, base_iri: str | None = None) -> list[tuple] | None:
    """The plain triple patterns (IRI predicates; variables, IRIs or literals at their ends)
    that every solution of the query's WHERE clause matches: when one matches no triple, the
    query has no solution. None when the text does not parse. Paths are split into their steps
    (fresh variables ``_guard_step_N`` between them)."""
    algebra = _parsed(text, base_iri)
    if algebra is None:  # any parser failure: nothing is known
        return None
    node = algebra.get("p")
    # Projection, DISTINCT, REDUCED, ORDER BY keep whether there is a solution (LIMIT 0 aside:
    # it only removes them); an aggregate does not (one row over no match), nor a sub-select.
    while isinstance(node, CompValue) and node.name in ("Project", "Distinct", "Reduced",
                                                        "OrderBy", "Slice"):
        node = node.p
    return [t for t in _certain(node) if isinstance(t[1], URIRef)]


def read_guards(text: str, base_iri: str | None = None
                ) -> dict[URIRef, frozenset[Occurrence]] | None:
    """Per plain predicate of the query's patterns, the guards of each pattern using it (see
    ``Guard``): a pattern ``?a dbp:rationale ?w`` in a BGP that also says
    ``?b dbp:hasDamageAssessment ?a`` can match an added ``(x dbp:rationale ...)`` only if some
    ``(? dbp:hasDamageAssessment x)`` exists.

    A pattern's guards come from the patterns that must match together with it: its own BGP,
    and the patterns its group is joined with - the required side of an OPTIONAL (a match of
    ``OPTIONAL { ?a dbp:note ?n }`` changes a solution only where ``?a`` is bound by it), the
    group of a FILTER [NOT] EXISTS, a BIND's EXISTS or a MINUS (evaluated per solution of it),
    the other side of a join. A sub-select's variables are its own, so nothing crosses its
    boundary (nor a UNION's branches, a GRAPH or an aggregate). A sequence path is split into
    its steps (``?s p/a C`` is ``?s p ?v . ?v a C``); a predicate under ``*``, ``+``, ``?``
    or ``|`` has an unguarded pattern. None when the text does not parse or reads every
    predicate (see :func:`read_predicates`)."""
    algebra = _parsed(text, base_iri)
    if algebra is None:  # any parser failure: assume the worst
        return None
    if _algebra_read_keys(algebra) is None:
        return None
    found: dict[URIRef, set[Occurrence]] = {}

    def walk(node: object, context: list[tuple]) -> None:
        if isinstance(node, list | tuple | set | frozenset):
            for value in node:
                walk(value, context)
            return
        if not isinstance(node, CompValue):
            return
        name = node.name
        if name in ("Builtin_EXISTS", "Builtin_NOTEXISTS"):
            walk(node.graph, context)
        elif name == "BGP":
            own = _plain(node.get("triples") or ())
            for predicate, occurrence in _bgp_guards(own, context):
                found.setdefault(predicate, set()).add(occurrence)
        elif name == "Join":
            walk(node.p1, context + _certain(node.p2))
            walk(node.p2, context + _certain(node.p1))
        elif name == "LeftJoin":
            walk(node.p1, context)
            walk(node.p2, context + _certain(node.p1))
            walk(node.get("expr"), context + _certain(node.p1) + _certain(node.p2))
        elif name == "Minus":
            walk(node.p1, context)
            walk(node.p2, context + _certain(node.p1))
        elif name in ("Filter", "Extend"):
            walk(node.p, context)
            walk(node.get("expr"), context + _certain(node.p))
        elif name == "Union":
            walk(node.p1, context)
            walk(node.p2, context)
        else:
            # An expression passes its solution on to the EXISTS inside it; any other
            # pattern node (sub-select, GRAPH, aggregate, VALUES) starts a scope of its own.
            inner = context if _is_expression(name) else []
            for key, value in node.items():
                if key != "template":
                    walk(value, inner)

    walk(algebra, [])
    return {predicate: frozenset(occurrences) for predicate, occurrences in found.items()}


def _is_expression(name: str) -> bool:
    return (name.startswith("Builtin_") or name.endswith("Expression")
            or name in ("UnaryNot", "UnaryMinus", "UnaryPlus", "Function", "TrueFilter"))


def _bgp_guards(triples: list, context: list | tuple = ()
                ) -> Iterable[tuple[URIRef, Occurrence]]:
    """Guards of each pattern of a BGP from the patterns that must match with it: the BGP's own
    and ``context`` (patterns of the groups it is joined with, in the same variables)."""
    joined = [t for t in list(triples) + list(context) if isinstance(t[1], URIRef)]
    for subject, predicate, obj in triples:
        if not isinstance(predicate, URIRef):
            for inner in _path_predicates(predicate) or ():
                yield inner, frozenset()
            continue
        guards: set[Guard] = set()
        if isinstance(subject, URIRef):
            guards.add(("subject", subject))
        if isinstance(obj, URIRef):
            guards.add(("object", obj))
        if not isinstance(subject, URIRef | Literal):  # a variable (or a path's blank node)
            for triple in joined:
                if triple is (subject, predicate, obj) or triple == (subject, predicate, obj):
                    continue
                s2, p2, o2 = triple
                if o2 == subject:
                    guards.add(("in", p2))
                if s2 == subject:
                    guards.add(("out", p2))
        yield predicate, frozenset(guards)


@lru_cache(maxsize=1024)
def default_graph_read_keys(text: str, base_iri: str | None = None) -> frozenset[ReadKey] | None:
    """What a query can read from its default graph, for leaving out the graphs of a dataset
    that hold none of it (``SparqlService``): its read keys (:func:`read_predicates`), or None
    when it may read any triple - a DESCRIBE (its description takes every predicate of the
    described resources, which no pattern names), a variable predicate, a zero-length path
    with a constant end, a text the parser does not accept. Cached by text: rdflib's parser
    takes tens of milliseconds."""
    try:
        with RDFLIB_PARSE_LOCK:
            algebra = prepareQuery(text, base=base_iri).algebra
    except Exception:  # any parser failure: assume the worst
        return None
    if getattr(algebra, "name", None) not in ("SelectQuery", "AskQuery", "ConstructQuery"):
        return None
    return _algebra_read_keys(algebra, constant_ends=False)


def _algebra_read_keys(algebra: object, *, constant_ends: bool = True
                       ) -> frozenset[ReadKey] | None:
    found: set[ReadKey] = set()
    reads_all = False

    def walk(node: object) -> None:
        nonlocal reads_all
        if reads_all:
            return
        if isinstance(node, CompValue):
            if node.name in ("Builtin_EXISTS", "Builtin_NOTEXISTS"):
                walk(node.graph)
                return
            if node.name in ("TriplesBlock", "TriplesSameSubjectPath", "TriplesSameSubject"):
                reads_all = True
                return
            if node.name == "BGP":
                inner = _bgp_predicates(list(node.get("triples") or ()),
                                        constant_ends=constant_ends)
                if inner is None:
                    reads_all = True
                    return
                found.update(inner)
            for key, value in node.items():
                if key != "template":
                    walk(value)
        elif isinstance(node, list | tuple | set | frozenset):
            for value in node:
                walk(value)

    walk(algebra)
    return None if reads_all else frozenset(found)
