"""The analysis of a caller's SPARQL text: code points, SERVICE spans, prologues, LOAD."""

from __future__ import annotations

import pytest

from graph_service.services.sparql.query_analysis import (
    InvalidCodePoint,
    analyse_query,
    analyse_update,
    expand_code_points,
)


def test_code_points_are_expanded_once_everywhere() -> None:
    assert expand_code_points("\\u0053ERVICE \\U0001F600") == "SERVICE \U0001F600"
    # An escape that spells a backslash is not expanded a second time.
    assert expand_code_points("\\u005Cu0041") == "\\u0041"
    with pytest.raises(InvalidCodePoint) as raised:
        expand_code_points("ASK {\n  \\uD800 }")
    assert (raised.value.line, raised.value.column) == (2, 3)


def test_a_text_without_the_keyword_is_not_parsed() -> None:
    analysis = analyse_query("SELECT * WHERE { ?s ?p 'x' }")
    assert not analysis.needs_parse and analysis.proven_free_of_service


def test_service_spans_targets_and_prologue() -> None:
    text = ("BASE <http://h/x/>\nPREFIX t: <y/>\nPREFIX ex: <http://ex/>\n"
            "SELECT * WHERE {\n\t?a ?b ex:c\\#d .\n\tSERVICE SILENT t:s\\#p # {\n { ?s ?p ?o "
            "OPTIONAL { SERVICE ?v { ?x ?y ?z } } }\n}")
    analysis = analyse_query(text, "http://base/")
    outer, inner = analysis.services
    assert outer.target == "http://h/x/y/s#p" and outer.silent and outer.outermost
    assert inner.variable == "v" and not inner.outermost
    assert analysis.text[outer.start:outer.end].startswith("SERVICE SILENT t:s\\#p")
    assert analysis.text[outer.group_start:outer.end].startswith("{ ?s ?p ?o")
    assert analysis.text[outer.end - 1] == "}"
    assert outer.prologue.splitlines() == [
        "BASE <http://h/x/>", "PREFIX t: <http://h/x/y/>", "PREFIX ex: <http://ex/>"]


def test_an_unparsable_text_with_the_keyword_proves_nothing() -> None:
    analysis = analyse_query("SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o }")
    assert analysis.needs_parse and not analysis.parsed
    assert analysis.syntax_error is not None and not analysis.proven_free_of_service


def test_updates_report_load_and_service() -> None:
    analysis = analyse_update("LOAD <http://x/doc> ; INSERT { ?s ?p ?o } WHERE "
                              "{ SERVICE <http://a/> { ?s ?p ?o } }")
    assert analysis.loads == ("http://x/doc",)
    assert [c.target for c in analysis.services] == ["http://a/"]
