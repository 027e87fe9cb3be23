"""Operator dashboard under /ui and the browser SPARQL query page.

Server-rendered pages (``graph_service/ui/templates``) over the *same* service calls as the REST
facade (``services.batteries``, ``services.procedures``, ``services.feedback``,
``services.sparql``); the routes only parse the request, call one or a few services and hand
their answers to a template. What a page shows is what the REST answer holds for the same caller.

Sign-in: the form stores the bearer token in the ``dbp_token`` cookie (HttpOnly, SameSite=Strict,
Secure over HTTPS). ``ui_session`` below turns that cookie into a Principal with the API's own
token check (``api.deps.authenticate``: OIDC JWT or our own token); the REST routes keep reading
only the Authorization header, so the cookie never authorises an API call. POSTs from another
origin are refused as well (SameSite already keeps the cookie off cross-site requests).

Errors: a page shows what the API answers for the same exception (``api.errors.problem_for``),
with the same status; the query editor's results are negotiated as ``/sparql``'s
(``api.negotiation.answer_query``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from pydantic import ValidationError

from graph_service.api.body import media_type_of, parse_form, read_body
from graph_service.api.deps import Services, ServicesDep, authenticate
from graph_service.api.errors import KNOWN_ERRORS, BadRequest, Problem, problem_for
from graph_service.api.limits import query_slot_dependency
from graph_service.api.negotiation import answer_query, context_iri, wants_html
from graph_service.api.params import Offset
from graph_service.model.graphs import Stage
from graph_service.model.namespaces import PREFIXES
from graph_service.model.read_models import BatteryItem, BatteryPage
from graph_service.services.access import ANONYMOUS, InvalidToken, Principal
from graph_service.services.derivation.feedback import StepOutcomeIn
from graph_service.services.facade.reading import BatteryNotFound
from graph_service.services.sparql.descriptions import example_queries
from graph_service.store.base import QueryKind, RdfFormat
from graph_service.ui import STATIC_DIR, templates
from graph_service.ui.charts import usage_charts
from graph_service.ui.options import scheme_options

log = logging.getLogger(__name__)

router = APIRouter(prefix="/ui", include_in_schema=False)

STATIC_PATH = "/ui/static"
COOKIE = "dbp_token"
COOKIE_MAX_AGE = 12 * 3600  # one shift
PAGE_SIZE = 25
MAX_TABLE_ROWS = 1000
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    # Pages carry legitimate-interest data of the signed-in principal.
    "Cache-Control": "no-store",
}


def static_files() -> StaticFiles:
    """The dashboard's CSS and JavaScript, mounted by the app at STATIC_PATH."""
    return StaticFiles(directory=str(STATIC_DIR))


# -- the signed-in principal -------------------------------------------------------------------
@dataclass(frozen=True)
class UiSession:
    principal: Principal
    signed_in: bool = False
    expired: bool = False  # a cookie was sent, but its token is unknown, revoked or expired


def ui_session(request: Request) -> UiSession:
    """The caller of a dashboard page: anonymous (public role) without the cookie."""
    token = request.cookies.get(COOKIE)
    if not token:
        return UiSession(ANONYMOUS)
    try:
        principal = authenticate(request.app.state.services, token)
    except InvalidToken:
        return UiSession(ANONYMOUS, expired=True)
    request.state.principal = principal
    return UiSession(principal, signed_in=True)


SessionDep = Annotated[UiSession, Depends(ui_session)]


# -- rendering ---------------------------------------------------------------------------------
def render(request: Request, session: UiSession, template: str, status: int = 200,
           **context: Any) -> HTMLResponse:
    services: Services = request.app.state.services
    principal = session.principal
    values = {
        "session": session,
        "principal": principal,
        "base": services.settings.base_iri,
        "can_read_derived": services.batteries.reader.may_read_derived(principal),
        **context,
    }
    response = templates.TemplateResponse(request, template, values, status_code=status,
                                          headers=SECURITY_HEADERS)
    if session.expired:
        response.delete_cookie(COOKIE, path="/")
    return response


def error_page(request: Request, session: UiSession, exc: Exception, *,
               battery_id: str | None = None) -> HTMLResponse:
    found = _problem(exc)
    return render(request, session, "error.html", status=found.status, title=found.title,
                  detail=found.detail, battery_id=battery_id, error_type=type(exc).__name__)


