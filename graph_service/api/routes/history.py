"""Passport history, old versions, lineage and the audit trail."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel

from graph_service.api.deps import Services, current_principal, get_services
from graph_service.api.negotiation import choose_rdf_type, with_charset
from graph_service.services.access import Principal
from graph_service.services.rdf_io import serialize_graph

router = APIRouter(tags=["history"])


class VersionModel(BaseModel):
    number: int
    iri: str
    author: str
    organisation: str | None
    time: str
    stages: list[str]
    contentHash: str


class PassportModel(BaseModel):
    number: int
    iri: str
    issued_at: str | None
    reason: str
    state: str
    closed_at: str | None
    predecessor: str | None
    successor: str | None


class HistoryModel(BaseModel):
    battery: str
    versions: list[VersionModel]
    passports: list[PassportModel]


@router.get("/batteries/{battery_id}/history", response_model=HistoryModel)
async def battery_history(
    battery_id: str,
    services: Annotated[Services, Depends(get_services)],
    principal: Annotated[Principal, Depends(current_principal)],
) -> HistoryModel:
    history = await services.run_blocking(services.history.history, battery_id, principal)
    return HistoryModel.model_validate(history, from_attributes=True)


@router.get("/batteries/{battery_id}/versions/{number}")
async def battery_version(
    battery_id: str,
    number: int,
    request: Request,
    services: Annotated[Services, Depends(get_services)],
    principal: Annotated[Principal, Depends(current_principal)],
) -> Response:
    media_type = choose_rdf_type(request.headers.get("accept"))
    graph = await services.run_blocking(services.history.version, battery_id, number, principal)
    body = await services.run_blocking(serialize_graph, graph, media_type)
    return Response(body, media_type=with_charset(media_type))


@router.get("/audit")
async def audit_trail(
    services: Annotated[Services, Depends(get_services)],
    principal: Annotated[Principal, Depends(current_principal)],
    battery: str | None = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> list[dict[str, str]]:
    return await services.run_blocking(services.history.audit_records, principal, battery, limit)
