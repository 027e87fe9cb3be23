"""Federated SERVICE calls, executed by our code and only to allow-listed endpoints.

The engine never evaluates a SERVICE clause: (1) every SERVICE of a caller's text (any nesting)
must name an allow-listed endpoint, else the whole request is refused with one fixed message
before any network activity; (2) each outermost SERVICE clause is answered by our HTTP client
(``SELECT * WHERE { group }`` with the query's prologue; timeout, size cap, no redirects) and
replaced in the text by an inline ``VALUES`` block holding the answer. VALUES is a group pattern
like SERVICE, so it joins with the rest of its group exactly as the SERVICE result would.
``SERVICE SILENT`` whose call fails becomes ``VALUES () { () }`` (one empty solution, as the
specification says for SILENT). Blank nodes of a remote answer become skolem IRIs under
``<base>.well-known/genid/`` (fresh for each call): a blank node in VALUES would be a new node per
row, and the remote endpoint's labels mean nothing here.

Refused or failed calls say nothing about the network (no "connection refused", no port
numbers): such text would make the endpoint a port scanner.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence

import httpx

from graph_service.services.sparql.query_analysis import QueryAnalysis, ServiceClause
from graph_service.store.values import UnreadableResults, values_block_from_results

REFUSED = ("SERVICE is not allowed: federated queries may only call the endpoints on the "
           "configured allow-list (DBP_SERVICE_ALLOWLIST), named by an IRI (not a variable)")
FAILED = "the federated SERVICE endpoint gave no usable answer"
REJECTED = "the federated SERVICE endpoint rejected the SERVICE part of the query"
RESULT_TYPES = "application/sparql-results+json, application/sparql-results+xml;q=0.9"


class ServiceNotAllowed(Exception):
    """A SERVICE clause names an endpoint that is not allow-listed (or a variable): 403."""

    def __init__(self) -> None:
        super().__init__(REFUSED)


class FederationFailed(Exception):
    """An allow-listed endpoint failed (network, status, size, format): 502, fixed text."""

    def __init__(self) -> None:
        super().__init__(FAILED)


class FederationRejected(Exception):
    """An allow-listed endpoint answered 4xx to the SERVICE part: 400, fixed text."""

    def __init__(self) -> None:
        super().__init__(REJECTED)


def check_allowed(services: Sequence[ServiceClause], allowlist: Sequence[str]) -> None:
    allowed = set(allowlist)
    for clause in services:
        if clause.target is None or clause.target not in allowed:
            raise ServiceNotAllowed()


class Federation:
    def __init__(self, allowlist: Sequence[str], base_iri: str, *, max_bytes: int,
                 max_rows: int) -> None:
        self.allowlist = tuple(allowlist)
        self.base_iri = base_iri
        self.max_bytes = max_bytes
        self.max_rows = max_rows

    def rewrite(self, analysis: QueryAnalysis, deadline: float) -> str:
        """``analysis.text`` with every outermost SERVICE clause replaced by its answer."""
        check_allowed(analysis.services, self.allowlist)
        text = analysis.text
        outermost = sorted((c for c in analysis.services if c.outermost),
                           key=lambda c: c.start, reverse=True)
        for clause in outermost:  # from the end, so earlier spans stay valid
            block = self._answer(clause, text, deadline)
            text = text[:clause.start] + block + text[clause.end:]
        return text

    def _answer(self, clause: ServiceClause, text: str, deadline: float) -> str:
        group = text[clause.group_start:clause.end]
        remote_query = f"{clause.prologue}\nSELECT * WHERE {group}"
        try:
            body, media_type = self._fetch(clause.target or "", remote_query, deadline)
            return values_block_from_results(
                body, media_type, max_rows=self.max_rows,
                skolem_prefix=f"{self.base_iri}.well-known/genid/{uuid.uuid4().hex}-")
        except (FederationFailed, FederationRejected, UnreadableResults):
            if clause.silent:
                return "VALUES () { () }"
            raise FederationFailed() from None

    def _fetch(self, endpoint: str, query: str, deadline: float) -> tuple[bytes, str]:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FederationFailed()
        try:
            with httpx.Client(follow_redirects=False, timeout=remaining,
                              trust_env=False) as client, \
                    client.stream("POST", endpoint, data={"query": query},
                                  headers={"Accept": RESULT_TYPES}) as response:
                if 400 <= response.status_code < 500:
                    raise FederationRejected()
                if response.status_code != 200:
                    raise FederationFailed()
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > self.max_bytes or time.monotonic() > deadline:
                        raise FederationFailed()
                    chunks.append(chunk)
                return b"".join(chunks), response.headers.get("content-type", "")
        except httpx.HTTPError:
            raise FederationFailed() from None
