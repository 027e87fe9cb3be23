"""JSON-LD and plain-JSON input: remote contexts resolved from local copies, never the network.

* Our own context (``ontology/context.jsonld``) ships with the project.
* The EMMO/BattINFO contexts are reference data read from ``DBP_ONTOLOGY_DIR``.
* Plain JSON (``application/json``) without ``@context`` is read through our context.
* Upstream quirk: the published battery context defines no ``emmo:`` prefix, yet upstream
  examples write units as ``"emmo:Volt"``. Such strings would expand to IRIs with the scheme
  ``emmo``; we add the prefix and report it as a normalisation warning.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from graph_service.config import REPO_ROOT
from graph_service.model.namespaces import EMMO
from graph_service.store import is_valid_iri
from graph_service.store.base import PositionedError

OUR_CONTEXT_FILE = REPO_ROOT / "ontology" / "context.jsonld"
OUR_CONTEXT_URLS = (
    "https://w3id.org/dbp/context.jsonld",
    "https://w3id.org/dbp/context",
)
EMMO_NAMESPACE = str(EMMO)
DEFAULT_MAX_DEPTH = 64

# Remote context URL -> path relative to DBP_ONTOLOGY_DIR.
REFERENCE_CONTEXTS: dict[str, str] = {
    "https://w3id.org/emmo/domain/battery/context": "domain-battery/context/context.json",
    "https://w3id.org/emmo/domain/battery/context.json": "domain-battery/context/context.json",
    "https://w3id.org/emmo/domain/electrochemistry/context":
        "domain-electrochemistry/context/context.json",
    "https://w3id.org/emmo/domain/chemical-substance/context":
        "domain-chemical-substance/context/context.json",
    "https://w3id.org/battinfo/context/records/v1.json":
        "battinfo/src/battinfo/data/context/records.context.v1.json",
}


class JsonLdError(PositionedError, ValueError):
    """A JSON or JSON-LD document we cannot interpret; the message says where and why."""


@dataclass
class PreparedJsonLd:
    document: Any
    warnings: list[str] = field(default_factory=list)

    def to_bytes(self) -> bytes:
        return json.dumps(self.document, ensure_ascii=False).encode()


@lru_cache(maxsize=16)
def _load_context_file(path: str) -> Any:
    with open(path, encoding="utf-8") as handle:
        document = json.load(handle)
    return document.get("@context", document) if isinstance(document, dict) else document


def our_context() -> Any:
    return _load_context_file(str(OUR_CONTEXT_FILE))


class ContextResolver:
    def __init__(self, ontology_dir: Path, base_iri: str | None = None) -> None:
        self.ontology_dir = ontology_dir
        # The context our own JSON-LD answers name (``{base}context.jsonld``): a document the
        # service wrote can be sent back as it is.
        self.served_context = f"{base_iri}context.jsonld" if base_iri else None

    def resolve(self, url: str, served: str | None = None) -> tuple[Any, bool]:
        """The context behind ``url`` and whether it is an upstream EMMO context. ``served``:
        where this request reached our own context (our answers name it so)."""
        key = url.strip()
        if key in OUR_CONTEXT_URLS or key in (self.served_context, served):
            return our_context(), False
        relative = REFERENCE_CONTEXTS.get(key) or REFERENCE_CONTEXTS.get(key.rstrip("/"))
        if relative is None:
            known = ", ".join([*OUR_CONTEXT_URLS, *REFERENCE_CONTEXTS])
            raise JsonLdError(
                f"the remote JSON-LD context {url!r} is not available locally and is never "
                f"fetched; inline it, or use one of: {known}"
            )
        path = self.ontology_dir / relative
        if not path.is_file():
            raise JsonLdError(
                f"the context {url!r} is resolved from the reference ontologies, which are not "
                "installed on this server (DBP_ONTOLOGY_DIR; `dbp fetch-ontologies`)"
            )
        return _load_context_file(str(path)), True

    def prepare(self, body: bytes, *, plain_json: bool, max_depth: int | None = None,
                served_context: str | None = None) -> PreparedJsonLd:
        """Decode JSON, inline every remote context, and apply the documented normalisations.
        A document nesting deeper than ``max_depth`` arrays/objects is refused."""
        limit = max_depth or DEFAULT_MAX_DEPTH
        try:
            document = json.loads(body.decode("utf-8-sig"), parse_int=parse_json_int,
                                  parse_float=parse_json_float,
                                  parse_constant=NotJsonNumber,
                                  object_pairs_hook=_object_keeping_duplicates)
        except UnicodeDecodeError as exc:
            raise JsonLdError(f"the document is not valid UTF-8 (byte {exc.start})") from None
        except json.JSONDecodeError as exc:
            raise JsonLdError(f"malformed JSON: {exc.msg}", exc.lineno, exc.colno) from None
        except RecursionError:
            # The decoder recurses per level: thousands of nested arrays/objects exhaust the
            # stack before our own depth limit below can say so.
            raise JsonLdError(f"the document nests deeper than {limit} levels") from None
        check_depth(document, limit)
        if (problem := unreadable(document)) is not None:
            raise JsonLdError(f"{bracket_path(problem[0])}: {problem[1]}")
        prepared = PreparedJsonLd(document)
        if plain_json and not has_context(document):
            prepared.document = _with_context(document, our_context())
        prepared.document = self._inline(prepared.document, prepared.warnings, served_context)
        return prepared

    def _inline(self, node: Any, warnings: list[str], served: str | None = None) -> Any:
        # Recursion is safe here: check_depth bounded the nesting before.
        if isinstance(node, list):
            return [self._inline(item, warnings, served) for item in node]
        if not isinstance(node, dict):
            return node
        result = {}
        for key, value in node.items():
            if key == "@context":
                result[key] = self._inline_context(value, warnings, served)
            else:
                result[key] = self._inline(value, warnings, served)
        return result

    def _inline_context(self, value: Any, warnings: list[str], served: str | None) -> Any:
        items = value if isinstance(value, list) else [value]
        resolved: list[Any] = []
        upstream = False
        for item in items:
            if isinstance(item, str):
                context, is_upstream = self.resolve(item, served)
                upstream = upstream or is_upstream
                resolved.append(context)
            elif isinstance(item, dict) and "@import" in item:
                # JSON-LD 1.1 @import: the named context's terms, overridden by this one's.
                url = item["@import"]
                imported, is_upstream = self.resolve(url, served) if isinstance(url, str) else (
                    None, False)
                if not isinstance(imported, dict):
                    raise JsonLdError(f"@import must name one context object available here "
                                      f"(got {str(url)[:80]!r})")
                upstream = upstream or is_upstream
                resolved.append({**imported,
                                 **{k: v for k, v in item.items() if k != "@import"}})
            else:
                resolved.append(item)
        if upstream and not any(isinstance(c, dict) and "emmo" in c for c in resolved):
            resolved.append({"emmo": EMMO_NAMESPACE})
            warnings.append(
                "the EMMO/BattINFO context defines no 'emmo:' prefix; added "
                f"emmo: <{EMMO_NAMESPACE}> so values such as \"emmo:Volt\" name EMMO units"
            )
        return resolved if len(resolved) != 1 else resolved[0]


def check_depth(document: Any, limit: int) -> None:
    """Refuse JSON nesting deeper than ``limit`` arrays/objects (iteratively: no recursion)."""
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            raise JsonLdError(f"the document nests deeper than {limit} levels")
        stack.extend((child, depth + 1) for child in children)


# A JSON string may write a UTF-16 surrogate as an escape ("\ud800") without its pair; the
# decoder keeps it as a lone surrogate, which is no Unicode character: no RDF literal, IRI or
# UTF-8 text can hold it, so it would fail far from the input (encoding the answer).
_SURROGATE = re.compile("[\ud800-\udfff]")
# Python refuses to convert integers of more digits (sys.int_info.default_max_str_digits); the
# decoder would raise mid-document, without a position.
MAX_INTEGER_DIGITS = 4300

JsonPath = tuple[str | int, ...]


class OverlongInteger:
    """What ``parse_json_int`` reads an integer of too many digits as (found by ``unreadable``)."""

    def __init__(self, digits: int) -> None:
        self.digits = digits


def parse_json_int(text: str) -> int | OverlongInteger:
    """``json.loads``'s ``parse_int``: an integer, or a marker for one too long to convert."""
    digits = len(text.lstrip("-"))
    return int(text) if digits <= MAX_INTEGER_DIGITS else OverlongInteger(digits)


