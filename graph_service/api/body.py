"""Reading request bodies within the configured size limit."""

from __future__ import annotations

import asyncio
from email.message import Message
from urllib.parse import parse_qs

from fastapi import Request

from graph_service.api.errors import (
    BadRequest,
    BodyReadTimeout,
    PayloadTooLarge,
    UnsupportedCharset,
    UnsupportedContentEncoding,
)

# Character encodings a text body may declare: UTF-8 and its subset ASCII. XML media types carry
# their own encoding declaration, which the XML parser reads, so theirs are not checked here.
_UTF8_CHARSETS = frozenset({"utf-8", "utf8", "us-ascii", "ascii"})

# Seconds a body may stay silent between two chunks, unless the settings say otherwise
# (DBP_BODY_READ_TIMEOUT_SECONDS).
BODY_READ_TIMEOUT_SECONDS = 30.0


def _body_read_timeout(request: Request) -> float:
    services = getattr(request.app.state, "services", None)
    settings = getattr(services, "settings", None)
    return float(getattr(settings, "body_read_timeout_seconds", BODY_READ_TIMEOUT_SECONDS))


async def read_body(request: Request, limit: int) -> bytes:
    encoding = request.headers.get("content-encoding", "").strip()
    if encoding and encoding.lower() != "identity":
        raise UnsupportedContentEncoding(encoding)
    charset = declared_charset(request)
    if charset is not None and charset not in _UTF8_CHARSETS and \
            not media_type_of(request).endswith("xml"):
        raise UnsupportedCharset(charset)
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            if int(declared) > limit:
                raise PayloadTooLarge(limit)
        except ValueError:
            raise BadRequest("Content-Length is not a number") from None
    chunks: list[bytes] = []
    size = 0
    # uvicorn has no body-read timeout: a client that declares more than it sends would hold
    # the connection (and a submission slot) until it gave up. Each chunk must come within the
    # timeout; a slow but steady client is never cut off. One deadline, moved on per chunk: a
    # timeout scope per chunk cost a small query more than its evaluation.
    seconds = _body_read_timeout(request)
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(seconds) as deadline:
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise PayloadTooLarge(limit)
                chunks.append(chunk)
                deadline.reschedule(loop.time() + seconds)
    except TimeoutError:
        raise BodyReadTimeout(size, declared, seconds) from None
    return b"".join(chunks)


def decode_text(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadRequest(f"{what} is not valid UTF-8 (byte {exc.start})") from None


def parse_form(body: bytes) -> dict[str, list[str]]:
    return parse_qs(decode_text(body, "form body"), keep_blank_values=True)


def declared_charset(request: Request) -> str | None:
    """The ``charset`` parameter of the request's Content-Type, lower case, read by the
    standard library's MIME header parser (quoted values, parameters in any order)."""
    header = request.headers.get("content-type")
    if not header:
        return None
    message = Message()
    message["content-type"] = header
    charset = message.get_param("charset")
    return charset.strip().lower() if isinstance(charset, str) else None


def media_type_of(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
