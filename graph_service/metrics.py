"""Prometheus metrics, and the measured variants of the services worth timing.

One registry per application (several apps in one process, as in the tests, never collide),
served at ``/metrics`` in the Prometheus text format (``api/middleware.py``). The services stay
free of metrics code: the composition root (``graph_service/container.py``) builds the measured
subclasses below instead of the plain services when it is given a ``Metrics``, so what is timed
is decided once, where the services are built, and every caller (a route, ingest, the feedback
service) goes through the same measured method.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from rdflib import Graph

from graph_service.services.derivation.rules import Derivation, RuleRunner
from graph_service.services.passports import StagedTriples
from graph_service.services.passports.validation import ValidationReport, Validator
from graph_service.services.sparql import SparqlService
from graph_service.store.base import QueryResult, QueryTimeout, ResultTooLarge

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


class _StoreCollector(Collector):
    """Store size, computed when scraped and cached for ``ttl`` seconds.

    The embedded store's quad count is a full scan (about a second per million quads), so the
    gauge is the number of stored batteries: one index range in the public view."""

    def __init__(self, ttl: float = 15.0) -> None:
        self.ttl = ttl
        self.count: Callable[[], int] | None = None
        self._cached: tuple[float, int] | None = None
        self._lock = threading.Lock()

    def describe(self) -> Iterator[GaugeMetricFamily]:
        return iter(())  # computed lazily: nothing to query when the collector is registered

    def collect(self) -> Iterator[GaugeMetricFamily]:
        if self.count is None:
            return
        with self._lock:
            now = time.monotonic()
            if self._cached is None or now - self._cached[0] > self.ttl:
                try:
                    self._cached = (now, self.count())
                except Exception:  # a scrape must not fail because the store is busy
                    logging.getLogger(__name__).warning("store size unavailable", exc_info=True)
                    return
            value = self._cached[1]
        family = GaugeMetricFamily(
            "dbp_store_batteries", "Batteries stored (cached up to 15 s).")
        family.add_metric([], value)
        yield family


class Metrics:
    """The application's Prometheus metrics, in a registry of its own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.http_duration = Histogram(
            "dbp_http_request_duration_seconds",
            "HTTP request latency by method, route template and status.",
            ["method", "route", "status"], buckets=_LATENCY_BUCKETS, registry=r)
        self.sparql_duration = Histogram(
            "dbp_sparql_query_duration_seconds",
            "Engine time of SPARQL queries (evaluation and row materialisation, on the query "
            "threads; a query whose client got 503 is measured until its thread is free).",
            ["outcome"], buckets=_LATENCY_BUCKETS, registry=r)
        self.sparql_in_flight = Gauge(
            "dbp_sparql_queries_in_flight",
            "Queries being evaluated now (also those whose client stopped waiting).",
            registry=r)
        self.validations = Counter(
            "dbp_validations_total", "SHACL validations by result.", ["result"], registry=r)
        self.validation_failures = Counter(
            "dbp_validation_failures_total",
            "SHACL validations that found violations (writes and dry runs).", registry=r)
        self.derivations = Counter(
            "dbp_derivations_total", "Rule derivations by outcome.", ["outcome"], registry=r)
        self.derivation_duration = Histogram(
            "dbp_derivation_duration_seconds", "Time to derive one battery.",
            buckets=_LATENCY_BUCKETS, registry=r)
        self.rate_limited = Counter(
            "dbp_rate_limited_total", "Requests answered with 429.", registry=r)
        self.store = _StoreCollector()
        r.register(self.store)

    @contextmanager
    def query(self) -> Iterator[None]:
        """Count a query in flight and time it by outcome."""
        self.sparql_in_flight.inc()
        started = time.perf_counter()
        outcome = "error"
        try:
            yield
            outcome = "ok"
        except QueryTimeout:
            outcome = "timeout"
            raise
        except ResultTooLarge:
            outcome = "too-large"
            raise
        finally:
            self.sparql_in_flight.dec()
            self.sparql_duration.labels(outcome).observe(time.perf_counter() - started)

    def validated(self, report: ValidationReport) -> None:
        conforms = bool(getattr(report, "conforms", True))
        self.validations.labels("conforms" if conforms else "violations").inc()
        if not conforms:
            self.validation_failures.inc()

    @contextmanager
    def derivation(self) -> Iterator[None]:
        started = time.perf_counter()
        outcome = "error"
        try:
            yield
            outcome = "ok"
        finally:
            self.derivations.labels(outcome).inc()
            self.derivation_duration.observe(time.perf_counter() - started)


class _Measured:
    """A service built with the metrics it reports to (first base of the measured classes)."""

    def __init__(self, *args: Any, metrics: Metrics, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.metrics = metrics


class MeasuredSparqlService(_Measured, SparqlService):
    """``SparqlService`` whose evaluations (in-process and in the query workers) are timed."""

    def run_query(self, *args: Any, **kwargs: Any) -> QueryResult:
        with self.metrics.query():
            return super().run_query(*args, **kwargs)

    def run_isolated(self, *args: Any, **kwargs: Any) -> Any:
        with self.metrics.query():
            return super().run_isolated(*args, **kwargs)


class MeasuredValidator(_Measured, Validator):
    """``Validator`` whose validations are counted by result."""

    def validate(self, data: Graph, *, keep_report_graph: bool = True) -> ValidationReport:
        report = super().validate(data, keep_report_graph=keep_report_graph)
        self.metrics.validated(report)
        return report


class MeasuredRuleRunner(_Measured, RuleRunner):
    """``RuleRunner`` whose derivations are timed and counted by outcome."""

    def derive(self, battery_id: str, data: Graph | None = None,
               staged: StagedTriples | None = None) -> Derivation:
        with self.metrics.derivation():
            return super().derive(battery_id, data, staged)
