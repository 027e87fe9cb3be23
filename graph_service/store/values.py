"""Pre-bound variables as an inline ``VALUES`` block at the start of the query's WHERE group.

Oxigraph's ``substitutions`` bind a variable for the whole query, but its planner does not see
the value under an aggregate or a sub-select: a per-battery query with GROUP BY then scans every
battery (measured: 260 ms instead of 0.3 ms over 100 000 version records). A ``VALUES`` block
in the outermost group is planned as a constant, and it also makes the value visible to BIND.
The terms come from rdflib nodes rendered as N-Triples (never raw user text); where no group can
be found (DESCRIBE without WHERE, the CONSTRUCT WHERE short form) the caller keeps substitution
alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

_IRI = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_STRING_DELIMITERS = ('"""', "'''", '"', "'")


def _skip_string(text: str, start: int) -> int:
    """Index after the string literal starting at ``start``."""
    for delimiter in _STRING_DELIMITERS:
        if text.startswith(delimiter, start):
            position = start + len(delimiter)
            while position < len(text):
                if text[position] == "\\":
                    position += 2
                    continue
                if text.startswith(delimiter, position):
                    return position + len(delimiter)
                position += 1
            return len(text)
    return start + 1


# Rules run the same texts over and over: scanning one costs about a millisecond in Python.
@lru_cache(maxsize=256)
def where_group_start(text: str) -> int | None:
    """Index just after the ``{`` that opens the query's outermost WHERE group, or None."""
    depth = 0
    form: str | None = None
    last_word = ""
    position = 0
    while position < len(text):
        char = text[position]
        if char == "#":
            end = text.find("\n", position)
            position = len(text) if end < 0 else end + 1
            continue
        if char in "\"'":
            position = _skip_string(text, position)
            continue
        if char == "<":
            iri = _IRI.match(text, position)
            if iri is not None:
                position = iri.end()
                continue
        if char in "{(":
            if char == "{" and depth == 0:
                if last_word == "WHERE":
                    return None if form == "CONSTRUCT-WHERE" else position + 1
                if form in ("SELECT", "ASK"):
                    return position + 1
            depth += 1
        elif char in "})":
            depth -= 1
        elif depth == 0 and (char.isalpha() or char == "_"):
            word = _WORD.match(text, position)
            if word is not None:
                upper = word.group().upper()
                if form is None and upper in ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE"):
                    form = upper
                elif form == "CONSTRUCT" and upper == "WHERE" and last_word == "CONSTRUCT":
                    form = "CONSTRUCT-WHERE"
                last_word = upper
                position = word.end()
                continue
        if not char.isspace():
            last_word = "" if char not in ":" else last_word
        position += 1
    return None


def with_values_block(text: str, rendered: Mapping[str, str]) -> str | None:
    """``text`` with ``VALUES (?a ?b) { (t1 t2) }`` opening its WHERE group, or None."""
    start = where_group_start(text)
    if start is None or not rendered:
        return None
    names = " ".join(f"?{name}" for name in rendered)
    row = " ".join(rendered.values())
    return f"{text[:start]} VALUES ({names}) {{ ({row}) }} {text[start:]}"


class UnreadableResults(ValueError):
    """A SPARQL results document that cannot be read (or is too large)."""


def values_block_from_results(body: bytes, media_type: str, *, max_rows: int,
                              skolem_prefix: str) -> str:
    """A SPARQL SELECT answer (JSON or XML results) as an inline ``VALUES`` block with the same
    solutions: the answer of a federated SERVICE call, to be evaluated locally.

    Terms are written by the engine's own N-Triples writer (escaped, never the raw text);
    blank nodes of the remote answer become IRIs ``skolem_prefix + label`` (the same label,
    the same IRI within one answer), since a blank node in VALUES would be a new one per row.
    """
    import pyoxigraph as ox

    kind = media_type.split(";", 1)[0].strip().lower()
    formats = {
        "application/sparql-results+json": ox.QueryResultsFormat.JSON,
        "application/json": ox.QueryResultsFormat.JSON,
        "application/sparql-results+xml": ox.QueryResultsFormat.XML,
        "application/xml": ox.QueryResultsFormat.XML,
    }
    if kind not in formats:
        raise UnreadableResults(f"unexpected answer type {kind!r}")
    try:
        parsed = ox.parse_query_results(body, format=formats[kind])
    except (SyntaxError, ValueError, OSError) as exc:
        raise UnreadableResults("not a SPARQL results document") from exc
    if isinstance(parsed, ox.QueryBoolean):
        raise UnreadableResults("a boolean answer to a SELECT")

    def render(term: object) -> str:
        if term is None:
            return "UNDEF"
        if isinstance(term, ox.BlankNode):
            return str(ox.NamedNode(skolem_prefix + term.value))
        return str(term)

    names = [variable.value for variable in parsed.variables]
    rows = []
    try:
        for count, solution in enumerate(parsed, start=1):
            if count > max_rows:
                raise UnreadableResults(f"more than {max_rows} rows")
            rows.append("(" + " ".join(render(solution[name]) for name in names) + ")")
    except (SyntaxError, ValueError, OSError) as exc:
        raise UnreadableResults("not a SPARQL results document") from exc
    head = " ".join(f"?{name}" for name in names)
    return f"VALUES ({head}) {{ {' '.join(rows)} }}"
