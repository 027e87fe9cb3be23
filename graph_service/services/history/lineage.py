"""Passport lineage: which passports a battery has had, and whether the last one is closed.

Regulation (EU) 2023/1542 Art. 77(6): a battery that is repurposed or remanufactured gets a new
passport linked to the old one; DIN DKE SPEC 99100 records repairs as 're-used' without a new
passport. A battery that became waste keeps its passport readable, but closed.

The lineage is computed from the battery's own data (service records' resulting status, end of
life records) on every accepted write, in the same atomic update as the data. Each fact goes
where its ontology classification (``dbp:accessGroup``) says: the public ones (which passports
exist, their numbers, dates and links) replace that battery's nodes in the shared lineage graph
that every caller reads; the battery-status ones (Annex XIII 4(c): why a passport was issued,
whether it is closed and when, the current status) replace the battery's own lineage graph
(``graph/battery/{id}/lineage``) and its triples in the legitimate-interest views, so they are
read exactly like the rest of the battery's legitimate-interest data.
"""

from __future__ import annotations

from collections.abc import Callable

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF
from rdflib.term import Node

from graph_service.model.answers import PassportIssue
from graph_service.model.graphs import AccessGroup, GraphLayout
from graph_service.model.iris import IriMinter, check_identifier
from graph_service.model.namespaces import DBP
from graph_service.model.terms import vocab
from graph_service.services.access.custody import Custody
from graph_service.services.passports import PassportRepository, StagedTriples
from graph_service.services.passports.classify import DEFAULT_GROUP, TermAnnotations
from graph_service.services.sparql import Dataset
from graph_service.services.sparql.named_queries import INTERNAL_QUERIES_DIR, NamedQueries
from graph_service.store.base import ChangeSet, GraphStore, QuadPattern

REISSUE_STATUSES = (vocab("status", "repurposed"), vocab("status", "remanufactured"))
WASTE = vocab("status", "waste")
ORIGINAL = vocab("status", "original")
RECYCLING = vocab("pathway", "recycling")


