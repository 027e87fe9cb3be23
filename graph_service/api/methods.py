"""HEAD and OPTIONS wherever GET is served, and a true ``Allow`` header (RFC 9110 §9.3.2, §9.3.7,
§15.5.6).

FastAPI routes answer only the methods they declare, and a path served by two routes (``GET
/sparql`` and ``POST /sparql``) gets a 405 whose ``Allow`` names only one of them. This ASGI
middleware, inside CORS (so CORS preflights are answered there first):

* answers ``HEAD`` by running ``GET`` and sending its status and headers without the body;
* answers ``OPTIONS`` with 204 and ``Allow`` listing every method of every route of the path;
* rewrites the ``Allow`` header of a 405 to that same list.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_PROBED = ("GET", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods(app: ASGIApp, scope: Scope) -> set[str]:
    """Every method some route of the application serves at this path, found by asking each
    route whether it fully matches the path with that method (routers included with a prefix
    answer for their own routes)."""
    router = getattr(app, "router", None)
    routes = getattr(router, "routes", [])
    methods = {method for method in _PROBED
               if any(route.matches({**scope, "method": method})[0] is Match.FULL
                      for route in routes)}
    if "GET" in methods:
        methods.add("HEAD")
    if methods:
        methods.add("OPTIONS")
    return methods


def allow_header(methods: set[str]) -> str:
    order = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
    return ", ".join(sorted(methods, key=lambda m: (order.index(m) if m in order else 99, m)))


class MethodsMiddleware:
    def __init__(self, app: ASGIApp, *, routes_of: ASGIApp) -> None:
        self.app = app
        self.routes_of = routes_of  # the FastAPI application whose routes decide

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if method == "OPTIONS":
            methods = allowed_methods(self.routes_of, scope)
            if methods:
                await send({"type": "http.response.start", "status": 204,
                            "headers": [(b"allow", allow_header(methods).encode())]})
                await send({"type": "http.response.body", "body": b""})
                return
        if method == "HEAD" and "HEAD" not in self._declared(scope):
            await self._head_as_get(scope, receive, send)
            return

        async def fix_allow(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 405:
                methods = allowed_methods(self.routes_of, scope)
                if methods:
                    MutableHeaders(scope=message)["allow"] = allow_header(methods)
            await send(message)

        await self.app(scope, receive, fix_allow)

    def _declared(self, scope: Scope) -> set[str]:
        """{"HEAD"} when some route serves HEAD itself (e.g. /store, static files)."""
        router = getattr(self.routes_of, "router", None)
        if any(route.matches(scope)[0] is Match.FULL for route in getattr(router, "routes", [])):
            return {"HEAD"}
        return set()

    async def _head_as_get(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if not message.get("more_body"):
                    await send({"type": "http.response.body", "body": b""})
                return
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)
