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

An allow-listed endpoint named by a host name is called only at a public address: the name is
resolved by the system resolver when the call is made, every address it gives must be global
(or inside a network the operator lists in DBP_SERVICE_PRIVATE_NETWORKS), and the connection
goes to the address that was checked (Host header and TLS server name stay the endpoint's). A
name whose DNS answer changes to 127.0.0.1 or a private address after it was allow-listed (DNS
rebinding) therefore never makes us call a local service. An endpoint written as an IP address
is the operator's explicit choice and is called as written.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import httpx

from graph_service.services.sparql.query_analysis import QueryAnalysis, ServiceClause
from graph_service.store.values import UnreadableResults, values_block_from_results

REFUSED = ("SERVICE is not allowed: federated queries may only call the endpoints on the "
           "configured allow-list (DBP_SERVICE_ALLOWLIST), named by an IRI (not a variable)")
FAILED = "the federated SERVICE endpoint gave no usable answer"
REJECTED = "the federated SERVICE endpoint rejected the SERVICE part of the query"
RESULT_TYPES = "application/sparql-results+json, application/sparql-results+xml;q=0.9"

log = logging.getLogger(__name__)

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


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


@dataclass(frozen=True)
class PinnedEndpoint:
    """Where one call connects: the checked address, and the name the endpoint answers to."""

    url: httpx.URL
    headers: dict[str, str]
    extensions: dict[str, str]


def _unmapped(address: IpAddress) -> IpAddress:
    # ::ffff:127.0.0.1 reaches 127.0.0.1; judge the IPv4 address it carries.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def address_allowed(address: IpAddress, private_networks: Sequence[IpNetwork]) -> bool:
    """A global unicast address, or one inside a network the operator listed."""
    address = _unmapped(address)
    if any(address in network for network in private_networks
           if network.version == address.version):
        return True
    return address.is_global and not address.is_multicast


def pin_endpoint(endpoint: str,
                 private_networks: Sequence[IpNetwork]) -> list[PinnedEndpoint]:
    """Resolve an allow-listed endpoint once and return the checked addresses to connect to,
    in the resolver's order (the next is tried when one refuses the connection).

    Raises ``FederationFailed`` (fixed text) when the endpoint is not an http(s) URL, its name
    does not resolve, or any address it resolves to is not allowed.
    """
    try:
        url = httpx.URL(endpoint)
    except httpx.InvalidURL:
        raise FederationFailed() from None
    host = url.host
    if url.scheme not in ("http", "https") or not host:
        raise FederationFailed()
    try:
        ipaddress.ip_address(host)
        return [PinnedEndpoint(url, {}, {})]  # an address the operator wrote: called as written
    except ValueError:
        pass
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise FederationFailed() from None
    addresses = [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]
    refused = [str(a) for a in addresses if not address_allowed(a, private_networks)]
    if not addresses or refused:
        # The operator should know; the caller gets the same fixed text as any failed call.
        log.warning("SERVICE endpoint %s not called: its name resolves to %s, which is not a "
                    "public address (list the network in DBP_SERVICE_PRIVATE_NETWORKS to allow "
                    "it)", endpoint, ", ".join(refused) or "no address")
        raise FederationFailed()
    netloc = host if url.port is None else f"{host}:{url.port}"
    extensions = {"sni_hostname": host} if url.scheme == "https" else {}
    return [PinnedEndpoint(url.copy_with(host=str(address)), {"Host": netloc}, extensions)
            for address in dict.fromkeys(addresses)]


class Federation:
    def __init__(self, allowlist: Sequence[str], base_iri: str, *, max_bytes: int,
                 max_rows: int, private_networks: Sequence[IpNetwork] = ()) -> None:
        self.allowlist = tuple(allowlist)
        self.private_networks = tuple(private_networks)
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
        targets = pin_endpoint(endpoint, self.private_networks)
        for number, target in enumerate(targets, start=1):
            try:
                return self._fetch_from(target, query, deadline)
            except httpx.ConnectError:
                if number == len(targets):
                    raise FederationFailed() from None
        raise FederationFailed()

    def _fetch_from(self, target: PinnedEndpoint, query: str,
                    deadline: float) -> tuple[bytes, str]:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FederationFailed()
        try:
            with httpx.Client(follow_redirects=False, timeout=remaining,
                              trust_env=False) as client, \
                    client.stream("POST", target.url, data={"query": query},
                                  headers={"Accept": RESULT_TYPES, **target.headers},
                                  extensions=target.extensions) as response:
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
        except httpx.ConnectError:
            raise  # the caller tries the endpoint's next address
        except httpx.HTTPError:
            raise FederationFailed() from None
