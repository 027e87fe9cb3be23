"""Issue 14, finding 5: ``/id`` HTML rendered a stored IRI ``http://host//evil.example/x`` as
the protocol-relative link ``//evil.example/x`` (a link to another site). Only IRIs that stay
absolute, safe http(s) URLs are links now; everything else is shown as text. The same rule
holds for the dashboard's links and the GS1 Digital Link redirect."""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser

import pytest

from graph_service.model.graphs import AccessGroup
from graph_service.model.iris import safe_href
from graph_service.store import is_valid_iri
from graph_service.store.base import RdfFormat
from graph_service.ui import local_href
from tests.conftest import LiveServer, make_settings, start_server

BASE = "http://127.0.0.1:8000/"
BATTERY = f"{BASE}id/battery/BP-000001"
HOSTILE = [
    f"{BASE}/evil.example/x",           # the finding: "/" + "/evil.example/x"
    f"{BASE}//evil.example/x",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "http:///evil.example/no-host",
    "https:evil.example",
    "vbscript:msgbox(1)",
    "//evil.example/relative",
    "file:///etc/passwd",
]
SAFE = ["https://good.example/doc", f"{BASE}id/org/acme"]


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hrefs.extend(value or "" for name, value in attrs if name == "href")


def _hrefs(page: str) -> list[str]:
    parser = _Links()
    parser.feed(page)
    return parser.hrefs


def _is_safe_link(href: str) -> bool:
    if href.startswith("/"):
        return not href.startswith("//") and "\\" not in href
    return href.startswith(("http://", "https://")) and "\\" not in href


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    with start_server(make_settings(load_reference_ontologies=False)) as live:
        storable = [iri for iri in HOSTILE + SAFE if is_valid_iri(iri)]
        lines = [f"<{BATTERY}> <https://w3id.org/dbp#documentLink> <{iri}> ." for iri in storable]
        lines.append(f'<{BASE}/evil.example/x> <https://w3id.org/dbp#serialNumber> "SER-1" ; '
                     '<https://w3id.org/dbp#batteryId> "BP-000001" .')
        live.services.store.load("\n".join(lines).encode(), RdfFormat.TURTLE,
                                 graph=live.services.layout.view(AccessGroup.PUBLIC))
        yield live


def test_stored_iris_that_would_leave_the_site_are_no_protocol_relative_links(
        server: LiveServer) -> None:
    page = server.client().get("/id/battery/BP-000001", headers={"Accept": "text/html"})
    assert page.status_code == 200, page.text
    hrefs = _hrefs(page.text)
    assert hrefs and all(_is_safe_link(h) for h in hrefs), hrefs
    assert not any(h.lower().startswith(("javascript:", "data:", "vbscript:", "file:"))
                   for h in hrefs)
    # The finding's IRI is still shown (and linked as the absolute URL it is).
    assert f"{BASE}/evil.example/x" in hrefs
    assert "//evil.example/x" not in hrefs
    # Safe IRIs stay links: external ones absolute, ours as paths on this server.
    assert "https://good.example/doc" in hrefs and "/id/org/acme" in hrefs


def test_the_digital_link_never_redirects_off_site(server: LiveServer) -> None:
    response = server.client(follow_redirects=False).get("/01/04012345678901/21/SER-1")
    assert response.status_code in (303, 404), response.text
    if response.status_code == 303:
        assert _is_safe_link(response.headers["location"]), response.headers["location"]


@pytest.mark.parametrize("iri", [*HOSTILE, "http://a\\@evil.example/", "https://host/a\tb",
                                 "http://[::1/"])
def test_unsafe_iris_are_not_links_or_stay_absolute(iri: str) -> None:
    href = safe_href(iri, BASE)
    assert href is None or (href == iri and href.startswith(("http://", "https://"))), href
    local = local_href(iri, BASE)
    assert local is None or _is_safe_link(local), local


@pytest.mark.parametrize(("iri", "href"), [
    (f"{BASE}id/battery/BP-000001", "/id/battery/BP-000001"),
    ("https://good.example/doc", "https://good.example/doc"),
    (f"{BASE}/evil.example/x", f"{BASE}/evil.example/x"),
    ("HTTPS://GOOD.EXAMPLE/", "HTTPS://GOOD.EXAMPLE/"),
])
def test_safe_iris_are_links(iri: str, href: str) -> None:
    assert safe_href(iri, BASE) == href
