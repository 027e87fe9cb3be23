"""Passport history, old versions, lineage and the audit trail."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from graph_service.api.deps import PrincipalDep, ServicesDep
from graph_service.api.negotiation import Kind, choose, context_iri, negotiated, render
from graph_service.api.params import BatteryId
from graph_service.model.answers import AuditRecord, BatteryHistory

router = APIRouter(tags=["history"])


@router.get("/batteries/{battery_id}/history", response_model=BatteryHistory)
async def battery_history(
    battery_id: BatteryId,
    services: ServicesDep,
    principal: PrincipalDep,
) -> BatteryHistory:
    return await services.run_blocking(services.history.history, battery_id, principal)


@router.get("/batteries/{battery_id}/versions/{number}")
async def battery_version(
    battery_id: BatteryId,
    number: int,
    request: Request,
    services: ServicesDep,
    principal: PrincipalDep,
) -> Response:
    choice = choose(request.headers.get("accept"), Kind.GRAPH)
    graph = await services.run_blocking(services.history.version, battery_id, number, principal)
    body = await services.run_blocking(render, graph, choice,
                                       context_iri(request))
    return negotiated(body, choice)


@router.get("/audit", response_model=list[AuditRecord])
async def audit_trail(
    services: ServicesDep,
    principal: PrincipalDep,
    battery: str | None = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> list[AuditRecord]:
    return await services.run_blocking(services.history.audit_records, principal, battery, limit)