class NotJsonNumber:
    """What ``json.loads`` reads ``NaN``, ``Infinity`` or ``-Infinity`` as (Python's reader
    accepts them; JSON has no such numbers), or a number beyond the range of a double
    (``1e400``, which Python reads as infinity): found by ``unreadable``, which names its
    path instead of the engine failing on the re-written document."""

    def __init__(self, text: str) -> None:
        self.text = text


def parse_json_float(text: str) -> float | NotJsonNumber:
    value = float(text)
    return value if math.isfinite(value) else NotJsonNumber(text)


def unreadable(document: Any) -> tuple[JsonPath, str] | None:
    """The JSON path (keys and indexes) of the first value - or object key - no RDF term can
    hold, and why: a string with an unpaired surrogate escape, an integer of more than
    ``MAX_INTEGER_DIGITS`` digits. None when there is none (iteratively: no recursion)."""
    stack: list[tuple[Any, JsonPath]] = [(document, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, str):
            if _SURROGATE.search(node):
                return path, _SURROGATE_REASON
        elif isinstance(node, NotJsonNumber):
            if node.text in ("NaN", "Infinity", "-Infinity"):
                return path, f"{node.text} is not a JSON number (JSON has no NaN or Infinity)"
            return path, (f"the number {node.text[:40]} is beyond the range of a double "
                          "(about 1.8e308)")
        elif isinstance(node, OverlongInteger):
            return path, (f"an integer of {node.digits} digits, more than the "
                          f"{MAX_INTEGER_DIGITS} a number may have here")
        elif isinstance(node, dict):
            if isinstance(node, _JsonLdObject) and node.duplicates:
                key = node.duplicates[0]
                return (*path, key), (
                    f"the key {json.dumps(key)[:80]} is given more than once in one object; "
                    "JSON processors disagree on which value counts (RFC 8259 section 4), so "
                    "give each key once")
            for key, value in node.items():
                if isinstance(key, str) and _SURROGATE.search(key):
                    return (*path, key), _SURROGATE_REASON
                stack.append((value, (*path, key)))
        elif isinstance(node, list):
            stack.extend((item, (*path, index)) for index, item in enumerate(node))
    return None


class _JsonLdObject(dict):
    """A JSON object of a JSON-LD document that remembers keys the text gave more than once
    (Python's reader keeps the last value: ``{"@id": A, "@id": B}`` would describe B, where
    another processor reading the same document describes A)."""

    duplicates: tuple[str, ...] = ()


def _object_keeping_duplicates(pairs: list[tuple[str, Any]]) -> dict:
    obj = _JsonLdObject(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        obj.duplicates = tuple(key for key, _ in pairs if key in seen or seen.add(key))
    return obj


_SURROGATE_REASON = ("a string with an unpaired UTF-16 surrogate escape (\\ud800-\\udfff "
                     "without its pair), which is no Unicode character; escape a character "
                     "outside the Basic Multilingual Plane as a surrogate pair, or send it as "
                     "UTF-8")


def bracket_path(path: JsonPath) -> str:
    return "$" + "".join(f"[{part}]" if isinstance(part, int) else f"[{json.dumps(part)}]"
                         for part in path)


def has_context(document: Any) -> bool:
    """Whether a JSON-LD document (or one of its top-level nodes) carries its own @context."""
    if isinstance(document, dict):
        return "@context" in document
    if isinstance(document, list):
        return any(isinstance(item, dict) and "@context" in item for item in document)
    return False


def _with_context(document: Any, context: Any) -> Any:
    if isinstance(document, dict):
        return {"@context": context, **document}
    if isinstance(document, list):
        return {"@context": context, "@graph": document}
    raise JsonLdError("a JSON passport must be an object or an array of objects")


# What no IRI can hold (RFC 3987: spaces, controls, <>"{}|\^`, and a % not starting an escape).
# Only when a string of the document holds one can a term expand to an IRI the JSON-LD
# processor would drop without a word; then the document is expanded to find which.
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|\\^`\x7f]|%(?![0-9A-Fa-f]{2})')


def check_iris(document: Any, base_iri: str | None) -> None:
    """Refuse a document in which an ``@id``, an ``@type`` or a property expands to a string
    that is no IRI: the engine's JSON-LD parser drops such a node or statement silently (a
    passport would lose it, or be reported as holding no triples). The expansion is the real
    JSON-LD processor's (PyLD); the message names the IRI and the JSON path it came from."""
    if not _any_string(document, _NOT_IN_IRI.search):
        return
    _check_property_keys(document)
    # Only documents that need the check pay PyLD's import.
    from pyld import jsonld

    try:
        expanded = jsonld.expand(document, {"base": base_iri or "", "documentLoader": _no_loader})
    except jsonld.JsonLdError as exc:
        if getattr(exc, "code", None) in _IRI_ERRORS:
            details = json.dumps(getattr(exc, "details", None), default=str)[:300]
            strings = [text for text in re.findall(r'"((?:[^"\\]|\\.)*)"', details)
                       if _NOT_IN_IRI.search(json.loads(f'"{text}"'))]
            where = _locate(document, json.loads(f'"{strings[0]}"')) if strings else None
            origin = f"{bracket_path(where[0])} ({json.dumps(where[1])}): " if where else ""
            raise JsonLdError(f"{origin}{str(exc.args[0] if exc.args else exc)[:300]} "
                              f"{details}") from None
        return  # anything else: the engine's parser reports what it cannot read
    except Exception:  # as above
        return
    invalid = _first_invalid_iri(expanded)
    if invalid is None:
        return
    iri, role, reason = invalid
    where = _locate(document, iri)
    origin = f"{bracket_path(where[0])} ({json.dumps(where[1])}): " if where else ""
    raise JsonLdError(
        f"{origin}{role} <{iri}> is not a valid IRI ({reason}); a JSON-LD processor would drop "
        "it without a word, so it is refused: percent-encode the character (a space as %20)")


# PyLD's error codes for a term that expands to no IRI (JSON-LD 1.1 API, 9.4).
_IRI_ERRORS = {"invalid typed value", "invalid @id value", "invalid type value",
               "invalid IRI mapping", "invalid vocab mapping", "invalid base IRI",
               "invalid reverse property"}


def _check_property_keys(document: Any) -> None:
    """A key holding a character no IRI may, that no context of the document defines as a term,
    expands to no IRI: the processor drops its statements (PyLD too, so look at the keys)."""
    terms: set[str] = set()
    stack: list[tuple[Any, JsonPath]] = [(document, ())]
    keys: list[tuple[str, JsonPath]] = []
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "@context":
                    _collect_terms(value, terms)
                    continue
                if not key.startswith("@") and _NOT_IN_IRI.search(key):
                    keys.append((key, path))
                stack.append((value, (*path, key)))
        elif isinstance(node, list):
            stack.extend((item, (*path, index)) for index, item in enumerate(node))
    for key, path in sorted(keys, key=lambda item: len(item[1])):
        if key not in terms:
            raise JsonLdError(
                f"{bracket_path((*path, key))}: the property {json.dumps(key)} is no IRI and no "
                "term of the context (a JSON-LD processor would drop its statements without a "
                "word); percent-encode the character (a space as %20) or define the term")


def _collect_terms(context: Any, terms: set[str]) -> None:
    for item in context if isinstance(context, list) else [context]:
        if isinstance(item, dict):
            terms.update(k for k in item if isinstance(k, str))


def _no_loader(url: str, options: Any = None) -> Any:
    raise JsonLdError(f"the remote JSON-LD context {url!r} is never fetched")


def _any_string(document: Any, test: Any) -> bool:
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            if test(node):
                return True
        elif isinstance(node, dict):
            for key, value in node.items():
                if isinstance(key, str) and test(key):
                    return True
                stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)
    return False


def _iri_problem(iri: str) -> str | None:
    if iri.startswith("_:"):
        return None
    if is_valid_iri(iri):
        return None
    bad = _NOT_IN_IRI.search(iri)
    if bad is None:
        return "not an absolute IRI by RFC 3987"
    return f"it holds {json.dumps(bad.group())} at character {bad.start() + 1}"


def _first_invalid_iri(expanded: Any) -> tuple[str, str, str] | None:
    """(IRI, what it is, why invalid) of the first invalid IRI of an expanded document."""
    stack = [expanded]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(reversed(node))
            continue
        if not isinstance(node, dict):
            continue
        checks: list[tuple[str, str]] = []
        if isinstance(node.get("@id"), str):
            checks.append((node["@id"], "the node @id"))
        types = node.get("@type")
        if "@value" in node:
            if isinstance(types, str) and types != "@json":
                checks.append((types, "the datatype"))
        else:
            for value in types if isinstance(types, list) else [types]:
                if isinstance(value, str):
                    checks.append((value, "the @type"))
        for key in node:
            if not key.startswith("@"):
                checks.append((key, "the property"))
        reverse = node.get("@reverse")
        if isinstance(reverse, dict):
            checks.extend((key, "the reverse property") for key in reverse)
            stack.extend(reverse.values())
        for iri, role in checks:
            reason = _iri_problem(iri)
            if reason is not None:
                return iri, role, reason
        stack.extend(value for key, value in node.items()
                     if key not in ("@id", "@type", "@value", "@reverse"))
    return None


def _locate(document: Any, iri: str) -> tuple[JsonPath, str] | None:
    """The JSON path and text of the first key or string of ``document`` that the invalid
    ``iri`` came from (the string holds a character no IRI may and ends the IRI), in document
    order; None when none does."""
    stack: list[tuple[Any, JsonPath]] = [(document, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, str):
            if _came_from(node, iri):
                return path, node
        elif isinstance(node, dict):
            items = [(k, v) for k, v in node.items() if k != "@context"]
            for key, _value in items:
                if isinstance(key, str) and _came_from(key, iri):
                    return (*path, key), key
            stack.extend(((value, (*path, key)) for key, value in reversed(items)))
        elif isinstance(node, list):
            stack.extend((item, (*path, index)) for index, item in reversed(list(
                enumerate(node))))
    return None


def _came_from(text: str, iri: str) -> bool:
    if not _NOT_IN_IRI.search(text):
        return False
    suffix = text.split(":", 1)[1] if ":" in text and not text.startswith(
        ("http:", "https:", "urn:")) else text
    return iri == text or iri.endswith(suffix)
