"""Property-based: SERVICE anywhere, spelled any legal way, never reaches a host that is not
allow-listed (issue 14, finding 1).

Hypothesis writes queries with a SERVICE clause in every syntactic position (group, OPTIONAL,
UNION, MINUS, GRAPH, subquery, FILTER EXISTS / NOT EXISTS, nested groups), surrounded by prefixed
names with PN_LOCAL escapes (``\\'``, ``\\#``, ``\\"``...), comments, strings holding quotes,
hashes and braces, with SILENT or not, the target as an IRI, a prefixed name or a variable, the
keyword in any case or with code-point escapes. A canary listener on 127.0.0.1 is the target: any
connection fails the test. Checked twice: against the running server (sandboxed workers) and
in-process without a sandbox (fail closed).
"""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph_service.services.access import ANONYMOUS
from graph_service.services.sparql.query_analysis import analyse_query
from tests.security.conftest import Canary

JSON = {"Accept": "application/sparql-results+json"}
PLACEHOLDER = "CANARY"  # replaced by the canary's URL (hypothesis strategies are built once)

LOCAL_ESCAPES = list("_~.-!$&'()*+,;=/?#@%")
local_start = st.one_of(st.sampled_from("abcXYZ_09"),
                        st.sampled_from([f"\\{c}" for c in LOCAL_ESCAPES]))
local_middle = st.one_of(st.sampled_from("abz09_-."),
                         st.sampled_from([f"\\{c}" for c in LOCAL_ESCAPES]),
                         st.sampled_from(["%41", "%7b", "%23"]))
local_name = st.builds(lambda first, rest, last: first + "".join(rest) + last,
                       local_start, st.lists(local_middle, max_size=4),
                       st.sampled_from(["a", "0", "\\'", "\\#", '\\"', "\\.", ""]))
prefixed = st.builds(lambda local: f"ex:{local}", local_name)

string_body = st.lists(st.sampled_from(["a", "#", "{", "}", "SERVICE", "\\\"", "\\'", "\\\\",
                                        "'", '"', " "]), max_size=6).map("".join)


def _string(body: str) -> str:
    # Quotes of the other kind stay as they are; the same kind is escaped.
    return '"' + body.replace('"', '\\"').replace("\\\\\"", "\\\\\\\"") + '"'


strings = st.builds(lambda body: '"""' + body.replace('"', "'") + '"""', string_body) | \
    st.builds(lambda body: "'" + body.replace("'", '"').replace("\\\"", '"') + "'", string_body)
comment = st.builds(lambda body: f"# {body}\n", string_body)
variable = st.sampled_from(["?s", "?o", "$x", "?z9"])
term = st.one_of(prefixed, variable, strings, st.just("<http://ex/i>"), st.just("42"))

filler_item = st.one_of(
    st.builds(lambda s, p, o: f"{s} {p} {o} .", st.one_of(prefixed, variable), prefixed, term),
    st.builds(lambda t, v: f"BIND({t} AS ?b{v})", term, st.integers(0, 99)),
    st.builds(lambda t: f"FILTER(?s != {t})", term),
    comment,
)
filler = st.lists(filler_item, max_size=3).map(lambda items: " ".join(items))

keyword = st.sampled_from(["SERVICE", "service", "SeRvIcE", "\\u0053ERVICE",
                           "\\u0073\\u0065rvice", "SERV\\U00000049CE"])
target = st.sampled_from([f"<{PLACEHOLDER}>", "canary:sparql", "?endpoint"])
service = st.builds(
    lambda kw, silent, tgt, inner: f"{kw}{' SILENT' * silent} {tgt} {{ {inner} ?a ?b ?c }}",
    keyword, st.booleans(), target, filler)

POSITIONS = [
    "{s}",
    "OPTIONAL {{ {s} }}",
    "{{ ?x ?y ?z }} UNION {{ {s} }}",
    "?x ?y ?z MINUS {{ {s} }}",
    "GRAPH ?g {{ {s} }}",
    "{{ SELECT * WHERE {{ {s} }} LIMIT 1 }}",
    "FILTER EXISTS {{ {s} }}",
    "FILTER NOT EXISTS {{ {s} }}",
    "{{ {{ {s} }} }}",
]
position = st.sampled_from(POSITIONS)


@st.composite
def queries(draw: st.DrawFn) -> str:
    where = draw(position).format(s=draw(service))
    before, after = draw(filler), draw(filler)
    bind = 'BIND(<CANARY> AS ?endpoint) ' if "?endpoint" in where else ""
    return (f"PREFIX ex: <http://ex/>\nPREFIX canary: <{PLACEHOLDER.rsplit('/', 1)[0]}/>\n"
            f"SELECT * WHERE {{ {bind}{before} {where} {after} }}")


def _concrete(query: str, url: str) -> str:
    folder = url.rsplit("/", 1)[0] + "/"
    return query.replace(f"<{PLACEHOLDER}/>", f"<{folder}>").replace(PLACEHOLDER, url)


FAST = settings(max_examples=40, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


@pytest.fixture(scope="module")
def sandboxed_server():
    from tests.conftest import make_settings, start_server

    with start_server(make_settings(load_reference_ontologies=False,
                                    service_allowlist=["http://127.0.0.1:1/allowed"])) as live:
        yield live


@FAST
@given(query=queries())
def test_the_server_never_calls_the_canary(sandboxed_server, canary: Canary, query: str) -> None:
    text = _concrete(query, canary.url)
    with sandboxed_server.client() as client:
        response = client.post("/sparql", content=text,
                               headers=JSON | {"Content-Type": "application/sparql-query"})
    assert canary.connections == [], text
    if response.status_code == 200:
        # Only a text our parser cannot read reaches the engine unchecked; in the sandbox its
        # SERVICE fails without a socket (SILENT: an empty answer) or is never evaluated (a
        # join with an empty side): no data from anywhere.
        assert not analyse_query(text).parsed, text
        assert '"bindings":[]' in response.text, text
        return
    assert 400 <= response.status_code < 500, (text, response.text)
    detail = response.json()["detail"].lower()
    assert "connection" not in detail and "port" not in detail, (text, detail)


@FAST
@given(query=queries())
def test_in_process_evaluation_fails_closed(services, canary: Canary, query: str) -> None:
    text = _concrete(query, canary.url)
    sparql = services.sparql
    with pytest.raises(Exception):  # noqa: B017 - any refusal; what matters is the canary
        asyncio.run(sparql.query(text, sparql.dataset_for(ANONYMOUS), timeout=5))
    assert canary.connections == [], text


@settings(max_examples=150, deadline=None, derandomize=True)
@given(query=queries())
def test_every_parsed_service_is_found(query: str) -> None:
    """Where the parser accepts the text, each generated SERVICE is reported with the canary
    (or a variable) as target; where it does not, nothing is claimed to be free of SERVICE."""
    analysis = analyse_query(_concrete(query, "http://127.0.0.1:9/sparql"))
    if not analysis.parsed:
        assert not analysis.proven_free_of_service
        return
    assert analysis.services
    for clause in analysis.services:
        assert clause.variable == "endpoint" or clause.target == "http://127.0.0.1:9/sparql"