def _problem(exc: Exception) -> Problem:
    """The API's answer to one of the ``KNOWN_ERRORS`` a page caught."""
    found = problem_for(exc)
    assert found is not None, type(exc)  # pages catch KNOWN_ERRORS only
    return found


def _said(found: Problem) -> str:
    """A problem as one line of a page: title, position in the text (if any), detail."""
    line, column = found.extra.get("line"), found.extra.get("column")
    where = f" (line {line}, column {column})" if line is not None else ""
    return f"{found.title}{where}: {found.detail}"


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303, headers={"Cache-Control": "no-store"})


def _same_origin(request: Request) -> bool:
    """False for a POST whose Origin header names another site (login CSRF, form posts)."""
    origin = request.headers.get("origin")
    if origin is None:
        return True  # not a browser form/fetch (browsers send Origin with every POST)
    own = f"{request.url.scheme}://{request.headers.get('host', request.url.netloc)}"
    return origin == own


async def _form(request: Request, services: Services) -> dict[str, str]:
    if media_type_of(request) not in ("application/x-www-form-urlencoded", ""):
        raise BadRequest("send the form as application/x-www-form-urlencoded")
    body = await read_body(request, services.settings.max_body_bytes)
    return {key: values[0] for key, values in parse_form(body).items() if values}


def _safe_next(target: str | None) -> str:
    """Only paths of this service (no open redirect)."""
    if target and target.startswith(("/ui", "/sparql")) and not target.startswith("//"):
        return target
    return "/ui"


def _blank(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


# -- sign in / out -----------------------------------------------------------------------------
@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, session: SessionDep,
                     next: str | None = None, signed_out: bool = False) -> HTMLResponse:
    return render(request, session, "login.html", next=_safe_next(next), signed_out=signed_out)


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request, services: ServicesDep, session: SessionDep) -> Response:
    if not _same_origin(request):
        return render(request, session, "login.html", status=403, next="/ui",
                      error="Sign-in from another site was refused.")
    form = await _form(request, services)
    token = (form.get("token") or "").strip()
    target = _safe_next(form.get("next"))
    if not token:
        return render(request, session, "login.html", status=400, next=target,
                      error="Enter your access token.")
    try:
        principal = await services.run_blocking(authenticate, services, token)
    except InvalidToken as exc:
        return render(request, UiSession(ANONYMOUS, expired=session.expired), "login.html",
                      status=401, next=target,
                      error=f"Sign-in failed: {exc}. Check the token and try again.")
    log.info("dashboard sign-in of principal %s (%s)", principal.id, principal.role.value)
    response = _redirect(target)
    response.set_cookie(COOKIE, token, max_age=COOKIE_MAX_AGE, path="/", httponly=True,
                        samesite="strict", secure=request.url.scheme == "https")
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    response = _redirect("/ui/login?signed_out=true")
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
    return response


# -- fleet search ------------------------------------------------------------------------------
@router.get("", response_class=HTMLResponse)
@router.get("/", response_class=HTMLResponse)
@router.get("/batteries", response_class=HTMLResponse)
async def search(
    request: Request,
    services: ServicesDep,
    session: SessionDep,
    id: str | None = None,
    model: str | None = None,
    chemistry: str | None = None,
    status: str | None = None,
    risk: str | None = None,
    offset: Offset = 0,
) -> HTMLResponse:
    principal = session.principal
    filters = {"id": _blank(id), "model": _blank(model), "chemistry": _blank(chemistry),
               "status": _blank(status), "risk": _blank(risk)}
    reader = services.batteries.reader
    context: dict[str, Any] = {
        "filters": filters,
        "chemistries": await services.run_blocking(scheme_options, reader, "chemistry"),
        "statuses": await services.run_blocking(scheme_options, reader, "status"),
        "alert_levels": await services.run_blocking(scheme_options, reader, "alert"),
    }
    page: BatteryPage | None = None
    error: Problem | None = None
    try:
        if filters["id"]:
            page = await services.run_blocking(_by_id, services, filters["id"], principal)
        else:
            page = await services.run_blocking(
                services.batteries.list, principal, limit=PAGE_SIZE, offset=offset,
                chemistry=filters["chemistry"], status=filters["status"],
                model=filters["model"], risk_level=filters["risk"])
    except KNOWN_ERRORS as exc:
        error = _problem(exc)
    active = {k: v for k, v in filters.items() if v}
    next_url = prev_url = None
    if page is not None and page.nextOffset is not None:
        next_url = "/ui/batteries?" + urlencode({**active, "offset": page.nextOffset})
    if offset > 0:
        prev_url = "/ui/batteries?" + urlencode({**active, "offset": max(0, offset - PAGE_SIZE)})
    return render(request, session, "search.html",
                  status=error.status if error is not None else 200, page=page,
                  error=error.detail if error is not None else None, searched=bool(active),
                  next_url=next_url, prev_url=prev_url, **context)


