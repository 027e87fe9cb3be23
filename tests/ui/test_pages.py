"""Dashboard pages over HTTP (httpx against a real uvicorn server): status codes, key texts,
friendly error pages, sign-in and sign-out, what the public role sees, the SPARQL query page
and its JSON endpoint. The browser flows are in test_browser.py."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape

import httpx
import pytest

from graph_service.services.access import Role

from .conftest import DESIGNS, SETUP, Fleet

COOKIE = "dbp_token"


@pytest.fixture(scope="module")
def anonymous(fleet: Fleet) -> Iterator[httpx.Client]:
    with fleet.live.client() as client:
        yield client


@pytest.fixture(scope="module")
def recycler(fleet: Fleet) -> Iterator[httpx.Client]:
    with fleet.live.client() as client:
        signed_in(client, fleet.live.token(Role.RECYCLER, "circular-metals"))
        yield client


@pytest.fixture(scope="module")
def researcher(fleet: Fleet) -> Iterator[httpx.Client]:
    with fleet.live.client() as client:
        signed_in(client, fleet.live.token(Role.RESEARCHER, "uni-research"))
        yield client


def signed_in(client: httpx.Client, token: str) -> None:
    response = client.post("/ui/login", data={"token": token, "next": "/ui/batteries"})
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/ui/batteries"
    assert COOKIE in client.cookies


def page(response: httpx.Response, status: int = 200) -> str:
    assert response.status_code == status, response.text[:2000]
    assert response.headers["content-type"].startswith("text/html")
    return unescape(response.text)


def text(html: str) -> str:
    """The visible text, tags removed and whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# -- sign in and out ---------------------------------------------------------------------------
def test_sign_in_sets_an_httponly_strict_cookie(fleet):
    with fleet.live.client() as client:
        response = client.post("/ui/login", data={"token": fleet.live.token(Role.RECYCLER,
                                                                             "circular-metals")})
        assert response.status_code == 303
        cookie = response.headers["set-cookie"]
        assert cookie.startswith(f"{COOKIE}=dbp_")
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
        assert "Secure" not in cookie  # plain HTTP on loopback; set over HTTPS
        html = page(client.get("/ui/batteries"))
        assert "Signed in as" in text(html) and "recycler" in html


def test_bad_token_shows_an_error_and_sets_no_cookie(fleet):
    with fleet.live.client() as client:
        for token, status in (("dbp_nope_nope", 401), ("not-a-token", 401), ("", 400)):
            response = client.post("/ui/login", data={"token": token})
            html = page(response, status)
            assert 'id="login-error"' in html
            assert "set-cookie" not in response.headers
            assert COOKIE not in client.cookies
        assert "Sign-in failed: unknown token" in page(
            client.post("/ui/login", data={"token": "dbp_abc_def"}), 401)


def test_sign_out_clears_the_cookie(fleet):
    with fleet.live.client() as client:
        signed_in(client, fleet.live.token(Role.RECYCLER, "circular-metals"))
        response = client.post("/ui/logout")
        assert response.status_code == 303
        assert response.headers["location"] == "/ui/login?signed_out=true"
        assert COOKIE not in client.cookies
        assert "You are signed out" in page(client.get(response.headers["location"]))
        assert "Public access" in page(client.get("/ui/batteries"))


def test_revoked_token_falls_back_to_public_with_a_notice(fleet):
    issued = fleet.live.services.principals.create(Role.RECYCLER, "circular-metals")
    with fleet.live.client() as client:
        signed_in(client, issued.token)
        fleet.live.services.principals.revoke(issued.principal.id)
        response = client.get(f"/ui/batteries/{fleet.critical}/procedure")
        html = page(response, 403)
        assert "no longer valid" in html
        assert COOKIE not in client.cookies  # the stale cookie is deleted


def test_cross_site_posts_are_refused(fleet):
    with fleet.live.client() as client:
        token = fleet.live.token(Role.RECYCLER, "circular-metals")
        response = client.post("/ui/login", data={"token": token},
                               headers={"Origin": "http://evil.example"})
        assert response.status_code == 403
        assert COOKIE not in client.cookies
        response = client.post("/ui/login", data={"token": token},
                               headers={"Origin": fleet.live.url})
        assert response.status_code == 303


