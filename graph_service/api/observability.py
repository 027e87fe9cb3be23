"""Structured logs and Prometheus metrics.

Logs: one JSON object per line through the standard ``logging`` module (``JsonFormatter``).
Every request writes one line to the ``graph_service.access`` logger with its request id, method,
route template, status, duration and the caller's principal id and role - never the token.
As a second line of defence the formatter masks anything that looks like a bearer token (ours or
a JWT) in any message or traceback it writes.

Metrics: one registry per application (several apps in one process, as in the tests, never
collide), served at ``/metrics`` in the Prometheus text format. The services stay free of
metrics code: ``instrument_services`` wraps the few service methods worth timing once, when the
application starts.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from functools import wraps
from typing import Any, TypeVar

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from graph_service.store import QueryTimeout, ResultTooLarge

F = TypeVar("F", bound=Callable[..., Any])

ACCESS_LOGGER = "graph_service.access"

# dbp_<principal id>_<secret>, a JWT (three base64url parts, the first a JSON object), or
# whatever follows "Bearer ".
_SECRETS = re.compile(
    r"dbp_[A-Za-z0-9]+_[A-Za-z0-9_\-]{8,}"
    r"|eyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*"
    r"|(?i:bearer)\s+[^\s\"',;]+"
)


def redact(text: str) -> str:
    return _SECRETS.sub("[redacted]", text)


# Attributes every LogRecord has; anything else on a record came in through ``extra``.
_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message", "asctime", "color_message", "taskName",
}


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC, ms), level, logger, message and the extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return redact(json.dumps(entry, default=str, ensure_ascii=False))


def logging_config(level: str = "INFO") -> dict[str, Any]:
    """``logging.config.dictConfig`` settings: JSON lines on stderr for our loggers and the
    server's (pass as uvicorn's ``log_config``)."""
    handler = {"class": "logging.StreamHandler", "formatter": "json",
               "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": f"{__name__}.JsonFormatter"}},
        "handlers": {"json": handler},
        "root": {"handlers": ["json"], "level": level},
        "loggers": {
            "uvicorn": {"handlers": ["json"], "level": level, "propagate": False},
            "uvicorn.error": {"handlers": ["json"], "level": level, "propagate": False},
            # uvicorn's own access log repeats ours without ids; it is switched off by `dbp serve`
            "uvicorn.access": {"handlers": ["json"], "level": "WARNING", "propagate": False},
        },
    }


# ---------------------------------------------------------------------------------------------
# metrics
# ---------------------------------------------------------------------------------------------
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


def _timed(function: F, observe: Callable[[float, BaseException | None, Any], None]) -> F:
    @wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            result = function(*args, **kwargs)
        except BaseException as exc:
            observe(time.perf_counter() - started, exc, None)
            raise
        observe(time.perf_counter() - started, None, result)
        return result

    return wrapper  # type: ignore[return-value]


def instrument_services(services: Any, metrics: Metrics) -> None:
    """Time SPARQL queries and derivations and count validations, by wrapping the service
    methods on these instances (the services call them through ``self``)."""
    sparql = services.sparql
    run_query = sparql.run_query

    def counted_query(*args: Any, **kwargs: Any) -> Any:
        metrics.sparql_in_flight.inc()
        try:
            return run_query(*args, **kwargs)
        finally:
            metrics.sparql_in_flight.dec()

    def observe_query(seconds: float, exc: BaseException | None, _: Any) -> None:
        outcome = ("ok" if exc is None else "timeout" if isinstance(exc, QueryTimeout)
                   else "too-large" if isinstance(exc, ResultTooLarge) else "error")
        metrics.sparql_duration.labels(outcome).observe(seconds)

    sparql.run_query = _timed(counted_query, observe_query)
    run_isolated = sparql.run_isolated

    def counted_isolated(*args: Any, **kwargs: Any) -> Any:
        metrics.sparql_in_flight.inc()
        try:
            return run_isolated(*args, **kwargs)
        finally:
            metrics.sparql_in_flight.dec()

    sparql.run_isolated = _timed(counted_isolated, observe_query)

    def observe_validation(_: float, exc: BaseException | None, report: Any) -> None:
        if exc is not None:
            return
        conforms = bool(getattr(report, "conforms", True))
        metrics.validations.labels("conforms" if conforms else "violations").inc()
        if not conforms:
            metrics.validation_failures.inc()

    services.validator.validate = _timed(services.validator.validate, observe_validation)

    def observe_derivation(seconds: float, exc: BaseException | None, _: Any) -> None:
        metrics.derivations.labels("ok" if exc is None else "error").inc()
        metrics.derivation_duration.observe(seconds)

    services.rules.derive = _timed(services.rules.derive, observe_derivation)
    metrics.store.count = lambda: _battery_count(services)


def _battery_count(services: Any) -> int:
    from graph_service.services.batteries import count_batteries

    return count_batteries(services.store, services.layout)
