"""Custody transfers: the only way a battery's manufacturer or operator changes after creation.

Who may transfer:

* the operator: the current manufacturer (an ``oem`` principal of that organisation) assigns
  it; the current operator (an ``operator`` principal of that organisation) hands it over to the
  next one; an admin may do either;
* the manufacturer: the current manufacturer hands it over; or an admin.

The target must be a registered organisation. One atomic update changes the custody record, the
identity stage's ``dbp:manufacturer`` / ``dbp:operator`` triple (a new passport version attributed
to the transferring principal, so the passport keeps telling the truth), moves the battery's
legitimate-interest and derived triples to the partition of its new custody pair, and adds an
audit record naming the role, from and to. Refusals are audited as denied.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from rdflib import URIRef

from graph_service.model.answers import TransferAnswer
from graph_service.model.graphs import AccessGroup, Stage
from graph_service.model.iris import check_identifier
from graph_service.model.namespaces import DBP, SCHEMA
from graph_service.services.access import Principal, Role
from graph_service.services.access.custody import Custody
from graph_service.services.passports.ingest import IngestService
from graph_service.services.sparql.named_queries import INTERNAL_QUERIES_DIR, Dataset, NamedQueries

CustodyRole = Literal["manufacturer", "operator"]
_PREDICATES = {"manufacturer": (DBP.manufacturer, SCHEMA.manufacturer),
               "operator": (DBP.operator,)}


class TransferForbidden(PermissionError):
    """The principal does not hold the custody it tries to hand over."""


class InvalidTransfer(ValueError):
    """Unknown role or organisation (422)."""


class NoCustodyRecord(LookupError):
    """The battery has no custody record (404)."""


@dataclass
class TransferResult:
    battery: str
    role: str
    previous: str | None
    organisation: str
    changed: bool
    version: int | None

    def answer(self) -> TransferAnswer:
        return TransferAnswer(battery=self.battery, role=self.role, from_=self.previous,
                              to=self.organisation, changed=self.changed, version=self.version)


class CustodyTransfers:
    def __init__(self, ingest: IngestService) -> None:
        self.ingest = ingest
        self.custody = ingest.custody
        self.store = ingest.store
        self.layout = ingest.layout
        self.minter = ingest.minter

    def record(self, battery_id: str) -> Custody:
        bid = check_identifier(battery_id, "battery id")
        record = self.custody.record(bid)
        if record is None:
            raise NoCustodyRecord(f"battery {bid} has no custody record")
        return record

    def transfer(self, battery_id: str, role: str, organisation: str,
                 principal: Principal) -> TransferResult:
        bid = check_identifier(battery_id, "battery id")
        if role not in _PREDICATES:
            raise InvalidTransfer("role must be 'manufacturer' or 'operator'")
        org = check_identifier(organisation, "organisation id")
        audit = self.ingest.audit
        with self.ingest.write_lock:
            record = self.record(bid)
            previous = record.manufacturer if role == "manufacturer" else record.operator
            refusal = self._refusal(principal, record, role, bid)
            if refusal is not None:
                audit.write(audit.record(principal, "transfer-custody", "denied", battery_id=bid,
                                         detail=f"{role}: {refusal}"))
                raise TransferForbidden(refusal)
            if not self.ingest.organisations.exists(org):
                raise InvalidTransfer(
                    f"organisation {org} is not registered: PUT /organisations/{org} first")
            new = record.with_role(role, org)
            if new == record:
                return TransferResult(bid, role, previous, org, False, None)
            changes = self.custody.changes(bid, new)
            changes.extend(self.ingest.repository.move_changes(bid, record, new))
            number = None
            identity = self._identity_with(bid, role, org)
            if identity is not None:
                changes.extend(self.ingest.repository.stage_changes(
                    bid, {Stage.IDENTITY: identity}, new))
                versions, number = self.ingest.history.version_changes(
                    bid, {Stage.IDENTITY: identity}, principal, audit.principal_iri(principal))
                changes.extend(versions)
            changes.extend(audit.record(
                principal, "transfer-custody", "accepted", battery_id=bid,
                graphs=[self.layout.custody, self.layout.source(bid, Stage.IDENTITY)],
                detail=f"{role}: from {previous or 'nobody'} to {org}"))
            self.store.apply(changes)
            self.custody.applied()
            return TransferResult(bid, role, previous, org, True, number)

    def _refusal(self, principal: Principal, record: Custody, role: str,
                 battery_id: str) -> str | None:
        if principal.role is Role.ADMIN:
            return None
        org = principal.organisation
        if principal.role is Role.OEM and org is not None and org == record.manufacturer:
            return None  # the manufacturer assigns the operator or hands over manufacture
        if role == "operator" and principal.role is Role.OPERATOR and org is not None \
                and org == record.operator:
            return None  # hand-over to the next operator
        holder = "manufacturer" if role == "manufacturer" else "manufacturer or operator"
        return (f"organisation {org} ({principal.role.value}) cannot transfer the {role} of "
                f"battery {battery_id}: only its current {holder} or an admin can")

    def _identity_with(self, battery_id: str, role: str,
                       organisation: str) -> dict[AccessGroup, list] | None:
        """The stored identity stage by access group, with the role's triple replaced."""
        source = self.layout.source(battery_id, Stage.IDENTITY)
        if not self.store.contains_graph(source):
            return None
        battery = self.minter.battery(battery_id)
        by_group: dict[AccessGroup, list] = {}
        for group in AccessGroup:
            view = self.layout.view(group)
            part = NamedQueries(self.store, directory=INTERNAL_QUERIES_DIR).construct(
                "graph-triples-in-view", Dataset(default_graph=(), named_graphs=(source, view)),
                source=source, view=view)
            triples = [t for t in part
                       if not (t[0] == battery and t[1] in _PREDICATES[role])]
            if triples:
                by_group[group] = triples
        org_iri: URIRef = self.minter.organisation(organisation)
        # The custody predicates are public identity data (Annex VI Part A(1); DIN DKE SPEC
        # 99100 6.1.2.3).
        by_group.setdefault(AccessGroup.PUBLIC, []).append(
            (battery, _PREDICATES[role][0], org_iri))
        return by_group


__all__ = ["CustodyTransfers", "InvalidTransfer", "NoCustodyRecord", "TransferForbidden",
           "TransferResult"]
