"""Finding (issue 19): SPARQL texts lived in Python service modules (reads, pattern deletes,
the custody migration's updates), outside the query files and the store adapters.

A query belongs in a file run by the named-query runner (``queries/facade``,
``queries/internal``) and a write in a store change operation; only the adapters (store/) and the
runner build SPARQL text. Checked here with Python's own parser (every string constant and the
literal parts of every f-string of every module) and rdflib's real SPARQL parser: a constant
that parses as a SPARQL query or update (after the standard prefixes, so a text using ``dbp:``
counts) is reported with its module and line.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

from graph_service.config import REPO_ROOT
from graph_service.services.sparql.named_queries import PREFIX_BLOCK

PACKAGE = REPO_ROOT / "graph_service"
# The adapters and the runner are where SPARQL text is built.
ALLOWED = (PACKAGE / "store", PACKAGE / "services" / "sparql" / "named_queries.py")
# Texts not moved yet, each with the reason; the test fails when one of them is gone (shrink the
# list) or when SPARQL text appears anywhere else.
PENDING: dict[str, str] = {}
# A keyword that opens a query or update operation, followed (after anything) by a group.
_CANDIDATE = re.compile(
    r"\b(SELECT|CONSTRUCT|ASK|DESCRIBE|INSERT|DELETE|WITH)\b[^{]*\{", re.IGNORECASE)
# An f-string's replacement field stands for an IRI in the texts this test looks for (written
# bare where the text already puts it between angle brackets).
_FIELD = "urn:x:field"


def _modules() -> Iterator[Path]:
    for path in sorted(PACKAGE.rglob("*.py")):
        if not any(path == allowed or allowed in path.parents for allowed in ALLOWED):
            yield path


def _texts(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """Every string constant and every f-string, twice: its fields replaced by an IRI, and by
    nothing (a field standing for a whole pattern or expression)."""
    in_fstring: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            parts: list[str] = []
            for value in node.values:
                in_fstring.add(id(value))
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    parts.append(value.value)
                else:
                    bracketed = bool(parts) and parts[-1].endswith("<")
                    parts.append(_FIELD if bracketed else f"<{_FIELD}>")
            yield node.lineno, "".join(parts)
            yield node.lineno, "".join(
                v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else ""
                for v in node.values)
    for node in ast.walk(tree):
        if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                and id(node) not in in_fstring):
            yield node.lineno, node.value


def _is_sparql(text: str) -> bool:
    if not _CANDIDATE.search(text):
        return False
    for parse in (parseQuery, parseUpdate):
        try:
            parse(PREFIX_BLOCK + text)
            return True
        except Exception:
            continue
    return False


def sparql_texts_in(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    relative = path.relative_to(REPO_ROOT)
    lines = sorted({line for line, text in _texts(tree) if _is_sparql(text)})
    return [f"{relative}:{line}" for line in lines]


def test_the_check_recognises_sparql_text_and_ignores_prose(tmp_path: Path) -> None:
    module = tmp_path / "sample.py"
    module.write_text(
        'A = "SELECT ?s WHERE { ?s ?p ?o }"\n'
        'B = f"DELETE WHERE {{ GRAPH <{A}> {{ <{A}> ?p ?o }} }}"\n'
        'C = "Select the rows where {braces} are named"\n'
        'D = "PREFIX dbp: <https://w3id.org/dbp#> ASK { ?x dbp:batteryId ?id }"\n',
        encoding="utf-8")
    tree = ast.parse(module.read_text(encoding="utf-8"))
    found = sorted({line for line, text in _texts(tree) if _is_sparql(text)})
    assert found == [1, 2, 4]


def test_no_sparql_text_outside_store_and_runner() -> None:
    found = [hit for path in _modules() for hit in sparql_texts_in(path)]
    pending = {hit for hit in found if hit.rsplit(":", 1)[0] in PENDING}
    assert {hit.rsplit(":", 1)[0] for hit in pending} == set(PENDING), (
        "a module of PENDING has no SPARQL text any more: take it off the list")
    found = [hit for hit in found if hit not in pending]
    assert not found, (
        "SPARQL text in Python outside store/ and the named-query runner (move reads to "
        "queries/*/ files, pattern deletes to ChangeSet.retract): " + ", ".join(found))
