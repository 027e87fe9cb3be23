"""REST facade over passports and their derivation: fleet list, passport sub-resources,
dismantling procedure, end-of-life pathway, explanations and step-outcome feedback.

JSON by default; /procedure, /pathway and /explain also answer with the underlying RDF
(Turtle, JSON-LD, N-Triples, RDF/XML) when the Accept header asks for it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from operator import attrgetter
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from rdflib import Graph

from graph_service.api.body import media_type_of, read_body
from graph_service.api.deps import PrincipalDep, Services, ServicesDep
from graph_service.api.negotiation import (
    JSON,
    VARY,
    Choice,
    Kind,
    choose,
    context_iri,
    negotiated,
    render,
)
from graph_service.api.params import BatteryId, Offset
from graph_service.model.answers import (
    Explanation,
    FeedbackResult,
    Hazards,
    IsolationSteps,
    Pathway,
    Ppe,
    Procedure,
    Tools,
)
from graph_service.model.read_models import (
    BatteryPage,
    BatterySummary,
    CellPage,
    Events,
    MaterialChain,
    Modules,
    SohSeries,
)
from graph_service.services.derivation.feedback import FeedbackIn
from graph_service.services.rdf.rdf_io import bind_prefixes
from graph_service.store.base import RdfFormat, UnsupportedFormat

router = APIRouter(tags=["batteries"])
T = TypeVar("T")

# JSON (our models) first: the answer when Accept is absent or */* (negotiation.Kind.FACADE).
_RDF_DOC = {200: {"content": {t: {} for t in (RdfFormat.TURTLE.value, RdfFormat.JSON_LD.value,
                                               RdfFormat.N_TRIPLES.value,
                                               RdfFormat.RDF_XML.value)},
                  "description": "JSON, or the derived RDF subgraph by Accept"}}
_LEGITIMATE = {403: {"description": "Derived data needs a role with legitimate interest"},
               404: {"description": "Unknown battery, or no derivation stored"}}

PathwayKey = Annotated[str | None, Query(
    description="Pathway option to derive the procedure for (e.g. module-swap, "
                "recycling-hydrometallurgical); default: the top-ranked option", max_length=64)]


def _inline_schema(model: type[FeedbackIn]) -> dict[str, Any]:
    """The model's JSON schema with its ``$defs`` inlined (OpenAPI cannot resolve them)."""
    schema = model.model_json_schema()
    definitions = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                return inline(definitions[ref.split("/")[-1]])
            return {key: inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(item) for item in node]
        return node

    return inline(schema)


def _rdf(graph: Graph, choice: Choice, context: str) -> Response:
    return negotiated(render(bind_prefixes(graph), choice, context), choice)


async def _answer_or_rdf(request: Request, response: Response, services: Services,
                         answer: Callable[[], T], graph: Callable[[], Graph]) -> T | Response:
    """Our JSON model by default; the RDF subgraph behind it when Accept asks for RDF."""
    choice = choose(request.headers.get("accept"), Kind.FACADE)
    response.headers["Vary"] = VARY
    if choice.media_type == JSON:
        return await services.run_blocking(answer)
    rdf = await services.run_blocking(graph)
    return await services.run_blocking(_rdf, rdf, choice, context_iri(request))


# -- per-battery reads: a table of (path, service method, model, summary) ----------------------
# Each part is one service call on (battery_id, principal, ...); what a route adds to the call
# is its query parameters, so a part names the endpoint shape that declares them.
ServiceMethod = Callable[[Services], Callable[..., Any]]


def _no_query(read: ServiceMethod) -> Callable[..., Awaitable[Any]]:
    async def endpoint(battery_id: BatteryId, services: ServicesDep,
                       principal: PrincipalDep) -> Any:
        return await services.run_blocking(read(services), battery_id, principal)
    return endpoint


def _page_query(read: ServiceMethod) -> Callable[..., Awaitable[Any]]:
    async def endpoint(battery_id: BatteryId, services: ServicesDep, principal: PrincipalDep,
                       limit: Annotated[int, Query(ge=1, le=500)] = 100,
                       offset: Offset = 0) -> Any:
        return await services.run_blocking(read(services), battery_id, principal,
                                           limit=limit, offset=offset)
    return endpoint


def _pathway_query(read: ServiceMethod) -> Callable[..., Awaitable[Any]]:
    async def endpoint(battery_id: BatteryId, services: ServicesDep, principal: PrincipalDep,
                       pathway: PathwayKey = None) -> Any:
        return await services.run_blocking(read(services), battery_id, principal, pathway)
    return endpoint


@dataclass(frozen=True)
class _Part:
    """``GET /batteries/{battery_id}{path}``, answered by one service method."""

    path: str
    name: str  # the route's name; FastAPI derives the OpenAPI operation id from it
    read: str  # the service method, e.g. "batteries.material"
    model: type[BaseModel]
    summary: str
    responses: dict[int | str, dict[str, Any]] | None = None
    endpoint: Callable[[ServiceMethod], Callable[..., Awaitable[Any]]] = _no_query


def _add_parts(parts: tuple[_Part, ...]) -> None:
    for part in parts:
        router.add_api_route(f"/batteries/{{battery_id}}{part.path}",
                             part.endpoint(attrgetter(part.read)), methods=["GET"],
                             name=part.name, response_model=part.model, summary=part.summary,
                             responses=part.responses)


