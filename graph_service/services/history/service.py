"""Passport history for callers: versions, old versions as the caller may read them, lineage,
and the audit trail (admin and authority only)."""

from __future__ import annotations

from rdflib import Graph

from graph_service.model.answers import AuditRecord, BatteryHistory
from graph_service.model.iris import check_identifier
from graph_service.services.access import AUDIT_READERS, Principal
from graph_service.services.access.custody import CustodyRecords
from graph_service.services.access.datasets import readable_groups, reads_legitimate_interest
from graph_service.services.access.policy import AccessPolicy
from graph_service.services.history.audit import AuditTrail, VersionHistory
from graph_service.services.history.lineage import LineageService
from graph_service.services.passports import PassportRepository
from graph_service.services.sparql import SparqlService


class HistoryAccessDenied(PermissionError):
    """The caller's role may not read this part of the history."""


class UnknownVersion(LookupError):
    """No such battery or version."""


class HistoryService:
    def __init__(self, repository: PassportRepository, versions: VersionHistory,
                 audit: AuditTrail, lineage: LineageService, sparql: SparqlService,
                 custody: CustodyRecords, policy: AccessPolicy) -> None:
        self.repository = repository
        self.versions = versions
        self.audit = audit
        self.lineage = lineage
        self.sparql = sparql
        self.custody = custody
        self.policy = policy

    def history(self, battery_id: str, principal: Principal) -> BatteryHistory:
        """Versions (who, when, which stages) and the passport lineage of one battery.

        Who changed a passport is legitimate-interest information: it is shown to callers who
        read the battery's legitimate-interest data (the access policy and its custody record).
        The lineage is read over the caller's dataset: everyone sees which passports exist;
        why they were issued and whether the last is closed is battery status (Annex XIII
        4(c))."""
        bid = check_identifier(battery_id, "battery id")
        dataset = self.sparql.dataset_for(principal)
        passports = self.lineage.passports(
            bid, [g for g in dataset.default_graph if g is not None])
        if not passports and not self.repository.exists(bid):
            raise UnknownVersion(f"no battery {bid}")
        versions = []
        if reads_legitimate_interest(principal, self.custody.record(bid), self.policy):
            versions = self.versions.versions(bid)
        return BatteryHistory(battery=bid, versions=versions, passports=passports)

    def version(self, battery_id: str, number: int, principal: Principal) -> Graph:
        """Version ``number`` of the passport, restricted to the caller's access groups."""
        bid = check_identifier(battery_id, "battery id")
        groups = readable_groups(principal, self.custody.record(bid), self.policy)
        snapshot = self.versions.snapshot(bid, number, groups)
        if snapshot is None:
            raise UnknownVersion(f"battery {bid} has no version {number}")
        return snapshot

    def audit_records(self, principal: Principal, battery_id: str | None,
                      limit: int) -> list[AuditRecord]:
        if principal.role not in AUDIT_READERS:
            raise HistoryAccessDenied(
                "the audit trail is readable by administrators and authorities only")
        return [AuditRecord.model_validate(row)
                for row in self.audit.records(battery_id, limit=limit)]
