"""Passport submission: create/replace (POST /passports) and dry-run validation (POST /validate)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from graph_service.api.body import media_type_of, read_body
from graph_service.api.deps import PrincipalDep, Services, ServicesDep
from graph_service.api.limits import submission_slot
from graph_service.api.negotiation import context_iri
from graph_service.model.answers import IngestAnswer, RejectedPassport
from graph_service.services.access import Principal
from graph_service.services.passports.ingest import IngestResult

router = APIRouter(tags=["passports"])

_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "text/turtle": {"schema": {"type": "string"}},
            "application/ld+json": {"schema": {"type": "object"}},
            "application/json": {"schema": {"type": "object"}},
        },
    }
}


BatteryParam = Annotated[
    str | None,
    Query(description="Battery id, when the document does not carry one (e.g. a blank-node root)."),
]


# What both routes declare: one document in the body, one submission at a time per caller.
_SUBMISSION = {"response_model": IngestAnswer, "openapi_extra": _BODY,
               "dependencies": [Depends(submission_slot)]}


async def _submit(request: Request, services: Services, principal: Principal,
                  battery: str | None, *, dry_run: bool) -> IngestResult:
    # Who may write is decided before the body is read; the limits follow the caller.
    limits = await services.run_blocking(services.ingest.admit, principal, dry_run=dry_run,
                                         battery_id=battery)
    body = await read_body(request, limits.max_body_bytes)
    return await services.run_blocking(
        services.ingest.submit, body, media_type_of(request), principal=principal,
        battery_id=battery, dry_run=dry_run, limits=limits,
        served_context=context_iri(request))


@router.post(
    "/passports",
    summary="Create or replace a battery's passport data (validated before commit)",
    status_code=201,
    responses={200: {"model": IngestAnswer, "description": "Replaced existing passport data"},
               422: {"model": RejectedPassport,
                     "description": "SHACL violations; nothing was stored"}},
    **_SUBMISSION,
)
async def submit_passport(request: Request, response: Response, services: ServicesDep,
                          principal: PrincipalDep, battery: BatteryParam = None) -> IngestAnswer:
    result = await _submit(request, services, principal, battery, dry_run=False)
    response.status_code = 201 if result.created else 200
    response.headers["Location"] = str(result.battery_iri)
    return result.answer()


@router.post(
    "/validate",
    summary="Validate passport data without storing it",
    responses={422: {"model": RejectedPassport, "description": "SHACL violations"}},
    **_SUBMISSION,
)
async def validate_passport(request: Request, services: ServicesDep, principal: PrincipalDep,
                            battery: BatteryParam = None) -> IngestAnswer:
    result = await _submit(request, services, principal, battery, dry_run=True)
    return result.answer()
