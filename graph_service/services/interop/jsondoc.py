"""Reading a partner's JSON document: encoding, syntax, JSON paths and positions in the file.

* ``read_json_document`` decodes UTF-8 (BOM optional) or UTF-16 LE/BE with a BOM; anything else
  and malformed JSON is a ``DocumentError`` with line and column. NaN/Infinity and numbers that
  overflow are kept here and refused later with their JSON path; duplicate keys are recorded
  (a plain ``json.loads`` silently keeps the last one) and refused with their path.
* Paths are tuples of keys and indices inside the code; ``json_path`` writes them as
  ``$.a.b[0].c`` (keys with other characters than letters, digits and ``_`` as ``['a-b']``).
* ``JsonDocument.position(path)`` is the line and column of a value in the submitted text,
  computed only when a problem is reported (json-source-map).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from graph_service.services.interop.errors import DocumentError, Problem
from graph_service.services.rdf.jsonld import parse_json_int, unreadable

PathPart = str | int
Path = tuple[PathPart, ...]

_BOMS: list[tuple[bytes, str | None, str]] = [
    (b"\x00\x00\xfe\xff", None, "UTF-32 BE"),
    (b"\xff\xfe\x00\x00", None, "UTF-32 LE"),
    (b"\xef\xbb\xbf", "utf-8", "UTF-8"),
    (b"\xff\xfe", "utf-16-le", "UTF-16 LE"),
    (b"\xfe\xff", "utf-16-be", "UTF-16 BE"),
]
_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_]+$")


def json_path(path: Path) -> str:
    text = "$"
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif _PLAIN_KEY.fullmatch(part):
            text += f".{part}"
        else:
            text += "['" + part.replace("\\", "\\\\").replace("'", "\\'") + "']"
    return text


_PATH_STEP = re.compile(r"\.([A-Za-z0-9_]+)|\['((?:[^'\\]|\\.)*)'\]|\[(\d+)\]")


def remove_at(document: dict[str, Any], text: str) -> Path | None:
    """Delete the value at a JSON path written by ``json_path``; its parsed path, or None when
    there is nothing there (an exporter drops a field its own schema check refused)."""
    parts: list[str | int] = []
    for key, quoted, index in _PATH_STEP.findall(text[1:]):
        parts.append(int(index) if index else (key or quoted))
    node: Any = document
    for part in parts[:-1]:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    if not parts:
        return None
    try:
        if isinstance(node, dict):
            node.pop(parts[-1], None)
        elif isinstance(node, list) and isinstance(parts[-1], int):
            node.pop(parts[-1])
    except IndexError:
        return None
    return tuple(parts)


def json_pointer(path: Path) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


class _Object(dict):
    """A JSON object that remembers keys the text gave more than once."""

    duplicates: tuple[str, ...] = ()


def _pairs(pairs: list[tuple[str, Any]]) -> dict:
    obj = _Object()
    seen: list[str] = []
    for key, value in pairs:
        if key in obj:
            seen.append(key)
        obj[key] = value
    if seen:
        obj.duplicates = tuple(seen)
    return obj


@dataclass
class JsonDocument:
    """A decoded JSON document with what is needed to point into the submitted text."""

    value: Any
    text: str
    encoding: str
    digest: str
    _map: dict[str, Any] | None = field(default=None, repr=False)

    def position(self, path: Path) -> tuple[int, int] | None:
        """1-based (line, column) of the value at ``path`` (its key, for object members)."""
        if self._map is None:
            try:
                from json_source_map import calculate

                self._map = calculate(self.text)
            except Exception:  # a position is a convenience; never fail a report for it
                self._map = {}
        entry = self._map.get(json_pointer(path))
        if entry is None:
            return None
        where = entry.key_start or entry.value_start
        return where.line + 1, where.column + 1

    def problem(self, path: Path, message: str, kind: str) -> Problem:
        """A problem at ``path``, positioned at its value (or, for a missing member, at the
        nearest enclosing value the text has)."""
        where = None
        for end in range(len(path), -1, -1):
            where = self.position(path[:end])
            if where is not None:
                break
        return Problem(json_path(path), message, kind, *(where or (None, None)))

    def duplicate_keys(self) -> Iterator[tuple[Path, str]]:
        for path, value in walk(self.value):
            for key in getattr(value, "duplicates", ()) if isinstance(value, dict) else ():
                yield (*path, key), key


def shown(value: Any, limit: int = 80) -> str:
    """A JSON value as a message quotes it: as JSON writes it (``null``, ``true``, ``"text"``,
    ``NaN``), never Python's repr (``None``, ``True``, ``'text'``, ``nan``)."""
    if isinstance(value, float) and not math.isfinite(value):
        text = "NaN" if value != value else ("Infinity" if value > 0 else "-Infinity")
    else:
        try:
            text = json.dumps(value, ensure_ascii=False, allow_nan=True)
        except (TypeError, ValueError):
            text = str(value)
    return text if len(text) <= limit else text[:limit] + "..."


def walk(value: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    """Every value of a decoded JSON document with its path, the document first, then depth
    first in document order: the one traversal of the checks that look at every value."""
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from walk(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk(item, (*path, index))


def read_json_document(body: bytes, error: type[DocumentError] = DocumentError) -> JsonDocument:
    if not isinstance(body, bytes | bytearray):
        raise error(f"expected the document as bytes, got {type(body).__name__}")
    body = bytes(body)
    encoding, name, start = "utf-8", "UTF-8", 0
    for bom, codec, label in _BOMS:
        if body.startswith(bom):
            if codec is None:
                raise error(f"the document is encoded as {label}; send UTF-8 (a byte order "
                            "mark is optional) or UTF-16 with a byte order mark")
            encoding, name, start = codec, label, len(bom)
            break
    else:
        if len(body) >= 2 and (body[0] == 0 or body[1] == 0):
            raise error("the document looks like UTF-16 or UTF-32 without a byte order mark; "
                        "send UTF-8, or UTF-16 with a byte order mark")
    try:
        text = body[start:].decode(encoding)
    except UnicodeDecodeError as exc:
        offset = start + exc.start
        prefix = body[start:offset].decode(encoding, errors="replace")
        line = prefix.count("\n") + 1
        column = len(prefix) - (prefix.rfind("\n") + 1) + 1
        raise error(f"the document is not valid {name}: byte 0x{body[offset]:02X} at offset "
                    f"{offset} (line {line}, column {column}); send UTF-8, or UTF-16 with a "
                    "byte order mark", line=line, column=column) from None
    if text.startswith("\ufeff"):
        raise error("the document starts with a second byte order mark", line=1, column=1)
    try:
        value = json.loads(text, parse_constant=float, object_pairs_hook=_pairs,
                           parse_int=parse_json_int)
    except json.JSONDecodeError as exc:
        raise error(f"malformed JSON: {exc.msg}", line=exc.lineno, column=exc.colno) from None
    except RecursionError:
        raise error("the document nests too deeply") from None
    if (problem := unreadable(value)) is not None:
        raise error(problem[1], path=json_path(problem[0]))
    return JsonDocument(value, text, name, "sha256:" + hashlib.sha256(body).hexdigest())


def decode_json(body: bytes, error: type[DocumentError] = DocumentError) -> Any:
    """The JSON value of ``body`` (see ``read_json_document``)."""
    return read_json_document(body, error).value


def plain(value: Any) -> Any:
    """``value`` with our internal dict subclass replaced by plain dicts."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value
