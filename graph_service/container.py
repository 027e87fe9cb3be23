"""The composition root: the one place that builds the services from ``Settings``.

The API (``api/app.py``, at start-up), the ``dbp`` command (``cli/``), the bulk import's
worker processes and the benchmarks (``bench/``) all call :func:`build_services`; nothing else
constructs a service that depends on another. Read top to bottom it says what each service is
made of, which steps a passport write runs in its one atomic update (the ingest pipeline), and
what is measured when the caller keeps metrics.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

import anyio.to_thread

from graph_service.config import Settings, _is_loopback
from graph_service.metrics import (
    MeasuredRuleRunner,
    MeasuredSparqlService,
    MeasuredValidator,
    Metrics,
)
from graph_service.model.graphs import GraphLayout
from graph_service.model.iris import IriMinter
from graph_service.services.access import PrincipalRegistry
from graph_service.services.access.custody import CustodyRecords
from graph_service.services.access.migration import migrate_custody
from graph_service.services.access.oidc import JwtVerifier
from graph_service.services.access.organisations import OrganisationRecords
from graph_service.services.access.policy import AccessPolicy
from graph_service.services.access.transfers import CustodyTransfers
from graph_service.services.derivation.feedback import FeedbackService
from graph_service.services.derivation.rules import RuleRunner
from graph_service.services.facade.batteries import BatteryQueries, count_batteries
from graph_service.services.facade.reading import GraphReader
from graph_service.services.history.lineage import LineageService
from graph_service.services.history.service import HistoryService
from graph_service.services.interop import InteropService, default_registry
from graph_service.services.interop.battinfo.importer import BattInfoImporter
from graph_service.services.linked_data import LinkedDataService
from graph_service.services.ontology.bootstrap import ensure_ontology_loaded
from graph_service.services.passports import PassportRepository
from graph_service.services.passports.classify import TermAnnotations
from graph_service.services.passports.ingest import IngestService
from graph_service.services.passports.validation import Validator
from graph_service.services.procedures import ProcedureService
from graph_service.services.sparql import SparqlService
from graph_service.services.sparql.graph_store import GraphStoreService
from graph_service.store import open_query_isolation, open_store
from graph_service.store.base import GraphStore
from graph_service.store.isolation import SandboxUnavailable

T = TypeVar("T")


class UnsafeConfiguration(RuntimeError):
    """The settings would expose the service unsafely."""


@dataclass
class Services:
    """Everything a route or a command may call, built once by :func:`build_services`."""

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


def build_services(settings: Settings, store: GraphStore | None = None, *,
                   metrics: Metrics | None = None) -> Services:
    """The services over ``store`` (default: the store the settings name). Loads the ontology
    and migrates an older store layout first. With ``metrics`` (the API's), SPARQL evaluation,
    validation and derivation are the measured variants (``graph_service/metrics.py``)."""
    store = store if store is not None else open_store(settings)
    layout = GraphLayout(settings.base_iri)
    ensure_ontology_loaded(store, layout, settings)
    minter = IriMinter(settings.base_iri)
    validator = (Validator(store, layout) if metrics is None
                 else MeasuredValidator(store, layout, metrics=metrics))
    custody = CustodyRecords(store, layout, minter)
    repository = PassportRepository(store, layout, custody=custody)
    annotations = TermAnnotations.from_store(store, layout)
    policy = AccessPolicy.load(settings.access_policy_file)
    lineage = LineageService(store, layout, minter, repository, lambda: annotations)
    migrate_custody(store, layout, minter, lineage.restricted_predicates())
    rules = (RuleRunner(store, layout, minter, repository) if metrics is None
             else MeasuredRuleRunner(store, layout, minter, repository, metrics=metrics))
    # The ingest pipeline: admit, parse, normalise, classify, check custody and validate (inside
    # IngestService), then commit ONE atomic update of the passport's own changes (stages,
    # views, custody, version, audit) and these follow-up steps, in this order.
    ingest = IngestService(
        store, layout, minter, settings, validator, repository,
        annotations=lambda: annotations, custody=custody, policy=policy,
        follow_ups=(
            lineage.write_changes,  # passports issued and battery status (Art. 77(6))
            rules.derivation_changes,  # the battery re-derived from its new data
        ),
    )
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
    sparql = (SparqlService(store, settings, layout, policy, custody, isolation)
              if metrics is None else
              MeasuredSparqlService(store, settings, layout, policy, custody, isolation,
                                    metrics=metrics))
    reader = GraphReader(store, layout, minter, repository, sparql, settings)
    procedures = ProcedureService(reader)
    graph_store = GraphStoreService(store, layout, sparql, ingest)
    if metrics is not None:
        metrics.store.count = partial(count_batteries, store, layout)
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
        graph_store=graph_store,
        imports=InteropService(ingest, minter, default_registry(
            settings.passport_models,
            BattInfoImporter(settings.ontology_dir, settings.base_iri,
                             superclasses=validator.superclasses,
                             restrictions=validator.some_values_from,
                             quantity_classes=validator.quantity_classes)),
            readable_passport=graph_store.readable_passport),
        policy=policy,
        custody=custody,
        organisations=ingest.organisations,
        transfers=CustodyTransfers(ingest),
        jwt=None if settings.jwt_key_file is None else JwtVerifier(
            settings.jwt_key_file, issuer=settings.jwt_issuer, audience=settings.jwt_audience,
            role_claim=settings.jwt_role_claim,
            organisation_claim=settings.jwt_organisation_claim),
    )
