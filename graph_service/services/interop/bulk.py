"""Bulk import of many passports: parse, validate and derive in worker processes; commit in
batches in the parent, while the workers go on.

Format-agnostic: the pipeline takes documents (bytes and a name for the report) and a *prepare*
function that turns one document into a passport graph in a worker: ``prepare_rdf`` for RDF
passports (what ``POST /passports`` accepts), ``prepare_partner`` for partner formats (Catena-X,
BattINFO JSON-LD; what ``POST /import`` accepts), or any picklable function of the same shape.

Per document, in a worker (``services`` built once per worker over a private in-memory store
holding the ontology, shapes and rules): prepare -> normalise -> classify -> SHACL -> rules.
In the parent, per passport: permission and ownership checks (from the stored facts, as ingest
does), then the passport joins a batch. A batch of fresh passports is ONE atomic store update
(source graphs, views, derived graphs, versions, audit records, lineage); if it fails, each of
its passports is committed on its own, so one bad passport never takes others with it. A
passport of a battery that is already stored (or appears twice in the input) goes through
``IngestService.submit_graph``: its validation needs the stored stages it keeps.

Atomic per passport: a passport is written whole or not at all, and a rejected one (its
report says why) changes nothing. ``workers=0`` runs the same steps in the calling process
(one document through ``POST /import``, tests).
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from rdflib import Graph
from rdflib.term import Node

from graph_service.config import Settings
from graph_service.model.answers import BulkDocumentOutcome
from graph_service.model.graphs import AccessGroup, Stage
from graph_service.services.access import Principal
from graph_service.services.access.custody import UNASSIGNED, Custody
from graph_service.services.history.audit import content_hash
from graph_service.services.interop.provenance import keep_first_receipts
from graph_service.services.passports import group_by_classification
from graph_service.services.passports.classify import classify
from graph_service.services.passports.ingest import (
    IdentifierConflict,
    IngestResult,
    NotOwner,
    StageNotPermitted,
    ValidationFailed,
)
from graph_service.store.base import ChangeSet, RdfFormat

Triple = tuple[Node, Node, Node]
Staged = dict[Stage, dict[AccessGroup, list[Triple]]]


@dataclass
class Prepared:
    """One document as a passport graph, in a worker."""

    graph: Graph
    warnings: list[str]
    battery_id: str | None  # if the document says
    # A partner document that is part of a passport (one Battery Pass aspect: it replaces only
    # what it said before): its format name.
    partial_format: str | None = None
    # SHACL violations as problems at the document's fields (partner documents); None: as is.
    locate: Callable[[list[Any]], list[dict]] | None = None


# (services, document) -> Prepared, or the tuple (graph, warnings, battery id[, partial
# format]); picklable
Prepare = Callable[[Any, "BulkDocument"], "Prepared | tuple"]

DEFAULT_BATCH = 16


@dataclass(frozen=True)
class BulkDocument:
    name: str  # file name or position: how the report names the document
    body: bytes
    media_type: str | None = None  # for RDF documents, when the pipeline's is not fixed


@dataclass
class BulkOutcome:
    """What happened to one document."""

    name: str
    battery_id: str | None = None
    committed: bool = False
    version: int | None = None
    error: str | None = None  # why it was rejected (mapping, permission, ownership...)
    violations: list[dict] = field(default_factory=list)  # SHACL report, when invalid
    warnings: list[str] = field(default_factory=list)
    triples: int = 0

    def answer(self) -> BulkDocumentOutcome:
        return BulkDocumentOutcome(
            document=self.name, battery=self.battery_id, committed=self.committed,
            version=self.version, error=self.error, violations=self.violations,
            warnings=self.warnings, triples=self.triples)


@dataclass
class BulkReport:
    outcomes: list[BulkOutcome] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def committed(self) -> int:
        return sum(1 for o in self.outcomes if o.committed)

    @property
    def rejected(self) -> list[BulkOutcome]:
        """Documents refused (a passport identical to the stored one is not refused)."""
        return [o for o in self.outcomes if o.error is not None]


# ---------------------------------------------------------------------------------------------
# prepare functions (run in the workers; module level so that they pickle)
# ---------------------------------------------------------------------------------------------
def _prepare_rdf(services: Any, document: BulkDocument, *,
                 media_type: str | None) -> Prepared:
    graph, warnings = services.ingest.parse(document.body,
                                            media_type or document.media_type or "")
    return Prepared(graph, warnings, None)


def _prepare_partner(services: Any, document: BulkDocument, *, format: str,
                     submitter: str) -> Prepared:
    from rdflib import URIRef

    from graph_service.services.interop import DocumentRejected
    from graph_service.services.interop.provenance import source_record

    mapped = services.imports.to_graph(document.body, format)
    if mapped.problems:
        raise DocumentRejected(format, mapped.problems, warnings=mapped.warnings,
                               version=mapped.version)
    graph = mapped.graph
    if mapped.battery_id is not None:
        # The received document, as POST /import records it. A worker has no stored data:
        # an earlier receipt of the same document is kept by the parent (``_submit``).
        graph += source_record(Graph(), services.minter, mapped, format, URIRef(submitter))
    warnings = [str(w) for w in mapped.warnings]

    def locate(errors: list[Any]) -> list[dict]:
        return [p.as_dict() for p in services.imports.violation_problems(mapped, errors)]

    return Prepared(graph, warnings, mapped.battery_id,
                    format if mapped.owned is not None else None, locate)


def prepare_rdf(media_type: str | None = None) -> Prepare:
    """Passport documents in an RDF format (Turtle, JSON-LD, N-Triples...); ``None``: each
    document's own ``media_type``."""
    return functools.partial(_prepare_rdf, media_type=media_type)


