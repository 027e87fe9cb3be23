"""Passport lineage: which passports a battery has had, and whether the last one is closed.

Regulation (EU) 2023/1542 Art. 77(6): a battery that is repurposed or remanufactured gets a new
passport linked to the old one; DIN DKE SPEC 99100 records repairs as 're-used' without a new
passport. A battery that became waste keeps its passport readable, but closed.

The lineage is computed from the battery's own data (service records' resulting status, end of
life records) on every accepted write and replaces that battery's lineage nodes in the shared,
publicly readable lineage graph, in the same atomic update as the data.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF
from rdflib.term import Node

from graph_service.model.graphs import GraphLayout
from graph_service.model.iris import IriMinter, check_identifier
from graph_service.model.namespaces import DBP
from graph_service.store import ChangeSet, GraphStore

STATUS = "https://w3id.org/dbp/vocab/status/"
REISSUE_STATUSES = (URIRef(STATUS + "repurposed"), URIRef(STATUS + "remanufactured"))
WASTE = URIRef(STATUS + "waste")
ORIGINAL = URIRef(STATUS + "original")
RECYCLING = URIRef("https://w3id.org/dbp/vocab/pathway/recycling")


@dataclass(frozen=True)
class PassportIssue:
    number: int
    iri: str
    issued_at: str | None
    reason: str
    state: str
    closed_at: str | None
    predecessor: str | None
    successor: str | None


class LineageService:
    def __init__(self, store: GraphStore, layout: GraphLayout, minter: IriMinter) -> None:
        self.store = store
        self.layout = layout
        self.minter = minter

    def lineage_changes(self, battery_id: str, data: Graph) -> ChangeSet:
        """The update that makes the lineage graph match the battery's data."""
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
        # Replace this battery's lineage nodes only: an index lookup on the battery, never a
        # scan of the lineage graph.
        passport_of, current_status = DBP.passportOf, DBP.currentStatus
        retract = (
            f"DELETE {{ GRAPH <{graph}> {{ ?p ?x ?y . <{battery}> <{current_status}> ?s }} }} "
            f"WHERE {{ {{ GRAPH <{graph}> {{ ?p <{passport_of}> <{battery}> ; ?x ?y }} }} "
            f"UNION {{ GRAPH <{graph}> {{ <{battery}> <{current_status}> ?s }} }} }}"
        )
        return ChangeSet(sparql_before=[retract], insert=quads)

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

    def passports(self, battery_id: str) -> list[PassportIssue]:
        battery = self.minter.battery(check_identifier(battery_id, "battery id"))
        result = self.store.query(
            "PREFIX dbp: <https://w3id.org/dbp#> PREFIX prov: <http://www.w3.org/ns/prov#> "
            "SELECT ?battery ?p ?n ?issued ?reason ?state ?closed ?previous ?next WHERE { "
            "?p dbp:passportOf ?battery ; dbp:passportNumber ?n ; dbp:issueReason ?reason ; "
            "dbp:passportState ?state . OPTIONAL { ?p dbp:issuedAt ?issued } "
            "OPTIONAL { ?p dbp:closedAt ?closed } OPTIONAL { ?p prov:wasRevisionOf ?previous } "
            "OPTIONAL { ?p dbp:succeededBy ?next } } ORDER BY ?n",
            bindings={"battery": battery},
            default_graph=[self.layout.lineage],
        )
        return [
            PassportIssue(
                number=int(row["n"]), iri=str(row["p"]),
                issued_at=str(row["issued"]) if "issued" in row else None,
                reason=str(row["reason"]).rsplit("/", 1)[-1], state=str(row["state"]),
                closed_at=str(row["closed"]) if "closed" in row else None,
                predecessor=str(row["previous"]) if "previous" in row else None,
                successor=str(row["next"]) if "next" in row else None,
            )
            for row in result.rows()
        ]


__all__ = ["LineageService", "PassportIssue"]
