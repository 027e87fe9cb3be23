"""REST facade over passports and their derivation: fleet list, passport sub-resources,
dismantling procedure, end-of-life pathway, explanations and step-outcome feedback.

JSON by default; /procedure, /pathway and /explain also answer with the underlying RDF
(Turtle, JSON-LD, N-Triples, RDF/XML) when the Accept header asks for it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from rdflib import Graph

from graph_service.api.body import media_type_of, read_body
from graph_service.api.deps import PrincipalDep, ServicesDep
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
from graph_service.api.params import BatteryId
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
from graph_service.store import RdfFormat, UnsupportedFormat

router = APIRouter(tags=["batteries"])

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


# -- fleet and passport data -------------------------------------------------------------------
@router.get("/batteries", response_model=BatteryPage, summary="List batteries (paged, filtered)")
async def list_batteries(
    services: ServicesDep,
    principal: PrincipalDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
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


@router.get("/batteries/{battery_id}", response_model=BatterySummary,
            summary="Passport summary of one battery", responses={404: {}})
async def battery_summary(battery_id: BatteryId, services: ServicesDep,
                          principal: PrincipalDep) -> BatterySummary:
    return await services.run_blocking(services.batteries.summary, battery_id, principal)


@router.get("/batteries/{battery_id}/material", response_model=MaterialChain,
            summary="Material traceability: cathode active material batches back to the mines")
async def battery_material(battery_id: BatteryId, services: ServicesDep,
                           principal: PrincipalDep) -> MaterialChain:
    return await services.run_blocking(services.batteries.material, battery_id, principal)


@router.get("/batteries/{battery_id}/modules", response_model=Modules, summary="Modules")
async def battery_modules(battery_id: BatteryId, services: ServicesDep,
                          principal: PrincipalDep) -> Modules:
    return await services.run_blocking(services.batteries.modules, battery_id, principal)


@router.get("/batteries/{battery_id}/cells", response_model=CellPage, summary="Cells (paged)")
async def battery_cells(
    battery_id: BatteryId,
    services: ServicesDep,
    principal: PrincipalDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> CellPage:
    return await services.run_blocking(services.batteries.cells, battery_id, principal,
                                       limit=limit, offset=offset)


@router.get("/batteries/{battery_id}/events", response_model=Events,
            summary="Negative events (thermal events, accidents, deep discharge...)")
async def battery_events(battery_id: BatteryId, services: ServicesDep,
                         principal: PrincipalDep) -> Events:
    return await services.run_blocking(services.batteries.events, battery_id, principal)


@router.get("/batteries/{battery_id}/soh", response_model=SohSeries,
            summary="State-of-health time series and the modules' latest SoH")
async def battery_soh(battery_id: BatteryId, services: ServicesDep,
                      principal: PrincipalDep) -> SohSeries:
    return await services.run_blocking(services.batteries.soh, battery_id, principal)


# -- derived dismantling information -----------------------------------------------------------
@router.get("/batteries/{battery_id}/procedure", response_model=Procedure,
            summary="Derived dismantling procedure for a pathway option (default: top-ranked)",
            responses={**_RDF_DOC, **_LEGITIMATE,
                       400: {"description": "Unknown pathway option (the answer lists them)"},
                       422: {"description": "The pathway option is not eligible"}})
async def battery_procedure(request: Request, response: Response, battery_id: BatteryId,
                            services: ServicesDep, principal: PrincipalDep,
                            pathway: PathwayKey = None) -> Procedure | Response:
    choice = choose(request.headers.get("accept"), Kind.FACADE)
    response.headers["Vary"] = VARY
    if choice.media_type == JSON:
        return await services.run_blocking(services.procedures.procedure, battery_id, principal,
                                           pathway)
    graph = await services.run_blocking(services.procedures.procedure_graph, battery_id,
                                        principal)
    return await services.run_blocking(_rdf, graph, choice, context_iri(request))


@router.get("/batteries/{battery_id}/isolation", response_model=IsolationSteps,
            summary="Isolation (lock-out/tag-out) steps in order", responses=_LEGITIMATE)
async def battery_isolation(battery_id: BatteryId, services: ServicesDep,
                            principal: PrincipalDep, pathway: PathwayKey = None) -> IsolationSteps:
    return await services.run_blocking(services.procedures.isolation, battery_id, principal,
                                       pathway)


@router.get("/batteries/{battery_id}/tools", response_model=Tools, summary="Required tools",
            responses=_LEGITIMATE)
async def battery_tools(battery_id: BatteryId, services: ServicesDep,
                        principal: PrincipalDep, pathway: PathwayKey = None) -> Tools:
    return await services.run_blocking(services.procedures.tools, battery_id, principal, pathway)


@router.get("/batteries/{battery_id}/ppe", response_model=Ppe,
            summary="Personal protective equipment", responses=_LEGITIMATE)
async def battery_ppe(battery_id: BatteryId, services: ServicesDep,
                      principal: PrincipalDep) -> Ppe:
    return await services.run_blocking(services.procedures.ppe, battery_id, principal)


@router.get("/batteries/{battery_id}/hazards", response_model=Hazards,
            summary="Hazards, damage state and thermal-risk alert", responses=_LEGITIMATE)
async def battery_hazards(battery_id: BatteryId, services: ServicesDep,
                          principal: PrincipalDep) -> Hazards:
    return await services.run_blocking(services.procedures.hazards, battery_id, principal)


@router.get("/batteries/{battery_id}/pathway", response_model=Pathway,
            summary="End-of-life pathway options, ranked", responses={**_RDF_DOC, **_LEGITIMATE})
async def battery_pathway(request: Request, response: Response, battery_id: BatteryId,
                          services: ServicesDep, principal: PrincipalDep) -> Pathway | Response:
    choice = choose(request.headers.get("accept"), Kind.FACADE)
    response.headers["Vary"] = VARY
    if choice.media_type == JSON:
        return await services.run_blocking(services.procedures.pathway, battery_id, principal)
    graph = await services.run_blocking(services.procedures.pathway_graph, battery_id,
                                        principal)
    return await services.run_blocking(_rdf, graph, choice, context_iri(request))


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
    choice = choose(request.headers.get("accept"), Kind.FACADE)
    response.headers["Vary"] = VARY
    if choice.media_type == JSON:
        return await services.run_blocking(services.procedures.explain, node, principal)
    graph = await services.run_blocking(services.procedures.explain_graph, node, principal)
    return await services.run_blocking(_rdf, graph, choice, context_iri(request))


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
