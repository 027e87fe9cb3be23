"""A partner format's official JSON schema: validation (every error at once) and its field tree.

The schemas generated from SAMM aspect models (Catena-X, Battery Pass) name each property's SAMM
URN (``x-samm-aspect-model-urn``). ``SchemaModel.root`` is the resolved field tree (``$ref``
followed), which the structure codec uses to give every JSON field its SAMM term, to find unknown
keys and to write documents back in schema order.

Schemas are loaded from the configured passport-model folder (``Settings.passport_models_dir``),
never copied into this repository.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path as FilePath
from typing import Any

from graph_service.services.interop.errors import FormatUnavailable, Gap, Problem
from graph_service.services.interop.jsondoc import JsonDocument, Path, json_path, shown, walk

ITEM = "[]"  # a list item in a field pattern
Pattern = tuple[str, ...]
_MAX_MESSAGE = 300


@dataclass
class Field:
    """One field of the schema: what it holds and the SAMM property it is."""

    pattern: Pattern
    kind: str  # object | array | string | number | integer | boolean
    urn: str | None
    schema: dict[str, Any]
    properties: dict[str, Field] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    item: Field | None = None

    @property
    def is_leaf(self) -> bool:
        return self.kind not in ("object", "array")

    def walk(self) -> Iterator[Field]:
        yield self
        for child in self.properties.values():
            yield from child.walk()
        if self.item is not None:
            yield from self.item.walk()


def pattern_of(path: Path) -> Pattern:
    return tuple(ITEM if isinstance(p, int) else p for p in path)


def parse_pattern(text: str) -> Pattern:
    """'$.a.b[].c' -> ('a', 'b', '[]', 'c'): a field pattern as the mapping tables write it."""
    parts: list[str] = []
    for segment in text.removeprefix("$.").split("."):
        name, _, rest = segment.partition("[]")
        parts.append(name)
        if _ or rest:
            parts.append(ITEM)
    return tuple(parts)


def pattern_text(pattern: Pattern) -> str:
    text = "$"
    for part in pattern:
        text += part if part == ITEM else f".{part}"
    return text


def missing_required(spec: Field, value: Any, path: Path, fields: Mapping[Pattern, object],
                     raw_only: str,
                     held: Mapping[Pattern, tuple[str, str]] | None = None) -> list[Gap]:
    """A gap for every field the schema requires that an exported ``value`` lacks, with the
    fact that would provide it (the mapping's ``provided_by``; else ``raw_only``). ``held``:
    (reason, provided by) of a field whose fact the passport does hold but cannot write there
    (e.g. in a unit the target model does not use), instead of "no fact"."""
    gaps: list[Gap] = []
    held = held or {}
    if spec.kind == "object" and isinstance(value, dict):
        for key in spec.required:
            child = spec.properties.get(key)
            if key not in value and child is not None:
                codec = fields.get(child.pattern)
                what = "list" if child.kind == "array" else (
                    "part" if child.kind == "object" else "value")
                reason, provider = held.get(child.pattern) or (
                    f"the schema requires this {what}; the passport has no fact for it", "")
                gaps.append(Gap(json_path((*path, key)), reason, provider or getattr(
                    codec, "provided_by", None) or raw_only))
        for key, item in value.items():
            child = spec.properties.get(key)
            if child is not None:
                gaps.extend(missing_required(child, item, (*path, key), fields, raw_only,
                                             held))
    elif spec.kind == "array" and isinstance(value, list) and spec.item is not None:
        for index, item in enumerate(value):
            gaps.extend(missing_required(spec.item, item, (*path, index), fields, raw_only,
                                         held))
    return gaps


class SchemaModel:
    """The JSON schema of one version of a partner format."""

    def __init__(self, schema: dict[str, Any], *, format: str, version: str) -> None:
        import jsonschema

        self.schema = schema
        self.format = format
        self.version = version
        self.aspect_urn = schema.get("x-samm-aspect-model-urn")
        self._components = schema.get("components", {}).get("schemas", {})
        validator_class = jsonschema.validators.validator_for(schema, jsonschema.Draft4Validator)
        # The same schema with every $ref replaced by its target: validation then does no
        # reference lookups (a third of its time on a battery pass).
        self._validator = validator_class(self._inline(schema, 0),
                                          format_checker=_format_checker())
        self.root = self._field((), schema, None)
        self.fields = {f.pattern: f for f in self.root.walk()}

    @classmethod
    def load(cls, path: FilePath, *, format: str, version: str) -> SchemaModel:
        return _load(path, format, version)

    def _inline(self, node: Any, depth: int) -> Any:
        if isinstance(node, list):
            return [self._inline(item, depth) for item in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node and depth < 64:
            target = self._components[node["$ref"].rsplit("/", 1)[-1]]
            merged = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
            return self._inline(merged, depth + 1)
        return {key: (value if key in ("enum", "required", "description") else
                      ecma_anchors(value) if key == "pattern" and isinstance(value, str) else
                      self._inline(value, depth))
                for key, value in node.items() if key != "components"}

    # -- the field tree -----------------------------------------------------------------------
    def _resolve(self, node: dict[str, Any], depth: int = 0) -> dict[str, Any]:
        seen = 0
        while "$ref" in node and seen < 32:
            name = node["$ref"].rsplit("/", 1)[-1]
            node = {**self._components[name], **{k: v for k, v in node.items() if k != "$ref"}}
            seen += 1
        if "allOf" in node and depth < 16:
            # A SAMM SingleEntity / Trait: {"type": "object", "allOf": [{"$ref": entity}]}
            merged = {k: v for k, v in node.items() if k != "allOf"}
            properties: dict[str, Any] = dict(merged.get("properties", {}))
            required: list[str] = list(merged.get("required", ()))
            for member in node["allOf"]:
                part = self._resolve(member, depth + 1)
                properties.update(part.get("properties", {}))
                required += [r for r in part.get("required", ()) if r not in required]
                for key, value in part.items():
                    if key not in ("properties", "required", "x-samm-aspect-model-urn"):
                        merged.setdefault(key, value)
            if properties:
                merged["properties"] = properties
            if required:
                merged["required"] = required
            node = merged
        return node

    def _field(self, pattern: Pattern, node: dict[str, Any], urn: str | None) -> Field:
        resolved = self._resolve(node)
        kind = resolved.get("type", "object")
        result = Field(pattern, kind, urn, resolved)
        if kind == "object":
            result.required = tuple(resolved.get("required", ()))
            for key, child in resolved.get("properties", {}).items():
                result.properties[key] = self._field((*pattern, key), child,
                                                     child.get("x-samm-aspect-model-urn"))
        elif kind == "array":
            result.item = self._field((*pattern, ITEM), resolved.get("items", {}), None)
        return result

    def field(self, pattern: Pattern) -> Field | None:
        return self.fields.get(pattern)

    # -- validation ---------------------------------------------------------------------------
    def validate(self, document: JsonDocument) -> list[Problem]:
        """Every schema error, one problem per error (a missing property at its own path)."""
        problems: list[Problem] = []
        for error in self._validator.iter_errors(document.value):
            path: Path = tuple(error.absolute_path)
            if error.validator == "required" and isinstance(error.instance, dict):
                for key in error.validator_value:
                    if key not in error.instance:
                        problems.append(document.problem(
                            (*path, key), "required by the schema but missing", "schema"))
                continue
            message = schema_message(error)
            if len(message) > _MAX_MESSAGE:
                message = message[:_MAX_MESSAGE] + "..."
            problems.append(document.problem(path, message, "schema"))
        problems.extend(document.problem(p, f"{shown(v)} is not a finite number", "semantic")
                        for p, v in walk(document.value)
                        if isinstance(v, float) and not math.isfinite(v))
        problems.extend(document.problem(p, "the text is not valid Unicode (a lone surrogate "
                                            "escape such as \\ud800)", "semantic")
                        for p in _bad_text(document.value))
        problems.extend(document.problem(p, f"the key {shown(key)} appears more than once in this "
                                            "object; JSON keys must be unique", "semantic")
                        for p, key in document.duplicate_keys())
        return sorted(set(problems), key=_order)

    def unknown_keys(self, value: Any) -> list[Path]:
        """Paths of object members the schema does not define (allowed by it, but not ours)."""
        found: list[Path] = []
        self._unknown(self.root, value, (), found)
        return found

    def _unknown(self, spec: Field, value: Any, path: Path, found: list[Path]) -> None:
        if spec.kind == "object" and "properties" not in spec.schema:
            return  # a free-form object (SAMM MultiLanguageText): any key is its content
        if spec.kind == "object" and isinstance(value, dict):
            for key, item in value.items():
                child = spec.properties.get(key)
                if child is None:
                    found.append((*path, key))
                else:
                    self._unknown(child, item, (*path, key), found)
        elif spec.kind == "array" and isinstance(value, list) and spec.item is not None:
            for index, item in enumerate(value):
                self._unknown(spec.item, item, (*path, index), found)


# xsd:dateTime's time zone: at most 14 hours from UTC (-14:00 ... +14:00)
_DATE_TIME = re.compile(r"-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?"
                        r"(Z|[+-]((0\d|1[0-3]):[0-5]\d|14:00))?")
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*")


def _date_time(value: object) -> bool:
    """A date and time (JSON schema "date-time") as the aspect model's xsd:dateTime writes it:
    a real calendar date and time of day, the offset optional as in xsd:dateTime (stricter RFC
    3339 would refuse what the model allows); ``2025-13-01T00:00:00Z`` is refused, and so is
    an offset beyond xsd:dateTime's 14 hours (``+14:01``, which RFC 3339 would take)."""
    if not isinstance(value, str):
        return True
    if not _DATE_TIME.fullmatch(value):
        return False
    if value[10:19] == "T24:00:00" and set(value[19:].split("+")[0].split("-")[0]
                                           .rstrip("Z").lstrip(".")) <= {"0"}:
        value = value[:10] + "T00:00:00" + value[19:]  # xsd:dateTime's end of day
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        return len(value) == 10 and date.fromisoformat(value) is not None
    except ValueError:
        return False


def _uri(value: object) -> bool:
    """An absolute URI (RFC 3986: a scheme, then no spaces or characters URIs never hold)."""
    return not isinstance(value, str) or bool(_URI.fullmatch(value))


@cache
def _format_checker() -> Any:
    """The formats the SAMM-generated schemas use, checked (jsonschema checks none unless
    asked): "date-time", "date", "uri"."""
    import jsonschema

    checker = jsonschema.FormatChecker(formats=())
    checker.checks("date-time")(_date_time)
    checker.checks("date")(_date)
    checker.checks("uri")(_uri)
    return checker


_TYPES = {"number": "a number", "integer": "a whole number", "string": "a text (JSON string)",
          "object": "an object ({...})", "array": "a list ([...])",
          "boolean": "true or false", "null": "null"}
_FORMATS = {"date-time": "a date and time (e.g. 2025-03-14T09:30:00Z)",
            "date": "a calendar date (YYYY-MM-DD)", "uri": "an absolute URI (e.g. https://...)",
            "email": "an e-mail address"}


def schema_message(error: Any) -> str:
    """A JSON-schema error in the document's terms: values as JSON writes them (``null``, not
    ``None``), the model's pattern as the model writes it (not as translated for Python's
    ``re``, ``ecma_anchors``), types and formats in words."""
    kind, expected, value = error.validator, error.validator_value, error.instance
    if kind == "type":
        names = expected if isinstance(expected, list) else [expected]
        wanted = " or ".join(_TYPES.get(n, str(n)) for n in names)
        got = "null" if value is None else shown(value)
        return f"{got} is not {wanted}, as the model requires here"
    if kind == "pattern" and isinstance(expected, str):
        return (f"{shown(value)} does not have the form the model requires "
                f"(pattern {ecma_pattern(expected)})")
    if kind == "enum" and isinstance(expected, list):
        return f"{shown(value)} is not one of {', '.join(shown(v) for v in expected)}"
    if kind == "format":
        return f"{shown(value)} is not {_FORMATS.get(str(expected), str(expected))}"
    if kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        bound = {"minimum": "at least", "maximum": "at most", "exclusiveMinimum": "more than",
                 "exclusiveMaximum": "less than"}[kind]
        return f"{shown(value)} is out of range: the model requires {bound} {shown(expected)}"
    if kind in ("minItems", "maxItems"):
        bound = "at least" if kind == "minItems" else "at most"
        return f"the list has {len(value)} items; the model requires {bound} {expected}"
    if kind in ("minLength", "maxLength"):
        bound = "at least" if kind == "minLength" else "at most"
        return (f"the text has {len(value)} characters; the model requires {bound} "
                f"{expected}")
    if kind == "uniqueItems":
        return "the list holds the same item more than once; the model requires unique items"
    return str(error.message).replace("None", "null")


def ecma_pattern(pattern: str) -> str:
    """The pattern as the model writes it: ``ecma_anchors`` undone (``\\Z`` back to ``$``)."""
    out: list[str] = []
    escaped = False
    for char in pattern:
        if escaped:
            out.append("$" if char == "Z" else "\\" + char)
            escaped = False
        elif char == "\\":
            escaped = True
        else:
            out.append(char)
    return "".join(out)


def ecma_anchors(pattern: str) -> str:
    """A JSON-schema ``pattern`` (ECMA-262) for Python's ``re``: ``$`` outside a character class
    becomes ``\\Z``. In ECMA-262 ``$`` is the end of the text; in Python it also matches before
    a final newline, so ``"BPNL...\\n"`` would pass ``^BPNL[a-zA-Z0-9]{12}$``."""
    out: list[str] = []
    escaped = in_class = False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "$":
            out.append("\\Z")
            continue
        out.append(char)
    return "".join(out)


def _order(problem: Problem) -> tuple:
    return (problem.line or 0, problem.column or 0, problem.path, problem.message)


def _bad_text(value: Any) -> Iterator[Path]:
    """Paths of texts and keys with a lone surrogate escape (not encodable as UTF-8)."""
    for path, item in walk(value):
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                yield path
        elif isinstance(item, dict):
            yield from ((*path, key.encode("utf-8", "replace").decode()) for key in item
                        if isinstance(key, str) and any(0xD800 <= ord(c) <= 0xDFFF for c in key))


@cache
def _load(path: FilePath, format: str, version: str) -> SchemaModel:
    if not path.is_file():
        raise FormatUnavailable(
            f"the official JSON schema of {format} {version} is not installed at {path.name} in "
            "the passport-model folder (setting DBP_PASSPORT_MODELS_DIR); imports and exports "
            "of this version need it")
    raw = path.read_bytes()
    # The Battery Pass consortium's generated schemas are UTF-16 with a byte order mark.
    text = raw.decode("utf-16") if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else \
        raw.decode("utf-8-sig")
    return SchemaModel(json.loads(text), format=format, version=version)


__all__ = ["ITEM", "Field", "Pattern", "SchemaModel", "json_path", "pattern_of",
           "pattern_text"]