def test_next_is_restricted_to_this_service(fleet):
    with fleet.live.client() as client:
        token = fleet.live.token(Role.RECYCLER, "circular-metals")
        for target in ("https://evil.example/", "//evil.example/ui", "/docs"):
            response = client.post("/ui/login", data={"token": token, "next": target})
            assert response.headers["location"] == "/ui"


def test_the_cookie_never_authorises_the_rest_api(fleet, recycler):
    assert recycler.get(f"/ui/batteries/{fleet.critical}/procedure").status_code == 200
    assert recycler.get(f"/batteries/{fleet.critical}/procedure").status_code == 403


# -- search ------------------------------------------------------------------------------------
def test_search_lists_the_fleet(fleet, recycler):
    html = page(recycler.get("/ui"))
    for battery_id in fleet.ids[:5]:
        assert f'href="/ui/batteries/{battery_id}"' in html
    assert '<label for="f-chemistry">' in html and '<label for="f-risk">' in html


@pytest.mark.parametrize("query", [
    {"risk": "critical"}, {"chemistry": "nmc532"}, {"status": "original"}, {"model": "iberpack"},
])
def test_search_filters_match_the_rest_facade(fleet, recycler, query):
    token = fleet.live.token(Role.RECYCLER, "circular-metals")
    params = {("riskLevel" if k == "risk" else k): v for k, v in query.items()}
    with fleet.live.client(token) as api:
        expected = [b["id"] for b in api.get("/batteries", params=params).json()["items"]]
    assert expected
    html = page(recycler.get("/ui/batteries", params=query))
    assert re.findall(r'<tr data-battery="([^"]+)"', html) == expected


def test_search_by_id_and_unknown_id(fleet, recycler):
    html = page(recycler.get("/ui/batteries", params={"id": fleet.critical}))
    assert re.findall(r'<tr data-battery="([^"]+)"', html) == [fleet.critical]
    html = page(recycler.get("/ui/batteries", params={"id": "BP-999999"}))
    assert "No battery" in html and 'data-battery="' not in html


def test_public_risk_filter_is_explained_not_failed(anonymous):
    html = page(anonymous.get("/ui/batteries", params={"risk": "critical"}), 403)
    assert 'id="search-error"' in html and "legitimate interest" in html.lower()


def test_bad_filter_value_is_a_friendly_400(recycler):
    html = page(recycler.get("/ui/batteries", params={"chemistry": "Not A Chemistry!"}), 400)
    assert 'id="search-error"' in html


# -- passport ----------------------------------------------------------------------------------
def test_passport_sections_and_charts(fleet, recycler):
    html = page(recycler.get(f"/ui/batteries/{fleet.critical}"))
    for section in ("identity", "design", "traceability", "usage", "events"):
        assert f'<section id="{section}"' in html
    visible = text(html)
    for label in ("Passport identifier", "Serial number", "Manufacturer", "Modules", "Cells",
                  "Traceability chain", "Mine", "Latest state of health", "Negative events"):
        assert label in visible
    assert html.count('<svg class="chart"') == 2
    assert 'id="chart-soc-soh"' in html and 'id="chart-temperature"' in html
    assert "<title id=\"chart-soc-soh-title\">" in html
    assert 'href="/ui/batteries/' + fleet.critical + '/procedure"' in html


def test_passport_shows_the_rest_answer(fleet, recycler):
    token = fleet.live.token(Role.RECYCLER, "circular-metals")
    with fleet.live.client(token) as api:
        summary = api.get(f"/batteries/{fleet.critical}").json()
        events = api.get(f"/batteries/{fleet.critical}/events").json()["events"]
    html = page(recycler.get(f"/ui/batteries/{fleet.critical}"))
    assert summary["serialNumber"] in html and summary["model"] in html
    assert summary["manufacturer"]["name"] in html
    for event in events:
        assert event["description"] in html


def test_unknown_battery_is_a_friendly_404(anonymous, recycler):
    for client in (anonymous, recycler):
        for suffix in ("", "/procedure", "/pathway"):
            html = page(client.get(f"/ui/batteries/BP-999999{suffix}"), 404)
            assert "Battery not found" in html and "BP-999999" in html
            assert 'href="/ui/batteries"' in html
    html = page(recycler.get("/ui/batteries/bad%20id!"), 400)
    assert "Invalid identifier" in html
    html = page(recycler.get("/ui/no-such-page"), 404)
    assert "Page not found" in html


