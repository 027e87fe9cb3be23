"""Entry points for integrators: the landing page (``/``), ``/.well-known/void`` (VoID + DCAT 3),
``/.well-known/sparql-examples`` and the JSON-LD context (``/context.jsonld``)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse

from graph_service.api.deps import ServicesDep
from graph_service.api.negotiation import (
    CONTEXT_PATH,
    VARY,
    Kind,
    choose,
    context_iri,
    negotiated,
    render,
    wants_html,
)
from graph_service.services.rdf.jsonld import OUR_CONTEXT_FILE
from graph_service.services.sparql.descriptions import examples_graph, void_graph

router = APIRouter(tags=["descriptions"])


@router.get("/", summary="Landing: browsers go to the dashboard, API clients get an index")
async def landing(request: Request,
                  services: ServicesDep) -> Response:
    if wants_html(request.headers.get("accept")):
        return RedirectResponse("/ui", status_code=303, headers={"Vary": VARY})
    base = services.settings.base_iri
    return JSONResponse({
        "title": "Digital Battery Passport knowledge graph",
        "baseIri": base,
        "links": {
            "dashboard": f"{base}ui",
            "sparql": services.settings.public_endpoint,
            "sparqlEditor": f"{base}ui/sparql",
            "graphStore": f"{base}store",
            "openapi": f"{base}openapi.json",
            "apiDocs": f"{base}docs",
            "apiReference": f"{base}redoc",
            "void": f"{base}.well-known/void",
            "sparqlExamples": f"{base}.well-known/sparql-examples",
            "jsonLdContext": f"{base}{CONTEXT_PATH}",
            "batteries": f"{base}batteries",
            "linkedData": f"{base}id/battery/{{batteryId}}",
            "gs1DigitalLink": f"{base}01/{{gtin}}/21/{{serial}}",
            "health": f"{base}health",
        },
    }, headers={"Vary": VARY})


@router.get(f"/{CONTEXT_PATH}", summary="The JSON-LD context of compacted answers and inputs",
            response_class=Response)
async def jsonld_context() -> Response:
    # Public and the same for everyone: any origin may read it (JSON-LD processors in browsers).
    return Response(OUR_CONTEXT_FILE.read_bytes(), media_type="application/ld+json",
                    headers={"Access-Control-Allow-Origin": "*",
                             "Cache-Control": "public, max-age=3600"})


@router.get("/.well-known/void", response_class=Response)
async def void_description(request: Request,
                           services: ServicesDep) -> Response:
    choice = choose(request.headers.get("accept"), Kind.GRAPH)
    graph = void_graph(services.settings, services.layout)
    body = await services.run_blocking(render, graph, choice,
                                       context_iri(request))
    return negotiated(body, choice)


@router.get("/.well-known/sparql-examples", response_class=Response)
async def sparql_examples(request: Request,
                          services: ServicesDep) -> Response:
    choice = choose(request.headers.get("accept"), Kind.GRAPH)
    graph = examples_graph(services.settings)
    body = await services.run_blocking(render, graph, choice,
                                       context_iri(request))
    return negotiated(body, choice)
