"""Published query texts work with common clients (issue 18, finding 11): SPARQLWrapper decides
query vs update from the text with a regular expression that leaves every other line of a
comment block in place, so a word such as "load" in a header comment made it send a CONSTRUCT
as an update. YASGUI runs each of them in tests/ui/test_integrators_browser.py."""

from __future__ import annotations

import warnings

import pytest
from rdflib.plugins.sparql import prepareQuery
from SPARQLWrapper import SPARQLWrapper

from graph_service.services.sparql.descriptions import example_queries

EXAMPLES = example_queries()


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.name for e in EXAMPLES])
def test_finding_11_sparqlwrapper_and_rdflib_see_the_query_form(example) -> None:
    wrapper = SPARQLWrapper("http://127.0.0.1:8000/sparql")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # SPARQLWrapper warns when it cannot tell the form
        wrapper.setQuery(example.text)
    assert wrapper.queryType == example.kind
    assert not wrapper.isSparqlUpdateRequest()
    assert prepareQuery(example.text).algebra.name.upper().startswith(example.kind)
