"""The JSON answers are the models the OpenAPI document names (issue 19: answer shapes were kept
in sync by hand; POST /passports declared IngestAnswer but answered an unchecked dict, and
/audit and PUT /organisations had no model at all)."""

from __future__ import annotations

import importlib
import json
import pkgutil
from pathlib import Path
from typing import Any, get_args

import pytest
from fastapi.routing import APIRoute
from pydantic import BaseModel, TypeAdapter
from rdflib import Graph, Literal

from graph_service.api import routes
from graph_service.model.answers import (
    AuditRecord,
    BatteryHistory,
    BulkImportAnswer,
    CustodyAnswer,
    Explanation,
    FeedbackResult,
    FormatInfo,
    ImportAnswer,
    IngestAnswer,
    OrganisationAnswer,
    Pathway,
    Procedure,
    RejectedPassport,
    TransferAnswer,
)
from graph_service.model.iris import IriMinter
from graph_service.model.namespaces import DBP
from graph_service.model.read_models import BatteryPage, BatterySummary
from graph_service.services.fleet.demo import demo_passport
from tests.conftest import LiveServer

CATENAX = Path(__file__).resolve().parent.parent / "data" / "catenax"
MINTER = IriMinter("http://127.0.0.1:8000/")
BID = "BP-000001"

# (method, path, status) -> the model its JSON answer is
ANSWERS: dict[tuple[str, str, str], type[BaseModel]] = {
    ("post", "/passports", "201"): IngestAnswer,
    ("post", "/passports", "200"): IngestAnswer,
    ("post", "/passports", "422"): RejectedPassport,
    ("post", "/validate", "200"): IngestAnswer,
    ("get", "/batteries/{battery_id}/history", "200"): BatteryHistory,
    ("get", "/batteries/{battery_id}/custody", "200"): CustodyAnswer,
    ("post", "/batteries/{battery_id}/custody", "200"): TransferAnswer,
    ("put", "/organisations/{organisation_id}", "200"): OrganisationAnswer,
    ("get", "/batteries", "200"): BatteryPage,
    ("get", "/batteries/{battery_id}", "200"): BatterySummary,
    ("get", "/batteries/{battery_id}/procedure", "200"): Procedure,
    ("get", "/batteries/{battery_id}/pathway", "200"): Pathway,
    ("get", "/explain", "200"): Explanation,
    ("post", "/batteries/{battery_id}/feedback", "201"): FeedbackResult,
    ("post", "/import", "201"): ImportAnswer,
    ("post", "/import", "422"): BulkImportAnswer,
}


def _json_schema(openapi: dict[str, Any], method: str, path: str, status: str) -> dict:
    responses = openapi["paths"][path][method]["responses"]
    assert status in responses, f"{method.upper()} {path} documents no {status}"
    return responses[status]["content"]["application/json"]["schema"]


@pytest.fixture(scope="module")
def openapi(server: LiveServer) -> dict[str, Any]:
    response = server.client().get("/openapi.json")
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize(("method", "path", "status"), list(ANSWERS))
def test_the_openapi_document_names_the_answer_model(openapi: dict[str, Any], method: str,
                                                      path: str, status: str) -> None:
    model = ANSWERS[(method, path, status)]
    schema = _json_schema(openapi, method, path, status)
    assert schema == {"$ref": f"#/components/schemas/{model.__name__}"}
    assert model.__name__ in openapi["components"]["schemas"]


@pytest.mark.parametrize(("path", "model"), [("/audit", AuditRecord), ("/formats", FormatInfo)])
def test_lists_are_documented_as_lists_of_their_model(openapi: dict[str, Any], path: str,
                                                      model: type[BaseModel]) -> None:
    schema = _json_schema(openapi, "get", path, "200")
    assert schema["type"] == "array"
    assert schema["items"] == {"$ref": f"#/components/schemas/{model.__name__}"}


def test_an_import_answers_one_document_or_json_lines(openapi: dict[str, Any]) -> None:
    schema = _json_schema(openapi, "post", "/import", "200")
    assert {"$ref": "#/components/schemas/ImportAnswer"} in schema["anyOf"]
    assert {"$ref": "#/components/schemas/BulkImportAnswer"} in schema["anyOf"]