def test_public_user_sees_no_procedure(fleet, anonymous):
    html = page(anonymous.get(f"/ui/batteries/{fleet.critical}"))
    assert "Public access" in html
    assert "/procedure" not in html and "/pathway" not in html
    assert "thermal-alert" not in html
    for suffix in ("/procedure", "/pathway"):
        html = page(anonymous.get(f"/ui/batteries/{fleet.critical}{suffix}"), 403)
        assert "Legitimate interest required" in html
        assert 'id="isolation"' not in html and "Isolate the battery" not in html
        assert "/ui/login?next=" in html
    step = f"{fleet.live.services.settings.base_iri}id/battery/{fleet.critical}/derived/damage"
    page(anonymous.get("/ui/explain", params={"node": step}), 403)


# -- procedure, pathway, explanation -----------------------------------------------------------
def test_procedure_order_and_content(fleet, recycler):
    token = fleet.live.token(Role.RECYCLER, "circular-metals")
    with fleet.live.client(token) as api:
        procedure = api.get(f"/batteries/{fleet.critical}/procedure").json()
    html = page(recycler.get(f"/ui/batteries/{fleet.critical}/procedure"))
    order = [html.index(marker) for marker in (
        'id="pathway-choice"', 'id="thermal-alert"', 'id="ppe"', 'id="isolation"',
        'id="disassembly"')]
    assert order == sorted(order)
    # the procedure is for a pathway, and the page says which and why
    assert procedure["pathway"]["rationale"] in unescape(html)
    for key in procedure["availablePathways"]:
        if key != procedure["pathway"]["key"]:
            assert f'/ui/batteries/{fleet.critical}/procedure?pathway={key}' in html
    # hold points are marked in the checklist; stop criteria, unknowns and modules are shown
    assert procedure["holdPoints"], "a critically damaged battery has a hold point"
    assert html.count('class="check-item hold-point"') == len(procedure["holdPoints"])
    for criterion in procedure["stopCriteria"]:
        assert criterion["instruction"] in unescape(html)
    for unknown in procedure["unknowns"]:
        assert unknown["inspect"] in unescape(html)
    for module in procedure["modules"]:
        assert module["name"] in unescape(html)
    assert 'class="alert-banner alert-critical"' in html
    for item in procedure["ppe"]:
        assert item["ppe"]["label"] in html
    checkboxes = re.findall(r'<input type="checkbox" id="iso-(\d+)-done"', html)
    assert len(checkboxes) == len(procedure["isolationSteps"])
    for step in procedure["isolationSteps"]:
        assert step["instruction"] in html
    steps = re.findall(r'<li class="step" id="step-([^"]+)"', html)
    assert steps == [s["stepType"]["id"] for s in procedure["disassemblySteps"]]
    for step in procedure["disassemblySteps"]:
        if step["assemblyTorquesNm"]:
            assert "Assembly torque (for reassembly)" in html
            assert step["removalGuidance"] in unescape(html)
        for caution in step["cautions"]:
            assert caution in html
    assert html.count('action="/ui/batteries/' + fleet.critical + '/feedback"') == len(steps)
    assert html.count('href="/ui/explain?node=') >= (
        len(procedure["ppe"]) + len(procedure["isolationSteps"])
        + len(procedure["disassemblySteps"]))


def test_researcher_sees_the_procedure_without_feedback_forms(fleet, researcher):
    html = page(researcher.get(f"/ui/batteries/{fleet.critical}/procedure"))
    assert 'id="isolation"' in html and "feedback-form" not in html


def test_pathway_ranking(fleet, recycler):
    token = fleet.live.token(Role.RECYCLER, "circular-metals")
    with fleet.live.client(token) as api:
        options = api.get(f"/batteries/{fleet.critical}/pathway").json()["options"]
    html = page(recycler.get(f"/ui/batteries/{fleet.critical}/pathway"))
    ranks = re.findall(r'<li class="pathway card[^"]*" data-rank="(\d*)"', html)
    assert ranks == [str(o["rank"]) if o["rank"] is not None else "" for o in options]
    visible = text(html)
    for label in ("Score", "Time", "Cost", "Expected yield"):
        assert label in visible
    assert options[0]["rationale"] in html
    for option in options:
        for unknown in option["unknowns"]:
            assert unknown["inspect"] in unescape(html)
        has_procedure = option["eligibility"]["id"] in ("eligible", "unknown")
        link = f'/ui/batteries/{fleet.critical}/procedure?pathway={option["key"]}'
        assert (link in html) == has_procedure, option["key"]


