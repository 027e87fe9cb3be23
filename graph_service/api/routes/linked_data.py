"""Dereferenceable IRIs (Linked Data) and GS1 Digital Link resolution."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from graph_service.api.deps import Services, current_principal, get_services
from graph_service.api.negotiation import choose, with_charset
from graph_service.services.access import Principal
from graph_service.services.linked_data import render_html
from graph_service.services.rdf_io import serialize_graph

router = APIRouter(tags=["linked data"])

RDF_TYPES = ["text/turtle", "application/ld+json", "application/n-triples",
             "application/rdf+xml", "text/html"]


@router.get("/id/{path:path}", response_class=Response)
async def dereference(
    path: str,
    request: Request,
    services: Annotated[Services, Depends(get_services)],
    principal: Annotated[Principal, Depends(current_principal)],
) -> Response:
    media_type = choose(request.headers.get("accept"), RDF_TYPES)
    iri = services.linked_data.iri_for_path(path)
    description = await services.run_blocking(services.linked_data.describe, iri, principal)
    headers = {"Vary": "Accept, Authorization"}
    if description.passport is not None:
        headers["Link"] = f'<{description.passport}>; rel="dpp"'
    if media_type == "text/html":
        page = render_html(description, services.settings.base_iri)
        return HTMLResponse(page, headers=headers)
    body = await services.run_blocking(serialize_graph, description.graph, media_type)
    return Response(body, media_type=with_charset(media_type), headers=headers)


@router.get("/01/{gtin}/21/{serial}")
async def digital_link(
    gtin: str,
    serial: str,
    services: Annotated[Services, Depends(get_services)],
    principal: Annotated[Principal, Depends(current_principal)],
) -> RedirectResponse:
    battery = await services.run_blocking(services.linked_data.resolve_digital_link, gtin,
                                          serial, principal)
    target = str(battery)
    if target.startswith(services.settings.base_iri):
        target = "/" + target[len(services.settings.base_iri):]
    return RedirectResponse(target, status_code=303)
