"""Per-principal limits: a token bucket per caller (rate), and a cap on the document
submissions one caller may have in progress at once (concurrency).

Rate: a token bucket per caller, enforced as an app-wide dependency.

The caller is the authenticated principal (``principal:<id>``); anonymous callers, and requests
whose token does not authenticate, are keyed by client IP (``ip:<address>``), so guessing tokens
is rate-limited too. Each bucket holds ``DBP_RATE_LIMIT_PER_MINUTE`` tokens (a burst of one
minute's allowance) and refills continuously at that rate; a request that finds the bucket empty
gets 429 with ``Retry-After`` (whole seconds until one token is back).

The limiter is in-process: with N workers behind a load balancer each enforces its own limit,
so a caller gets at most N times the configured rate. Liveness, readiness and metrics are never
limited (probes and scrapers must not be starved by traffic).
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import Request

from graph_service.api.deps import Unauthenticated, principal_of
from graph_service.config import Settings

# Probes and scrapes: limited at the network, never by the caller's bucket.
EXEMPT_PATHS = frozenset({"/health", "/ready", "/metrics"})


class RateLimited(Exception):
    """The caller's bucket is empty (429)."""

    def __init__(self, retry_after: float, limit: int) -> None:
        self.retry_after = max(1, math.ceil(retry_after))
        self.limit = limit
        super().__init__(
            f"rate limit of {limit} requests per minute exceeded; retry in "
            f"{self.retry_after} s"
        )


class TokenBucketLimiter:
    """Token buckets keyed by caller. Thread-safe; memory bounded by ``max_keys``."""

    def __init__(
        self,
        per_minute: int,
        *,
        max_keys: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.per_minute = per_minute
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0  # tokens per second
        self.max_keys = max_keys
        self._clock = clock
        # key -> (tokens, time of last update); least recently used first
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def acquire(self, key: str) -> float | None:
        """Take one token: ``None`` when allowed, else the seconds until one is available."""
        with self._lock:
            now = self._clock()
            tokens, last = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                self._buckets.move_to_end(key)
                self._evict()
                return None
            self._buckets[key] = (tokens, now)
            self._buckets.move_to_end(key)
            return (1.0 - tokens) / self.rate

    def _evict(self) -> None:
        """Forget the least recently used buckets beyond ``max_keys`` (a forgotten bucket starts
        full again, which is what it would have refilled to after a minute of silence)."""
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)

    def __len__(self) -> int:
        return len(self._buckets)


def client_address(request: Request) -> str:
    """The peer address as the ASGI server reports it (behind a reverse proxy, run uvicorn with
    ``--proxy-headers --forwarded-allow-ips=<proxy>`` so this is the real client)."""
    return request.client.host if request.client else "unknown"


async def enforce_rate_limit(request: Request) -> None:
    """App-wide dependency: 429 when the caller's bucket is empty; no-op when limits are off."""
    limiter: TokenBucketLimiter | None = getattr(request.app.state, "rate_limiter", None)
    if limiter is None or request.url.path in EXEMPT_PATHS:
        return
    try:
        principal = principal_of(request)
    except Unauthenticated:
        # A bad token spends the client address's budget, then gets its 401.
        _take(request, limiter, f"ip:{client_address(request)}")
        raise
    key = (f"ip:{client_address(request)}" if principal.is_anonymous
           else f"principal:{principal.id}")
    _take(request, limiter, key)


def _take(request: Request, limiter: TokenBucketLimiter, key: str) -> None:
    wait = limiter.acquire(key)
    if wait is None:
        return
    metrics = getattr(request.app.state, "metrics", None)
    if metrics is not None:
        metrics.rate_limited.inc()
    raise RateLimited(wait, limiter.per_minute)


