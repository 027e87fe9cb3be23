"""Custody and organisation records: GET/POST /batteries/{id}/custody, PUT /organisations/{id}."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from graph_service.api.body import read_body
from graph_service.api.deps import Services, current_principal, get_services
from graph_service.api.params import BatteryId, OrganisationId
from graph_service.services.access import Principal

router = APIRouter(tags=["custody"])

ServicesDep = Annotated[Services, Depends(get_services)]
PrincipalDep = Annotated[Principal, Depends(current_principal)]


class CustodyAnswer(BaseModel):
    battery: str
    manufacturer: str | None
    operator: str | None


class TransferRequest(BaseModel):
    role: Literal["manufacturer", "operator"] = Field(
        description="Which custody changes hands.")
    organisation: str = Field(description="The registered organisation that takes it over.",
                              max_length=128)


class TransferAnswer(BaseModel):
    battery: str
    role: str
    from_: str | None = Field(alias="from")
    to: str
    changed: bool
    version: int | None


@router.get("/batteries/{battery_id}/custody", response_model=CustodyAnswer,
            summary="Who manufactures and who operates a battery (public)")
async def battery_custody(battery_id: BatteryId, services: ServicesDep) -> CustodyAnswer:
    record = await services.run_blocking(services.transfers.record, battery_id)
    return CustodyAnswer(battery=battery_id, manufacturer=record.manufacturer,
                         operator=record.operator)


@router.post("/batteries/{battery_id}/custody", response_model=TransferAnswer,
             summary="Transfer the manufacture or operation of a battery (audited)")
async def transfer_custody(battery_id: BatteryId, request: TransferRequest,
                           services: ServicesDep, principal: PrincipalDep) -> JSONResponse:
    result = await services.run_blocking(services.transfers.transfer, battery_id, request.role,
                                         request.organisation, principal)
    return JSONResponse(result.summary())


@router.put("/organisations/{organisation_id}",
            summary="Create or replace an organisation record (admin or that organisation)",
            openapi_extra={"requestBody": {"required": True, "content": {
                "text/turtle": {"schema": {"type": "string"}},
                "application/ld+json": {"schema": {"type": "object"}}}}})
async def put_organisation(organisation_id: OrganisationId, request: Request,
                           services: ServicesDep, principal: PrincipalDep) -> JSONResponse:
    body = await read_body(request, services.settings.max_body_bytes)
    graph, _ = await services.run_blocking(services.ingest.parse, body,
                                           request.headers.get("content-type", ""))
    result = await services.run_blocking(services.organisations.put, organisation_id, graph,
                                         principal)
    return JSONResponse({"organisation": result.organisation, "iri": str(result.iri),
                         "created": result.created, "triples": result.triples},
                        status_code=201 if result.created else 200)
