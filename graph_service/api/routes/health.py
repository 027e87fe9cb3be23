"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter

from graph_service import __version__
from graph_service.api.deps import ServicesDep
from graph_service.model.answers import Health, Readiness
from graph_service.services.facade.batteries import count_batteries, store_answers

router = APIRouter(tags=["operations"])


@router.get("/health", response_model=Health, summary="Liveness: the process answers")
async def health() -> Health:  # no I/O: answered on the event loop, no thread hop
    return Health(status="ok", version=__version__)


@router.get("/ready", response_model=Readiness, summary="Readiness: the store answers queries")
def ready(services: ServicesDep) -> Readiness:
    # Probes call this often: nothing here may scan the store (a quad count would).
    return Readiness(
        status="ok" if store_answers(services.store) else "degraded",
        store=services.settings.store_backend,
        batteries=count_batteries(services.store, services.layout),
    )
