"""Every (method, path template) the application serves, for sweeps over all routes."""

from __future__ import annotations

from typing import Any


def application_routes(app: Any, prefix: str = "") -> list[tuple[str, str]]:
    """(method, path) of every HTTP route, including those of included routers (FastAPI keeps
    them behind an include wrapper that names the original router and the prefix)."""
    found: list[tuple[str, str]] = []
    for route in getattr(app, "routes", ()):
        original = getattr(route, "original_router", None)
        if original is not None:
            context = getattr(route, "include_context", None)
            found.extend(application_routes(original, prefix + (getattr(context, "prefix", "")
                                                               or "")))
            continue
        path = getattr(route, "path", None)
        methods = getattr(route, "methods", None)
        if path is None or not methods:
            continue
        for method in sorted(set(methods) - {"HEAD"}):
            found.append((method, prefix + path))
    return sorted(set(found))