def _by_id(services: Services, battery_id: str, principal: Principal) -> BatteryPage:
    """An exact id lookup as a result page: the battery, or no row."""
    try:
        summary = services.batteries.summary(battery_id, principal)
    except BatteryNotFound:
        return BatteryPage(items=[], limit=1, offset=0, hasMore=False)
    item = BatteryItem.model_validate(summary.model_dump(include={
        "id", "iri", "model", "chemistry", "category", "status", "manufacturer", "alertLevel"}))
    return BatteryPage(items=[item], limit=1, offset=0, hasMore=False)


# -- one battery -------------------------------------------------------------------------------
def _passport(services: Services, battery_id: str, principal: Principal) -> dict[str, Any]:
    batteries = services.batteries
    soh = batteries.soh(battery_id, principal)
    return {
        "summary": batteries.summary(battery_id, principal),
        "modules": batteries.modules(battery_id, principal),
        "material": batteries.material(battery_id, principal),
        "events": batteries.events(battery_id, principal),
        "soh": soh,
        "charts": usage_charts(soh.records),
    }


@router.get("/batteries/{battery_id}", response_class=HTMLResponse)
async def passport(request: Request, battery_id: str, services: ServicesDep,
                   session: SessionDep) -> HTMLResponse:
    try:
        data = await services.run_blocking(_passport, services, battery_id, session.principal)
    except KNOWN_ERRORS as exc:
        return error_page(request, session, exc, battery_id=battery_id)
    return render(request, session, "passport.html", battery_id=battery_id, tab="passport",
                  **data)


async def _procedure_page(request: Request, services: Services, session: UiSession,
                          battery_id: str, *, error: str | None = None,
                          status: int = 200) -> HTMLResponse:
    principal = session.principal
    chosen = _blank(request.query_params.get("pathway"))
    try:
        procedure = await services.run_blocking(services.procedures.procedure, battery_id,
                                                principal, chosen)
    except KNOWN_ERRORS as exc:
        return error_page(request, session, exc, battery_id=battery_id)
    reader = services.batteries.reader
    return render(
        request, session, "procedure.html", status=status, battery_id=battery_id,
        tab="procedure", procedure=procedure, error=error,
        recorded=request.query_params.get("recorded"),
        may_give_feedback=principal.may_write(Stage.END_OF_LIFE),
        tools=await services.run_blocking(scheme_options, reader, "tool"),
        fasteners=await services.run_blocking(scheme_options, reader, "fastener"),
    )


@router.get("/batteries/{battery_id}/procedure", response_class=HTMLResponse)
async def procedure(request: Request, battery_id: str, services: ServicesDep,
                    session: SessionDep) -> HTMLResponse:
    return await _procedure_page(request, services, session, battery_id)


@router.post("/batteries/{battery_id}/feedback")
async def feedback(request: Request, battery_id: str, services: ServicesDep,
                   session: SessionDep) -> Response:
    if not _same_origin(request):
        return await _procedure_page(request, services, session, battery_id, status=403,
                                     error="Feedback from another site was refused.")
    form = await _form(request, services)
    step_type = form.get("stepType", "")
    try:
        minutes = _blank(form.get("actualMinutes"))
        outcome = StepOutcomeIn(
            stepType=step_type,
            actualMinutes=float(minutes) if minutes is not None else None,
            strippedFastener=form.get("strippedFastener") == "on",
            fastenerType=_blank(form.get("fastenerType")),
            damagedTab=form.get("damagedTab") == "on",
            toolUsed=_blank(form.get("toolUsed")),
            note=_blank(form.get("note")),
        )
    except (ValueError, ValidationError) as exc:
        message = ("; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                             for e in exc.errors()) if isinstance(exc, ValidationError)
                   else "actual minutes must be a number")
        return await _procedure_page(request, services, session, battery_id, status=422,
                                     error=f"Feedback not recorded: {message}")
    try:
        await services.run_blocking(services.feedback.record, battery_id, [outcome],
                                    session.principal)
    except KNOWN_ERRORS as exc:
        found = _problem(exc)
        return await _procedure_page(request, services, session, battery_id,
                                     status=found.status,
                                     error=f"Feedback not recorded: {found.detail}")
    query = urlencode({"recorded": step_type})
    return _redirect(f"/ui/batteries/{battery_id}/procedure?{query}#step-{step_type}")


