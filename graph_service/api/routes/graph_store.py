"""SPARQL 1.1 Graph Store HTTP Protocol at /store (?graph=IRI or ?default)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from rdflib import URIRef

from graph_service.api.body import read_body
from graph_service.api.deps import PrincipalDep, ServicesDep
from graph_service.api.errors import BadRequest
from graph_service.api.limits import submission_slot
from graph_service.api.negotiation import Kind, choose, context_iri, negotiated, render
from graph_service.store import is_valid_iri

router = APIRouter(tags=["graph store"])


def _target(request: Request) -> URIRef | None:
    graph = request.query_params.get("graph")
    default = "default" in request.query_params
    if (graph is None) == (not default):
        raise BadRequest("give exactly one of ?graph=IRI or ?default")
    if graph is not None and not (graph.startswith(("http://", "https://", "urn:"))
                                  and is_valid_iri(graph)):
        raise BadRequest("?graph must be an absolute http:, https: or urn: IRI (graphs of this "
                         "store are named so)")
    return URIRef(graph) if graph is not None else None


async def read_graph(
    request: Request,
    services: ServicesDep,
    principal: PrincipalDep,
) -> Response:
    target = _target(request)
    choice = choose(request.headers.get("accept"), Kind.GRAPH)
    graph = await services.run_blocking(services.graph_store.read, target, principal)
    body = await services.run_blocking(render, graph, choice,
                                       context_iri(request))
    if request.method == "HEAD":
        response = negotiated(b"", choice)
        response.headers["Content-Length"] = str(len(body))
        return response
    return negotiated(body, choice)


# GET and HEAD registered apart: one route of both methods gives both OpenAPI operations one id,
# and which method names it changed with Python's hash seed.
router.add_api_route("/store", read_graph, methods=["GET"], name="read_graph")
router.add_api_route("/store", read_graph, methods=["HEAD"], name="head_graph")


def _written(result: object) -> Response:
    status = 201 if getattr(result, "created", False) else 204
    return Response(status_code=status)


async def write_graph(request: Request, services: ServicesDep,
                      principal: PrincipalDep) -> Response:
    # PUT replaces the graph, POST adds to it: the service reads the method. (No docstring:
    # FastAPI would publish it as both operations' description.)
    target = _target(request)
    # May this caller write this graph at all? Decided before the body is read.
    limits = await services.run_blocking(services.graph_store.admit_write, target, principal)
    body = await read_body(request, limits.max_body_bytes)
    result = await services.run_blocking(
        services.graph_store.write, request.method, target, body,
        request.headers.get("content-type", ""), principal, limits, context_iri(request))
    return _written(result)


# One endpoint, two operations: their names are the OpenAPI operation ids (put_graph_store_put).
router.add_api_route("/store", write_graph, methods=["PUT"], name="put_graph",
                     dependencies=[Depends(submission_slot)])
router.add_api_route("/store", write_graph, methods=["POST"], name="post_graph",
                     dependencies=[Depends(submission_slot)])


@router.delete("/store", dependencies=[Depends(submission_slot)])
async def delete_graph(
    request: Request,
    services: ServicesDep,
    principal: PrincipalDep,
) -> Response:
    target = _target(request)
    await services.run_blocking(services.graph_store.delete, target, principal)
    return Response(status_code=204)