def prepare_partner(format: str, submitter: str) -> Prepare:
    """Partner documents (``catenax``, ``battinfo``), mapped like ``POST /import``;
    ``submitter``: the IRI of the principal the source-document records attribute them to."""
    return functools.partial(_prepare_partner, format=format, submitter=submitter)


# ---------------------------------------------------------------------------------------------
# the worker's part
# ---------------------------------------------------------------------------------------------
@dataclass
class _Work:
    """A document parsed, validated and derived (or the reason it was not)."""

    name: str
    battery_id: str | None = None
    staged: Staged | None = None
    derived: list[Triple] = field(default_factory=list)
    placement: dict[Triple, AccessGroup] = field(default_factory=dict)
    digest: str = ""
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    violations: list[dict] = field(default_factory=list)
    triples: int = 0
    partial_format: str | None = None  # part of a passport: how to import it again (below)
    body: bytes = b""  # the document, kept only when partial

    def graph(self) -> Graph:
        graph = Graph()
        for by_group in (self.staged or {}).values():
            for triples in by_group.values():
                for triple in triples:
                    graph.add(triple)
        return graph


_WORKER: dict[str, Any] = {}


def _init_worker(settings: Settings, organisations: bytes) -> None:
    from graph_service.container import build_services
    from graph_service.store import open_memory_store
    from graph_service.store.base import RdfFormat

    # Workers never touch the real store: a private copy of the ontology, shapes and rules,
    # and of the organisation records (the validation context of passports that name them).
    services = build_services(settings, open_memory_store())
    if organisations:
        services.store.load(organisations, RdfFormat.N_TRIPLES,
                            graph=services.layout.organisations)
    _WORKER["services"] = services


def _work_in_worker(item: tuple[BulkDocument, Prepare]) -> _Work:
    document, prepare = item
    return work(_WORKER["services"], document, prepare)


def work(services: Any, document: BulkDocument, prepare: Prepare) -> _Work:
    """Prepare, normalise, classify, validate and derive one document (no store writes)."""
    from graph_service.services.interop import DocumentError
    from graph_service.store.base import StoreError

    result = _Work(document.name)
    try:
        given = prepare(services, document)
        if isinstance(given, tuple):
            given = Prepared(*given)
        if given.partial_format:
            result.partial_format, result.body = given.partial_format, document.body
        prepared = services.ingest.normalise(given.graph, given.battery_id)
        services.ingest.refuse_foreign_statements(prepared.graph)
    except (DocumentError, StoreError, ValueError) as exc:
        result.error = str(exc)
        # Every problem of a refused partner document, each with its JSON path.
        result.violations = [p.as_dict() for p in getattr(exc, "problems", [])]
        return result
    try:
        return _check_and_derive(services, prepared, given.warnings, result, given.locate)
    except Exception as exc:  # one document must never stop the import of the others
        result.staged = None
        result.error = (f"the passport could not be validated or derived "
                        f"({type(exc).__name__}); nothing was stored")
        return result