# -- fleet and passport data -------------------------------------------------------------------
@router.get("/batteries", response_model=BatteryPage, summary="List batteries (paged, filtered)")
async def list_batteries(
    services: ServicesDep,
    principal: PrincipalDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
    chemistry: Annotated[str | None, Query(description="e.g. nmc811, lfp")] = None,
    status: Annotated[str | None, Query(description="e.g. original, repurposed")] = None,
    model: Annotated[str | None, Query(description="Substring of the model name")] = None,
    category: Annotated[str | None, Query(description="e.g. ev, stationary")] = None,
    risk_level: Annotated[str | None, Query(
        alias="riskLevel", description="Thermal-risk alert level: none, elevated, high, "
                                       "critical (legitimate interest)")] = None,
) -> BatteryPage:
    return await services.run_blocking(
        services.batteries.list, principal, limit=limit, offset=offset, chemistry=chemistry,
        status=status, model=model, category=category, risk_level=risk_level)


_add_parts((
    _Part("", "battery_summary", "batteries.summary", BatterySummary,
          "Passport summary of one battery", responses={404: {}}),
    _Part("/material", "battery_material", "batteries.material", MaterialChain,
          "Material traceability: cathode active material batches back to the mines"),
    _Part("/modules", "battery_modules", "batteries.modules", Modules, "Modules"),
    _Part("/cells", "battery_cells", "batteries.cells", CellPage, "Cells (paged)",
          endpoint=_page_query),
    _Part("/events", "battery_events", "batteries.events", Events,
          "Negative events (thermal events, accidents, deep discharge...)"),
    _Part("/soh", "battery_soh", "batteries.soh", SohSeries,
          "State-of-health time series and the modules' latest SoH"),
))


# -- derived dismantling information -----------------------------------------------------------
@router.get("/batteries/{battery_id}/procedure", response_model=Procedure,
            summary="Derived dismantling procedure for a pathway option (default: top-ranked)",
            responses={**_RDF_DOC, **_LEGITIMATE,
                       400: {"description": "Unknown pathway option (the answer lists them)"},
                       422: {"description": "The pathway option is not eligible"}})
async def battery_procedure(request: Request, response: Response, battery_id: BatteryId,
                            services: ServicesDep, principal: PrincipalDep,
                            pathway: PathwayKey = None) -> Procedure | Response:
    return await _answer_or_rdf(
        request, response, services,
        partial(services.procedures.procedure, battery_id, principal, pathway),
        partial(services.procedures.procedure_graph, battery_id, principal))


_add_parts((
    _Part("/isolation", "battery_isolation", "procedures.isolation", IsolationSteps,
          "Isolation (lock-out/tag-out) steps in order", _LEGITIMATE, _pathway_query),
    _Part("/tools", "battery_tools", "procedures.tools", Tools, "Required tools", _LEGITIMATE,
          _pathway_query),
    _Part("/ppe", "battery_ppe", "procedures.ppe", Ppe, "Personal protective equipment",
          _LEGITIMATE),
    _Part("/hazards", "battery_hazards", "procedures.hazards", Hazards,
          "Hazards, damage state and thermal-risk alert", _LEGITIMATE),
))


@router.get("/batteries/{battery_id}/pathway", response_model=Pathway,
            summary="End-of-life pathway options, ranked", responses={**_RDF_DOC, **_LEGITIMATE})
async def battery_pathway(request: Request, response: Response, battery_id: BatteryId,
                          services: ServicesDep, principal: PrincipalDep) -> Pathway | Response:
    return await _answer_or_rdf(request, response, services,
                                partial(services.procedures.pathway, battery_id, principal),
                                partial(services.procedures.pathway_graph, battery_id, principal))


@router.get("/explain", response_model=Explanation,
            summary="Why a derived node exists: its rule, derivation time and source facts",
            responses={**_RDF_DOC, **_LEGITIMATE})
async def explain(
    request: Request,
    response: Response,
    services: ServicesDep,
    principal: PrincipalDep,
    node: Annotated[str, Query(description="IRI of a derived node", max_length=2000)],
) -> Explanation | Response:
    return await _answer_or_rdf(request, response, services,
                                partial(services.procedures.explain, node, principal),
                                partial(services.procedures.explain_graph, node, principal))


# -- feedback ----------------------------------------------------------------------------------
@router.post(
    "/batteries/{battery_id}/feedback",
    response_model=FeedbackResult,
    status_code=201,
    summary="Record real step outcomes (end-of-life data) and update the fleet statistics",
    description=(
        "Appends dbp:StepOutcome nodes to the battery's end-of-life data (roles that may write "
        "that stage), updates the fleet-wide step and fastener statistics and re-derives this "
        "battery. Other batteries pick up the new statistics when they are next derived "
        "(their next write, or `dbp derive --all`)."
    ),
    responses={403: {"description": "The role may not write end-of-life data"},
               404: {"description": "Unknown battery"},
               422: {"description": "Invalid outcomes; nothing was stored"}},
    openapi_extra={"requestBody": {"required": True, "content": {
        JSON: {"schema": _inline_schema(FeedbackIn)}}}},
)
async def battery_feedback(request: Request, battery_id: BatteryId, services: ServicesDep,
                           principal: PrincipalDep) -> FeedbackResult:
    body = await read_body(request, services.settings.max_body_bytes)
    if media_type_of(request) not in (JSON, ""):
        raise UnsupportedFormat("send the outcomes as application/json")
    try:
        payload = FeedbackIn.model_validate_json(body or b"{}")
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False)) from None
    return await services.run_blocking(services.feedback.record, battery_id, payload.outcomes,
                                       principal)
