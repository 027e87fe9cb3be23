"""Structured request logs, request ids, Prometheus metrics, and the last-resort 500."""

from __future__ import annotations

import io
import json
import logging
import re

import pytest

from graph_service.api.observability import JsonFormatter, logging_config
from graph_service.services.access import Role

from .conftest import passport_body

TURTLE = {"Content-Type": "text/turtle"}


@pytest.fixture
def json_log():
    """The JSON lines the root logger writes while the test runs."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)

    def lines() -> list[dict]:
        return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]

    yield lines
    root.removeHandler(handler)
    root.setLevel(level)


def _access(lines: list[dict], request_id: str) -> dict:
    matching = [e for e in lines if e.get("logger") == "graph_service.access"
                and e.get("request_id") == request_id]
    assert len(matching) == 1, lines[-5:]
    return matching[0]


def test_one_json_line_per_request_with_request_id(server_factory, json_log) -> None:
    live = server_factory(load_reference_ontologies=False)
    token = live.token(Role.RESEARCHER, "uni")
    principal_id = token.split("_")[1]
    with live.client(token) as client:
        echoed = client.get("/batteries/BP-000001/history",
                            headers={"X-Request-ID": "trace-42.a"})
        generated = client.get("/health", headers={"X-Request-ID": "not;ok" * 40})
    with live.client() as client:
        anonymous = client.get("/no-such-page")
    assert echoed.headers["X-Request-ID"] == "trace-42.a"
    assert re.fullmatch(r"[0-9a-f]{32}", generated.headers["X-Request-ID"])

    entry = _access(json_log(), "trace-42.a")
    assert entry["level"] == "INFO"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", entry["time"])
    assert entry["method"] == "GET"
    assert entry["route"] == "/batteries/{battery_id}/history"  # the template, not the path
    assert entry["status"] == echoed.status_code
    assert entry["duration_ms"] >= 0
    assert entry["principal"] == principal_id
    assert entry["role"] == "researcher"
    missing = _access(json_log(), anonymous.headers["X-Request-ID"])
    assert missing["route"] == "<unmatched>" and missing["status"] == 404
    assert missing["principal"] == "anonymous" and missing["role"] == "public"


def test_metrics(server_factory) -> None:
    live = server_factory()  # with the reference ontologies: a demo passport validates
    token = live.token()
    with live.client(token) as client:
        assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 200
        assert client.get("/batteries/BP-000001/history").status_code in (200, 404)
        written = client.post("/passports", content=passport_body(1), headers=TURTLE)
        assert written.status_code == 201, written.text
        invalid = client.post("/passports", headers=TURTLE, content=(
            b"<http://127.0.0.1:8000/id/battery/BP-000009> <https://w3id.org/dbp#batteryId> "
            b'"BP-000009" .'))
        assert invalid.status_code == 422, invalid.text
        text = client.get("/metrics").text
    assert client is not None
    assert 'dbp_http_request_duration_seconds_count{method="GET",route="/sparql",status="200"}' \
        in text
    assert 'route="/batteries/{battery_id}/history"' in text
    assert re.search(r'dbp_sparql_query_duration_seconds_count\{outcome="ok"\} [1-9]', text)
    assert re.search(r"dbp_validation_failures_total [1-9]", text)
    assert re.search(r'dbp_validations_total\{result="conforms"\} [1-9]', text)
    assert re.search(r'dbp_derivations_total\{outcome="ok"\} [1-9]', text)
    assert re.search(r"dbp_derivation_duration_seconds_count [1-9]", text)
    assert "dbp_store_batteries 1.0" in text
    assert "dbp_sparql_queries_in_flight 0.0" in text


def test_unexpected_errors_are_a_bare_500_with_request_id(server_factory, json_log) -> None:
    live = server_factory(load_reference_ontologies=False)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire at /work/secret/path.py")

    live.services.history.audit_records = broken
    with live.client(live.token()) as client:
        response = client.get("/audit")
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "fire" not in response.text and "/work/" not in response.text
    request_id = response.headers["X-Request-ID"]
    assert response.json()["request_id"] == request_id
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    errors = [e for e in json_log() if e.get("level") == "ERROR"]
    assert errors and errors[-1]["request_id"] == request_id
    assert "disk on fire" in errors[-1]["exception"]  # the log keeps what the client never sees
    assert _access(json_log(), request_id)["status"] == 500


def test_serve_logging_config_is_json() -> None:
    config = logging_config("INFO")
    assert config["formatters"]["json"]["()"].endswith("JsonFormatter")
    assert config["root"]["handlers"] == ["json"]
