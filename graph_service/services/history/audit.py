"""Audit trail and passport versions, as PROV-O in dedicated graphs.

Audit: every accepted write and every denied or rejected attempt is a ``dbp:AuditRecord``
(``prov:Activity``) in the audit graph: who (principal, organisation), when, operation, battery,
graphs, content hash, outcome. Accepted writes add their record in the same atomic update as the
data, so the trail can never miss a committed change; denials are recorded on their own.

Versions: every accepted change of a battery's data is version N+1 (``dbp:PassportVersion``,
``prov:Entity``) with author, time, changed stages and content hash. The stage contents written
by that version are kept in ``graph/battery/{id}/version/{n}/{stage}``; version N of a passport is,
for each stage, the newest version <= N that wrote it.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, XSD
from rdflib.term import Node

from graph_service.model.answers import VersionInfo
from graph_service.model.graphs import AccessGroup, GraphLayout, Stage
from graph_service.model.iris import IriMinter, check_identifier
from graph_service.model.namespaces import DBP
from graph_service.services.access import Principal
from graph_service.services.sparql import Dataset
from graph_service.services.sparql.named_queries import INTERNAL_QUERIES_DIR, NamedQueries
from graph_service.store.base import ChangeSet, GraphStore

Triple = tuple[Node, Node, Node]


def content_hash(triples: Iterable[Triple]) -> str:
    lines = sorted(" ".join(t.n3() for t in triple) for triple in triples)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def _now() -> Literal:
    return Literal(datetime.now(UTC).isoformat(timespec="milliseconds"), datatype=XSD.dateTime)


class AuditTrail:
    def __init__(self, store: GraphStore, layout: GraphLayout, minter: IriMinter) -> None:
        self.store = store
        self.layout = layout
        self.minter = minter

    def principal_iri(self, principal: Principal) -> URIRef:
        return self.minter.principal(principal.id)

    def record(
        self,
        principal: Principal,
        operation: str,
        outcome: str,
        *,
        battery_id: str | None = None,
        graphs: Sequence[URIRef] = (),
        digest: str | None = None,
        detail: str | None = None,
    ) -> ChangeSet:
        """The change that adds one audit record (apply it alone, or merge it into a write)."""
        record = self.minter.audit_record(uuid.uuid4().hex)
        g = self.layout.audit
        quads = [
            (record, RDF.type, DBP.AuditRecord, g),
            (record, RDF.type, PROV.Activity, g),
            (record, PROV.wasAssociatedWith, self.principal_iri(principal), g),
            (record, DBP.role, Literal(principal.role.value), g),
            (record, PROV.startedAtTime, _now(), g),
            (record, DBP.operation, Literal(operation), g),
            (record, DBP.outcome, Literal(outcome), g),
        ]
        if principal.organisation:
            quads.append((record, DBP.organisationId, Literal(principal.organisation), g))
        if battery_id is not None:
            quads.append((record, DBP.battery, self.minter.battery(battery_id), g))
            quads.append((record, DBP.batteryId, Literal(battery_id), g))
        quads.extend((record, DBP.graph, graph, g) for graph in graphs)
        if digest:
            quads.append((record, DBP.contentHash, Literal(digest), g))
        if detail:
            quads.append((record, DBP.detail, Literal(detail[:1000]), g))
        return ChangeSet(insert=quads)

    def write(self, changes: ChangeSet) -> None:
        self.store.apply(changes)

    def records(self, battery_id: str | None = None, limit: int = 500) -> list[dict[str, str]]:
        bindings = {}
        if battery_id is not None:
            bindings["battery"] = self.minter.battery(check_identifier(battery_id, "battery id"))
        rows = NamedQueries(self.store).select("audit-records", _audit_graph(self.layout),
                                               limit=int(limit), **bindings)
        return [{k: str(v) for k, v in row.items()} for row in rows]


def _audit_graph(layout: GraphLayout) -> Dataset:
    return Dataset(default_graph=(layout.audit,), named_graphs=())


class VersionHistory:
    def __init__(self, store: GraphStore, layout: GraphLayout, minter: IriMinter) -> None:
        self.store = store
        self.layout = layout
        self.minter = minter


    def versions(self, battery_id: str) -> list[VersionInfo]:
        battery = self.minter.battery(check_identifier(battery_id, "battery id"))
        rows = NamedQueries(self.store).select("passport-versions", _audit_graph(self.layout),
                                               battery=battery)
        return [
            VersionInfo(
                number=int(row["n"]), iri=str(row["v"]), author=str(row["author"]),
                organisation=str(row["org"]) if "org" in row else None, time=str(row["time"]),
                stages=sorted(str(row["stages"]).split()), content_hash=str(row["hash"]),
            )
            for row in rows
        ]

    def next_number(self, battery_id: str) -> int:
        versions = self.versions(battery_id)
        return versions[-1].number + 1 if versions else 1

    def version_changes(
        self,
        battery_id: str,
        staged: Mapping[Stage, Mapping[AccessGroup, Sequence[Triple]]],
        principal: Principal,
        principal_iri: URIRef,
        predecessor: URIRef | None = None,
    ) -> tuple[ChangeSet, int]:
        versions = self.versions(battery_id)
        number = versions[-1].number + 1 if versions else 1
        battery = self.minter.battery(battery_id)
        version = self.minter.version(battery_id, number)
        g = self.layout.audit
        all_triples = [t for by_group in staged.values() for ts in by_group.values() for t in ts]
        quads = [
            (version, RDF.type, DBP.PassportVersion, g),
            (version, RDF.type, PROV.Entity, g),
            (version, DBP.versionOf, battery, g),
            (version, DBP.versionNumber, Literal(number), g),
            (version, PROV.generatedAtTime, _now(), g),
            (version, PROV.wasAttributedTo, principal_iri, g),
            (version, DBP.contentHash, Literal(content_hash(all_triples)), g),
        ]
        if principal.organisation:
            quads.append((version, DBP.organisationId, Literal(principal.organisation), g))
        if number > 1:
            quads.append((version, PROV.wasRevisionOf, self.minter.version(battery_id, number - 1),
                          g))
        # Versions as deltas: a stage's latest version is its current stage graph, so a version
        # stores no copy of what it writes; the content it replaces is copied (as data: the
        # caller holds the write lock) into the history graphs of the version that wrote it,
        # split by the access views that hold it, in the update that replaces the stage.
        writers = self._latest_writers(versions)
        for stage in staged:
            quads.append((version, DBP.changedStage, Literal(stage.value), g))
            previous = writers.get(stage.value)
            if previous is None:
                continue
            for group in AccessGroup:
                target = self.layout.version(battery_id, previous, stage, group)
                quads.extend((s, p, o, target)
                             for s, p, o in self._stage_in_view(battery_id, stage, group))
        return ChangeSet(insert=quads), number

    def _stage_in_view(self, battery_id: str, stage: Stage, group: AccessGroup) -> Graph:
        """The battery's current ``stage`` triples that the view of ``group`` holds."""
        source, view = self.layout.source(battery_id, stage), self.layout.view(group)
        return NamedQueries(self.store, directory=INTERNAL_QUERIES_DIR).construct(
            "graph-triples-in-view", Dataset(default_graph=(), named_graphs=(source, view)),
            source=source, view=view)

    @staticmethod
    def _latest_writers(versions: Iterable[VersionInfo]) -> dict[str, int]:
        """Per stage, the number of the last version that wrote it."""
        latest: dict[str, int] = {}
        for version in versions:
            for stage in version.stages:
                latest[stage] = version.number
        return latest

    def snapshot(self, battery_id: str, number: int,
                 groups: Iterable[AccessGroup] = tuple(AccessGroup)) -> Graph | None:
        """Version ``number`` of a passport as the given access groups may read it."""
        every_version = self.versions(battery_id)
        versions = [v for v in every_version if v.number <= number]
        if not any(v.number == number for v in versions):
            return None
        latest = self._latest_writers(versions)
        current = self._latest_writers(every_version)
        graph = Graph()
        readable = list(groups)
        for stage, version_number in latest.items():
            if current.get(stage) == version_number:
                # Not superseded: the version's content is the stage graph, read through the
                # views of the caller's groups (as the history graphs split it).
                for group in readable:
                    graph += self._stage_in_view(battery_id, Stage(stage), group)
                continue
            for group in readable:
                graph += self.store.graph(self.layout.version(battery_id, version_number,
                                                              Stage(stage), group))
        return graph
