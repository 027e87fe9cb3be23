"""Dependencies injected into routes: settings, services, the caller's readable dataset."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

import anyio.to_thread
from fastapi import Request

from graph_service.config import Settings
from graph_service.model.graphs import GraphLayout
from graph_service.model.iris import IriMinter
from graph_service.services.access import ANONYMOUS, InvalidToken, Principal, PrincipalRegistry
from graph_service.services.access.custody import CustodyRecords
from graph_service.services.access.organisations import OrganisationRecords
from graph_service.services.access.policy import AccessPolicy
from graph_service.services.access.transfers import CustodyTransfers
from graph_service.services.batteries import BatteryQueries
from graph_service.services.feedback import FeedbackService
from graph_service.services.graph_store import GraphStoreService
from graph_service.services.history import HistoryService
from graph_service.services.ingest import IngestService
from graph_service.services.interop import InteropService
from graph_service.services.lineage import LineageService
from graph_service.services.linked_data import LinkedDataService
from graph_service.services.oidc import JwtVerifier
from graph_service.services.passports import PassportRepository
from graph_service.services.procedures import ProcedureService
from graph_service.services.rules import RuleRunner
from graph_service.services.sparql import Dataset, SparqlService
from graph_service.services.validation import Validator
from graph_service.store import GraphStore

T = TypeVar("T")


@dataclass
class Services:
    """Everything a route may call, built once per application."""

    settings: Settings
    store: GraphStore
    layout: GraphLayout
    minter: IriMinter
    sparql: SparqlService
    validator: Validator
    repository: PassportRepository
    ingest: IngestService
    principals: PrincipalRegistry
    rules: RuleRunner
    batteries: BatteryQueries
    procedures: ProcedureService
    feedback: FeedbackService
    lineage: LineageService
    history: HistoryService
    linked_data: LinkedDataService
    graph_store: GraphStoreService
    imports: InteropService
    policy: AccessPolicy
    custody: CustodyRecords
    organisations: OrganisationRecords
    transfers: CustodyTransfers
    jwt: JwtVerifier | None = None

    async def run_blocking(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run blocking service code off the event loop."""
        return await anyio.to_thread.run_sync(partial(function, *args, **kwargs))


# The dependencies are ``async def``: they only read memory, and FastAPI would otherwise hand
# each sync dependency to a worker thread (a thread hop apiece, most of a small query's cost).
async def get_services(request: Request) -> Services:
    return request.app.state.services


async def get_settings(request: Request) -> Settings:
    return request.app.state.services.settings


class Unauthenticated(Exception):
    """A bearer token was sent but is not valid (401)."""


async def current_principal(request: Request) -> Principal:
    """The caller: anonymous (public role) without a token; 401 for a bad token."""
    return principal_of(request)


def principal_of(request: Request) -> Principal:
    """``current_principal`` for code that is not a dependency; authenticates once per request
    (the token cache is in memory: no I/O here)."""
    known = getattr(request.state, "principal", None)
    if known is not None:
        return known
    header = request.headers.get("authorization")
    if not header:
        return ANONYMOUS
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("use 'Authorization: Bearer <token>'")
    services = request.app.state.services
    try:
        if services.jwt is not None and services.jwt.looks_like_jwt(token.strip()):
            principal = services.jwt.authenticate(token.strip())
        else:
            principal = services.principals.authenticate(token.strip())
    except InvalidToken as exc:
        raise Unauthenticated(str(exc)) from None
    request.state.principal = principal
    return principal


async def readable_dataset(request: Request) -> Dataset:
    """The graphs the caller may read, handed to the engine with every query."""
    principal = principal_of(request)
    return request.app.state.services.sparql.dataset_for(principal)
