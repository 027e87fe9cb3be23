"""Error mapping: the single place where exceptions become HTTP answers (RFC 9457 problem JSON).

Client mistakes get a 4xx that says what was wrong and where; unexpected failures get a bare 500
whose details go to the log only, never to the client.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from graph_service.api.deps import Unauthenticated
from graph_service.api.limits import RateLimited, TooManyInProgress
from graph_service.api.negotiation import VARY, NotAcceptable
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
from graph_service.services.feedback import InvalidFeedback
from graph_service.services.graph_store import (
    DefaultGraphNotWritable,
    GraphNotFound,
    GraphWriteForbidden,
)
from graph_service.services.history import HistoryAccessDenied, UnknownVersion
from graph_service.services.ingest import (
    CustodyConflict,
    NotOwner,
    PassportRejected,
    StageNotPermitted,
    ValidationFailed,
)
from graph_service.services.interop import (
    DocumentError,
    DocumentRejected,
    ExportIncomplete,
    FormatNotSupported,
    FormatUnavailable,
    PassportNotFound,
    UnknownFormat,
)
from graph_service.services.jsonld import JsonLdError
from graph_service.services.linked_data import NothingToDescribe
from graph_service.services.linked_data.gs1 import InvalidDigitalLink, LinkTypeUnknown
from graph_service.services.passports import BlankNodeInPassport
from graph_service.services.passports.limits import DocumentTooLarge
from graph_service.services.passports.skolemise import SkolemisationRefused
from graph_service.services.procedures import (
    DerivedNodeNotFound,
    NotDerived,
    PathwayNotApplicable,
    UnknownPathway,
)
from graph_service.services.rdf_io import serialize_graph
from graph_service.services.reading import BatteryNotFound, DerivedDataForbidden, InvalidNodeIri
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
from graph_service.store import (
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


# exception class -> (status, title); the detail is the exception's own client-safe message
_SIMPLE: dict[type[Exception], tuple[int, str]] = {
    QueryEvaluationError: (400, "Query could not be evaluated"),
    WrongOperation: (400, "Wrong SPARQL operation"),
    BadRequest: (400, "Bad request"),
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
    PassportRejected: (422, "Not a usable passport"),
    BlankNodeInPassport: (422, "Not a usable passport"),
    ServiceNotAllowed: (403, "Federated SERVICE not allowed"),
    UncheckableText: (400, "Query cannot be checked"),
    UnparsableUpdate: (400, "Update cannot be checked"),
    UpdateDatasetRefused: (400, "Update refused"),
    LoadRefused: (403, "LOAD not allowed"),
    FederationRejected: (400, "Federated SERVICE rejected"),
    FederationFailed: (502, "Federated SERVICE failed"),
    QueryWorkerFailed: (503, "Query failed"),
    NotAcceptable: (406, "Not acceptable"),
    PayloadTooLarge: (413, "Payload too large"),
    DocumentTooLarge: (413, "Document too large"),
    ParseLimitExceeded: (413, "Document too large"),
    SkolemisationRefused: (422, "Blank nodes cannot be labelled"),
    UnsupportedFormat: (415, "Unsupported media type"),
    ResultTooLarge: (422, "Result too large"),
    InvalidNodeIri: (400, "Invalid node IRI"),
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
}


def install_error_handlers(app: FastAPI) -> None:
    for exc_class, (status, title) in _SIMPLE.items():

        def handler(_: Request, exc: Exception, status: int = status, title: str = title):
            return problem(status, title, str(exc))

        app.add_exception_handler(exc_class, handler)

    @app.exception_handler(UnknownPathway)
    def _unknown_pathway(_: Request, exc: UnknownPathway) -> JSONResponse:
        return problem(400, "Unknown pathway", str(exc), options=exc.options)

    @app.exception_handler(PathwayNotApplicable)
    def _pathway_not_applicable(_: Request, exc: PathwayNotApplicable) -> JSONResponse:
        return problem(422, "Pathway not applicable", str(exc), options=exc.options)

    @app.exception_handler(QuerySyntaxError)
    def _query_syntax(_: Request, exc: QuerySyntaxError) -> JSONResponse:
        return problem(400, "Malformed SPARQL", exc.message, line=exc.line, column=exc.column)

    @app.exception_handler(RdfSyntaxError)
    def _rdf_syntax(_: Request, exc: RdfSyntaxError) -> JSONResponse:
        return problem(400, "Malformed RDF", exc.message, line=exc.line, column=exc.column)

    @app.exception_handler(UnsafeXml)
    def _unsafe_xml(_: Request, exc: UnsafeXml) -> JSONResponse:
        return problem(400, "XML declarations not accepted", exc.message, line=exc.line,
                       column=exc.column)

    @app.exception_handler(Unauthenticated)
    def _unauthenticated(_: Request, exc: Unauthenticated) -> JSONResponse:
        return problem(401, "Unauthenticated", str(exc),
                       headers={"WWW-Authenticate": 'Bearer realm="dbp"'})

    @app.exception_handler(JsonLdError)
    def _jsonld(_: Request, exc: JsonLdError) -> JSONResponse:
        return problem(400, "Malformed JSON-LD", exc.message, line=exc.line, column=exc.column)

    @app.exception_handler(ValidationFailed)
    def _invalid(request: Request, exc: ValidationFailed) -> Response:
        report = exc.result.report
        accept = request.headers.get("accept", "")
        if report.report_graph is not None and ("text/turtle" in accept or "ld+json" in accept):
            media_type = "text/turtle" if "text/turtle" in accept else "application/ld+json"
            return Response(serialize_graph(report.report_graph, media_type), status_code=422,
                            media_type=media_type)
        body = RejectedPassport(
            **exc.result.summary(),
            detail=f"{len(report.errors)} constraint violation(s); nothing was stored")
        return JSONResponse(body.model_dump(), status_code=422)

    @app.exception_handler(DocumentError)
    def _unreadable(_: Request, exc: DocumentError) -> JSONResponse:
        return problem(400, "Unreadable document", str(exc), line=exc.line, column=exc.column)

    @app.exception_handler(DocumentRejected)
    def _rejected(_: Request, exc: DocumentRejected) -> JSONResponse:
        # Every error of the document at once, each with its JSON path (and position).
        return problem(422, "Document refused", str(exc), **exc.report())

    @app.exception_handler(ExportIncomplete)
    def _incomplete(_: Request, exc: ExportIncomplete) -> JSONResponse:
        return problem(409, "Export incomplete", str(exc), format=exc.format,
                       formatVersion=exc.version, battery=exc.battery_id,
                       gaps=[g.as_dict() for g in exc.gaps])

    @app.exception_handler(FormatUnavailable)
    def _unavailable(_: Request, exc: FormatUnavailable) -> JSONResponse:
        return problem(503, "Format unavailable", str(exc))

    @app.exception_handler(QueryTimeout)
    def _timeout(_: Request, exc: QueryTimeout) -> JSONResponse:
        return problem(
            503, "Query timeout",
            f"{exc} (the request's timeout parameter, capped by DBP_QUERY_TIMEOUT); narrow the "
            "query or add LIMIT",
            headers={"Retry-After": "1"},
        )

    @app.exception_handler(QueryWorkerFailed)
    def _worker_failed(_: Request, exc: QueryWorkerFailed) -> JSONResponse:
        return problem(503, "Query failed", str(exc), headers={"Retry-After": "1"})

    @app.exception_handler(RateLimited)
    def _rate_limited(_: Request, exc: RateLimited) -> JSONResponse:
        return problem(429, "Too many requests", str(exc),
                       headers={"Retry-After": str(exc.retry_after)})

    @app.exception_handler(TooManyInProgress)
    def _too_many_in_progress(_: Request, exc: TooManyInProgress) -> JSONResponse:
        return problem(429, "Too many requests in progress", str(exc),
                       headers={"Retry-After": str(exc.retry_after)})

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
