"""Fixtures of the interop tests: real services over an in-memory store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from graph_service.container import Services
from graph_service.services.access import Principal, Role
from graph_service.services.interop.catenax import tables
from tests.conftest import make_settings
from tests.services.interop.support import services_reading

DATA = Path(__file__).resolve().parents[2] / "data" / "catenax"
ADMIN = Principal("t", Role.ADMIN)


@pytest.fixture(scope="module")
def services() -> Services:
    schema = make_settings().passport_models.joinpath(*tables.schema_file("6.1.0"))
    return services_reading(schema, "the official Catena-X 6.1.0 JSON schema is not installed "
                                    f"({schema.name} under Settings().passport_models)")


@pytest.fixture(scope="module")
def schema_validator(services: Services) -> Any:
    import jsonschema

    path = services.settings.passport_models.joinpath(*tables.schema_file("6.1.0"))
    return jsonschema.Draft4Validator(json.loads(path.read_text(encoding="utf-8")))


def load(name: str) -> dict[str, Any]:
    from graph_service.services.interop.jsondoc import plain, read_json_document

    return plain(read_json_document((DATA / name).read_bytes()).value)


def body_of(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode()
