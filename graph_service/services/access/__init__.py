"""Principals, roles and what each role may read and write (the permission matrix as data).

Read access follows the EU Battery Regulation's Annex XIII access groups; write access follows
lifecycle stages (and, for OEMs and operators, the battery's custody record:
``access/custody.py``). Of which batteries a role reads legitimate-interest data is the access
policy (``access/policy.py``, data in ``ontology/access-policy.ttl``); ``access/datasets.py``
turns both into the graphs a caller's queries run over. docs/access.md renders this for people;
tests/access/test_access_matrix.py checks it end to end.

Tokens: ``dbp_<principal-id>_<secret>``. Only the SHA-256 of the secret is stored (the secret has
256 bits of entropy, so a slow password hash adds nothing); the principal id selects the record and
the hashes are compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from graph_service.model.graphs import AccessGroup, GraphLayout, Stage
from graph_service.model.iris import IriMinter, check_identifier
from graph_service.model.namespaces import DBP
from graph_service.store.base import ChangeSet, GraphStore, QuadPattern


class Role(StrEnum):
    PUBLIC = "public"
    OEM = "oem"
    OPERATOR = "operator"
    REPAIRER = "repairer"
    REMANUFACTURER = "remanufacturer"
    RECYCLER = "recycler"
    RESEARCHER = "researcher"
    AUTHORITY = "authority"
    ADMIN = "admin"


_LEGITIMATE = frozenset({AccessGroup.PUBLIC, AccessGroup.LEGITIMATE_INTEREST})
# The access groups a role may read at most; of which batteries it reads legitimate-interest
# data is the access policy's (every battery, those in its organisation's custody, or none).
READ_GROUPS: dict[Role, frozenset[AccessGroup]] = {
    Role.PUBLIC: frozenset({AccessGroup.PUBLIC}),
    Role.OEM: _LEGITIMATE,
    Role.OPERATOR: _LEGITIMATE,
    Role.REPAIRER: _LEGITIMATE,
    Role.REMANUFACTURER: _LEGITIMATE,
    Role.RECYCLER: _LEGITIMATE,
    Role.RESEARCHER: _LEGITIMATE,
    Role.AUTHORITY: frozenset(AccessGroup),
    Role.ADMIN: frozenset(AccessGroup),
}
WRITE_STAGES: dict[Role, frozenset[Stage]] = {
    Role.PUBLIC: frozenset(),
    Role.RESEARCHER: frozenset(),
    Role.AUTHORITY: frozenset(),
    Role.OEM: frozenset({Stage.IDENTITY, Stage.DESIGN, Stage.MANUFACTURING,
                         Stage.RATED_PERFORMANCE}),
    Role.OPERATOR: frozenset({Stage.USAGE, Stage.LOGISTICS}),
    Role.REPAIRER: frozenset({Stage.SERVICE}),
    Role.REMANUFACTURER: frozenset({Stage.SERVICE}),
    Role.RECYCLER: frozenset({Stage.END_OF_LIFE}),
    Role.ADMIN: frozenset(Stage),
}
# Roles whose writes are limited to batteries of their own organisation.
OWNERSHIP_BOUND = frozenset({Role.OEM, Role.OPERATOR})
AUDIT_READERS = frozenset({Role.ADMIN, Role.AUTHORITY})


@dataclass(frozen=True)
class Principal:
    id: str
    role: Role
    organisation: str | None = None
    label: str = ""

    @property
    def is_anonymous(self) -> bool:
        return self.id == "anonymous"

    def may_write(self, stage: Stage) -> bool:
        return stage in WRITE_STAGES[self.role]


ANONYMOUS = Principal(id="anonymous", role=Role.PUBLIC)


class InvalidToken(Exception):
    """The bearer token is unknown, malformed or revoked."""


@dataclass(frozen=True)
class IssuedToken:
    principal: Principal
    token: str


CACHE_SECONDS = 30.0


class PrincipalRegistry:
    """Principals stored as RDF in the principals graph (admin-only)."""

    def __init__(self, store: GraphStore, layout: GraphLayout, minter: IriMinter) -> None:
        self.store = store
        self.layout = layout
        self.minter = minter
        self._cache: dict[str, tuple[Principal, str, bool]] = {}
        self._lock = threading.Lock()
        self._loaded_at = 0.0
        self._migrate_legacy_graphs()
        self.reload()

    def _migrate_legacy_graphs(self) -> None:
        """Principals written before they had a base-independent graph lived in
        ``{base}graph/principals`` for whatever base IRI was in force then: move them, so tokens
        issued under another base IRI (another port) keep working."""
        from graph_service.services.sparql.named_queries import (
            INTERNAL_QUERIES_DIR,
            Dataset,
            NamedQueries,
        )

        every_graph = Dataset(default_graph=(), named_graphs=(), all_named=True)
        rows = NamedQueries(self.store, directory=INTERNAL_QUERIES_DIR).select(
            "legacy-principal-graphs", every_graph)
        legacy = [row["g"] for row in rows if row["g"] != self.layout.principals]
        if not legacy:
            return
        target = self.layout.principals
        # One atomic change: the principals copied into the target graph, the old graphs gone.
        self.store.apply(ChangeSet(
            drop_graphs=list(legacy),
            insert=[(s, p, o, target) for graph in legacy for s, p, o in self.store.graph(graph)],
        ))

    def _iri(self, principal_id: str) -> URIRef:
        return IriMinter(self.layout.base).principal(principal_id)

    def reload(self) -> None:
        # Imported here: services.sparql imports this package.
        from graph_service.services.sparql.named_queries import Dataset, NamedQueries

        principals = Dataset(default_graph=(self.layout.principals,), named_graphs=())
        cache = {}
        for row in NamedQueries(self.store).select("principals", principals):
            principal = Principal(
                id=str(row["id"]), role=Role(str(row["role"])),
                organisation=str(row["org"]) if "org" in row else None,
                label=str(row.get("label", "")),
            )
            cache[principal.id] = (principal, str(row["hash"]), str(row["revoked"]) == "true")
        with self._lock:
            self._cache = cache
            self._loaded_at = time.monotonic()

    def create(self, role: Role, organisation: str | None, label: str = "") -> IssuedToken:
        if organisation is not None:
            check_identifier(organisation, "organisation id")
        if role in OWNERSHIP_BOUND and organisation is None:
            raise ValueError(f"a {role.value} principal needs an organisation (--org)")
        principal_id = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        principal = Principal(principal_id, role, organisation, label)
        iri = self._iri(principal_id)
        graph = self.layout.principals
        quads = [
            (iri, RDF.type, DBP.Principal, graph),
            (iri, DBP.principalId, Literal(principal_id), graph),
            (iri, DBP.role, Literal(role.value), graph),
            (iri, DBP.tokenHash, Literal(_hash(secret)), graph),
            (iri, DBP.revoked, Literal(False), graph),
            (iri, DCTERMS.created, Literal(datetime.now(UTC).isoformat(timespec="seconds"),
                                           datatype=XSD.dateTime), graph),
        ]
        if organisation is not None:
            quads.append((iri, DBP.organisationId, Literal(organisation), graph))
            quads.append((iri, DBP.organisation, self.minter.organisation(organisation), graph))
        if label:
            quads.append((iri, DBP.label, Literal(label), graph))
        self.store.apply(ChangeSet(insert=quads))
        self.reload()
        return IssuedToken(principal, f"dbp_{principal_id}_{secret}")

    def revoke(self, principal_id: str) -> bool:
        if principal_id not in self._cache:
            return False
        iri = self._iri(check_identifier(principal_id, "principal id"))
        graph = self.layout.principals
        self.store.apply(ChangeSet(
            retract=[QuadPattern(graph, iri, DBP.revoked)],
            insert=[(iri, DBP.revoked, Literal(True), graph)],
        ))
        self.reload()
        return True

    def list(self) -> list[tuple[Principal, bool]]:
        return sorted(((p, revoked) for p, _, revoked in self._cache.values()),
                      key=lambda item: (item[0].role.value, item[0].id))

    def has_active_admin(self) -> bool:
        return any(p.role is Role.ADMIN and not revoked for p, _, revoked in
                   self._cache.values())

    def authenticate(self, token: str) -> Principal:
        # Tokens created or revoked by another worker (or the CLI on a shared store) take
        # effect here within CACHE_SECONDS.
        if time.monotonic() - self._loaded_at > CACHE_SECONDS:
            self.reload()
        parts = token.split("_", 2)
        if len(parts) != 3 or parts[0] != "dbp":
            raise InvalidToken("malformed token")
        entry = self._cache.get(parts[1])
        expected = entry[1] if entry else _hash("not-a-token")
        # Compare even when the id is unknown, so timing does not reveal valid ids.
        valid = hmac.compare_digest(_hash(parts[2]), expected)
        if entry is None or not valid:
            raise InvalidToken("unknown token")
        if entry[2]:
            raise InvalidToken("revoked token")
        return entry[0]


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
