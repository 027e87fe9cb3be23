"""/.well-known/void (VoID + DCAT 3) and /.well-known/sparql-examples."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from graph_service.api.deps import Services, get_services
from graph_service.api.negotiation import choose_rdf_type, with_charset
from graph_service.services.descriptions import examples_graph, void_graph
from graph_service.services.rdf_io import serialize_graph

router = APIRouter(tags=["descriptions"])


@router.get("/.well-known/void")
async def void_description(request: Request,
                           services: Annotated[Services, Depends(get_services)]) -> Response:
    media_type = choose_rdf_type(request.headers.get("accept"))
    graph = void_graph(services.settings, services.layout)
    body = await services.run_blocking(serialize_graph, graph, media_type)
    return Response(body, media_type=with_charset(media_type))


@router.get("/.well-known/sparql-examples")
async def sparql_examples(request: Request,
                          services: Annotated[Services, Depends(get_services)]) -> Response:
    media_type = choose_rdf_type(request.headers.get("accept"))
    graph = examples_graph(services.settings)
    body = await services.run_blocking(serialize_graph, graph, media_type)
    return Response(body, media_type=with_charset(media_type))
