"""The operations layer around every request: request id, security headers, access log, metrics,
rate limiting and CORS. ``install_operations`` wires it into an app and creates the app's
metrics, which the composition root (``graph_service/container.py``) measures the services with.

The middleware is plain ASGI (no ``BaseHTTPMiddleware``), so streamed bodies pass through
untouched. It is the outermost user middleware: an exception no handler turned into a response
ends here as a bare problem-JSON 500 (logged with its traceback and request id, never shown to
the client), so even that answer carries the request id and the security headers.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from fastapi import Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph_service.api.limits import ConcurrencyLimiter, TokenBucketLimiter, enforce_rate_limit
from graph_service.api.methods import MethodsMiddleware
from graph_service.api.observability import ACCESS_LOGGER
from graph_service.api.security import apply_security_headers, install_cors
from graph_service.api.single_values import SingleValuedQueryMiddleware
from graph_service.config import Settings
from graph_service.metrics import Metrics

REQUEST_ID = "X-Request-ID"
# A client's request id is echoed only when it is a short token (it ends up in logs).
_CLIENT_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")
UNMATCHED = "<unmatched>"

access_log = logging.getLogger(ACCESS_LOGGER)
error_log = logging.getLogger("graph_service.api")


def route_template(scope: Scope) -> str:
    """The matched route's path template (bounded label values for metrics)."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) and path else UNMATCHED


def _principal(scope: Scope) -> tuple[str, str]:
    principal = scope.get("state", {}).get("principal")
    if principal is None:
        return "anonymous", "public"
    return principal.id, principal.role.value


class OperationsMiddleware:
    def __init__(self, app: ASGIApp, *, settings: Settings, metrics: Metrics) -> None:
        self.app = app
        self.production = settings.environment == "production"
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = Headers(scope=scope)
        incoming = headers.get(REQUEST_ID, "")
        request_id = incoming if _CLIENT_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        credentials = "authorization" in headers
        path = scope.get("path", "")
        status = 500
        response_started = False
        logged = False

        def finish() -> None:
            """Metrics and the access line, once; before the last body byte leaves, so a
            client that has its answer finds the request in the log."""
            nonlocal logged
            if logged:
                return
            logged = True
            elapsed = time.perf_counter() - started
            route = route_template(scope)
            method = scope.get("method", "")
            self.metrics.http_duration.labels(method, route, str(status)).observe(elapsed)
            principal_id, role = _principal(scope)
            access_log.info(
                "%s %s %d", method, route, status,
                extra={
                    "request_id": request_id,
                    "method": method,
                    "route": route,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 2),
                    "principal": principal_id,
                    "role": role,
                },
            )

        async def send_with_headers(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                out = MutableHeaders(scope=message)
                out[REQUEST_ID] = request_id
                apply_security_headers(out, path=path, production=self.production,
                                       credentials=credentials)
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                finish()
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            error_log.exception(
                "unhandled error on %s %s", scope.get("method"), path,
                extra={"request_id": request_id, "route": route_template(scope)})
            if response_started:
                raise
            status = 500
            response = JSONResponse(
                {"type": "about:blank", "status": 500, "title": "Internal error",
                 "detail": "the server failed; the error was logged",
                 "request_id": request_id},
                status_code=500, media_type="application/problem+json")
            await response(scope, receive, send_with_headers)
        finally:
            finish()


def metrics_endpoint(request: Request) -> Response:
    registry = request.app.state.metrics.registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


def install_operations(app: FastAPI, settings: Settings) -> None:
    """Wire the operations layer. Call before the routers are included: the rate limit is an
    app-wide dependency, which FastAPI attaches to routes when they are added."""
    metrics = Metrics()
    app.state.metrics = metrics
    app.state.submission_limiter = ConcurrencyLimiter()
    app.state.query_limiter = ConcurrencyLimiter()
    app.state.rate_limiter = (TokenBucketLimiter(settings.rate_limit_per_minute)
                              if settings.rate_limit_per_minute > 0 else None)
    if app.state.rate_limiter is not None:
        # Only when limits are on: FastAPI resolves an app-wide dependency on every request.
        app.router.dependencies.append(Depends(enforce_rate_limit))
    app.add_api_route("/metrics", metrics_endpoint, methods=["GET"], include_in_schema=False)
    # Innermost of the three: CORS answers preflights before it; it answers plain OPTIONS.
    app.add_middleware(MethodsMiddleware, routes_of=app)
    # A repeated query parameter is refused before any route (or HEAD-as-GET) reads one value.
    app.add_middleware(SingleValuedQueryMiddleware)
    install_cors(app, settings)
    # Added last, so it runs outermost: it also sees CORS preflights and the answers CORS adds.
    app.add_middleware(OperationsMiddleware, settings=settings, metrics=metrics)

