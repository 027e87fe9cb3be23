"""The HTTP protocol the server runs: uvicorn's httptools protocol with a deadline for a
request's headers.

uvicorn starts no timer until a connection has had its first answer, and any byte received
cancels its keep-alive timer: a client that opens connections and sends a request line without
ever finishing the headers (slowloris) holds each connection and its file descriptor for good,
until the process can accept none. Here the headers of every request - the first on a connection
and each later one - must be complete within ``header_timeout`` seconds
(``DBP_HEADER_READ_TIMEOUT_SECONDS``) of the connection opening or of the previous answer;
otherwise the client gets a 408 saying so and the connection is closed. The body has its own
timeout (``DBP_BODY_READ_TIMEOUT_SECONDS``, api/body.py).
"""

from __future__ import annotations

import asyncio
import json

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class HeaderDeadlineProtocol(HttpToolsProtocol):
    header_timeout: float = 10.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._header_deadline: asyncio.TimerHandle | None = None
        self._arm_header_deadline()

    def _arm_header_deadline(self) -> None:
        self._disarm_header_deadline()
        self._header_deadline = self.loop.call_later(self.header_timeout, self._headers_late)

    def _disarm_header_deadline(self) -> None:
        deadline = getattr(self, "_header_deadline", None)
        if deadline is not None:
            deadline.cancel()
            self._header_deadline = None

    def on_headers_complete(self) -> None:
        self._disarm_header_deadline()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm_header_deadline()  # the next request's headers on this connection

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_deadline()
        super().connection_lost(exc)

    def _headers_late(self) -> None:
        self._header_deadline = None
        if self.transport.is_closing():
            return
        if self.cycle is not None and not self.cycle.response_complete:
            return  # a request is being answered; its headers did arrive
        body = json.dumps({
            "type": "about:blank", "status": 408, "title": "Request headers too slow",
            "detail": f"the request headers were not complete within {self.header_timeout:g} s "
                      "of the connection opening or of the previous answer "
                      "(DBP_HEADER_READ_TIMEOUT_SECONDS); send the whole request at once",
        }).encode()
        self.transport.write(
            b"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/problem+json\r\n"
            b"connection: close\r\ncontent-length: " + str(len(body)).encode() + b"\r\n\r\n"
            + body)
        self.transport.close()


def header_deadline_protocol(seconds: float) -> type[HeaderDeadlineProtocol]:
    """The protocol class with ``seconds`` as the headers' deadline (uvicorn's ``http=``)."""
    return type("HeaderDeadlineProtocol", (HeaderDeadlineProtocol,), {"header_timeout": seconds})