def test_procedure_page_for_another_pathway_and_a_bad_one(fleet, recycler):
    html = page(recycler.get(f"/ui/batteries/{fleet.critical}/procedure",
                             params={"pathway": "recycling-hydrometallurgical"}))
    assert "The requested pathway option" in html
    html = page(recycler.get(f"/ui/batteries/{fleet.critical}/procedure",
                             params={"pathway": "landfill"}), 400)
    assert "Unknown pathway" in html and "recycling-hydrometallurgical" in html
    html = page(recycler.get(f"/ui/batteries/{fleet.critical}/procedure",
                             params={"pathway": "reuse"}), 422)
    assert "not eligible" in html


def test_module_swap_page_says_only_the_weak_module_comes_out(fleet, recycler):
    """Issue 16, finding 11: the module-swap procedure lifts out the weak module, named by
    position and serial number, not every module (a plain-JSON design of the corpus)."""
    name = "ev-360v-nmc532-weak-module-plain"
    body = (DESIGNS / f"{name}.json").read_bytes()
    fleet.live.services.ingest.submit(body, "application/json", principal=SETUP)
    fleet.ids.append(name)  # the fleet now holds it (tests that count batteries see it)
    html = unescape(page(recycler.get(f"/ui/batteries/{name}/procedure")))
    assert "module-swap" in html or "Module swap" in html
    assert html.count('class="step-scope"') == 2  # busbars and lifting; no module joint stated
    assert "Module swap: lift out only module at position 4 (S/N ZQ-M04-55814)" in html


def test_explain_page(fleet, recycler):
    html = page(recycler.get(f"/ui/batteries/{fleet.critical}/procedure"))
    node = unescape(re.search(r'href="/ui/explain\?node=([^"]+)"', html).group(1))
    html = page(recycler.get(f"/ui/explain?node={node}"))
    assert "Why this was derived" in html and "Derived from" in html
    assert re.search(r"Rule <code>[a-z0-9-]+</code>", html)
    html = page(recycler.get("/ui/explain", params={"node": "not an iri"}), 400)
    assert "Invalid node IRI" in html
    html = page(recycler.get("/ui/explain", params={
        "node": f"{fleet.live.services.settings.base_iri}id/battery/{fleet.critical}/nothing"}),
        404)


def test_feedback_form_errors_are_shown_on_the_page(fleet, recycler):
    url = f"/ui/batteries/{fleet.critical}/feedback"
    html = page(recycler.post(url, data={"stepType": "no-such-step", "actualMinutes": "3"}), 422)
    assert 'id="feedback-error"' in html and "unknown step type" in html
    html = page(recycler.post(url, data={"stepType": "remove-cover", "actualMinutes": "-1"}), 422)
    assert 'id="feedback-error"' in html
    html = page(recycler.post(url, data={"stepType": "remove-cover", "actualMinutes": "x"}), 422)
    assert "must be a number" in html


def test_feedback_needs_a_role_that_writes_end_of_life(fleet, researcher):
    html = page(researcher.post(f"/ui/batteries/{fleet.critical}/feedback",
                                data={"stepType": "remove-cover", "actualMinutes": "5"}), 403)
    assert "may not write" in html


# -- SPARQL ------------------------------------------------------------------------------------
def test_sparql_get_negotiates_html_for_browsers(anonymous):
    response = anonymous.get("/sparql", headers={
        "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"})
    html = page(response)
    assert '<textarea id="query"' in html and '<select id="example"' in html
    assert "Accept" in response.headers["vary"]
    for accept in ("text/turtle", "application/ld+json", "*/*", "text/*", ""):
        response = anonymous.get("/sparql", headers={"Accept": accept})
        assert response.status_code == 200
        assert not response.headers["content-type"].startswith("text/html")
    # a browser that sends a query still gets results, not the page
    response = anonymous.get("/sparql", params={"query": "ASK {}"},
                             headers={"Accept": "text/html,*/*;q=0.8"})
    assert not response.headers["content-type"].startswith("text/html")


