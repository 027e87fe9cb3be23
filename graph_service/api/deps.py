"""Dependencies injected into routes: settings, services (built by ``graph_service.container``),
the authenticated caller and the caller's readable dataset."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from graph_service.config import Settings
from graph_service.container import Services
from graph_service.services.access import ANONYMOUS, InvalidToken, Principal
from graph_service.services.sparql import Dataset

__all__ = ["PrincipalDep", "Services", "ServicesDep", "Unauthenticated", "authenticate",
           "current_principal", "get_services", "get_settings", "principal_of",
           "readable_dataset_of"]


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
    try:
        principal = authenticate(request.app.state.services, token)
    except InvalidToken as exc:
        raise Unauthenticated(str(exc)) from None
    request.state.principal = principal
    return principal


def authenticate(services: Services, token: str) -> Principal:
    """The one token check: an OIDC JWT when a key is configured and the token looks like one,
    else one of our own tokens. Raises ``InvalidToken`` (unknown, revoked, expired, forged).
    The API reads the token from the Authorization header, the dashboard from its cookie."""
    token = token.strip()
    if services.jwt is not None and services.jwt.looks_like_jwt(token):
        return services.jwt.authenticate(token)
    return services.principals.authenticate(token)


def readable_dataset_of(request: Request) -> Dataset:
    """The graphs the caller may read, handed to the engine with every query. A plain call,
    not a dependency: /sparql resolves none per request (its small queries' largest cost)."""
    return request.app.state.services.sparql.dataset_for(principal_of(request))


# The route parameters most routes take: the services, and the caller.
ServicesDep = Annotated[Services, Depends(get_services)]
PrincipalDep = Annotated[Principal, Depends(current_principal)]
