"""Issue 14, finding 5: ``/batteries/BP-000001%0A`` (and /procedure, /history, /versions/1,
/export, the UI page) answered 500 - the id pattern's ``$`` accepted a trailing newline, and the
engine then refused the IRI. Ids are matched in full now: every route that takes a battery id
answers a 4xx saying the id is invalid, whatever look-alike or control character it carries."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from graph_service.model.iris import check_identifier
from tests.conftest import LiveServer, make_settings, start_server
from tests.hardening.conftest import passport_body
from tests.security.routes import application_routes

GOOD = "BP-000001"
# (name, the id as it goes into the URL path: percent-encoded where needed)
BAD_IDS = [
    ("trailing LF", f"{GOOD}%0A"),
    ("trailing CR", f"{GOOD}%0D"),
    ("trailing CRLF", f"{GOOD}%0D%0A"),
    ("trailing NUL", f"{GOOD}%00"),
    ("NUL inside", "BP-%00000001"),
    ("trailing tab", f"{GOOD}%09"),
    ("line separator U+2028", f"{GOOD}%E2%80%A8"),
    ("zero-width space", f"{GOOD}%E2%80%8B"),
    ("Cyrillic look-alikes", "%D0%92%D0%A0-000001"),  # Cyrillic VE and ER for B and P
    ("fullwidth digits", "BP-%EF%BC%90%EF%BC%90%EF%BC%90001"),
    ("unicode hyphen", "BP%E2%80%90000001"),
    ("superscript digit", "BP-00000%C2%B9"),
    ("overlong", "B" * 129),
]


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    with start_server(make_settings(load_reference_ontologies=False)) as live:
        with live.client(live.token()) as admin:
            assert admin.post("/passports", content=passport_body(1),
                              headers={"Content-Type": "text/turtle"}).status_code == 201
        yield live


def _battery_routes(server: LiveServer) -> list[tuple[str, str]]:
    """Every (method, path template) of the application that takes a battery id."""
    return [(method, path) for method, path in application_routes(server.server.config.app)
            if "{battery_id}" in path]


def test_the_sweep_covers_the_routes_of_the_finding(server: LiveServer) -> None:
    paths = {path for _, path in _battery_routes(server)}
    for suffix in ("", "/procedure", "/history", "/versions/{number}", "/export"):
        assert "/batteries/{battery_id}" + suffix in paths
    assert "/ui/batteries/{battery_id}" in paths


@pytest.mark.parametrize(("name", "bad"), BAD_IDS, ids=[n for n, _ in BAD_IDS])
def test_every_route_with_a_battery_id_refuses_it_clearly(server: LiveServer, name: str,
                                                          bad: str) -> None:
    routes = _battery_routes(server)
    failures = []
    with server.client(server.token("recycler", "r")) as client:
        for method, template in routes:
            path = template.replace("{battery_id}", bad).replace("{number}", "1")
            response = client.request(method, path, json={} if method == "POST" else None)
            if response.status_code >= 500 or response.status_code < 400:
                failures.append(f"{method} {path}: {response.status_code}")
                continue
            if template.startswith("/ui/") and method == "GET":
                assert "text/html" in response.headers["content-type"]
                assert "Invalid identifier" in response.text or "Page not found" in response.text
                continue
            assert response.headers["content-type"].startswith("application/problem+json")
            detail = response.json()["detail"]
            if response.status_code == 422:
                assert "battery_id" in detail and ("battery id" in detail or "128" in detail), \
                    (path, detail)
    assert not failures, failures


@pytest.mark.parametrize(("name", "bad"), BAD_IDS, ids=[n for n, _ in BAD_IDS])
def test_ids_in_query_parameters_and_graph_iris_are_refused_too(server: LiveServer, name: str,
                                                                bad: str) -> None:
    with server.client(server.token()) as admin:
        answers = [
            admin.get(f"/id/battery/{bad}"),
            admin.get(f"/audit?battery={bad}"),
            admin.post(f"/passports?battery={bad}", content=passport_body(1),
                       headers={"Content-Type": "text/turtle"}),
            admin.post(f"/import?format=catenax&battery={bad}", content=b"{}"),
            admin.get(f"/store?graph=http://127.0.0.1:8000/graph/battery/{bad}/identity"),
            admin.put(f"/store?graph=http://127.0.0.1:8000/graph/battery/{bad}/identity",
                      content=b"", headers={"Content-Type": "text/turtle"}),
            admin.get(f"/01/04012345678901/21/{bad}"),
        ]
    for response in answers:
        assert 400 <= response.status_code < 500, (response.request.url, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    # The real battery is untouched.
    assert server.services.repository.stored_stages(GOOD)


def test_the_id_rule_is_a_full_match() -> None:
    for text in ("BP-000001\n", "BP-000001\r", "BP-000001\r\n", "\nBP-000001"):
        with pytest.raises(ValueError):
            check_identifier(text, "battery id")
    assert check_identifier(GOOD) == GOOD


def test_the_real_id_still_works_everywhere(server: LiveServer) -> None:
    with server.client(server.token()) as admin:
        for suffix in ("", "/history", "/versions/1", "/export?incomplete=allow"):
            response = admin.get(f"/batteries/{GOOD}{suffix}")
            assert response.status_code == 200, (suffix, response.text)
        assert admin.get(f"/ui/batteries/{GOOD}").status_code == 200

