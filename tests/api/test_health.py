"""Liveness and readiness probes."""

from __future__ import annotations

from graph_service import __version__
from graph_service.services.access import Role
from graph_service.services.fleet.demo import demo_passport


def test_health(server) -> None:
    with server.client() as client:
        response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": __version__}


def test_health_needs_no_valid_token(server) -> None:
    with server.client("dbp_000000000000_unknown") as client:
        assert client.get("/health").status_code == 200


def test_ready_reports_the_store(live_server) -> None:
    """The root fixture's server: an empty store with the ontology loaded."""
    with live_server.client() as client:
        response = client.get("/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "store": "oxigraph", "batteries": 0}


def test_ready_counts_stored_batteries(live_server) -> None:
    """/ready reports the fleet (batteries with a public identity), never a quad count: that
    is a scan of the whole store (28 s at 10 000 batteries on disk)."""
    token = live_server.token(Role.ADMIN)
    minter = live_server.services.minter
    with live_server.client(token) as client:
        for index in (1, 2):
            body = demo_passport(minter, index).serialize(format="turtle").encode()
            answer = client.post("/passports", content=body,
                                 headers={"Content-Type": "text/turtle"})
            assert answer.status_code in (200, 201), answer.text
        assert client.get("/ready").json()["batteries"] == 2
        # Writing a battery again does not count it twice.
        body = demo_passport(minter, 2).serialize(format="turtle").encode()
        client.post("/passports", content=body, headers={"Content-Type": "text/turtle"})
        assert client.get("/ready").json()["batteries"] == 2


def test_unknown_path_is_problem_json(server) -> None:
    with server.client() as client:
        response = client.get("/no-such-thing")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
