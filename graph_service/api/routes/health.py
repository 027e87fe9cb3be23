"""Liveness and readiness."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from graph_service import __version__
from graph_service.api.deps import Services, get_services

router = APIRouter(tags=["operations"])


class Health(BaseModel):
    status: str
    version: str


class Readiness(BaseModel):
    status: str
    store: str
    quads: int


@router.get("/health", response_model=Health, summary="Liveness: the process answers")
def health() -> Health:
    return Health(status="ok", version=__version__)


@router.get("/ready", response_model=Readiness, summary="Readiness: the store answers queries")
def ready(services: Annotated[Services, Depends(get_services)]) -> Readiness:
    result = services.store.query("ASK { }", timeout=5)
    return Readiness(
        status="ok" if result.boolean else "degraded",
        store=services.settings.store_backend,
        quads=services.store.count(),
    )
