"""Application factory: builds the services once and mounts the thin routers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from graph_service import __version__
from graph_service.api.deps import Services
from graph_service.api.errors import install_error_handlers
from graph_service.api.middleware import install_operations, start_operations
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
from graph_service.config import Settings, _is_loopback, get_settings
from graph_service.model.graphs import GraphLayout
from graph_service.model.iris import IriMinter
from graph_service.services.access import PrincipalRegistry
from graph_service.services.access.custody import CustodyRecords
from graph_service.services.access.migration import migrate_custody
from graph_service.services.access.policy import AccessPolicy
from graph_service.services.access.transfers import CustodyTransfers
from graph_service.services.batteries import BatteryQueries
from graph_service.services.bootstrap import ensure_ontology_loaded
from graph_service.services.classify import TermAnnotations
from graph_service.services.feedback import FeedbackService
from graph_service.services.graph_store import GraphStoreService
from graph_service.services.history import HistoryService
from graph_service.services.importers.battinfo import BattInfoImporter
from graph_service.services.ingest import IngestService
from graph_service.services.interop import InteropService, default_registry
from graph_service.services.lineage import LineageService
from graph_service.services.linked_data import LinkedDataService
from graph_service.services.linked_data.base_iri import base_iri_mismatch
from graph_service.services.oidc import JwtVerifier
from graph_service.services.passports import PassportRepository
from graph_service.services.procedures import ProcedureService
from graph_service.services.reading import GraphReader
from graph_service.services.rules import RuleRunner
from graph_service.services.sparql import SparqlService
from graph_service.services.validation import Validator
from graph_service.store import GraphStore, open_query_isolation, open_store
from graph_service.store.isolation import SandboxUnavailable

log = logging.getLogger("graph_service.api")


class UnsafeConfiguration(RuntimeError):
    """The settings would expose the service unsafely."""


def build_services(settings: Settings, store: GraphStore | None = None) -> Services:
    store = store if store is not None else open_store(settings)
    layout = GraphLayout(settings.base_iri)
    ensure_ontology_loaded(store, layout, settings)
    minter = IriMinter(settings.base_iri)
    validator = Validator(store, layout)
    custody = CustodyRecords(store, layout, minter)
    repository = PassportRepository(store, layout, custody=custody)
    annotations = TermAnnotations.from_store(store, layout)
    policy = AccessPolicy.load(settings.access_policy_file)
    ingest = IngestService(store, layout, minter, settings, validator, repository,
                           annotations=lambda: annotations, custody=custody)
    lineage = LineageService(store, layout, minter, repository, lambda: annotations)
    migrate_custody(store, layout, minter, lineage.restricted_predicates())
    ingest.extra_changes.append(lineage.lineage_changes)
    rules = RuleRunner(store, layout, minter, repository)
    # Ingest re-derives the battery in the same atomic update as its data.
    ingest.derivation = rules.derivation_changes
    principals = PrincipalRegistry(store, layout, minter)
    if not _is_loopback(settings.host) and not principals.has_active_admin():
        raise UnsafeConfiguration(
            f"refusing to serve on {settings.host} without an admin principal: create one with "
            "`dbp token create --role admin --org ORG` or bind to 127.0.0.1"
        )
    try:
        isolation = open_query_isolation(store, settings)
    except SandboxUnavailable as exc:
        raise UnsafeConfiguration(
            f"refusing to start in production without the query sandbox: {exc}") from None
    sparql = SparqlService(store, settings, layout, policy, custody, isolation)
    reader = GraphReader(store, layout, minter, repository, sparql, settings)
    procedures = ProcedureService(reader)
    return Services(
        settings=settings,
        store=store,
        layout=layout,
        minter=minter,
        sparql=sparql,
        validator=validator,
        repository=repository,
        ingest=ingest,
        principals=principals,
        rules=rules,
        batteries=BatteryQueries(reader),
        procedures=procedures,
        feedback=FeedbackService(store, layout, minter, reader, ingest, rules,
                                 procedures),
        lineage=lineage,
        history=HistoryService(repository, ingest.history, ingest.audit, lineage, sparql,
                               custody, policy),
        linked_data=LinkedDataService(sparql, layout, minter),
        graph_store=GraphStoreService(store, layout, sparql, ingest),
        imports=InteropService(ingest, minter, default_registry(
            settings.passport_models,
            BattInfoImporter(settings.ontology_dir, settings.base_iri,
                             superclasses=validator.superclasses,
                             restrictions=validator.some_values_from))),
        policy=policy,
        custody=custody,
        organisations=ingest.organisations,
        transfers=CustodyTransfers(ingest),
        jwt=None if settings.jwt_key_file is None else JwtVerifier(
            settings.jwt_key_file, issuer=settings.jwt_issuer, audience=settings.jwt_audience,
            role_claim=settings.jwt_role_claim,
            organisation_claim=settings.jwt_organisation_claim),
    )


def create_app(settings: Settings | None = None, store: GraphStore | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = build_services(settings, store)
        app.state.services = services
        if settings.store_backend == "oxigraph":
            mismatch = base_iri_mismatch(settings, services.store)
            if mismatch:
                log.warning(mismatch)
        start_operations(app, services)
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