def _check_and_derive(services: Any, prepared: Any, warnings: list[str], result: _Work,
                      locate: Callable[[list[Any]], list[dict]] | None = None) -> _Work:
    result.battery_id = prepared.battery_id
    result.warnings = [*warnings, *prepared.warnings]
    result.triples = len(prepared.graph)
    classes = classify(prepared.graph, services.ingest._annotations())
    result.staged = group_by_classification(
        prepared.graph, lambda t: (classes[t].stage, classes[t].group))
    # Organisations are stored apart from passports: their records join the validation context.
    context = prepared.graph + services.organisations.records(prepared.graph.objects())
    report = services.validator.validate(context, keep_report_graph=False)
    result.warnings.extend(v.message for v in report.warnings)
    if not report.conforms:
        result.violations = locate(report.errors) if locate is not None else \
            [v.as_dict() for v in report.violations]
        result.error = f"{len(report.errors)} constraint violation(s)"
        return result
    result.digest = content_hash(prepared.graph)
    derivation = services.rules.derive(prepared.battery_id, staged=result.staged)
    result.derived = derivation.triples
    result.placement = derivation.placement
    return result


# ---------------------------------------------------------------------------------------------
# the parent's part
# ---------------------------------------------------------------------------------------------
class BulkImporter:
    """One pipeline for ``dbp import``, ``dbp load`` and ``POST /import``."""

    def __init__(self, services: Any) -> None:
        self.services = services
        self._lock = threading.Lock()

    def run(self, documents: Iterable[BulkDocument], prepare: Prepare, principal: Principal,
            *, workers: int | None = None, batch: int = DEFAULT_BATCH,
            on_done: Callable[[BulkOutcome], None] | None = None) -> BulkReport:
        """Import ``documents``. ``workers``: processes doing parse/validate/derive (default:
        the CPU count; 0: in this process). ``on_done`` is called once per document, in
        input order (progress bars)."""
        import time

        started = time.perf_counter()
        report = BulkReport()
        count = (os.cpu_count() or 1) if workers is None else workers
        with self._lock:
            for outcome in self._outcomes(documents, prepare, principal, count, batch):
                report.outcomes.append(outcome)
                if on_done is not None:
                    on_done(outcome)
        self.services.store.flush()
        report.seconds = time.perf_counter() - started
        return report

    def _outcomes(self, documents: Iterable[BulkDocument], prepare: Prepare,
                  principal: Principal, workers: int, batch: int) -> Iterator[BulkOutcome]:
        pending: list[_Work] = []
        seen: set[str] = set()
        for item in self._worked(documents, prepare, workers):
            if item.error is not None or item.battery_id is None:
                yield from self._commit(pending, principal)
                pending = []
                yield BulkOutcome(item.name, item.battery_id, error=item.error,
                                  violations=item.violations, warnings=item.warnings,
                                  triples=item.triples)
                continue
            if item.battery_id in seen or self.services.repository.exists(item.battery_id):
                # An update keeps stored stages: validate with them, as POST /passports does.
                yield from self._commit(pending, principal)
                pending = []
                yield (self._import_part(item, principal) if item.partial_format
                       else self._submit(item, principal))
                seen.add(item.battery_id)
                continue
            seen.add(item.battery_id)
            pending.append(item)
            if len(pending) >= batch:
                yield from self._commit(pending, principal)
                pending = []
        yield from self._commit(pending, principal)

    def _worked(self, documents: Iterable[BulkDocument], prepare: Prepare,
                workers: int) -> Iterator[_Work]:
        if workers <= 0:
            for document in documents:
                yield work(self.services, document, prepare)
            return
        context = multiprocessing.get_context("spawn")  # never fork a process holding a store
        settings = self.services.settings.model_copy(update={"store": ":memory:",
                                                             "store_backend": "oxigraph"})
        organisations = self.services.store.dump(RdfFormat.N_TRIPLES,
                                                 graph=self.services.layout.organisations)
        with context.Pool(workers, initializer=_init_worker,
                          initargs=(settings, organisations)) as pool:
            # imap keeps the input order and lets the workers run ahead of the commits.
            yield from pool.imap(_work_in_worker, ((d, prepare) for d in documents),
                                 chunksize=1)

    def _submit(self, item: _Work, principal: Principal) -> BulkOutcome:
        outcome = BulkOutcome(item.name, item.battery_id, warnings=item.warnings,
                              triples=item.triples)
        assert item.battery_id is not None
        graph = item.graph()
        # The same document received before keeps its first receipt (time, submitter), so a
        # repeated import changes nothing, as through POST /import.
        keep_first_receipts(graph, self.services.imports.stored_identity(item.battery_id))
        try:
            result: IngestResult = self.services.ingest.submit_graph(
                graph, principal=principal, battery_id=item.battery_id)
        except ValidationFailed as exc:
            outcome.violations = [v.as_dict() for v in exc.result.report.violations]
            outcome.error = str(exc)
            return outcome
        except (StageNotPermitted, NotOwner, ValueError) as exc:
            outcome.error = str(exc)
            return outcome
        outcome.committed = result.committed
        outcome.version = result.version
        outcome.warnings.extend(result.warnings)
        return outcome

    def _import_part(self, item: _Work, principal: Principal) -> BulkOutcome:
        """Part of a stored passport (a Battery Pass aspect): mapped again here, so that it
        replaces only what it said before and keeps the passport's other parts (written as a
        whole passport, it would drop them)."""
        from graph_service.services.interop import DocumentError, DocumentRejected

        assert item.partial_format is not None
        outcome = BulkOutcome(item.name, item.battery_id, triples=item.triples)
        try:
            result = self.services.imports.import_document(
                item.body, item.partial_format, principal, item.battery_id)
        except DocumentRejected as exc:
            outcome.error = str(exc)
            outcome.violations = [p.as_dict() for p in exc.problems]
            outcome.warnings = [str(w) for w in exc.warnings]
            return outcome
        except (DocumentError, StageNotPermitted, NotOwner, ValueError) as exc:
            outcome.error = str(exc)
            outcome.warnings = item.warnings
            return outcome
        outcome.committed = result.ingest.committed
        outcome.version = result.ingest.version
        outcome.warnings = [str(w) for w in result.warnings]
        return outcome

    def _commit(self, items: list[_Work], principal: Principal) -> Iterator[BulkOutcome]:
        """Fresh passports: permission checks, then one atomic update for the batch (per
        passport if the batch fails)."""
        if not items:
            return
        ingest = self.services.ingest
        accepted: list[tuple[_Work, ChangeSet]] = []
        refused: dict[int, BulkOutcome] = {}
        claimed: dict[str, str] = {}  # identifiers of this batch's passports -> battery id
        for position, item in enumerate(items):
            outcome = BulkOutcome(item.name, item.battery_id, warnings=item.warnings,
                                  triples=item.triples)
            assert item.staged is not None and item.battery_id is not None
            forbidden = sorted(s.value for s in item.staged if not principal.may_write(s))
            if forbidden:
                outcome.error = str(StageNotPermitted(forbidden))
                ingest.audit.write(ingest.audit.record(
                    principal, "write-passport", "denied", battery_id=item.battery_id,
                    digest=item.digest, detail=f"stages not permitted: {', '.join(forbidden)}"))
                refused[position] = outcome
                continue
            graph = item.graph()
            try:
                # Who holds a new battery is decided as ingest decides it (the stored records;
                # the document may only agree), and its organisations must be registered.
                custody, _ = ingest._custody_after(principal, item.battery_id, graph, None, [])
                if custody is not None:
                    ingest._require_registered(custody)
                battery = ingest.minter.battery(item.battery_id)
                ingest.refuse_identifiers_of_other_batteries(battery, graph)
                ingest.refuse_shared_nodes_of_others(principal, item.battery_id, graph)
                keys = ingest.identifier_keys(battery, graph)
                taken = sorted(k for k in keys if claimed.get(k, item.battery_id)
                               != item.battery_id)
                if taken:
                    raise IdentifierConflict(
                        "identifiers that name another battery of this import: "
                        + "; ".join(f"{k} is that of battery {claimed[k]}" for k in taken))
                claimed.update(dict.fromkeys(keys, item.battery_id))
            except PermissionError as refusal:
                outcome.error = str(refusal)
                ingest.audit.write(ingest.audit.record(
                    principal, "write-passport", "denied", battery_id=item.battery_id,
                    digest=item.digest, detail=str(refusal)))
                refused[position] = outcome
                continue
            except ValueError as refusal:
                outcome.error = str(refusal)
                refused[position] = outcome
                continue
            accepted.append((item, self._changes(item, graph, principal, custody)))
        committed: set[int] = set()
        try:
            merged = ChangeSet()
            for _, changes in accepted:
                merged.insert.extend(changes.insert)
            self.services.store.apply(merged)
            committed = {id(item) for item, _ in accepted}
            self.services.custody.applied()
        except Exception:
            for item, changes in accepted:
                try:
                    self.services.store.apply(changes)
                    committed.add(id(item))
                    self.services.custody.applied()
                except Exception as exc:
                    refused[items.index(item)] = BulkOutcome(
                        item.name, item.battery_id, warnings=item.warnings,
                        triples=item.triples,
                        error=f"the store refused the passport ({type(exc).__name__})")
        for position, item in enumerate(items):
            if position in refused:
                yield refused[position]
                continue
            ok = id(item) in committed
            yield BulkOutcome(item.name, item.battery_id, committed=ok, version=1 if ok else None,
                              warnings=item.warnings, triples=item.triples)

    def _changes(self, item: _Work, graph: Graph, principal: Principal,
                 custody: Custody | None) -> ChangeSet:
        """Everything ingest writes for a fresh passport, as inserts only."""
        services, ingest = self.services, self.services.ingest
        bid = item.battery_id
        assert bid is not None and item.staged is not None
        holder = custody or UNASSIGNED
        changes = ChangeSet(insert=services.repository.bulk_quads(bid, item.staged, holder))
        changes.insert.extend(services.repository.bulk_derived_quads(
            bid, item.derived, item.placement, holder))
        if custody is not None:
            changes.insert.extend(services.custody.changes(bid, custody).insert)
        versions, _ = ingest.history.version_changes(bid, item.staged, principal,
                                                     ingest.audit.principal_iri(principal))
        changes.insert.extend(versions.insert)
        changes.insert.extend(ingest.audit.record(
            principal, "write-passport", "accepted", battery_id=bid, digest=item.digest,
            graphs=[services.layout.source(bid, stage) for stage in item.staged]).insert)
        changes.insert.extend(services.lineage.lineage_changes(bid, graph, custody).insert)
        return changes


def documents_from_paths(paths: Iterable[Any],
                         media_type: Callable[[Any], str] | None = None) -> Iterator[BulkDocument]:
    """Documents read lazily, one file at a time (a large import never holds them all)."""
    for path in paths:
        yield BulkDocument(str(path), path.read_bytes(),
                           None if media_type is None else media_type(path))



NDJSON_TYPES = ("application/x-ndjson", "application/jsonl", "application/json-lines")


def import_lines(services: Any, body: bytes, format: str, principal: Principal) -> BulkReport:
    """``POST /import`` with one partner document per line (JSON Lines): the bulk pipeline in
    this process (a request never starts worker processes). Line numbers name the documents."""
    documents = [BulkDocument(f"line {number}", line)
                 for number, line in enumerate(body.splitlines(), start=1) if line.strip()]
    if not documents:
        from graph_service.services.passports.ingest import PassportRejected

        raise PassportRejected("the request holds no document (one JSON document per line)")
    submitter = str(services.ingest.audit.principal_iri(principal))
    return BulkImporter(services).run(documents, prepare_partner(format, submitter), principal,
                                      workers=0)