class LineageService:
    def __init__(self, store: GraphStore, layout: GraphLayout, minter: IriMinter,
                 repository: PassportRepository,
                 annotations: Callable[[], TermAnnotations]) -> None:
        self.store = store
        self.layout = layout
        self.minter = minter
        self.repository = repository
        self._annotations = annotations

    def group(self, predicate: URIRef) -> AccessGroup:
        """A lineage fact's access group: its predicate's classification in the ontology."""
        if predicate in (RDF.type, PROV.wasRevisionOf):
            return AccessGroup.PUBLIC  # structure of the public passport chain
        return self._annotations().groups.get(predicate, DEFAULT_GROUP)

    def restricted_predicates(self) -> list[URIRef]:
        """The lineage predicates kept out of the public lineage graph (by the ontology)."""
        written = [DBP.passportOf, DBP.passportNumber, DBP.issueReason, DBP.issuedAt,
                   DBP.succeededBy, DBP.passportState, DBP.closedAt, DBP.currentStatus]
        return [p for p in written if self.group(p) is not AccessGroup.PUBLIC]

    def write_changes(self, battery_id: str, data: Graph, staged: StagedTriples,
                      custody: Custody | None) -> ChangeSet:
        """``lineage_changes`` as a follow-up step of a passport write (ingest's ``FollowUp``;
        the lineage follows from the whole passport, whichever stages are written)."""
        return self.lineage_changes(battery_id, data, custody)

    def lineage_changes(self, battery_id: str, data: Graph,
                        custody: Custody | None = None) -> ChangeSet:
        """The update that makes the lineage graphs match the battery's data."""
        battery = self.minter.battery(battery_id)
        graph = self.layout.lineage
        issues: list[tuple[Node | None, URIRef]] = [
            (data.value(battery, DBP.manufacturingDate), data.value(battery, DBP.batteryStatus)
             or ORIGINAL)]
        reissues = sorted(
            ((data.value(record, DBP.completedAt), status)
             for record in data.objects(battery, DBP.hasServiceRecord)
             for status in data.objects(record, DBP.resultingStatus)
             if status in REISSUE_STATUSES),
            key=lambda item: str(item[0]))
        issues.extend(reissues)  # type: ignore[arg-type]
        closed_at = self._closure(battery, data)
        current = self._current_status(battery, data)
        quads = []
        for number, (issued, reason) in enumerate(issues, start=1):
            passport = self.minter.passport(battery_id, number)
            quads += [
                (passport, RDF.type, DBP.BatteryPassport, graph),
                (passport, DBP.passportOf, battery, graph),
                (passport, DBP.passportNumber, Literal(number), graph),
                (passport, DBP.issueReason, reason, graph),
            ]
            if issued is not None:
                quads.append((passport, DBP.issuedAt, issued, graph))
            if number > 1:
                previous = self.minter.passport(battery_id, number - 1)
                quads.append((passport, PROV.wasRevisionOf, previous, graph))
                quads.append((previous, DBP.succeededBy, passport, graph))
            last = number == len(issues)
            state = "closed" if (last and closed_at is not None) or not last else "active"
            quads.append((passport, DBP.passportState, Literal(state), graph))
            if last and closed_at is not None:
                quads.append((passport, DBP.closedAt, closed_at, graph))
        quads.append((battery, DBP.currentStatus, current, graph))
        public = [q for q in quads if self.group(q[1]) is AccessGroup.PUBLIC]
        restricted: dict[AccessGroup, list] = {}
        for s, p, o, _ in quads:
            group = self.group(p)
            if group is not AccessGroup.PUBLIC:
                restricted.setdefault(group, []).append((s, p, o))
        # Replace this battery's public lineage nodes only: an index lookup on the battery,
        # never a scan of the lineage graph. Read now (the caller holds the write lock of the
        # battery's writes) and retracted as data, so a fresh battery's write has nothing to
        # remove and commits through the engine's quad API (store/oxigraph.py apply).
        stored = NamedQueries(self.store, directory=INTERNAL_QUERIES_DIR).select(
            "lineage-passport-nodes", Dataset(default_graph=(graph,), named_graphs=()),
            battery=battery)
        changes = ChangeSet(
            retract=[QuadPattern(graph=graph, subject=row["passport"])  # type: ignore[arg-type]
                     for row in stored],
            insert=public)
        own = self.repository.source_changes(
            battery_id, self.layout.lineage_source(battery_id), restricted, custody)
        changes.delete.extend(own.delete)
        changes.drop_graphs.extend(own.drop_graphs)
        changes.insert.extend(own.insert)
        return changes

    @staticmethod
    def _closure(battery: URIRef, data: Graph) -> Node | None:
        times = [
            data.value(record, DBP.completedAt) or Literal("unknown")
            for record in data.objects(battery, DBP.hasEndOfLifeRecord)
            if (record, DBP.pathway, RECYCLING) in data
        ]
        times += [data.value(record, DBP.completedAt) or Literal("unknown")
                  for record in data.objects(battery, DBP.hasServiceRecord)
                  if (record, DBP.resultingStatus, WASTE) in data]
        if (battery, DBP.batteryStatus, WASTE) in data:
            times.append(Literal("unknown"))
        dated = sorted((t for t in times if str(t) != "unknown"), key=str)
        if dated:
            return dated[0]
        return Literal("unknown") if times else None

    @staticmethod
    def _current_status(battery: URIRef, data: Graph) -> URIRef:
        latest: tuple[str, URIRef] | None = None
        for record in data.objects(battery, DBP.hasServiceRecord):
            for status in data.objects(record, DBP.resultingStatus):
                when = str(data.value(record, DBP.completedAt) or "")
                if isinstance(status, URIRef) and (latest is None or when > latest[0]):
                    latest = (when, status)
        if LineageService._closure(battery, data) is not None:
            return WASTE
        if latest is not None:
            return latest[1]
        initial = data.value(battery, DBP.batteryStatus)
        return initial if isinstance(initial, URIRef) else ORIGINAL

    def passports(self, battery_id: str,
                  default_graph: list[URIRef] | None = None) -> list[PassportIssue]:
        """The passports of a battery as a caller reads them (``default_graph``: the caller's
        dataset; by default the public lineage only). Status facts it may not read are None."""
        battery = self.minter.battery(check_identifier(battery_id, "battery id"))
        graphs = Dataset(default_graph=tuple(default_graph or [self.layout.lineage]),
                         named_graphs=())
        rows = NamedQueries(self.store).select("passport-issues", graphs, battery=battery)
        return [
            PassportIssue(
                number=int(row["n"]), iri=str(row["p"]),
                issued_at=str(row["issued"]) if "issued" in row else None,
                reason=str(row["reason"]).rsplit("/", 1)[-1] if "reason" in row else None,
                state=str(row["state"]) if "state" in row else None,
                closed_at=str(row["closed"]) if "closed" in row else None,
                predecessor=str(row["previous"]) if "previous" in row else None,
                successor=str(row["next"]) if "next" in row else None,
            )
            for row in rows
        ]


__all__ = ["LineageService", "PassportIssue"]
