"""Browser-facing security: response headers on every answer, and CORS when configured.

* ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY`` (plus CSP
  ``frame-ancestors 'none'``), ``Referrer-Policy: no-referrer``;
* a Content-Security-Policy that lets the service's own pages work and nothing else: scripts,
  styles, images and fetches from the service itself; the inline style of the Linked Data HTML
  pages is allowed by its hash (``style_hash`` is computed from the renderer, so an edit of that
  style cannot silently break the page); the interactive API docs (``/docs``, ``/redoc``) run
  Swagger UI / ReDoc served from the package with inline start-up code, so those two pages get
  a policy that allows inline script and style (and still nothing from another origin);
* ``Strict-Transport-Security`` in production only (a development server on plain HTTP would
  otherwise pin browsers to HTTPS for a year);
* ``Vary: Authorization`` on every answer (what a caller may read depends on the token) and
  ``Cache-Control: no-store`` on answers to requests that carried credentials.

A header a route sets itself is kept (``setdefault``). CORS is off unless ``DBP_CORS_ORIGINS``
names origins; bearer tokens are not cookies, so credentials mode is never enabled.
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import lru_cache

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.middleware.cors import CORSMiddleware

from graph_service.config import Settings

DOCS_PATHS = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc"})

HSTS = "max-age=31536000; includeSubDomains"


@lru_cache(maxsize=1)
def style_hash() -> str:
    """CSP source of the inline <style> of the Linked Data HTML pages."""
    from rdflib import Graph, URIRef

    from graph_service.services.linked_data import Description, render_html

    page = render_html(Description(URIRef("urn:dbp:csp"), Graph()), "http://localhost/")
    match = re.search(r"<style>(.*?)</style>", page, re.S)
    if match is None:
        return ""
    digest = hashlib.sha256(match.group(1).encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


@lru_cache(maxsize=1)
def content_security_policy() -> str:
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        f"style-src 'self' {style_hash()}".strip(),
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


# Swagger UI and ReDoc come from the package (routes/docs.py); their pages start them with an
# inline script and style themselves inline. Nothing is loaded from elsewhere.
DOCS_CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self' 'unsafe-inline'",
    "style-src 'self' 'unsafe-inline'",
    "font-src 'self' data:",
    "img-src 'self' data:",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
])


def apply_security_headers(
    headers: MutableHeaders, *, path: str, production: bool, credentials: bool
) -> None:
    """Add the security headers to one response's headers (in place)."""
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault(
        "Content-Security-Policy",
        DOCS_CONTENT_SECURITY_POLICY if path in DOCS_PATHS else content_security_policy(),
    )
    if production:
        headers.setdefault("Strict-Transport-Security", HSTS)
    vary = headers.get("vary")
    if vary is None:
        headers["Vary"] = "Authorization"
    elif "authorization" not in vary.lower() and vary.strip() != "*":
        headers["Vary"] = f"{vary}, Authorization"
    if credentials:
        headers.setdefault("Cache-Control", "no-store")


def install_cors(app: FastAPI, settings: Settings) -> None:
    """Cross-origin access for the configured origins only; nothing when none are configured."""
    if not settings.cors_origins:
        return
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type", "Accept", "X-Request-ID"],
        expose_headers=["X-Request-ID", "Retry-After", "Location", "Link", "Content-Location"],
        allow_credentials=False,
        max_age=600,
    )
