"""Feedback: real outcomes of performed disassembly steps flow back into the rules.

``record(battery_id, outcomes, principal)``

1. appends one ``dbp:StepOutcome`` node per outcome (``{battery}/outcome/{uuid}``, linked with
   ``dbp:hasStepOutcome``) to the battery's **end-of-life** stage data and submits the combined
   stage through ``IngestService.submit_graph`` with the caller's principal, so stage permission,
   SHACL validation, audit, versioning and the battery's re-derivation happen in one atomic
   update - a caller that may not write end-of-life data changes nothing;
2. updates the fleet statistics graph incrementally, one atomic update per outcome under a lock:
   ``{base}id/statistics/step/{type}`` (``dbp:observationCount`` n+1, ``dbp:meanMinutes``
   mean + (x - mean)/(n+1)) and, for a stripped fastener, ``{base}id/statistics/fastener/{type}``
   (``dbp:strippedCount`` + 1). Each update touches one node, so its cost does not depend on the
   number of batteries;
3. re-derives the battery, so the answer already shows the new estimates and cautions.

Rules ``32-step-estimates`` and ``33-stripped-fastener-caution`` read these statistics. Other
batteries see the new statistics when they are next derived (their next write, or
``dbp derive --all`` to refresh the whole fleet): the statistics are fleet-wide, re-deriving every
battery on each feedback would make a feedback call cost O(fleet).
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from pydantic import BaseModel, Field
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, XSD
from rdflib.term import Node

from graph_service.model.answers import FeedbackResult, OutcomeOut, StatisticsOut
from graph_service.model.graphs import GraphLayout, Stage
from graph_service.model.iris import IriMinter
from graph_service.model.namespaces import DBP
from graph_service.model.terms import vocab
from graph_service.services.access import Principal
from graph_service.services.derivation.rules import RuleRunner
from graph_service.services.facade.reading import (
    GraphReader,
    first,
    integer,
    local_name,
    number,
    vocab_iri,
)
from graph_service.services.passports.ingest import IngestService, StageNotPermitted
from graph_service.services.procedures import ProcedureService
from graph_service.services.sparql import Dataset
from graph_service.store.base import ChangeSet, GraphStore

FASTENER_NONE = vocab("fastener", "none")
_MEAN_PLACES = Decimal("0.000001")


class InvalidFeedback(ValueError):
    """A step outcome that cannot be recorded (unknown step, fastener or tool type...)."""


# -- input -------------------------------------------------------------------------------------
class StepOutcomeIn(BaseModel):
    stepType: str = Field(description="Step type IRI or local name, e.g. 'remove-cover'.",
                          min_length=1, max_length=300)
    actualMinutes: float | None = Field(None, ge=0, le=100_000,
                                        description="Minutes the step really took.")
    strippedFastener: bool = False
    fastenerType: str | None = Field(
        None, max_length=300,
        description="Fastener type local name (e.g. 'torx-screw'); inferred from the step's "
                    "joints when a fastener stripped and this is omitted.")
    damagedTab: bool = False
    toolUsed: str | None = Field(None, max_length=300, description="Tool local name.")
    note: str | None = Field(None, max_length=2000)


class FeedbackIn(BaseModel):
    outcomes: list[StepOutcomeIn] = Field(min_length=1, max_length=200)


@dataclass(frozen=True)
class _Outcome:
    iri: URIRef
    step_type: URIRef
    minutes: Decimal | None
    stripped: bool
    fastener: URIRef | None
    damaged_tab: bool
    tool: URIRef | None
    note: str | None


class FeedbackService:
    def __init__(self, store: GraphStore, layout: GraphLayout, minter: IriMinter,
                 reader: GraphReader, ingest: IngestService, rules: RuleRunner,
                 procedures: ProcedureService) -> None:
        self.store = store
        self.layout = layout
        self.minter = minter
        self.reader = reader
        self.ingest = ingest
        self.rules = rules
        self.procedures = procedures
        # Statistics read-modify-write is serialised (the stage write is merged by the ingest
        # under its write lock).
        self._statistics_lock = threading.Lock()

    def record(self, battery_id: str, outcomes: list[StepOutcomeIn],
               principal: Principal) -> FeedbackResult:
        battery = self.reader.require_battery(battery_id)
        if not principal.may_write(Stage.END_OF_LIFE):
            self.ingest.audit.write(self.ingest.audit.record(
                principal, "write-feedback", "denied", battery_id=battery_id,
                detail="stages not permitted: end-of-life"))
            raise StageNotPermitted([Stage.END_OF_LIFE.value])
        if not outcomes:
            raise InvalidFeedback("send at least one step outcome")
        now = Literal(datetime.now(UTC).isoformat(timespec="seconds"), datatype=XSD.dateTime)
        resolved = [self._resolve(battery_id, battery, o, principal) for o in outcomes]

        added = Graph()
        for outcome in resolved:
            for triple in _outcome_triples(battery, outcome, now):
                added.add(triple)
        # Added to the stored passport, replacing nothing: the ingest merges it with what is
        # stored when it commits, so a write to the same stage in between is not lost.
        ingested = self.ingest.submit_graph(added, principal=principal, battery_id=battery_id,
                                            replaces=_nothing)

        touched: dict[URIRef, URIRef] = {}
        for outcome in resolved:
            touched.update(self._update_statistics(outcome))
        self.rules.rederive(battery_id)
        steps = self.procedures.disassembly_steps(battery_id, principal)
        derived_at = self.procedures.hazards(battery_id, principal).derivedAt
        reader = self.reader
        return FeedbackResult(
            battery=battery_id, version=ingested.version,
            outcomes=[
                OutcomeOut(
                    iri=str(o.iri), stepType=reader.concept(o.step_type),  # type: ignore[arg-type]
                    actualMinutes=float(o.minutes) if o.minutes is not None else None,
                    strippedFastener=o.stripped, fastenerType=reader.concept(o.fastener),
                    damagedTab=o.damaged_tab, toolUsed=reader.concept(o.tool), note=o.note,
                    recordedAt=str(now),
                )
                for o in resolved
            ],
            statistics=[self._statistics(node, of) for node, of in sorted(touched.items())],
            derivedAt=derived_at,
            disassemblySteps=steps,
        )

    # -- input -------------------------------------------------------------------------------------
    def _resolve(self, battery_id: str, battery: URIRef, outcome: StepOutcomeIn,
                 principal: Principal) -> _Outcome:
        step_type = vocab_iri(outcome.stepType, "step", "step type")
        if not self.reader.vocabulary("disassembly-step-type", t=step_type):
            raise InvalidFeedback(
                f"unknown step type {outcome.stepType!r}: use a dbp:DisassemblyStepType of "
                "rules/parameters.ttl, e.g. 'remove-cover'")
        fastener = None
        if outcome.fastenerType:
            fastener = vocab_iri(outcome.fastenerType, "fastener", "fastener type")
            self._require_concept(fastener, DBP.FastenerTypeScheme, "fastener type",
                                  outcome.fastenerType)
        elif outcome.strippedFastener:
            fastener = self._infer_fastener(battery, step_type, principal, outcome.stepType)
        tool = None
        if outcome.toolUsed:
            tool = vocab_iri(outcome.toolUsed, "tool", "tool")
            self._require_concept(tool, DBP.ToolScheme, "tool", outcome.toolUsed)
        minutes = None
        if outcome.actualMinutes is not None:
            minutes = Decimal(str(outcome.actualMinutes))
        return _Outcome(
            iri=self.minter.part(battery_id, "outcome", uuid.uuid4().hex),
            step_type=step_type, minutes=minutes, stripped=outcome.strippedFastener,
            fastener=fastener, damaged_tab=outcome.damagedTab, tool=tool,
            note=outcome.note or None,
        )

    def _require_concept(self, iri: URIRef, scheme: URIRef, what: str, given: str) -> None:
        schemes = {row.get("scheme") for row in self.reader.vocabulary("concept-schemes", c=iri)}
        if scheme not in schemes:
            raise InvalidFeedback(f"unknown {what} {given!r} (not in {local_name(str(scheme))})")

    def _infer_fastener(self, battery: URIRef, step_type: URIRef, principal: Principal,
                        given: str) -> URIRef:
        rows = self.reader.select("step-fasteners", self.reader.dataset(principal), b=battery,
                                  type=step_type)
        found = sorted({row["f"] for row in rows if row.get("f") not in (None, FASTENER_NONE)},
                       key=str)
        if len(found) != 1:
            raise InvalidFeedback(
                f"a stripped fastener on step {given!r} needs fastenerType: the battery's "
                f"step has {len(found)} fastener type(s) "
                f"({', '.join(local_name(str(f)) for f in found) or 'none'})")
        return found[0]  # type: ignore[return-value]

    # -- statistics --------------------------------------------------------------------------
    def _statistics_iri(self, kind: str, concept: URIRef) -> URIRef:
        return self.minter.statistics(kind, local_name(str(concept)))

    def _read_node(self, node: URIRef) -> dict[Node, list[Node]]:
        statistics = Dataset(default_graph=(self.layout.statistics,), named_graphs=())
        return self.reader.properties(node, statistics)

    def _update_statistics(self, outcome: _Outcome) -> dict[URIRef, URIRef]:
        """One atomic update for this outcome; returns {statistics node: what it counts}."""
        graph = self.layout.statistics
        touched: dict[URIRef, URIRef] = {}
        with self._statistics_lock:
            changes = ChangeSet()
            if outcome.minutes is not None:
                node = self._statistics_iri("step", outcome.step_type)
                current = self._read_node(node)
                count = integer(first(current, DBP.observationCount)) or 0
                old_mean = first(current, DBP.meanMinutes)
                mean = Decimal(str(old_mean)) if old_mean is not None else Decimal(0)
                count += 1
                mean = (mean + (outcome.minutes - mean) / count).quantize(_MEAN_PLACES)
                changes.delete.extend((node, predicate, value, graph)
                                      for predicate in (DBP.observationCount, DBP.meanMinutes)
                                      for value in current.get(predicate, []))
                changes.insert.extend([
                    (node, RDF.type, DBP.StepStatistics, graph),
                    (node, DBP.statisticsOf, outcome.step_type, graph),
                    (node, DBP.observationCount, Literal(count), graph),
                    (node, DBP.meanMinutes, Literal(format(mean, "f"), datatype=XSD.decimal),
                     graph),
                ])
                touched[node] = outcome.step_type
            if outcome.stripped and outcome.fastener is not None:
                node = self._statistics_iri("fastener", outcome.fastener)
                current = self._read_node(node)
                stripped = (integer(first(current, DBP.strippedCount)) or 0) + 1
                changes.delete.extend((node, DBP.strippedCount, value, graph)
                                      for value in current.get(DBP.strippedCount, []))
                changes.insert.extend([
                    (node, RDF.type, DBP.StepStatistics, graph),
                    (node, DBP.statisticsOf, outcome.fastener, graph),
                    (node, DBP.strippedCount, Literal(stripped), graph),
                ])
                touched[node] = outcome.fastener
            self.store.apply(changes)
        return touched

    def _statistics(self, node: URIRef, of: URIRef) -> StatisticsOut:
        current = self._read_node(node)
        return StatisticsOut(
            iri=str(node), of=self.reader.concept(of),  # type: ignore[arg-type]
            observationCount=integer(first(current, DBP.observationCount)),
            meanMinutes=number(first(current, DBP.meanMinutes)),
            strippedCount=integer(first(current, DBP.strippedCount)),
        )


def _nothing(_triple: object) -> bool:
    return False


def _outcome_triples(battery: URIRef, outcome: _Outcome, now: Literal):
    o = outcome.iri
    yield battery, DBP.hasStepOutcome, o
    yield o, RDF.type, DBP.StepOutcome
    yield o, DBP.stepType, outcome.step_type
    yield o, PROV.generatedAtTime, now
    yield o, DBP.strippedFastener, Literal(outcome.stripped)
    yield o, DBP.damagedTab, Literal(outcome.damaged_tab)
    if outcome.minutes is not None:
        yield o, DBP.actualMinutes, Literal(format(outcome.minutes, "f"), datatype=XSD.decimal)
    if outcome.fastener is not None:
        yield o, DBP.affectedFastenerType, outcome.fastener
    if outcome.tool is not None:
        yield o, DBP.toolUsed, outcome.tool
    if outcome.note:
        yield o, DBP.note, Literal(outcome.note)


__all__ = [
    "FeedbackIn",
    "FeedbackService",
    "InvalidFeedback",
    "StepOutcomeIn",
]
