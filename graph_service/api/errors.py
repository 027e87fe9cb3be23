"""Error mapping: the single place where exceptions become HTTP answers (RFC 9457 problem JSON).

Client mistakes get a 4xx that says what was wrong and where; unexpected failures get a bare 500
whose details go to the log only, never to the client.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from graph_service.api.deps import Unauthenticated
from graph_service.api.limits import RateLimited, TooManyInProgress
from graph_service.api.negotiation import JSON, VARY, NotAcceptable, choose_report
from graph_service.model.answers import RejectedPassport
from graph_service.model.iris import InvalidIdentifier
from graph_service.services.access.organisations import (
    InvalidOrganisationRecord,
    OrganisationWriteForbidden,
)
from graph_service.services.access.transfers import (
    InvalidTransfer,
    NoCustodyRecord,
    TransferForbidden,
)
from graph_service.services.derivation.feedback import InvalidFeedback
from graph_service.services.facade.reading import (
    BatteryNotFound,
    DerivedDataForbidden,
    InvalidNodeIri,
    UnknownConcept,
)
from graph_service.services.history.service import HistoryAccessDenied, UnknownVersion
from graph_service.services.interop import (
    DocumentError,
    DocumentRejected,
    ExportIncomplete,
    FormatNotSupported,
    FormatUnavailable,
    PassportNotFound,
    UnknownFormat,
)
from graph_service.services.linked_data import NothingToDescribe
from graph_service.services.linked_data.gs1 import InvalidDigitalLink, LinkTypeUnknown
from graph_service.services.passports import BlankNodeInPassport
from graph_service.services.passports.ingest import (
    CustodyConflict,
    IdentifierConflict,
    NotOwner,
    PassportRejected,
    StageNotPermitted,
    ValidationFailed,
)
from graph_service.services.passports.limits import DocumentTooLarge
from graph_service.services.passports.skolemise import SkolemisationRefused
from graph_service.services.procedures import (
    DerivedNodeNotFound,
    NotDerived,
    PathwayNotApplicable,
    UnknownPathway,
)
from graph_service.services.rdf.jsonld import JsonLdError
from graph_service.services.rdf.rdf_io import serialize_graph
from graph_service.services.sparql import (
    FederationFailed,
    FederationRejected,
    LoadRefused,
    ServiceNotAllowed,
    UncheckableText,
    UnparsableUpdate,
    UpdateDatasetRefused,
    UpdateDisabled,
    WrongOperation,
)
from graph_service.services.sparql.graph_store import (
    DefaultGraphNotWritable,
    GraphNotFound,
    GraphWriteForbidden,
)
from graph_service.store.base import (
    ParseLimitExceeded,
    QueryEvaluationError,
    QuerySyntaxError,
    QueryTimeout,
    RdfSyntaxError,
    ResultTooLarge,
    UnsafeXml,
    UnsupportedFormat,
)
from graph_service.store.isolation import QueryWorkerFailed

log = logging.getLogger("graph_service.api")

PROBLEM_JSON = "application/problem+json"


class PayloadTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"request body exceeds the limit of {limit} bytes")
        self.limit = limit


class BadRequest(Exception):
    """A malformed request that no more specific exception describes."""


class BodyReadTimeout(Exception):
    """The request body stopped arriving (a Content-Length larger than what is sent, or a
    stalled client): uvicorn has no body-read timeout, so the connection would be held until the
    client gave up."""

    def __init__(self, received: int, declared: str | None, seconds: float) -> None:
        expected = f" of the {declared} the Content-Length declares" if declared else ""
        super().__init__(
            f"the request body stopped arriving: {received} bytes{expected} received, then "
            f"nothing for {seconds:g} s; send the whole body (and a Content-Length that "
            "matches it)")


class UnsupportedCharset(Exception):
    """A body declared in a character encoding other than UTF-8: every text format we read
    (SPARQL, Turtle, N-Triples/N-Quads, TriG, JSON, JSON-LD, forms) is UTF-8; reading the
    bytes as UTF-8 anyway would store mislabelled text or answer with a misleading error."""

    def __init__(self, charset: str) -> None:
        super().__init__(f"the body is declared as charset={charset[:40]!r}; bodies are read as "
                         "UTF-8 (send the text in UTF-8 and say charset=utf-8, or no charset)")


class UnsupportedContentEncoding(Exception):
    """A compressed request body (Content-Encoding other than identity): we do not decode it,
    and reading it as the declared media type would answer with a misleading syntax error."""

    def __init__(self, encoding: str) -> None:
        super().__init__(f"request bodies are read as sent: Content-Encoding {encoding[:40]!r} "
                         "is not supported; send the body uncompressed (identity)")


def problem(
    status: int,
    title: str,
    detail: str,
    *,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": "about:blank", "status": status, "title": title, "detail": detail,
    }
    body.update({k: v for k, v in extra.items() if v is not None})
    # The same URL answers other media types (or 406) for other Accept headers: caches must
    # key error answers on Accept as well.
    headers = {"Vary": VARY, **(headers or {})}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


@dataclass(frozen=True)
class Problem:
    """How an exception is answered: the RFC 9457 members and any response headers. The API
    sends it as problem JSON (``response``); the dashboard shows the same status, title and
    detail on a page."""

    status: int
    title: str
    detail: str
    extra: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] | None = None

    def response(self) -> JSONResponse:
        return problem(self.status, self.title, self.detail, headers=self.headers, **self.extra)


# exception class -> (status, title); the detail is the exception's own client-safe message
_SIMPLE: dict[type[Exception], tuple[int, str]] = {
    QueryEvaluationError: (400, "Query could not be evaluated"),
    WrongOperation: (400, "Wrong SPARQL operation"),
    BadRequest: (400, "Bad request"),
    UnsupportedContentEncoding: (415, "Unsupported content encoding"),
    UnsupportedCharset: (415, "Unsupported charset"),
    InvalidIdentifier: (400, "Invalid identifier"),
    UpdateDisabled: (403, "Update not allowed"),
    StageNotPermitted: (403, "Stage not permitted"),
    NotOwner: (403, "Not the owner"),
    CustodyConflict: (403, "Custody changes by transfer only"),
    TransferForbidden: (403, "Not the custodian"),
    InvalidTransfer: (422, "Invalid transfer"),
    NoCustodyRecord: (404, "Not found"),
    OrganisationWriteForbidden: (403, "Not allowed"),
    InvalidOrganisationRecord: (422, "Invalid organisation record"),
    IdentifierConflict: (409, "Identifier of another battery"),
    PassportRejected: (422, "Not a usable passport"),
    BlankNodeInPassport: (422, "Not a usable passport"),
    ServiceNotAllowed: (403, "Federated SERVICE not allowed"),
    UncheckableText: (400, "Query cannot be checked"),
    UnparsableUpdate: (400, "Update cannot be checked"),
    UpdateDatasetRefused: (400, "Update refused"),
    LoadRefused: (403, "LOAD not allowed"),
    FederationRejected: (400, "Federated SERVICE rejected"),
    FederationFailed: (502, "Federated SERVICE failed"),
    NotAcceptable: (406, "Not acceptable"),
    PayloadTooLarge: (413, "Payload too large"),
    DocumentTooLarge: (413, "Document too large"),
    ParseLimitExceeded: (413, "Document too large"),
    SkolemisationRefused: (422, "Blank nodes cannot be labelled"),
    UnsupportedFormat: (415, "Unsupported media type"),
    ResultTooLarge: (422, "Result too large"),
    InvalidNodeIri: (400, "Invalid node IRI"),
    UnknownConcept: (422, "Unknown filter value"),
    DerivedDataForbidden: (403, "Legitimate interest required"),
    BatteryNotFound: (404, "Battery not found"),
    NotDerived: (404, "No derivation stored"),
    DerivedNodeNotFound: (404, "Derived node not found"),
    InvalidFeedback: (422, "Invalid feedback"),
    HistoryAccessDenied: (403, "Not allowed"),
    UnknownVersion: (404, "Not found"),
    NothingToDescribe: (404, "Not found"),
    InvalidDigitalLink: (400, "Not a GS1 Digital Link"),
    LinkTypeUnknown: (404, "No link of this type"),
    GraphNotFound: (404, "Not found"),
    GraphWriteForbidden: (403, "Not allowed"),
    DefaultGraphNotWritable: (400, "Default graph not writable"),
    UnknownFormat: (400, "Unknown format"),
    FormatNotSupported: (400, "Format not supported"),
    PassportNotFound: (404, "Not found"),
    FormatUnavailable: (503, "Format unavailable"),
}


def _positioned(title: str) -> Callable[[Any], Problem]:
    """A syntax error: its message and where in the text it is."""
    return lambda exc: Problem(400, title, exc.message,
                               {"line": exc.line, "column": exc.column})


def _retry(status: int, title: str) -> Callable[[Any], Problem]:
    return lambda exc: Problem(status, title, str(exc),
                               headers={"Retry-After": str(exc.retry_after)})


# exception class -> its problem, for the exceptions whose answer says more than the message
_DESCRIBED: dict[type[Exception], Callable[[Any], Problem]] = {
    UnknownPathway: lambda exc: Problem(400, "Unknown pathway", str(exc),
                                        {"options": exc.options}),
    PathwayNotApplicable: lambda exc: Problem(422, "Pathway not applicable", str(exc),
                                              {"options": exc.options}),
    QuerySyntaxError: _positioned("Malformed SPARQL"),
    RdfSyntaxError: _positioned("Malformed RDF"),
    UnsafeXml: _positioned("XML declarations not accepted"),
    JsonLdError: _positioned("Malformed JSON-LD"),
    DocumentError: lambda exc: Problem(400, "Unreadable document", str(exc),
                                       {"line": exc.line, "column": exc.column}),
    # Every error of the document at once, each with its JSON path (and position).
    DocumentRejected: lambda exc: Problem(422, "Document refused", str(exc), exc.report()),
    ExportIncomplete: lambda exc: Problem(
        409, "Export incomplete", str(exc),
        {"format": exc.format, "formatVersion": exc.version, "battery": exc.battery_id,
         "gaps": [g.as_dict() for g in exc.gaps]}),
    ValidationFailed: lambda exc: Problem(
        422, "Not stored",
        f"{len(exc.result.report.errors)} constraint violation(s); nothing was stored"),
    Unauthenticated: lambda exc: Problem(401, "Unauthenticated", str(exc),
                                         headers={"WWW-Authenticate": 'Bearer realm="dbp"'}),
    QueryTimeout: lambda exc: Problem(
        503, "Query timeout",
        f"{exc} (the request's timeout parameter, capped by DBP_QUERY_TIMEOUT); narrow the "
        "query or add LIMIT", headers={"Retry-After": "1"}),
    QueryWorkerFailed: lambda exc: Problem(503, "Query failed", str(exc),
                                           headers={"Retry-After": "1"}),
    BodyReadTimeout: lambda exc: Problem(408, "Request timeout", str(exc),
                                         headers={"Connection": "close"}),
    RateLimited: _retry(429, "Too many requests"),
    TooManyInProgress: _retry(429, "Too many requests in progress"),
}

_PROBLEMS: dict[type[Exception], Callable[[Any], Problem]] = {
    **{cls: (lambda exc, status=status, title=title: Problem(status, title, str(exc)))
       for cls, (status, title) in _SIMPLE.items()},
    **_DESCRIBED,
}

# Every exception that has an answer of its own (a client error, or a 502/503 that says what
# failed); anything else is unexpected: logged, and answered with a bare 500.
KNOWN_ERRORS: tuple[type[Exception], ...] = tuple(_PROBLEMS)


def problem_for(exc: Exception) -> Problem | None:
    """The answer to ``exc``, by its most specific mapped class (as the app's handlers choose),
    or None when it is unexpected."""
    for cls in type(exc).__mro__:
        describe = _PROBLEMS.get(cls)
        if describe is not None:
            return describe(exc)
    return None


def install_error_handlers(app: FastAPI) -> None:
    def answer(_: Request, exc: Exception) -> JSONResponse:
        found = problem_for(exc)
        assert found is not None  # installed for the mapped classes only
        return found.response()

    for exc_class in _PROBLEMS:
        app.add_exception_handler(exc_class, answer)

    @app.exception_handler(ValidationFailed)
    def _invalid(request: Request, exc: ValidationFailed) -> Response:
        # The machine-readable report: our JSON summary, or the SHACL report graph itself.
        report = exc.result.report
        choice = choose_report(request.headers.get("accept"))
        if report.report_graph is not None and choice.media_type != JSON:
            return Response(serialize_graph(report.report_graph, choice.media_type),
                            status_code=422, media_type=choice.media_type,
                            headers={"Vary": VARY})
        body = RejectedPassport(**exc.result.summary(),
                                detail=_DESCRIBED[ValidationFailed](exc).detail)
        return JSONResponse(body.model_dump(), status_code=422, headers={"Vary": VARY})

    @app.exception_handler(RequestValidationError)
    def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"location": ".".join(str(p) for p in err.get("loc", ())), "message": err.get("msg")}
            for err in exc.errors()
        ]
        said = "; ".join(f"{e['location']}: {e['message']}" for e in errors[:3])
        return problem(422, "Invalid request",
                       f"the request does not match the API: {said}" if said
                       else "the request does not match the API", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem(exc.status_code, "HTTP error", str(exc.detail),
                       headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem(500, "Internal error", "the server failed; the error was logged")
