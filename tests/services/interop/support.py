"""Shared helpers of the interop tests."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph

from graph_service.container import Services, build_services
from graph_service.model.namespaces import DBP
from graph_service.store import open_memory_store
from tests.conftest import make_settings, register_test_organisations

BASE = "http://127.0.0.1:8000/"
SAMM = "urn:samm:"
STRUCTURE = {DBP.listIndex, DBP.itemValue, DBP.unknownMember}


def services_reading(required: Path | None = None, missing: str = "") -> Services:
    """Fresh services over an in-memory store with the test organisations registered; the test
    module is skipped (with ``missing``) when the reference file it reads is not installed."""
    if required is not None and not required.exists():
        pytest.skip(missing)
    services = build_services(make_settings(), open_memory_store())
    register_test_organisations(services)
    return services


def battery_pass_services() -> Services:
    """Fresh services reading the Battery Pass aspect models, with the partner corpus's
    organisations registered; the module is skipped when the models are not installed."""
    from tests.services.interop.partner_corpus import register

    folder = make_settings().passport_models / "batterypass"
    services = services_reading(folder, f"the Battery Pass aspect models are not installed "
                                        f"({folder})")
    register(services)
    return services


def register_partners(services: object, document: object) -> None:
    """Register every organisation a Catena-X document names by its BPN (as the partner does
    before it imports passports naming it; a passport only names organisations)."""
    import json

    from rdflib import Literal

    from graph_service.services.access import Principal, Role

    text = document.decode("utf-8-sig") if isinstance(document, bytes) else json.dumps(document)
    records = services.organisations  # type: ignore[attr-defined]
    minter = services.minter  # type: ignore[attr-defined]
    for bpn in sorted(set(re.findall(r"BPN[LSA][0-9A-Za-z]{12}", text))):
        if records.exists(bpn):
            continue
        record = Graph()
        record.add((minter.organisation(bpn), DBP.name, Literal(f"Test partner {bpn}")))
        records.put(bpn, record, Principal("test-admin", Role.ADMIN))


def semantic_subgraph(graph: Graph) -> Graph:
    """The triples with EMMO / BattINFO / dbp terms: not the SAMM-term structure, not the
    record of the received document."""
    sources = set(graph.subjects(predicate=None, object=DBP.SourceDocument))
    result = Graph()
    for s, p, o in graph:
        if str(p).startswith(SAMM) or p in STRUCTURE or s in sources or o in sources:
            continue
        result.add((s, p, o))
    return result


def schema_documents(schema: dict, max_items: int = 2):
    """A Hypothesis strategy of JSON documents valid against a JSON schema of the kind SAMM
    generates: object (properties, required), array (items, uniqueItems), string (enum, pattern,
    maxLength), number/integer (minimum, maximum), boolean; ``$ref`` into components."""
    from hypothesis import strategies as st

    components = schema.get("components", {}).get("schemas", {})

    def resolve(node: dict) -> dict:
        while "$ref" in node:
            node = {**components[node["$ref"].rsplit("/", 1)[-1]],
                    **{k: v for k, v in node.items() if k != "$ref"}}
        if "allOf" in node:  # a SAMM SingleEntity: {"type": "object", "allOf": [{"$ref"}]}
            merged = {k: v for k, v in node.items() if k != "allOf"}
            for member in node["allOf"]:
                part = resolve(member)
                merged["properties"] = {**merged.get("properties", {}),
                                        **part.get("properties", {})}
                merged["required"] = [*merged.get("required", []), *part.get("required", [])]
                for key, value in part.items():
                    merged.setdefault(key, value)
            node = merged
        return node

    text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)

    def build(node: dict, depth: int = 0):
        node = resolve(node)
        kind = node.get("type", "object")
        if "enum" in node:
            return st.sampled_from(node["enum"])
        if kind == "object" and "properties" not in node:
            # a free-form object (SAMM MultiLanguageText): language -> text
            return st.dictionaries(st.sampled_from(["en", "de", "fr", "pl"]), text,
                                   min_size=1, max_size=2)
        if kind == "object":
            properties = node.get("properties", {})
            required = {k: build(v, depth + 1) for k, v in properties.items()
                        if k in node.get("required", ())}
            optional = {k: build(v, depth + 1) for k, v in properties.items()
                        if k not in node.get("required", ())}
            return st.fixed_dictionaries(required, optional=optional)
        if kind == "array":
            return st.lists(build(node.get("items", {}), depth + 1), max_size=max_items,
                            unique_by=(lambda x: repr(x)) if node.get("uniqueItems") else None)
        if kind == "string" and node.get("format") in ("uri", "date-time", "date") \
                and "pattern" not in node:
            # the formats the import checks (schema._format_checker)
            from datetime import UTC, datetime

            if node["format"] == "uri":
                return st.from_regex(r"https://example\.org/[a-z0-9/._-]{0,12}", fullmatch=True)
            moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2030, 1, 1),
                                   timezones=st.just(UTC))
            if node["format"] == "date":
                return moments.map(lambda m: m.date().isoformat())
            return moments.map(lambda m: m.isoformat(timespec="seconds").replace("+00:00", "Z"))
        if kind == "string":
            strategy = st.from_regex(node["pattern"], fullmatch=True) if "pattern" in node else text
            if "maxLength" in node:
                strategy = strategy.filter(lambda s, n=node["maxLength"]: len(s) <= n)
            return strategy
        if kind in ("number", "integer"):
            low = node.get("minimum")
            high = node.get("maximum")
            if kind == "integer":
                return st.integers(min_value=low, max_value=high)
            return st.one_of(
                st.floats(min_value=low, max_value=high, allow_nan=False,
                          allow_infinity=False),
                st.integers(min_value=int(low) if low is not None else -10**6,
                            max_value=int(high) if high is not None else 10**6))
        if kind == "boolean":
            return st.booleans()
        return st.none()

    return build(schema)


def as_new_battery(document: dict[str, Any], key: str, *, id_dmc: bool = True
                   ) -> dict[str, Any]:
    """A Catena-X document made the passport of a battery of its own, named ``key``: its idDmc
    (unless ``id_dmc`` is False) and its passport identifier (a UUID derived from ``key``) -
    a passport identifier another stored battery holds is refused with 409."""
    if id_dmc:
        document["identification"]["idDmc"] = key
    metadata = document.get("metadata")
    if isinstance(metadata, dict) and "passportIdentifier" in metadata:
        metadata["passportIdentifier"] = (
            f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'catenax-test:{key}')}")
    return document
