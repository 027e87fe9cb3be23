"""Partner formats: POST /import, GET /batteries/{id}/export, GET /formats (docs/interop.md).

``POST /import`` takes one document, or many as JSON Lines (``Content-Type:
application/x-ndjson``, one document per line) through the bulk pipeline that ``dbp import``
uses: each passport is committed or rejected on its own; the answer lists every document's
outcome (200 if any committed or none was rejected, else 422)."""

from __future__ import annotations

import json
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse

from graph_service.api.body import read_body
from graph_service.api.deps import PrincipalDep, ServicesDep
from graph_service.api.limits import submission_slot
from graph_service.api.negotiation import Kind, choose, choose_document, negotiated
from graph_service.api.params import BatteryId
from graph_service.model.answers import BulkImportAnswer, FormatInfo, ImportAnswer
from graph_service.services.interop.bulk import NDJSON_TYPES, import_lines

router = APIRouter(tags=["import and export"])


@router.get("/formats", response_model=list[FormatInfo])
def formats(services: ServicesDep) -> list[FormatInfo]:
    """The partner formats, their versions and directions."""
    return services.imports.registry.describe()


@router.post("/import", dependencies=[Depends(submission_slot)],
             response_model=ImportAnswer | BulkImportAnswer,
             responses={201: {"model": ImportAnswer, "description": "A new battery stored"},
                        422: {"model": BulkImportAnswer,
                              "description": "JSON Lines: every document was rejected"}})
async def import_document(
    request: Request,
    response: Response,
    services: ServicesDep,
    principal: PrincipalDep,
    format: Annotated[str, Query(description="catenax, batterypass or battinfo (GET /formats "
                                             "lists each format's versions and directions)")],
    battery: str | None = None,
    dry_run: bool = False,
) -> ImportAnswer | BulkImportAnswer:
    limits = await services.run_blocking(services.imports.admit, format, principal, battery,
                                         dry_run=dry_run)
    body = await read_body(request, limits.max_body_bytes)
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type in NDJSON_TYPES and battery is None and not dry_run:
        # Many documents, one per line: the bulk pipeline (atomic per passport).
        report = await services.run_blocking(import_lines, services, body, format, principal)
        response.status_code = 200 if report.committed or not report.rejected else 422
        return BulkImportAnswer(committed=report.committed, rejected=len(report.rejected),
                                documents=[o.answer() for o in report.outcomes])
    result = await services.run_blocking(services.imports.import_document, body, format,
                                         principal, battery, dry_run=dry_run, limits=limits)
    response.status_code = 201 if result.ingest.created and result.ingest.committed else 200
    if result.ingest.committed:
        response.headers["Location"] = f"/batteries/{result.battery_id}"
    return result.answer()


@router.get("/batteries/{battery_id}/export")
async def export_document(
    request: Request,
    battery_id: BatteryId,
    services: ServicesDep,
    principal: PrincipalDep,
    format: Annotated[str, Query(description="catenax or batterypass (battinfo: import only; "
                                             "GET /formats)")]
    = "catenax",
    incomplete: Annotated[Literal["refuse", "allow"], Query(
        description="refuse (409 listing the missing facts) or allow (an incomplete document "
                    "with the machine-readable list of its gaps)")] = "refuse",
) -> JSONResponse:
    fmt = services.imports.registry.exporter(format)
    accept = request.headers.get("accept")
    # The envelope of an incomplete export is our own JSON; a complete one is the partner's.
    choice = (choose(accept, Kind.DOCUMENT) if incomplete == "allow"
              else choose_document(accept, fmt.media_type))

    # Only what the caller may read of each stage (same rule as the Graph Store Protocol).
    result = await services.run_blocking(
        services.imports.export_document, battery_id, format, principal=principal,
        allow_incomplete=incomplete == "allow")
    headers = {"X-Export-Gaps": str(len(result.gaps)),
               "X-Export-Format-Version": result.version}
    # The envelope: the (possibly incomplete) document and what it lacks, machine-readable.
    body = {**result.report(), "document": result.document} if incomplete == "allow" \
        else result.document
    return negotiated(json.dumps(body, ensure_ascii=False).encode(), choice, headers=headers)