def _models_in(annotation: Any, found: set[type[BaseModel]]) -> None:
    """Every model an answer type is made of (its fields' models too)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in found:
            return
        found.add(annotation)
        for field in annotation.model_fields.values():
            _models_in(field.annotation, found)
    for argument in get_args(annotation):
        _models_in(argument, found)


def test_answer_models_are_defined_once_in_the_model_package() -> None:
    """Issue 19: the facade's read answers, the procedure answers, the feedback answer and the
    health answers were defined beside their services and routes; every model a route answers
    with (and every model inside it) now lives in graph_service/model/."""
    found: set[type[BaseModel]] = set()
    for module_info in pkgutil.iter_modules(routes.__path__):
        module = importlib.import_module(f"{routes.__name__}.{module_info.name}")
        router = getattr(module, "router", None)
        for route in router.routes if router is not None else ():
            if isinstance(route, APIRoute) and route.response_model is not None:
                _models_in(route.response_model, found)
    assert len(found) > 50  # the walk reached the routes' models
    elsewhere = sorted(f"{m.__module__}.{m.__qualname__}" for m in found
                       if not m.__module__.startswith("graph_service.model."))
    assert elsewhere == []


def _turtle(graph: Graph) -> bytes:
    return graph.serialize(format="turtle").encode()


def _exactly(model: type[BaseModel], body: dict[str, Any], *, absent_nulls: bool = False) -> None:
    """``body`` is an instance of ``model`` with no key the model does not define."""
    parsed = model.model_validate(body)
    expected = parsed.model_dump(by_alias=True, exclude_none=absent_nulls)
    assert body == expected


def test_route_answers_validate_against_their_models(live_server: LiveServer) -> None:
    admin = live_server.client(live_server.token("admin"))
    created = admin.post("/passports", content=_turtle(demo_passport(MINTER, 1)),
                         headers={"Content-Type": "text/turtle"})
    assert created.status_code == 201, created.text
    assert created.headers["content-type"] == "application/json"
    assert created.headers["location"].endswith(f"/id/battery/{BID}")
    _exactly(IngestAnswer, created.json())
    assert created.json()["version"] == 1 and created.json()["created"] is True

    replaced = admin.post("/passports", content=_turtle(demo_passport(MINTER, 1)),
                          headers={"Content-Type": "text/turtle"})
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["created"] is False

    checked = admin.post("/validate", content=_turtle(demo_passport(MINTER, 1)),
                         headers={"Content-Type": "text/turtle"})
    assert checked.status_code == 200
    _exactly(IngestAnswer, checked.json())
    assert checked.json()["committed"] is False

    invalid = demo_passport(MINTER, 1)  # two serial numbers: at most one is allowed
    invalid.add((MINTER.battery(BID), DBP.serialNumber, Literal("ANOTHER-SERIAL")))
    refused = admin.post("/passports", content=_turtle(invalid),
                         headers={"Content-Type": "text/turtle"})
    assert refused.status_code == 422, refused.text
    _exactly(RejectedPassport, refused.json())
    assert refused.json()["violations"] and refused.json()["committed"] is False

    history = admin.get(f"/batteries/{BID}/history")
    assert history.status_code == 200
    _exactly(BatteryHistory, history.json())
    assert "contentHash" in history.json()["versions"][0]
    assert "issued_at" in history.json()["passports"][0]

    audit = admin.get("/audit", params={"battery": BID})
    assert audit.status_code == 200
    records = TypeAdapter(list[AuditRecord]).validate_python(audit.json())
    assert [r.model_dump(exclude_none=True) for r in records] == audit.json()
    assert {"record", "time", "operation", "outcome", "principal", "role"} <= audit.json()[0].keys()

    custody = admin.get(f"/batteries/{BID}/custody")
    assert custody.status_code == 200
    _exactly(CustodyAnswer, custody.json())


def test_organisation_and_transfer_answers_validate(live_server: LiveServer) -> None:
    admin = live_server.client(live_server.token("admin"))
    passport = demo_passport(MINTER, 1)
    response = admin.post("/passports", content=_turtle(passport),
                          headers={"Content-Type": "text/turtle"})
    assert response.status_code == 201, response.text
    operator = MINTER.organisation("second-operator")
    record = Graph()
    record.add((operator, DBP.name, Literal("Second Operator")))
    record.add((operator, DBP.country, Literal("DE")))
    put = admin.put("/organisations/second-operator", content=_turtle(record),
                    headers={"Content-Type": "text/turtle"})
    assert put.status_code == 201, put.text
    _exactly(OrganisationAnswer, put.json())
    again = admin.put("/organisations/second-operator", content=_turtle(record),
                      headers={"Content-Type": "text/turtle"})
    assert again.status_code == 200 and again.json()["created"] is False

    moved = admin.post(f"/batteries/{BID}/custody",
                       json={"role": "operator", "organisation": "second-operator"})
    assert moved.status_code == 200, moved.text
    _exactly(TransferAnswer, moved.json())
    assert moved.json()["to"] == "second-operator" and "from" in moved.json()


def test_import_and_format_answers_validate(live_server: LiveServer) -> None:
    admin = live_server.client(live_server.token("admin"))
    formats = admin.get("/formats")
    assert formats.status_code == 200
    assert [FormatInfo.model_validate(f).model_dump(by_alias=True)
            for f in formats.json()] == formats.json()
    assert any(f["import"] for f in formats.json())

    body = (CATENAX / "lfp-city-bus.json").read_bytes()
    imported = admin.post("/import", params={"format": "catenax"}, content=body,
                          headers={"Content-Type": "application/json"})
    assert imported.status_code == 201, imported.text
    assert imported.headers["location"] == "/batteries/CX-BUS-LFP-0042"
    answer = imported.json()
    parsed = ImportAnswer.model_validate(answer)
    assert parsed.model_dump(by_alias=True) == answer
    # A warning's position is absent, never null, when it has none.
    assert all(None not in w.values() for w in answer["importWarnings"])

    lines = body.replace(b"\n", b" ") + b"\n" + b'{"not": "a passport"}\n'
    bulk = admin.post("/import", params={"format": "catenax"}, content=lines,
                      headers={"Content-Type": "application/x-ndjson"})
    assert bulk.status_code == 200, bulk.text
    _exactly(BulkImportAnswer, bulk.json())
    assert bulk.json()["rejected"] == 1 and len(bulk.json()["documents"]) == 2

    rejected = admin.post("/import", params={"format": "catenax"},
                          content=json.dumps({"not": "a passport"}).encode() + b"\n",
                          headers={"Content-Type": "application/x-ndjson"})
    assert rejected.status_code == 422, rejected.text
    _exactly(BulkImportAnswer, rejected.json())
    assert rejected.json()["committed"] == 0