def test_query_page_lists_the_published_examples(anonymous):
    from graph_service.services.sparql.descriptions import example_queries

    html = page(anonymous.get("/ui/sparql"))
    for example in example_queries():
        assert f'<option value="{example.name}">' in html
    assert 'id="examples-data"' in html


def test_ui_sparql_runs_as_the_cookie_principal(fleet, anonymous, researcher):
    query = ("PREFIX dbp: <https://w3id.org/dbp#> SELECT (COUNT(*) AS ?n) WHERE "
             "{ ?b dbp:hasThermalRiskAlert ?a }")
    headers = {"Accept": "application/sparql-results+json"}

    def count(client: httpx.Client) -> int:
        response = client.post("/ui/sparql", data={"query": query}, headers=headers)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/sparql-results+json")
        return int(response.json()["results"]["bindings"][0]["n"]["value"])

    assert count(anonymous) == 0  # derived data is not public
    assert count(researcher) == len(fleet.ids)


def test_ui_sparql_errors_and_graph_results(anonymous):
    headers = {"Accept": "application/sparql-results+json"}
    response = anonymous.post("/ui/sparql", data={"query": "SELEC nonsense"}, headers=headers)
    assert response.status_code == 400
    assert response.json()["title"] == "Malformed SPARQL"
    response = anonymous.post("/ui/sparql", data={"query": "  "}, headers=headers)
    assert response.status_code == 400
    # graph results negotiate like /sparql (YASGUI's Accept for CONSTRUCT)
    response = anonymous.post("/ui/sparql", headers={
        "Accept": "application/n-triples,*/*;q=0.9"}, data={
        "query": "CONSTRUCT { <urn:a> <urn:b> ?o } WHERE { BIND(1 AS ?o) }"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/n-triples")
    assert "<urn:a> <urn:b>" in response.text


def test_ui_sparql_without_javascript_renders_the_table(anonymous):
    response = anonymous.post("/ui/sparql", headers={"Accept": "text/html"}, data={
        "query": "SELECT ?x WHERE { VALUES ?x { 1 2 3 } }"})
    html = page(response)
    assert "3 rows" in html and "<th scope=\"col\">?x</th>" in html
    html = page(anonymous.post("/ui/sparql", headers={"Accept": "text/html"},
                               data={"query": "SELEC"}), 400)
    assert "Malformed SPARQL" in html


# -- hygiene -----------------------------------------------------------------------------------
def test_pages_are_self_contained_and_not_cached(fleet, recycler):
    for path in ("/ui/batteries", f"/ui/batteries/{fleet.critical}",
                 f"/ui/batteries/{fleet.critical}/procedure",
                 f"/ui/batteries/{fleet.critical}/pathway", "/ui/sparql", "/ui/login"):
        response = recycler.get(path)
        html = page(response)
        assert response.headers["cache-control"] == "no-store"
        assert "default-src 'self'" in response.headers["content-security-policy"]
        # no external assets: every src/href is local (or an in-page anchor)
        for url in re.findall(r'(?:src|href)="([^"]+)"', html):
            assert url.startswith(("/", "#", "data:")), url
        assert '<html lang="en">' in html and '<main id="main"' in html
        assert re.search(r"<h1[ >]", html)
    for asset in ("ui.css", "checklist.js", "sparql.js"):
        assert recycler.get(f"/ui/static/{asset}").status_code == 200
    assert recycler.get("/ui/static/../app.py").status_code == 404


def test_every_form_control_has_a_label(fleet, recycler):
    for path in ("/ui/batteries", f"/ui/batteries/{fleet.critical}/procedure", "/ui/sparql",
                 "/ui/login"):
        html = page(recycler.get(path))
        labels = set(re.findall(r'<label for="([^"]+)"', html))
        controls = re.findall(r'<(?:input|select|textarea)\b([^>]*)>', html)
        for attributes in controls:
            if 'type="hidden"' in attributes:
                continue
            control_id = re.search(r'\bid="([^"]+)"', attributes)
            assert control_id and control_id.group(1) in labels, (path, attributes)
