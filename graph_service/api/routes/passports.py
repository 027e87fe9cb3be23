"""Passport submission: create/replace (POST /passports) and dry-run validation (POST /validate)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from graph_service.api.body import media_type_of, read_body
from graph_service.api.deps import PrincipalDep, ServicesDep
from graph_service.api.limits import submission_slot
from graph_service.model.answers import IngestAnswer, RejectedPassport

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


@router.post(
    "/passports",
    summary="Create or replace a battery's passport data (validated before commit)",
    response_model=IngestAnswer,
    status_code=201,
    responses={200: {"model": IngestAnswer, "description": "Replaced existing passport data"},
               422: {"model": RejectedPassport,
                     "description": "SHACL violations; nothing was stored"}},
    openapi_extra=_BODY,
    dependencies=[Depends(submission_slot)],
)
async def submit_passport(
    request: Request,
    response: Response,
    services: ServicesDep,
    principal: PrincipalDep,
    battery: BatteryParam = None,
) -> IngestAnswer:
    # Who may write is decided before the body is read; the limits follow the caller.
    limits = await services.run_blocking(services.ingest.admit, principal, dry_run=False,
                                         battery_id=battery)
    body = await read_body(request, limits.max_body_bytes)
    result = await services.run_blocking(
        services.ingest.submit, body, media_type_of(request), principal=principal,
        battery_id=battery, limits=limits,
    )
    response.status_code = 201 if result.created else 200
    response.headers["Location"] = str(result.battery_iri)
    return result.answer()


@router.post(
    "/validate",
    summary="Validate passport data without storing it",
    response_model=IngestAnswer,
    responses={422: {"model": RejectedPassport, "description": "SHACL violations"}},
    openapi_extra=_BODY,
    dependencies=[Depends(submission_slot)],
)
async def validate_passport(
    request: Request,
    services: ServicesDep,
    principal: PrincipalDep,
    battery: BatteryParam = None,
) -> IngestAnswer:
    limits = await services.run_blocking(services.ingest.admit, principal, dry_run=True)
    body = await read_body(request, limits.max_body_bytes)
    result = await services.run_blocking(
        services.ingest.submit, body, media_type_of(request), principal=principal,
        battery_id=battery, dry_run=True, limits=limits,
    )
    return result.answer()
