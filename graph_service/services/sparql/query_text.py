"""Read the parts of a SPARQL text that decide its dataset: FROM / FROM NAMED and SERVICE IRIs.

The engine enforces the dataset (the caller's readable graphs are passed to it explicitly, so a
FROM outside them reaches nothing); this module only lets us honour a FROM *inside* them, as the
SPARQL Protocol expects, and refuse SERVICE calls to endpoints that are not allow-listed.
Strings, IRIs and comments are tokenised first so a keyword inside a literal never counts.
The patterns are linear: strings are unrolled with possessive quantifiers and a name without a
colon is one token, so a multi-megabyte literal or a long "a.a.a..." is one scan - never a
per-character loop, backtracking or rescanning inside the regex engine (which holds the GIL, so
it would stall every other request of the process).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urljoin

from graph_service.store.base import QuerySyntaxError
from graph_service.store.sparql_text import token_values, tokens

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


@dataclass(frozen=True)
class DatasetClauses:
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    service_variables: tuple[str, ...] = ()
    is_update: bool = False


# Dashboards and clients repeat the same small queries: their inspection (pure Python, a few
# hundred microseconds) is remembered. Long texts are not kept (the cache would hold megabytes).
_CACHED_TEXT_CHARS = 16_384


def _absolute(iri: str, base: str | None) -> str:
    """Resolve a relative IRI reference against ``base`` (RFC 3986), as the engine does."""
    if base is None or _SCHEME.match(iri):
        return iri
    return urljoin(base, iri)


def inspect_query(text: str, base_iri: str | None = None) -> DatasetClauses:
    """Extract FROM, FROM NAMED and SERVICE targets; see ``_inspect``."""
    if len(text) <= _CACHED_TEXT_CHARS:
        return _inspect_cached(text, base_iri)
    return _inspect(text, base_iri)


@lru_cache(maxsize=512)
def _inspect_cached(text: str, base_iri: str | None) -> DatasetClauses:
    return _inspect(text, base_iri)


def _inspect(text: str, base_iri: str | None = None) -> DatasetClauses:
    """Extract FROM, FROM NAMED and SERVICE targets (IRIs resolved against PREFIX declarations).

    Relative IRIs are resolved against the query's BASE, itself resolved against ``base_iri``
    (the base the engine is given); without either they are returned as written.
    """
    tokens = token_values(text)
    prefixes: dict[str, str] = {}
    base = base_iri
    default_graphs: list[str] = []
    named_graphs: list[str] = []
    services: list[str] = []
    service_variables: list[str] = []
    is_update = False

    def resolve(kind: str, value: str) -> str | None:
        if kind == "iri":
            return _absolute(value[1:-1], base)
        if kind == "pname":
            prefix, _, local = value.partition(":")
            if prefix in prefixes:
                return prefixes[prefix] + local
        return None

    i = 0
    while i < len(tokens):
        kind, value = tokens[i]
        upper = value.upper() if kind == "word" else ""
        if upper == "BASE" and i + 1 < len(tokens) and tokens[i + 1][0] == "iri":
            base = _absolute(tokens[i + 1][1][1:-1], base)
            i += 2
            continue
        if upper == "PREFIX" and i + 2 < len(tokens):
            name = tokens[i + 1][1]
            if tokens[i + 2][0] == "iri":
                prefixes[name.rstrip(":")] = _absolute(tokens[i + 2][1][1:-1], base)
            i += 3
            continue
        if upper in {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY"}:
            is_update = True
        if upper == "FROM" and i + 1 < len(tokens):
            named = tokens[i + 1][0] == "word" and tokens[i + 1][1].upper() == "NAMED"
            j = i + 2 if named else i + 1
            if j < len(tokens):
                iri = resolve(*tokens[j])
                if iri is not None:
                    (named_graphs if named else default_graphs).append(iri)
            i = j + 1
            continue
        if upper == "SERVICE" and i + 1 < len(tokens):
            j = i + 1
            if tokens[j][0] == "word" and tokens[j][1].upper() == "SILENT":
                j += 1
            if j < len(tokens):
                target_kind, target = tokens[j]
                if target_kind == "var":
                    service_variables.append(target)
                else:
                    iri = resolve(target_kind, target)
                    services.append(iri if iri is not None else target)
            i = j + 1
            continue
        i += 1
    return DatasetClauses(tuple(default_graphs), tuple(named_graphs), tuple(services),
                          tuple(service_variables), is_update)


# The engine parses and evaluates a text recursively. Measured with pyoxigraph 0.5.13 in a
# thread: 3 000 nested groups or parentheses, or 8 000 chained operators (1+1+..., UNION, &&),
# overflow its stack, which aborts the process - a query worker, or the service itself when
# queries run in-process. Far above any written or generated query, far below those.
MAX_NESTING = 256
MAX_CHAINED_OPERATORS = 2_000
_OPENERS, _CLOSERS = frozenset("{(["), frozenset("})]")
_OPERATORS = frozenset("+-*/|&^")


def check_complexity(text: str) -> None:
    """Refuse a text the engine would abort on (see ``MAX_NESTING``) as a client error, with
    where: the caller gets a 400 instead of a failed worker or a dead process."""
    if len(text) <= _CACHED_TEXT_CHARS:
        _check_cached(text)
    else:
        _check(text)


@lru_cache(maxsize=512)
def _check_cached(text: str) -> None:
    _check(text)  # a refusal raises, so only texts that passed are remembered


def _check(text: str) -> None:
    depth = chained = 0
    for token in tokens(text):
        value = token.value
        if token.kind == "other" and value in _OPENERS:
            depth += 1
            if depth > MAX_NESTING:
                raise _too_complex(text, token.start, f"it nests groups, brackets or "
                                   f"parentheses more than {MAX_NESTING} deep")
        elif token.kind == "other" and value in _CLOSERS:
            depth = max(0, depth - 1)
        elif (token.kind == "other" and value in _OPERATORS) or (
                token.kind == "word" and value.upper() == "UNION"):
            chained += 1
            if chained > MAX_CHAINED_OPERATORS:
                raise _too_complex(text, token.start, f"it has more than "
                                   f"{MAX_CHAINED_OPERATORS} operators and UNIONs")


def _too_complex(text: str, offset: int, why: str) -> QuerySyntaxError:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return QuerySyntaxError(f"the query is too complex for the engine: {why} (at line {line}, "
                            f"column {column}); split it or write it with fewer levels",
                            line, column)