# -- concurrency of expensive requests ---------------------------------------------------------
class TooManyInProgress(Exception):
    """The caller already has as many document submissions in progress as allowed (429)."""

    retry_after = 2

    def __init__(self, limit: int, anonymous: bool, what: str = "document submission(s)"
                 ) -> None:
        who = "from this address (anonymous)" if anonymous else "for this principal"
        super().__init__(
            f"{limit} {what} {who} are already in progress; wait for them to "
            f"finish (retry in {self.retry_after} s)")
        self.limit = limit


class ConcurrencyLimiter:
    """Counts the expensive requests each caller has in progress. Thread-safe; a key is
    forgotten when its count drops to zero, so memory is bounded by the requests in flight."""

    def __init__(self) -> None:
        self._active: dict[str, int] = {}
        self._lock = threading.Lock()

    def acquire(self, key: str, limit: int) -> bool:
        with self._lock:
            count = self._active.get(key, 0)
            if count >= limit:
                return False
            self._active[key] = count + 1
            return True

    def release(self, key: str) -> None:
        with self._lock:
            count = self._active.get(key, 0) - 1
            if count > 0:
                self._active[key] = count
            else:
                self._active.pop(key, None)

    def in_progress(self, key: str) -> int:
        with self._lock:
            return self._active.get(key, 0)


async def submission_slot(request: Request) -> AsyncIterator[None]:
    """Dependency of the document-submitting routes (POST /validate, /passports, /import and
    Graph Store writes): at most ``DBP_INGEST_CONCURRENCY`` in progress per principal, and
    ``DBP_ANONYMOUS_INGEST_CONCURRENCY`` per client address for anonymous callers; more get
    429 with Retry-After before their body is read."""
    limiter: ConcurrencyLimiter = request.app.state.submission_limiter
    settings = request.app.state.services.settings
    principal = principal_of(request)
    if principal.is_anonymous:
        key, limit = f"ip:{client_address(request)}", settings.anonymous_ingest_concurrency
    else:
        key, limit = f"principal:{principal.id}", settings.ingest_concurrency
    if not limiter.acquire(key, limit):
        metrics = getattr(request.app.state, "metrics", None)
        if metrics is not None:
            metrics.rate_limited.inc()
        raise TooManyInProgress(limit, principal.is_anonymous)
    try:
        yield
    finally:
        limiter.release(key)


def query_concurrency(settings: Settings) -> int:
    """The SPARQL queries one caller may have in progress (``DBP_QUERY_CONCURRENCY``; 0: one
    less than the query workers, at least 1)."""
    if settings.query_concurrency > 0:
        return settings.query_concurrency
    return max(1, settings.query_workers - 1)


async def query_slot_dependency(request: Request) -> AsyncIterator[None]:
    """:func:`query_slot` as a dependency (the dashboard's query page)."""
    async with query_slot(request):
        yield


@asynccontextmanager
async def query_slot(request: Request) -> AsyncIterator[None]:
    """Held while a caller's SPARQL text is evaluated (/sparql, entered by the route itself,
    which resolves no dependency per request; the dashboard's query page through
    :func:`query_slot_dependency`): at most :func:`query_concurrency` in progress per
    principal, or per client address for anonymous callers; more get 429 with Retry-After at
    once. One client sending runaway queries in parallel held every query worker until their
    deadlines, and every other caller's query waited that long
    (tests/security/test_one_client_cannot_hold_every_query_worker.py)."""
    limiter: ConcurrencyLimiter = request.app.state.query_limiter
    limit = query_concurrency(request.app.state.services.settings)
    try:
        principal = principal_of(request)
    except Unauthenticated:
        principal = None
    anonymous = principal is None or principal.is_anonymous
    key = (f"ip:{client_address(request)}" if principal is None or principal.is_anonymous
           else f"principal:{principal.id}")
    if not limiter.acquire(key, limit):
        metrics = getattr(request.app.state, "metrics", None)
        if metrics is not None:
            metrics.rate_limited.inc()
        raise TooManyInProgress(limit, anonymous, "SPARQL queries")
    try:
        yield
    finally:
        limiter.release(key)
