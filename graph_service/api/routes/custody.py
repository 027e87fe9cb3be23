"""Custody and organisation records: GET/POST /batteries/{id}/custody, PUT /organisations/{id}."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from graph_service.api.body import read_body
from graph_service.api.deps import PrincipalDep, ServicesDep
from graph_service.api.params import BatteryId, OrganisationId
from graph_service.model.answers import CustodyAnswer, OrganisationAnswer, TransferAnswer

router = APIRouter(tags=["custody"])



class TransferRequest(BaseModel):
    role: Literal["manufacturer", "operator"] = Field(
        description="Which custody changes hands.")
    organisation: str = Field(description="The registered organisation that takes it over.",
                              max_length=128)


@router.get("/batteries/{battery_id}/custody", response_model=CustodyAnswer,
            summary="Who manufactures and who operates a battery (public)")
async def battery_custody(battery_id: BatteryId, services: ServicesDep) -> CustodyAnswer:
    record = await services.run_blocking(services.transfers.record, battery_id)
    return CustodyAnswer(battery=battery_id, manufacturer=record.manufacturer,
                         operator=record.operator)


@router.post("/batteries/{battery_id}/custody", response_model=TransferAnswer,
             summary="Transfer the manufacture or operation of a battery (audited)")
async def transfer_custody(battery_id: BatteryId, request: TransferRequest,
                           services: ServicesDep, principal: PrincipalDep) -> TransferAnswer:
    result = await services.run_blocking(services.transfers.transfer, battery_id, request.role,
                                         request.organisation, principal)
    return result.answer()


@router.put("/organisations/{organisation_id}", response_model=OrganisationAnswer,
            summary="Create or replace an organisation record (admin or that organisation)",
            openapi_extra={"requestBody": {"required": True, "content": {
                "text/turtle": {"schema": {"type": "string"}},
                "application/ld+json": {"schema": {"type": "object"}}}}})
async def put_organisation(organisation_id: OrganisationId, request: Request,
                           response: Response, services: ServicesDep,
                           principal: PrincipalDep) -> OrganisationAnswer:
    body = await read_body(request, services.settings.max_body_bytes)
    graph, _ = await services.run_blocking(services.ingest.parse, body,
                                           request.headers.get("content-type", ""))
    result = await services.run_blocking(services.organisations.put, organisation_id, graph,
                                         principal)
    response.status_code = 201 if result.created else 200
    return result.answer()
