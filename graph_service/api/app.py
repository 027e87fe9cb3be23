"""Application factory: mounts the thin routers; the services are built at start-up by the
composition root (``graph_service/container.py``), measured with the app's metrics."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from graph_service import __version__
from graph_service.api.errors import install_error_handlers
from graph_service.api.middleware import install_operations
from graph_service.api.routes import (
    batteries,
    custody,
    docs,
    graph_store,
    health,
    history,
    imports,
    linked_data,
    passports,
    sparql,
    ui,
    well_known,
)
from graph_service.config import Settings, get_settings
from graph_service.container import Services, UnsafeConfiguration, build_services
from graph_service.services.linked_data.base_iri import base_iri_mismatch
from graph_service.store.base import GraphStore

log = logging.getLogger("graph_service.api")

# Importable from here as before (callers written against the old home); built in container.py.
__all__ = ["Services", "UnsafeConfiguration", "build_services", "create_app"]


def create_app(settings: Settings | None = None, store: GraphStore | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = build_services(settings, store, metrics=app.state.metrics)
        app.state.services = services
        # The first write would otherwise wait for the rules' analyses (seconds of parsing).
        threading.Thread(target=services.rules.warm_analyses, name="rule-analyses",
                         daemon=True).start()
        if settings.store_backend == "oxigraph":
            mismatch = base_iri_mismatch(settings, services.store)
            if mismatch:
                log.warning(mismatch)
        try:
            yield
        finally:
            services.sparql.shutdown()
            if store is None:
                services.store.close()  # opened here (an ephemeral store is removed)
            else:
                services.store.flush()

    app = FastAPI(
        title="Digital Battery Passport knowledge graph",
        version=__version__,
        description=(
            "Battery passports as EMMO/BattINFO RDF: a SPARQL 1.1 endpoint and a REST facade."
        ),
        lifespan=lifespan,
        docs_url=None,  # served from the package (routes/docs.py): no CDN
        redoc_url=None,
    )
    install_error_handlers(app)
    install_operations(app, settings)
    app.include_router(docs.router)
    app.mount(docs.ASSETS_PATH, docs.assets(), name="docs-assets")
    app.include_router(health.router)
    app.include_router(sparql.router)
    app.include_router(passports.router)
    app.include_router(batteries.router)
    app.include_router(custody.router)
    app.include_router(history.router)
    app.include_router(linked_data.router)
    app.include_router(graph_store.router)
    app.include_router(well_known.router)
    app.include_router(imports.router)
    app.mount(ui.STATIC_PATH, ui.static_files(), name="ui-static")
    app.include_router(ui.router)
    return app
