"""Fixtures of the interop tests: real services over an in-memory store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from graph_service.container import Services, build_services
from graph_service.services.access import Principal, Role
from graph_service.services.interop.catenax import tables
from graph_service.store import open_memory_store
from tests.conftest import make_settings, register_test_organisations

DATA = Path(__file__).resolve().parents[2] / "data" / "catenax"
ADMIN = Principal("t", Role.ADMIN)


@pytest.fixture(scope="module")
def services() -> Services:
    settings = make_settings()
    schema = settings.passport_models.joinpath(*tables.schema_file("6.1.0"))
    if not schema.is_file():
        pytest.skip(f"the official Catena-X 6.1.0 JSON schema is not installed ({schema.name} "
                    "under Settings().passport_models)")
    services = build_services(settings, open_memory_store())
    register_test_organisations(services)
    return services


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
