"""Passport history, old versions, lineage and the audit trail."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel

from graph_service.api.deps import Services, current_principal, get_services
from graph_service.api.negotiation import Kind, choose, context_iri, negotiated, render
from graph_service.api.params import BatteryId
from graph_service.services.access import Principal

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
    # Battery status (Annex XIII 4(c)): null for callers who do not read the battery's
    # legitimate-interest data.
    reason: str | None
    state: str | None
    closed_at: str | None
    predecessor: str | None
    successor: str | None


class HistoryModel(BaseModel):
    battery: str
    versions: list[VersionModel]
    passports: list[PassportModel]


@router.get("/batteries/{battery_id}/history", response_model=HistoryModel)
async def battery_history(
    battery_id: BatteryId,
    services: Annotated[Services, Depends(get_services)],
    principal: Annotated[Principal, Depends(current_principal)],
) -> HistoryModel:
    history = await services.run_blocking(services.history.history, battery_id, principal)
    return HistoryModel.model_validate(history, from_attributes=True)


@router.get("/batteries/{battery_id}/versions/{number}")
async def battery_version(
    battery_id: BatteryId,
    number: int,
    request: Request,
    services: Annotated[Services, Depends(get_services)],
    principal: Annotated[Principal, Depends(current_principal)],
) -> Response:
    choice = choose(request.headers.get("accept"), Kind.GRAPH)
    graph = await services.run_blocking(services.history.version, battery_id, number, principal)
    body = await services.run_blocking(render, graph, choice,
                                       context_iri(request))
    return negotiated(body, choice)


@router.get("/audit")
async def audit_trail(
    services: Annotated[Services, Depends(get_services)],
    principal: Annotated[Principal, Depends(current_principal)],
    battery: str | None = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> list[dict[str, str]]:
    return await services.run_blocking(services.history.audit_records, principal, battery, limit)
