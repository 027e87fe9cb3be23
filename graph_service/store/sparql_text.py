"""Token-level reading of SPARQL texts for remote adapters that must rewrite or refuse parts of a
query before a server sees it (Virtuoso: dataset clauses, pragmas, built-in function IRIs).

Strings, IRIs and comments are tokenised first, so a keyword inside a literal never counts. The
patterns are linear (possessive quantifiers; a name without a colon is one token), the same
design as the service's query inspection, so a long literal is one scan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
  | (?P<other>\S)
    """,
    re.VERBOSE | re.DOTALL,
)
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Token:
    kind: str  # iri, pname, word, var, string, other
    value: str
    start: int
    end: int


def tokens(text: str) -> list[Token]:
    found = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind == "comment":
            continue
        value = match.group()
        if kind == "run":
            kind = "word" if _WORD.fullmatch(value) else "other"
        elif kind == "long_string":
            kind = "string"
        found.append(Token(kind, value, match.start(), match.end()))
    return found


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
