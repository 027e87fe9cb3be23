"""The W3C SPARQL 1.1 syntax and federation test texts through the SERVICE detector.

No text crashes the analysis, and every text whose SPARQL algebra (rdflib's translation) holds a
SERVICE pattern is reported with that many SERVICE clauses: the detector never says "no SERVICE"
where the algebra has one. Texts without the keyword are proven free of SERVICE without a parse.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pyparsing import ParseBaseException
from rdflib.plugins.sparql import algebra
from rdflib.plugins.sparql import parser as sparql_parser

from graph_service.services.sparql.query_analysis import (
    InvalidCodePoint,
    analyse_query,
    analyse_update,
    expand_code_points,
)

SUITE = Path(__file__).resolve().parents[1] / "data" / "w3c-sparql11"
QUERIES = sorted(p for p in SUITE.rglob("*.rq"))
UPDATES = sorted(p for p in SUITE.rglob("*.ru"))


def _algebra_services(node: object) -> int:
    """SERVICE patterns in an rdflib algebra tree (an independent walk of the translation)."""
    from rdflib.plugins.sparql.parserutils import CompValue

    seen: set[int] = set()

    def walk(value: object) -> int:
        if id(value) in seen:
            return 0
        seen.add(id(value))
        count = 0
        if isinstance(value, CompValue):
            count += value.name == "ServiceGraphPattern"
            for child in value.values():
                count += walk(child)
        elif isinstance(value, dict):
            for child in value.values():
                count += walk(child)
        elif isinstance(value, list | tuple):
            for child in value:
                count += walk(child)
        return count

    return walk(node)


def test_the_suite_is_there() -> None:
    assert len(QUERIES) > 90 and len(UPDATES) > 50
    assert any("SERVICE" in p.read_text(encoding="utf-8") for p in QUERIES)


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_query_texts(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    try:
        analysis = analyse_query(text, "http://example.org/base/")
    except InvalidCodePoint:
        return  # a 400 with its position, not a crash
    try:
        tree = sparql_parser.Query.parse_string(expand_code_points(text), parse_all=True)
        in_algebra = _algebra_services(algebra.translateQuery(tree).algebra)
    except (ParseBaseException, Exception):
        # Negative syntax tests and what rdflib cannot translate: the detector must not have
        # proven a text with the keyword free of SERVICE.
        if "service" in analysis.text.lower():
            assert not analysis.proven_free_of_service, path.name
        return
    if in_algebra:
        assert len(analysis.services) == in_algebra, path.name
        assert not analysis.proven_free_of_service
        for clause in analysis.services:
            assert analysis.text[clause.start:clause.end].upper().startswith("SERVICE")
            assert analysis.text[clause.group_start] == "{"
            assert analysis.text[clause.end - 1] == "}"
    else:
        assert analysis.services == ()


@pytest.mark.parametrize("path", UPDATES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_update_texts(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    try:
        analysis = analyse_update(text, "http://example.org/base/")
    except InvalidCodePoint:
        return
    lowered = analysis.text.lower()
    if "service" in lowered and analysis.parsed:
        # Every SERVICE the grammar sees is reported.
        tree = sparql_parser.UpdateUnit.parse_string(analysis.text, parse_all=True)
        assert len(analysis.services) == _algebra_services(tree), path.name
    if "load" in lowered and analysis.parsed and " load " in f" {lowered} ":
        assert analysis.loads or "load" not in lowered.split(), path.name
