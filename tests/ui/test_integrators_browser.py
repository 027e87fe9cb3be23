"""Issue 18 in a real browser (Debian's chromium through Playwright): offline API docs, YASGUI
with our example queries, the landing page, and the Linked Data page of a battery. Every request
the browser makes is recorded; anything not addressed to 127.0.0.1 is blocked and fails the test
(plant networks and air-gapped sites have no internet)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from graph_service.services.access import Role
from graph_service.services.sparql.descriptions import example_queries

from .conftest import Fleet, chromium_path

playwright_api = pytest.importorskip("playwright.sync_api")

TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    executable = chromium_path()
    if executable is None:
        message = "Debian's chromium is not installed (make browser installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, headless=True)
        try:
            yield launched
        finally:
            launched.close()


class Offline:
    """A browser context that records every request and blocks those leaving 127.0.0.1."""

    def __init__(self, browser) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.context.set_default_timeout(TIMEOUT_MS)
        self.outside: list[str] = []
        self.failed: list[str] = []
        self.errors: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("response", lambda r: self.failed.append(f"{r.status} {r.url}")
                     if r.status >= 400 and r.request.resource_type != "document" else None)

    def _route(self, route) -> None:
        url = route.request.url
        host = urlsplit(url).hostname
        if url.startswith(("data:", "blob:", "about:")) or host == "127.0.0.1":
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def check(self) -> None:
        assert self.outside == [], f"requests left 127.0.0.1: {self.outside[:5]}"
        assert self.failed == [], self.failed[:5]
        assert self.errors == [], self.errors[:5]


@pytest.fixture
def offline(browser) -> Iterator[Offline]:
    session = Offline(browser)
    yield session
    session.context.close()


def test_finding_1_swagger_ui_and_redoc_render_offline(fleet: Fleet, offline: Offline) -> None:
    page = offline.page
    page.goto(f"{fleet.live.url}/docs")
    page.wait_for_selector(".swagger-ui .opblock-tag")
    assert page.locator(".opblock-summary-path", has_text="/sparql").count() >= 1
    page.goto(f"{fleet.live.url}/redoc")
    page.wait_for_selector(".api-content h1")
    assert "Digital Battery Passport" in page.locator(".api-content").inner_text()
    assert "SPARQL" in page.locator(".menu-content").inner_text()
    offline.check()


def test_finding_2_yasgui_runs_a_published_example_as_the_signed_in_user(
        fleet: Fleet, offline: Offline) -> None:
    page = offline.page
    page.goto(f"{fleet.live.url}/ui/login")
    page.get_by_label("Access token").fill(fleet.live.token(Role.RESEARCHER, "uni"))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/ui")
    page.goto(f"{fleet.live.url}/sparql", wait_until="networkidle")  # a browser at /sparql
    page.wait_for_selector("#yasgui .yasqe .CodeMirror")
    assert page.locator("#sparql-form").is_hidden()  # the no-JS form gives way to YASGUI
    titles = [e.title for e in example_queries()]
    options = page.locator("#example option").all_inner_texts()
    assert set(titles) <= set(options)
    example = next(e for e in example_queries() if e.name == "fleet-soh-by-chemistry")
    page.locator("#example").select_option(example.name)
    page.wait_for_selector(f".tabPanel.active, .tab.active >> text={example.title}")
    editor_text = page.evaluate(
        "() => window.dbpYasgui.getTab().getYasqe().getValue()")
    assert editor_text == example.text
    page.locator(".tabPanel.active .yasqe_queryButton").click()
    table = page.locator(".tabPanel.active .yasr table.dataTable tbody tr")
    table.first.wait_for()
    assert table.count() >= 1
    assert "nmc" in page.locator(".tabPanel.active .yasr").inner_text().lower()
    # prefix completion offers this service's prefixes (no prefix.cc / LOV look-ups)
    page.evaluate("() => { const y = window.dbpYasgui.getTab().getYasqe();"
                  " y.setValue(''); y.focus(); }")
    page.keyboard.type("PREFIX db")
    hints = page.locator(".CodeMirror-hints li")
    hints.first.wait_for()
    assert "dbp: <https://w3id.org/dbp#>" in hints.all_inner_texts()
    completers = page.evaluate("() => window.dbpYasgui.getTab().getYasqe().config.autocompleters")
    assert "class" not in completers and "property" not in completers
    offline.check()


def test_finding_2_every_published_example_runs_in_yasgui(fleet: Fleet,
                                                          offline: Offline) -> None:
    """Published query texts work in YASGUI (SPARQLWrapper/rdflib: tests/queries)."""
    page = offline.page
    page.goto(f"{fleet.live.url}/ui/sparql", wait_until="networkidle")
    page.wait_for_selector("#yasgui .yasqe .CodeMirror")
    for example in example_queries():
        page.locator("#example").select_option(example.name)
        page.wait_for_function(
            "(text) => window.dbpYasgui.getTab().getYasqe().getValue() === text", arg=example.text)
        with page.expect_response(lambda r: r.url.endswith("/ui/sparql")
                                  and r.request.method == "POST") as answer:
            page.evaluate("() => window.dbpYasgui.getTab().getYasqe().query()")
        response = answer.value
        assert response.status == 200, (example.name, response.text()[:300])
        expected = "application/n-triples" if example.kind == "CONSTRUCT" else \
            "application/sparql-results+json"
        assert response.headers["content-type"].startswith(expected), example.name
        page.wait_for_function(
            "() => !document.querySelector('.tabPanel.active .yasr .errorResult')"
            " && document.querySelector('.tabPanel.active .yasr_results')")
    offline.check()


def test_finding_3_a_browser_at_the_root_lands_on_the_dashboard(fleet: Fleet,
                                                                offline: Offline) -> None:
    page = offline.page
    page.goto(f"{fleet.live.url}/")
    assert urlsplit(page.url).path == "/ui"
    assert page.get_by_role("heading", level=1).first.is_visible()
    offline.check()


def test_finding_13_linked_data_page_shows_labels_and_alternates(fleet: Fleet,
                                                                 offline: Offline) -> None:
    page = offline.page
    battery = fleet.ids[0]
    page.goto(f"{fleet.live.url}/id/battery/{battery}")
    alternates = page.locator("head link[rel=alternate]")
    types = {alternates.nth(i).get_attribute("type") for i in range(alternates.count())}
    assert {"text/turtle", "application/ld+json", "application/n-triples",
            "application/rdf+xml"} <= types
    text = page.locator("body").inner_text()
    assert "EMMO_" not in text and "battery_be3b35a7" not in text  # labels, not opaque IRIs
    assert "BatteryPack" in text or "battery pack" in text.lower()
    page.get_by_role("link", name="Turtle").click()
    assert "dbp:batteryId" in page.content() or "batteryId" in page.content()
    offline.check()


def test_finding_13_procedure_and_passport_read_as_words(fleet: Fleet, offline: Offline) -> None:
    page = offline.page
    page.goto(f"{fleet.live.url}/ui/login")
    page.get_by_label("Access token").fill(fleet.live.token(Role.RECYCLER, "circular"))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/ui")
    for battery in fleet.ids[:4]:
        page.goto(f"{fleet.live.url}/ui/batteries/{battery}/procedure")
        for line in page.locator("#ppe li").all_inner_texts():
            name = line.split("\u2013")[0].strip()  # the page separates name and reason by a dash
            assert line.count(name) == 1, line  # no "face shield - face shield: ..." any more
            assert "required when" not in line, line
        tools = [t.split("(")[0].strip() for t in page.locator(".tool-list li").all_inner_texts()]
        assert len(tools) == len(set(tools)), tools  # one line per tool, sizes together
        page.goto(f"{fleet.live.url}/ui/batteries/{battery}")
        rated = page.locator("table.compact tbody th[scope=row]").all_inner_texts()
        assert rated and not [q for q in rated if re.fullmatch(r"[A-Z][a-z]+(?:[A-Z][a-z]+)+", q)]
        units = page.locator("table.compact tbody td:last-child").all_inner_texts()
        assert "V" in units and "Volt" not in units
    offline.check()
