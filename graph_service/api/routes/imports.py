"""Partner formats: POST /import?format=catenax|battinfo, GET /batteries/{id}/export.

``POST /import`` takes one document, or many as JSON Lines (``Content-Type:
application/x-ndjson``, one document per line) through the bulk pipeline that ``dbp import``
uses: each passport is committed or rejected on its own; the answer lists every document's
outcome (200 if any committed or none was rejected, else 422)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from rdflib import Graph

from graph_service.api.body import read_body
from graph_service.api.deps import Services, current_principal, get_services
from graph_service.api.limits import submission_slot
from graph_service.api.params import BatteryId
from graph_service.services.access import Principal
from graph_service.services.graph_store import GraphNotFound
from graph_service.services.interop.bulk import NDJSON_TYPES, import_lines

router = APIRouter(tags=["import and export"])


@router.post("/import", dependencies=[Depends(submission_slot)])
async def import_document(
    request: Request,
    services: Annotated[Services, Depends(get_services)],
    principal: Annotated[Principal, Depends(current_principal)],
    format: Annotated[Literal["catenax", "battinfo"], Query()],
    battery: str | None = None,
    dry_run: bool = False,
) -> JSONResponse:
    limits = await services.run_blocking(services.imports.admit, format, principal, battery,
                                         dry_run=dry_run)
    body = await read_body(request, limits.max_body_bytes)
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type in NDJSON_TYPES and battery is None and not dry_run:
        # Many documents, one per line: the bulk pipeline (atomic per passport).
        report = await services.run_blocking(import_lines, services, body, format, principal)
        status = 200 if report.committed or not report.rejected else 422
        return JSONResponse({"committed": report.committed, "rejected": len(report.rejected),
                             "documents": [o.summary() for o in report.outcomes]},
                            status_code=status)
    result = await services.run_blocking(services.imports.import_document, body, format,
                                         principal, battery, dry_run=dry_run, limits=limits)
    status = 201 if result.ingest.created and result.ingest.committed else 200
    headers = {"Location": f"/batteries/{result.battery_id}"} if result.ingest.committed else {}
    return JSONResponse(result.summary(), status_code=status, headers=headers)


@router.get("/batteries/{battery_id}/export")
async def export_document(
    battery_id: BatteryId,
    services: Annotated[Services, Depends(get_services)],
    principal: Annotated[Principal, Depends(current_principal)],
    format: Annotated[Literal["catenax"], Query()] = "catenax",
) -> JSONResponse:
    def readable_passport(bid: str) -> Graph:
        # Only what the caller may read of each stage (same rule as the Graph Store Protocol).
        graph = Graph()
        for stage in services.repository.stored_stages(bid):
            try:
                graph += services.graph_store.read(services.layout.source(bid, stage), principal)
            except GraphNotFound:
                continue
        # The records of the organisations it names (public, kept apart from passports).
        graph += services.organisations.records(graph.objects())
        return graph

    result = await services.run_blocking(services.imports.export_catenax, battery_id,
                                         readable_passport)
    return JSONResponse(result.document, headers={
        "X-Export-Warnings": str(len(result.warnings))})
