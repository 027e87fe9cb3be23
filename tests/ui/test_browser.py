"""The dashboard in a real browser: headless Chromium (Debian's ``chromium`` package, driven by
Playwright through ``executable_path``; nothing is downloaded) against a real uvicorn server with
a demo fleet that holds a critical-risk battery.

Flows: an operator (recycler token) signs in, searches, opens the critical battery, sees the
thermal-risk banner and PPE before the first isolation step, ticks the isolation steps in order,
reports a step three times with 42 minutes and sees its estimate become 42 (rule 32,
``param:feedback-min-observations`` = 3); a researcher runs a published example query in the
query page and sees a results table. Each flow saves screenshots (DBP_TEST_ARTIFACTS, default
test-artifacts/ui/), and the tablet requirements are measured in the page: 1024x768 without
horizontal scrolling, touch targets of at least 44 px, WCAG AA text contrast.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph_service.services.access import Role

from .conftest import Fleet, chromium_path

playwright_api = pytest.importorskip("playwright.sync_api")

VIEWPORT = {"width": 1024, "height": 768}
MIN_TARGET = 44
FEEDBACK_MINUTES = 42
TIMEOUT_MS = 20_000

# Interactive elements measured for the touch-target size (visible ones only); a checkbox is
# measured with its label, which is the touch target.
_TARGETS_JS = """
() => {
  const seen = [];
  const selector = 'button, a.button, a.why, a.row-link, .nav a, .tabs a, select, textarea, '
    + 'input:not([type=hidden]):not([type=checkbox]), summary, .check-item label, '
    + '.field.check label';
  for (const el of document.querySelectorAll(selector)) {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (box.width === 0 || box.height === 0 || style.visibility === 'hidden') continue;
    seen.push({what: el.outerHTML.slice(0, 90), width: box.width, height: box.height});
  }
  return seen;
}
"""

# WCAG 2.x contrast of an element's text against its first opaque background.
_CONTRAST_JS = """
(selector) => {
  const parse = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const out = [];
  for (const el of document.querySelectorAll(selector)) {
    if (!el.getClientRects().length) continue;
    let node = el, bg = null;
    while (node && node.nodeType === 1) {
      const c = parse(getComputedStyle(node).backgroundColor);
      if (c.length >= 3 && (c.length === 3 || c[3] > 0.99)) { bg = c; break; }
      node = node.parentElement;
    }
    bg = bg || [255, 255, 255];
    const fg = parse(getComputedStyle(el).color);
    const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    out.push({what: el.outerHTML.slice(0, 80), ratio: (a + 0.05) / (b + 0.05)});
  }
  return out;
}
"""
CONTRAST_SELECTORS = (
    "body, h1, h2, h3, p, li, dt, dd, th, td, label, .muted, .help, .badge, .why, .button, "
    "button, .notice, .alert-banner h2, .alert-banner p, .cautions li, .seq, summary"
)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    executable = chromium_path()
    if executable is None:
        message = "Debian's chromium is not installed (make install installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, headless=True)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def new_page(browser):
    contexts = []

    def factory():
        context = browser.new_context(viewport=VIEWPORT, has_touch=True)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        # Script errors, and failed loads of anything but the page itself (a 403/404 page is an
        # expected answer; a missing stylesheet or script is not).
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("response", lambda r: errors.append(f"{r.status} {r.url}")
                if r.status >= 400 and r.request.resource_type != "document" else None)
        page.js_errors = errors  # type: ignore[attr-defined]
        return page

    yield factory
    for context in contexts:
        context.close()


def shot(page, artifacts: Path, name: str) -> Path:
    path = artifacts / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.exists() and path.stat().st_size > 1000, path
    return path


def sign_in(page, fleet: Fleet, role: Role, organisation: str, artifacts: Path | None = None):
    page.goto(f"{fleet.live.url}/ui/login")
    page.get_by_label("Access token").fill(fleet.live.token(role, organisation))
    if artifacts is not None:
        shot(page, artifacts, "01-sign-in")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/ui")
    assert page.locator(".who").inner_text().startswith(f"Signed in as {role.value}")


def check_tablet_layout(page) -> None:
    """1024x768 without horizontal scrolling, touch targets >= 44 px, AA contrast."""
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= VIEWPORT["width"], f"horizontal scrolling: {overflow}px wide"
    small = [t for t in page.evaluate(_TARGETS_JS)
             if t["height"] < MIN_TARGET - 0.5 or t["width"] < MIN_TARGET - 0.5]
    assert not small, small[:5]
    low = [c for c in page.evaluate(_CONTRAST_JS, CONTRAST_SELECTORS) if c["ratio"] < 4.5]
    assert not low, low[:5]


def estimate(page, step_type: str) -> str:
    return page.locator(f"#step-{step_type} .estimate").inner_text().strip()


def test_operator_flow(fleet, new_page, artifacts):
    page = new_page()
    shots = []
    sign_in(page, fleet, Role.RECYCLER, "circular-metals", artifacts)
    shots.append(artifacts / "01-sign-in.png")

    # search: critical thermal risk
    page.get_by_label("Thermal-risk level").select_option("critical")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/ui/batteries?*risk=critical*")
    rows = page.locator("#results tbody tr")
    assert rows.count() >= 1
    assert fleet.critical in page.locator("#results").inner_text()
    check_tablet_layout(page)
    shots.append(shot(page, artifacts, "02-search-critical"))

    # the passport, by section, with the two SVG trend plots
    page.get_by_role("link", name=fleet.critical, exact=True).click()
    page.wait_for_url(f"**/ui/batteries/{fleet.critical}")
    for section in ("Identity", "Design", "Traceability chain", "Usage", "Negative events"):
        assert page.get_by_role("heading", name=section, exact=True).is_visible()
    assert page.locator("svg.chart").count() == 2
    assert page.locator("#chart-soc-soh .series").count() == 2
    check_tablet_layout(page)
    shots.append(shot(page, artifacts, "03-passport"))

    # the procedure: alert banner and PPE before the first isolation step
    page.get_by_role("link", name="Dismantling procedure", exact=True).click()
    page.wait_for_url(f"**/ui/batteries/{fleet.critical}/procedure")
    banner = page.locator("#thermal-alert")
    assert "alert-critical" in banner.get_attribute("class")
    assert "critical" in banner.locator("h2").inner_text().lower()
    assert page.locator("#ppe li").count() >= 1
    order = page.evaluate("""() => {
      const pos = (a, b) => !!(a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING);
      const banner = document.querySelector('#thermal-alert');
      const ppe = document.querySelector('#ppe li');
      const first = document.querySelector('#isolation .check-item');
      const step = document.querySelector('#disassembly .step');
      return [pos(banner, ppe), pos(ppe, first), pos(first, step)];
    }""")
    assert order == [True, True, True]
    check_tablet_layout(page)
    shots.append(shot(page, artifacts, "04-procedure"))

    # isolation steps: each can only be ticked after the previous one
    boxes = page.locator("#isolation input[type=checkbox]")
    count = boxes.count()
    assert count >= 3
    assert boxes.nth(0).is_enabled()
    assert boxes.nth(1).is_disabled() and boxes.nth(2).is_disabled()
    assert page.locator("#isolation-pending").is_visible()
    for index in range(count):
        if index + 1 < count:
            assert boxes.nth(index + 1).is_disabled()
        page.locator(f"label[for=iso-{index + 1}-done]").tap()
        assert boxes.nth(index).is_checked()
        if index + 1 < count:
            assert boxes.nth(index + 1).is_enabled()
        if index + 2 < count:
            assert boxes.nth(index + 2).is_disabled()
    assert page.locator("#isolation-progress").inner_text().startswith(f"All {count}")
    assert page.locator("#isolation-pending").is_hidden()
    # unticking a step reopens it and locks the ones after it
    boxes.nth(1).uncheck()
    assert not boxes.nth(2).is_checked() and boxes.nth(2).is_disabled()
    for index in range(1, count):
        boxes.nth(index).check()
    shots.append(shot(page, artifacts, "05-isolation-confirmed"))

    # feedback: three outcomes of 42 minutes on one step
    steps = page.locator("#disassembly li.step")
    step_type = next(
        steps.nth(i).get_attribute("data-step-type") for i in range(steps.count())
        if steps.nth(i).locator(".estimate").inner_text().strip() != str(FEEDBACK_MINUTES))
    before = estimate(page, step_type)
    for attempt in range(1, 4):
        step = page.locator(f"#step-{step_type}")
        if step.locator("details.feedback").get_attribute("open") is None:
            step.locator("summary").click()  # open after a recorded outcome, closed before
        step.get_by_label("Actual minutes").fill(str(FEEDBACK_MINUTES))
        step.get_by_label("Note").fill(f"dashboard test outcome {attempt}")
        step.get_by_role("button", name="Record outcome").click()
        page.wait_for_url(f"**/procedure?recorded={step_type}*")
        assert page.locator("#feedback-recorded").is_visible()
        assert not page.js_errors, page.js_errors
        if attempt < 3:  # fewer outcomes than feedback-min-observations: the default holds
            assert estimate(page, step_type) == before
    assert estimate(page, step_type) == str(FEEDBACK_MINUTES)
    assert "mean of 3 fed-back outcomes" in page.locator(f"#step-{step_type}").inner_text()
    # the isolation ticks survive the reloads (same isolation steps after the re-derivation)
    assert page.locator("#isolation-progress").inner_text().startswith(f"All {count}")
    check_tablet_layout(page)
    shots.append(shot(page, artifacts, "06-feedback-estimate-42"))

    # explanation of the step
    page.locator(f"#step-{step_type} a.why").first.click()
    page.wait_for_url(re.compile(r"/ui/explain\?node="))
    assert page.get_by_role("heading", name="Why this was derived").is_visible()
    assert page.get_by_role("heading", name="Derived from").is_visible()
    check_tablet_layout(page)
    shots.append(shot(page, artifacts, "07-explanation"))

    # pathway ranking
    page.goto(f"{fleet.live.url}/ui/batteries/{fleet.critical}/pathway")
    options = page.locator("#pathway-options > li")
    assert options.count() >= 2
    assert options.first.get_attribute("data-rank") == "1"
    text = options.first.inner_text()
    for label in ("Score", "Time", "Cost", "Expected yield"):
        assert label in text
    check_tablet_layout(page)
    shots.append(shot(page, artifacts, "08-pathway"))

    # sign out: back to public data, the procedure is gone
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/ui/login?signed_out=true")
    page.goto(f"{fleet.live.url}/ui/batteries/{fleet.critical}/procedure")
    assert page.locator("#isolation").count() == 0
    assert "Legitimate interest required" in page.locator("h1").inner_text()
    assert not page.js_errors, page.js_errors
    for path in shots:
        assert path.exists() and path.stat().st_size > 0


def test_researcher_runs_an_example_query(fleet, new_page, artifacts):
    page = new_page()
    sign_in(page, fleet, Role.RESEARCHER, "uni-research")
    page.goto(f"{fleet.live.url}/sparql")  # the browser's Accept prefers HTML: the query page
    assert page.get_by_role("heading", name="SPARQL query").is_visible()
    page.wait_for_selector("#yasgui .yasqe .CodeMirror")  # the YASGUI editor
    page.get_by_label("Example query").select_option("fleet-soh-by-chemistry")
    assert "SELECT" in page.evaluate("() => window.dbpYasgui.getTab().getYasqe().getValue()")
    assert page.locator("#example-description").inner_text()
    page.locator(".tabPanel.active .yasqe_queryButton").click()
    table = page.locator(".tabPanel.active .yasr table.dataTable")
    table.locator("tbody tr").first.wait_for()
    headers = " ".join(table.locator("thead th").all_inner_texts())
    assert "chemistry" in headers and "averageSoh" in headers
    assert table.locator("tbody tr").count() >= 1
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= VIEWPORT["width"], f"horizontal scrolling: {overflow}px wide"
    path = shot(page, artifacts, "09-sparql-example-results")

    # a malformed query is reported with the server's message, not a blank page
    page.evaluate("() => window.dbpYasgui.getTab().getYasqe().setValue('SELEC ?x')")
    with page.expect_response(lambda r: r.url.endswith("/ui/sparql")) as answer:
        page.evaluate("() => window.dbpYasgui.getTab().getYasqe().query().catch(() => null)")
    assert answer.value.status == 400 and "Malformed SPARQL" in answer.value.text()
    # YASGUI marks the line in the editor (its own parser agrees with the server)
    page.locator(".tabPanel.active .CodeMirror-gutters .parseErrorIcon, "
                 ".tabPanel.active .yasqe .parseErrorIcon").first.wait_for()
    shot(page, artifacts, "10-sparql-error")
    # the fetch of the bad query; YASGUI reports the rejection it was handed, nothing else
    assert [e for e in page.js_errors if not e.startswith("400 ")
            and "Malformed SPARQL" not in e] == [], page.js_errors
    assert path.exists()
