"""A query parameter given twice is a 400 naming it (HTTP parameter pollution).

FastAPI reads the last of ``?battery=A&battery=B``, ``request.query_params.get`` the last too; a
proxy, gateway or log in front of the service may read the first, so that what was checked and
what was done differ (``?graph=<ours>&graph=<theirs>``). The SPARQL routes already refused a
second ``query``; this ASGI middleware refuses every repeated parameter the API does not define
as repeatable (``params.REPEATABLE_QUERY_PARAMETERS``), before any route or body is read.
"""

from __future__ import annotations

from collections import Counter
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Receive, Scope, Send

from graph_service.api.errors import problem
from graph_service.api.params import REPEATABLE_QUERY_PARAMETERS


def repeated_parameters(query_string: bytes) -> list[tuple[str, int]]:
    """The parameters of a URL query that are given more than once and may not be, in order."""
    if b"&" not in query_string:
        return []  # one parameter at most: the common case costs no parse
    names = Counter(name for name, _ in parse_qsl(query_string.decode("latin-1"),
                                                  keep_blank_values=True))
    return [(name, count) for name, count in names.items()
            if count > 1 and name not in REPEATABLE_QUERY_PARAMETERS]


class SingleValuedQueryMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            repeated = repeated_parameters(scope.get("query_string", b""))
            if repeated:
                named = ", ".join(f"{name[:60]!r} ({count} times)" for name, count in repeated[:5])
                response = problem(400, "Repeated query parameter",
                                   f"the URL gives {named}; give each of these once "
                                   "(only the SPARQL dataset parameters default-graph-uri, "
                                   "named-graph-uri, using-graph-uri and using-named-graph-uri "
                                   "may repeat)")
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
