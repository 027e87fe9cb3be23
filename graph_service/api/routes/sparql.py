"""SPARQL 1.1 Protocol endpoint: query by GET/POST, update by POST, service description."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Mapping

from fastapi import APIRouter, Request, Response

from graph_service.api.body import decode_text, media_type_of, parse_form, read_body
from graph_service.api.deps import Services, principal_of, readable_dataset_of
from graph_service.api.errors import BadRequest
from graph_service.api.limits import query_slot
from graph_service.api.negotiation import (
    Kind,
    answer_query,
    choose,
    context_iri,
    negotiated,
    render_jsonld_bytes,
    wants_html,
)
from graph_service.api.routes.ui import query_page
from graph_service.services.access import Role
from graph_service.services.sparql import Dataset
from graph_service.store.base import UnsupportedFormat

router = APIRouter(tags=["SPARQL"])

_QUERY_DOC = "SPARQL 1.1 query; without it, the Service Description is returned."
_TIMEOUT_DOC = ("Seconds to wait for the query (a shorter limit than the server's "
                "DBP_QUERY_TIMEOUT; larger values are capped by it). Exceeding it gives 503.")


# Both operations take the request alone and resolve the caller's services and dataset by plain
# calls: FastAPI's per-request dependency resolution and parameter validation were the largest
# part of a small query's time (docs/benchmarks.md, /sparql per-request floor). The parameters
# are documented for OpenAPI below and read with the same checks as the POST form's.
_GET_PARAMETERS = [
    {"name": "query", "in": "query", "required": False, "description": _QUERY_DOC,
     "schema": {"type": "string"}},
    {"name": "default-graph-uri", "in": "query", "required": False,
     "schema": {"type": "array", "items": {"type": "string"}}},
    {"name": "named-graph-uri", "in": "query", "required": False,
     "schema": {"type": "array", "items": {"type": "string"}}},
    {"name": "timeout", "in": "query", "required": False, "description": _TIMEOUT_DOC,
     "schema": {"type": "number", "exclusiveMinimum": 0}},
]


@router.get(
    "/sparql",
    summary="SPARQL query (GET) or Service Description",
    response_class=Response,
    responses={200: {"content": {"application/sparql-results+json": {}, "text/turtle": {}}}},
    openapi_extra={"parameters": _GET_PARAMETERS},
)
async def sparql_get(request: Request) -> Response:
    return await _in_query_slot(request, _sparql_get)


async def _sparql_get(request: Request, dataset: Dataset) -> Response:
    services = _services(request)
    accept = request.headers.get("accept")
    params = request.query_params
    if "update" in params:
        raise BadRequest("SPARQL Update is sent by POST (application/sparql-update or a form "
                         "'update' parameter), never by GET")
    _refuse_parameters_of_the_other_operation(params, update=False)
    queries = params.getlist("query")
    if len(queries) > 1:
        raise BadRequest("send exactly one 'query' parameter")
    timeout = _timeout(params.getlist("timeout"))
    if not queries:
        if wants_html(accept):  # a browser: the query page; RDF clients get the description
            return query_page(request)
        return _service_description(services, accept, context_iri(request))
    return await _answer_query(services, dataset, queries[0],
                               params.getlist("default-graph-uri"),
                               params.getlist("named-graph-uri"), accept, timeout,
                               context=context_iri(request))


@router.post(
    "/sparql",
    summary="SPARQL query or update (POST)",
    response_class=Response,
    openapi_extra={
        "requestBody": {
            "content": {
                "application/sparql-query": {"schema": {"type": "string"}},
                "application/sparql-update": {"schema": {"type": "string"}},
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "query": {"type": "string"},
                            "update": {"type": "string"},
                            "default-graph-uri": {"type": "string"},
                            "named-graph-uri": {"type": "string"},
                            "using-graph-uri": {"type": "string"},
                            "using-named-graph-uri": {"type": "string"},
                            "timeout": {"type": "number", "exclusiveMinimum": 0},
                        },
                    }
                },
            },
            "required": True,
        }
    },
)
async def sparql_post(request: Request) -> Response:
    return await _in_query_slot(request, _sparql_post)


async def _sparql_post(request: Request, dataset: Dataset) -> Response:
    services = _services(request)
    accept = request.headers.get("accept")
    body = await read_body(request, services.settings.max_body_bytes)
    media_type = media_type_of(request)
    url_params = request.query_params
    if "query" in url_params or "update" in url_params:
        # SPARQL 1.1 Protocol: a POSTed operation travels in the body; a second one in the URL
        # would make the request ambiguous.
        raise BadRequest("send the query or update in the request body, not in the URL")
    default_graphs = url_params.getlist("default-graph-uri")
    named_graphs = url_params.getlist("named-graph-uri")
    timeout = _timeout(url_params.getlist("timeout"))
    if media_type == "application/sparql-query":
        _refuse_parameters_of_the_other_operation(url_params, update=False)
        query = decode_text(body, "query")
        return await _answer_query(services, dataset, query, default_graphs, named_graphs,
                                   accept, timeout, context=context_iri(request))
    if media_type == "application/sparql-update":
        _refuse_parameters_of_the_other_operation(url_params, update=True)
        await services.sparql.update(
            decode_text(body, "update"), allowed=_may_update(services, request),
            using_graph_uris=url_params.getlist("using-graph-uri"),
            using_named_graph_uris=url_params.getlist("using-named-graph-uri"))
        return Response(status_code=204)
    if media_type == "application/x-www-form-urlencoded":
        form = parse_form(body)
        queries, updates = form.get("query", []), form.get("update", [])
        if len(queries) + len(updates) != 1:
            raise BadRequest("send exactly one 'query' or one 'update' parameter")
        _refuse_parameters_of_the_other_operation(url_params, update=bool(updates))
        _refuse_parameters_of_the_other_operation(form, update=bool(updates))
        if updates:
            await services.sparql.update(
                updates[0], allowed=_may_update(services, request),
                using_graph_uris=(url_params.getlist("using-graph-uri")
                                  or form.get("using-graph-uri", [])),
                using_named_graph_uris=(url_params.getlist("using-named-graph-uri")
                                        or form.get("using-named-graph-uri", [])))
            return Response(status_code=204)
        return await _answer_query(
            services, dataset, queries[0],
            default_graphs or form.get("default-graph-uri", []),
            named_graphs or form.get("named-graph-uri", []),
            accept,
            timeout if timeout is not None else _timeout(form.get("timeout", [])),
            context=context_iri(request),
        )
    raise UnsupportedFormat(
        f"Content-Type {media_type or '(none)'} is not a SPARQL request; use "
        "application/sparql-query, application/sparql-update or "
        "application/x-www-form-urlencoded"
    )


_QUERY_DATASET = ("default-graph-uri", "named-graph-uri")
_UPDATE_DATASET = ("using-graph-uri", "using-named-graph-uri")


def _refuse_parameters_of_the_other_operation(params: Mapping[str, object], *,
                                              update: bool) -> None:
    """A query's dataset parameters on an update (or the other way round) would be ignored:
    refused instead (SPARQL 1.1 Protocol 2.1.4 and 2.2.3 name them per operation)."""
    wrong, right = (_QUERY_DATASET, _UPDATE_DATASET) if update else (_UPDATE_DATASET,
                                                                       _QUERY_DATASET)
    for name in wrong:
        if name in params:
            operation, other = ("an update", "a query") if update else ("a query", "an update")
            raise BadRequest(f"'{name}' is a parameter of {other}, not of {operation}; "
                             f"{operation} takes '{right[0]}' / '{right[1]}'")


def _timeout(values: list[str]) -> float | None:
    """The ``timeout`` parameter of a POSTed query (URL or form): positive seconds, or none."""
    if not values:
        return None
    if len(values) > 1:
        raise BadRequest("send at most one 'timeout' parameter")
    try:
        seconds = float(values[0])
    except ValueError:
        raise BadRequest("'timeout' must be a number of seconds") from None
    if not math.isfinite(seconds) or seconds <= 0:
        raise BadRequest("'timeout' must be a positive, finite number of seconds")
    return seconds


async def _in_query_slot(
        request: Request,
        handle: Callable[[Request, Dataset], Awaitable[Response]]) -> Response:
    """``handle`` with the caller's dataset, inside the caller's query slot. The dataset comes
    first: a bad token is 401 before a slot is taken or a parameter read."""
    dataset = readable_dataset_of(request)
    async with query_slot(request):
        return await handle(request, dataset)


def _services(request: Request) -> Services:
    return request.app.state.services


def _may_update(services: Services, request: Request) -> bool:
    """SPARQL Update needs both the setting and the admin role."""
    return services.settings.enable_update and principal_of(request).role is Role.ADMIN


async def _answer_query(
    services: Services,
    dataset: Dataset,
    query: str,
    default_graphs: list[str],
    named_graphs: list[str],
    accept: str | None,
    timeout: float | None = None,
    *,
    context: str,
) -> Response:
    if not query.strip():
        raise BadRequest("the query is empty")
    return await answer_query(services.sparql, query, dataset, accept, context=context,
                              default_graph_uris=default_graphs, named_graph_uris=named_graphs,
                              timeout=timeout)


def _service_description(services: Services, accept: str | None, context: str) -> Response:
    choice = choose(accept, Kind.GRAPH)
    body = services.sparql.service_description(choice.media_type)
    if choice.is_jsonld:
        body = render_jsonld_bytes(body, choice, context)
    return negotiated(body, choice)
