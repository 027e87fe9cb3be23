"""Token-level reading of SPARQL texts for remote adapters that must rewrite or refuse parts of a
query before a server sees it (Virtuoso: dataset clauses, pragmas, built-in function IRIs), and
the update texts the adapters generate for change operations (:func:`retract_update`).

Strings, IRIs and comments are tokenised first, so a keyword inside a literal never counts. The
patterns are linear (possessive quantifiers; a name without a colon is one token), so a long
literal is one scan. The service's query inspection (services/sparql/query_text.py) reads with it
too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pyoxigraph as ox

from graph_service.store.base import QuadPattern

# The one SPARQL tokenizer of the package: the remote adapters rewrite texts with it and the
# service's query inspection (services/sparql/query_text.py) reads FROM / SERVICE with it.
_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
  | (?P<long_string>'''[^'\\]*+(?:(?:\\.|'(?!''))[^'\\]*+)*+'''
                   |\"\"\"[^"\\]*+(?:(?:\\.|"(?!""))[^"\\]*+)*+\"\"\")
  | (?P<string>'[^'\\\n]*+(?:\\.[^'\\\n]*+)*+'|"[^"\\\n]*+(?:\\.[^"\\\n]*+)*+")
  | (?P<iri><[^<>"{}|^`\\\s]*>)
  | (?P<pname>[A-Za-z][\w.-]*+:[\w.:%-]*+|:[\w.:%-]*+)
  | (?P<run>[A-Za-z][\w.-]*+)
  | (?P<var>[?$]\w+)
  | (?P<word>[A-Za-z_]\w*)
  | (?P<other>\S)
    """,
    re.VERBOSE | re.DOTALL,
)
_WORD = re.compile(r"\w+")


def iri_text(iri: str) -> str:
    """``<iri>``, checked by the engine's IRI parser (so it cannot break out of ``<...>``)."""
    return str(ox.NamedNode(str(iri)))


def retract_update(pattern: QuadPattern) -> str:
    """The update that removes every quad matching ``pattern`` (``DELETE WHERE``)."""
    subject = "?s" if pattern.subject is None else iri_text(str(pattern.subject))
    predicate = "?p" if pattern.predicate is None else iri_text(str(pattern.predicate))
    return f"DELETE WHERE {{ GRAPH {iri_text(str(pattern.graph))} {{ {subject} {predicate} ?o }} }}"


@dataclass(frozen=True)
class Token:
    kind: str  # iri, pname, word, var, string, other
    value: str
    start: int
    end: int


def _scan(text: str) -> Iterator[tuple[str, re.Match[str]]]:
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind == "comment":
            continue
        if kind == "run":
            # A name without a colon is consumed whole, so that a failed prefixed-name match
            # never rescans it from the next character (quadratic on "a.a.a..."); plain
            # letters and digits are a word (a keyword candidate), anything with '.' or '-'
            # is not.
            kind = "word" if _WORD.fullmatch(match.group()) else "other"
        elif kind == "long_string":
            kind = "string"
        yield kind, match


def tokens(text: str) -> list[Token]:
    return [Token(kind, match.group(), match.start(), match.end()) for kind, match in _scan(text)]


def token_values(text: str) -> list[tuple[str, str]]:
    """(kind, text) of each token: the light form for reading a query without rewriting it."""
    return [(kind, match.group()) for kind, match in _scan(text)]


def without_dataset_clauses(text: str) -> str:
    """``text`` with every ``FROM <g>`` / ``FROM NAMED <g>`` removed (blanked to spaces, so
    line and column numbers of the rest stay the same). FROM occurs in SPARQL only in dataset
    clauses, so every FROM keyword starts one."""
    spans: list[tuple[int, int]] = []
    found = tokens(text)
    i = 0
    while i < len(found):
        token = found[i]
        if token.kind == "word" and token.value.upper() == "FROM":
            j = i + 1
            if j < len(found) and found[j].kind == "word" and found[j].value.upper() == "NAMED":
                j += 1
            if j < len(found) and found[j].kind in ("iri", "pname"):
                spans.append((token.start, found[j].end))
                i = j + 1
                continue
        i += 1
    if not spans:
        return text
    parts, last = [], 0
    for start, end in spans:
        parts.append(text[last:start])
        parts.append(re.sub(r"[^\n]", " ", text[start:end]))
        last = end
    parts.append(text[last:])
    return "".join(parts)


def has_word(text: str, word: str) -> bool:
    upper = word.upper()
    return any(t.kind == "word" and t.value.upper() == upper for t in tokens(text))


def iris_in_schemes(text: str, schemes: tuple[str, ...]) -> list[str]:
    """IRIs written in ``text`` (``<...>``, including BASE and PREFIX declarations) whose scheme
    is one of ``schemes`` (lower case, with the colon)."""
    return [t.value for t in tokens(text)
            if t.kind == "iri" and t.value[1:].lower().startswith(schemes)]
