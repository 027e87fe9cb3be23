"""Liveness and readiness probes."""

from __future__ import annotations

from graph_service import __version__


def test_health(server) -> None:
    with server.client() as client:
        response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": __version__}


def test_health_needs_no_valid_token(server) -> None:
    with server.client("dbp_000000000000_unknown") as client:
        assert client.get("/health").status_code == 200


def test_ready_reports_the_store(live_server) -> None:
    """The root fixture's server, with the EMMO reference stack loaded."""
    with live_server.client() as client:
        response = client.get("/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["store"] == "oxigraph"
    assert body["quads"] == live_server.services.store.count()


def test_ready_counts_loaded_data(writable_server) -> None:
    server = writable_server
    token = server.token()
    with server.client() as client:
        before = client.get("/ready").json()["quads"]
    assert before > 0  # the fixture is loaded
    with server.client(token) as client:
        update = "INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }"
        assert client.post("/sparql", content=update,
                           headers={"Content-Type": "application/sparql-update"}
                           ).status_code == 204
        assert client.get("/ready").json()["quads"] > before


def test_unknown_path_is_problem_json(server) -> None:
    with server.client() as client:
        response = client.get("/no-such-thing")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
