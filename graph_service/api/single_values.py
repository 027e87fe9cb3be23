"""A query parameter that chooses what a request reads or writes, given twice with different
values, is a 400 naming it (HTTP parameter pollution).

FastAPI reads the last of ``?battery=A&battery=B``, ``request.query_params.get`` the last too; a
proxy, gateway or log in front of the service may read the first, so that what was checked and
what was done differ (``?graph=<ours>&graph=<theirs>``). The SPARQL routes already refused a
second ``query``; this ASGI middleware refuses a second, different value of the target
parameters (``params.TARGET_QUERY_PARAMETERS``: battery, graph, default, node) before any route
or body is read. Other parameters are read as the framework reads them: clients send some twice
(SPARQLWrapper sends format, output and results with two values each).
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Receive, Scope, Send

from graph_service.api.errors import problem
from graph_service.api.params import TARGET_QUERY_PARAMETERS


def repeated_parameters(query_string: bytes) -> list[tuple[str, int]]:
    """The target parameters (``params.TARGET_QUERY_PARAMETERS``) of a URL query given more
    than once with different values, and how many values each has, in order. The same value
    again is no ambiguity and passes."""
    if b"&" not in query_string:
        return []  # one parameter at most: the common case costs no parse
    values: dict[str, set[str]] = {}
    for name, value in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True):
        values.setdefault(name, set()).add(value)
    return [(name, len(given)) for name, given in values.items()
            if len(given) > 1 and name in TARGET_QUERY_PARAMETERS]


class SingleValuedQueryMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            repeated = repeated_parameters(scope.get("query_string", b""))
            if repeated:
                named = ", ".join(f"{name[:60]!r} ({count} different values)"
                                  for name, count in repeated[:5])
                response = problem(400, "Repeated query parameter",
                                   f"the URL gives {named}; give each of these one value "
                                   "(it chooses what the request reads or writes)")
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