@router.get("/batteries/{battery_id}/pathway", response_class=HTMLResponse)
async def pathway(request: Request, battery_id: str, services: ServicesDep,
                  session: SessionDep) -> HTMLResponse:
    try:
        answer = await services.run_blocking(services.procedures.pathway, battery_id,
                                             session.principal)
    except KNOWN_ERRORS as exc:
        return error_page(request, session, exc, battery_id=battery_id)
    return render(request, session, "pathway.html", battery_id=battery_id, tab="pathway",
                  pathway=answer)


@router.get("/explain", response_class=HTMLResponse)
async def explain(request: Request, services: ServicesDep, session: SessionDep,
                  node: Annotated[str, Query(max_length=2000)] = "") -> HTMLResponse:
    try:
        explanation = await services.run_blocking(services.procedures.explain, node,
                                                  session.principal)
    except KNOWN_ERRORS as exc:
        return error_page(request, session, exc)
    return render(request, session, "explain.html", explanation=explanation,
                  battery_id=explanation.battery)


# -- SPARQL ------------------------------------------------------------------------------------
def query_page(request: Request, *, status: int = 200, **context: Any) -> HTMLResponse:
    """The query editor (also GET /sparql for browsers, see routes/sparql.py)."""
    examples = [{"name": e.name, "title": e.title, "description": e.description,
                 "kind": e.kind, "text": e.text} for e in example_queries()]
    context.setdefault("query", "")
    response = render(request, ui_session(request), "sparql.html", status=status,
                      examples=examples, prefixes=dict(PREFIXES), **context)
    response.headers["Vary"] = "Accept"  # GET /sparql also answers RDF clients
    return response


@router.get("/sparql", response_class=HTMLResponse)
async def sparql_page(request: Request) -> HTMLResponse:
    return query_page(request)


@router.post("/sparql", dependencies=[Depends(query_slot_dependency)])
async def sparql_query(request: Request, services: ServicesDep, session: SessionDep) -> Response:
    """Run a query as the signed-in principal (the page cannot read the HttpOnly cookie).

    JSON (SPARQL results) for SELECT/ASK and N-Triples for CONSTRUCT/DESCRIBE; a form posted
    without JavaScript (Accept prefers HTML) gets the page with the results table.
    """
    html = wants_html(request.headers.get("accept"))
    if not _same_origin(request):
        if html:
            return query_page(request, status=403, error="Queries from another site are "
                                                         "refused.")
        raise BadRequest("cross-origin request refused")
    form = await _form(request, services)
    query = form.get("query", "")
    if not query.strip():
        if html:
            return query_page(request, status=400, error="The query is empty.")
        raise BadRequest("the query is empty")
    dataset = services.sparql.dataset_for(session.principal)
    if not html:
        # The editor (YASGUI) negotiates like any SPARQL client: the same answer as /sparql.
        return await answer_query(services.sparql, query, dataset,
                                  request.headers.get("accept"), context=context_iri(request),
                                  headers={"Cache-Control": "no-store"})
    try:
        result = await services.sparql.query(query, dataset)
    except KNOWN_ERRORS as exc:
        found = _problem(exc)
        return query_page(request, status=found.status, query=query, error=_said(found))
    context: dict[str, Any] = {"query": query, "kind": result.kind.value}
    if result.kind is QueryKind.SELECT:
        rows = list(result.rows())
        context.update(variables=result.variables, rows=rows[:MAX_TABLE_ROWS],
                       total=len(rows))
    elif result.kind is QueryKind.ASK:
        context.update(boolean=result.boolean)
    else:
        body = await services.sparql.serialize(result, RdfFormat.N_TRIPLES.value)
        context.update(graph=body.decode("utf-8"))
    return query_page(request, **context)


# -- anything else under /ui -------------------------------------------------------------------
@router.get("/{path:path}", response_class=HTMLResponse)
async def not_found(request: Request, path: str, session: SessionDep) -> HTMLResponse:
    return render(request, session, "error.html", status=404, title="Page not found",
                  detail=f"There is no dashboard page /ui/{path}.", battery_id=None,
                  error_type="NotFound")
