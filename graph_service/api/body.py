"""Reading request bodies within the configured size limit."""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import Request

from graph_service.api.errors import BadRequest, PayloadTooLarge, UnsupportedContentEncoding


async def read_body(request: Request, limit: int) -> bytes:
    encoding = request.headers.get("content-encoding", "").strip()
    if encoding and encoding.lower() != "identity":
        raise UnsupportedContentEncoding(encoding)
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            if int(declared) > limit:
                raise PayloadTooLarge(limit)
        except ValueError:
            raise BadRequest("Content-Length is not a number") from None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def decode_text(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadRequest(f"{what} is not valid UTF-8 (byte {exc.start})") from None


def parse_form(body: bytes) -> dict[str, list[str]]:
    return parse_qs(decode_text(body, "form body"), keep_blank_values=True)


def media_type_of(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
