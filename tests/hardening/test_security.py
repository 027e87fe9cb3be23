"""Security headers, CORS, no tokens in logs, and a dependency vulnerability audit."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import logging
import re
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph_service.api.observability import JsonFormatter, redact
from graph_service.model.graphs import AccessGroup
from graph_service.store.base import RdfFormat
from tests.conftest import LiveServer, make_settings, start_server

NODE = "http://127.0.0.1:8000/id/thing/widget"


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    with start_server(make_settings(load_reference_ontologies=False)) as live:
        live.services.store.load(
            f'<{NODE}> <http://www.w3.org/2000/01/rdf-schema#label> "widget" .'.encode(),
            RdfFormat.TURTLE, graph=live.services.layout.view(AccessGroup.PUBLIC))
        yield live


def _common_headers(headers) -> None:
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "no-referrer"
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "Authorization" in headers["Vary"]
    assert re.fullmatch(r"[0-9a-f]{32}", headers["X-Request-ID"])


@pytest.mark.parametrize("method,path,status", [
    ("GET", "/health", 200),
    ("GET", "/sparql?query=ASK%7B%7D", 200),
    ("GET", "/no-such-page", 404),
    ("GET", "/sparql?query=SELECT", 400),
    ("POST", "/validate", 415),
    ("POST", "/passports", 403),  # anonymous: refused before the body is looked at
    ("GET", "/openapi.json", 200),
])
def test_security_headers_on_every_answer(server: LiveServer, method: str, path: str,
                                          status: int) -> None:
    with server.client() as client:
        response = client.request(method, path)
    assert response.status_code == status
    _common_headers(response.headers)
    assert "Strict-Transport-Security" not in response.headers  # not production
    assert "Cache-Control" not in response.headers or path == "/openapi.json"


def test_authenticated_answers_vary_and_are_not_stored(server: LiveServer) -> None:
    with server.client(server.token()) as client:
        response = client.get("/sparql", params={"query": "ASK {}"})
    assert response.status_code == 200
    _common_headers(response.headers)
    assert response.headers["Vary"] == "Accept, Authorization"
    assert response.headers["Cache-Control"] == "no-store"
    with server.client("dbp_000000000000_wrong") as client:
        refused = client.get("/sparql", params={"query": "ASK {}"})
    assert refused.status_code == 401
    _common_headers(refused.headers)


def test_csp_allows_the_linked_data_page_and_no_inline_script(server: LiveServer) -> None:
    with server.client() as client:
        page = client.get("/id/thing/widget", headers={"Accept": "text/html"})
    assert page.status_code == 200, page.text
    csp = page.headers["Content-Security-Policy"]
    style = re.search(r"<style>(.*?)</style>", page.text, re.S)
    assert style is not None
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    assert f"'sha256-{digest}'" in csp, "the page's inline style is not allowed by the CSP"
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp


def test_api_docs_get_a_policy_that_loads_swagger_from_the_service(server: LiveServer) -> None:
    with server.client() as client:
        docs = client.get("/docs")
        assert client.get("/static/docs/swagger-ui-bundle.js").status_code == 200
    assert docs.status_code == 200
    csp = docs.headers["Content-Security-Policy"]
    assert "https:" not in csp  # nothing from another origin (offline sites)
    assert "frame-ancestors 'none'" in csp


def test_hsts_only_in_production(server_factory) -> None:
    live = server_factory(load_reference_ontologies=False, environment="production")
    with live.client() as client:
        response = client.get("/health")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


PREFLIGHT = {"Origin": "https://app.example", "Access-Control-Request-Method": "POST",
             "Access-Control-Request-Headers": "authorization,content-type"}


def test_cors_closed_by_default(server: LiveServer) -> None:
    with server.client() as client:
        preflight = client.options("/sparql", headers=PREFLIGHT)
        simple = client.get("/health", headers={"Origin": "https://app.example"})
    assert "access-control-allow-origin" not in preflight.headers
    assert "access-control-allow-origin" not in simple.headers


def test_cors_for_configured_origins_only(server_factory) -> None:
    live = server_factory(load_reference_ontologies=False,
                          cors_origins=["https://app.example"])
    with live.client() as client:
        preflight = client.options("/sparql", headers=PREFLIGHT)
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "https://app.example"
        assert "authorization" in preflight.headers["access-control-allow-headers"].lower()
        _common_headers(preflight.headers)
        answer = client.get("/health", headers={"Origin": "https://app.example"})
        assert answer.headers["access-control-allow-origin"] == "https://app.example"
        assert "x-request-id" in answer.headers["access-control-expose-headers"].lower()
        assert "access-control-allow-credentials" not in answer.headers
        other = client.get("/health", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers


def test_cors_origins_from_the_environment(monkeypatch) -> None:
    from graph_service.config import Settings

    monkeypatch.setenv("DBP_CORS_ORIGINS", "https://a.example, https://b.example/")
    assert Settings(_env_file=None).cors_origins == ["https://a.example", "https://b.example"]
    monkeypatch.setenv("DBP_CORS_ORIGINS", '["https://a.example"]')
    assert Settings(_env_file=None).cors_origins == ["https://a.example"]
    monkeypatch.setenv("DBP_CORS_ORIGINS", "")
    assert Settings(_env_file=None).cors_origins == []
    monkeypatch.setenv("DBP_CORS_ORIGINS", "app.example")
    with pytest.raises(ValueError):
        Settings(_env_file=None)


def test_tokens_never_reach_the_logs(server: LiveServer, caplog) -> None:
    """Every record of a request series with bearer tokens, as stored (all attributes) and as
    written by the JSON formatter, is free of the tokens."""
    token = server.token()
    secret = token.split("_", 2)[2]  # the secret itself may contain "_"
    forged = "dbp_000000000000_" + "s3cr3t" * 6
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    caplog.set_level(logging.DEBUG)
    try:
        with server.client(token) as client:
            client.get("/sparql", params={"query": "ASK {}"})
            client.get("/sparql", params={"query": "SELECT"})  # 400
            client.post("/passports", content=b"@@@", headers={"Content-Type": "text/turtle"})
            client.get("/audit")
        with server.client(forged) as client:
            client.get("/sparql", params={"query": "ASK {}"})  # 401
        logging.getLogger("graph_service.test").warning("caller sent Bearer %s", token)
    finally:
        root.removeHandler(handler)
    written = stream.getvalue()
    assert "graph_service.access" in written  # the access lines were captured
    for value in (token, secret, forged):
        assert value not in written
    assert "[redacted]" in written  # the deliberate leak above was masked
    access = [r for r in caplog.records if r.name == "graph_service.access"]
    assert len(access) >= 5
    for record in access:
        raw = json.dumps(record.__dict__, default=str)
        for value in (token, secret, forged):
            assert value not in raw
    assert {r.principal for r in access} >= {"anonymous"}


def test_redaction_patterns() -> None:
    jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
    text = redact(f"a dbp_0123abcd_{'x' * 43} b Bearer abc.def c {jwt} d")
    assert "x" * 43 not in text and "abc.def" not in text and jwt not in text
    assert text.startswith("a [redacted] b [redacted] c [redacted] d")


def test_dependency_audit() -> None:
    """pip-audit over the installed environment (CI runs it with the tests). Skipped only when
    the vulnerability service cannot be reached."""
    pip_audit = Path(sys.executable).with_name("pip-audit")
    command = ([str(pip_audit)] if pip_audit.exists()
               else [sys.executable, "-m", "pip_audit"])
    result = subprocess.run([*command, "--local", "--progress-spinner", "off", "--format",
                             "json"], capture_output=True, text=True, timeout=300)
    network = ("ConnectionError", "NameResolutionError", "Max retries exceeded",
               "Temporary failure in name resolution", "Network is unreachable",
               "ConnectTimeout", "ReadTimeout")
    if result.returncode != 0 and any(word in result.stderr for word in network):
        pytest.skip(f"vulnerability service unreachable: {result.stderr.strip()[-300:]}")
    assert result.stdout.strip(), result.stderr[-2000:]
    report = json.loads(result.stdout)
    vulnerable = {d["name"]: [v["id"] for v in d.get("vulns", [])]
                  for d in report["dependencies"] if d.get("vulns")}
    assert not vulnerable, f"known vulnerabilities: {vulnerable}"
    assert result.returncode == 0, result.stderr[-2000:]
    audited = [d for d in report["dependencies"] if "skip_reason" not in d]
    skipped = len(report["dependencies"]) - len(audited)
    print(f"pip-audit: {len(audited)} packages audited, {skipped} not found on the index")
    if not audited:
        warnings.warn(f"pip-audit audited nothing: the vulnerability service knows none of the "
                      f"{skipped} installed versions (a private package index?)", stacklevel=1)
