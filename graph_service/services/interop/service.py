"""Partner documents in and out: the one pipeline every format uses.

Import: read (encoding, syntax) -> the format maps the document and reports every problem it
finds (version, JSON schema, semantics, unknown keys) -> if there is any error, the SHACL
violations of what could be mapped are added (pointed back to JSON paths) and the document is
refused with all of them at once (``DocumentRejected``, nothing written) -> else the received
document is recorded (``provenance.py``) and the graph is submitted like any passport (ingest:
SHACL, permissions, ownership, atomic commit, derivation).

Export: the passport graph the caller may read -> the format's document plus its gaps -> gaps
refuse the export (``ExportIncomplete``) unless the caller asked for an incomplete document.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from rdflib import Graph, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from graph_service.model.answers import ImportAnswer
from graph_service.model.graphs import Stage
from graph_service.model.iris import IriMinter, check_identifier
from graph_service.model.terms import (
    HAS_MEASUREMENT_UNIT,
    HAS_NUMBER_VALUE,
    HAS_NUMERICAL_PART,
    HAS_PROPERTY,
)
from graph_service.services.access import Principal
from graph_service.services.interop.errors import (
    DocumentError,
    DocumentRejected,
    ExportIncomplete,
    Gap,
    PassportNotFound,
    Problem,
)
from graph_service.services.interop.jsondoc import Path, json_path
from graph_service.services.interop.provenance import source_record
from graph_service.services.interop.registry import FormatRegistry, Mapped
from graph_service.services.passports.ingest import IngestResult, IngestService, ValidationFailed
from graph_service.services.passports.limits import DocumentLimits
from graph_service.services.passports.validation import Violation
from graph_service.services.rdf.jsonld import JsonLdError, check_depth

GraphReader = Callable[[str], Graph]

# The EMMO quantity pattern itself: no field of its own (the quantity node names its field).
_QUANTITY_PATTERN = frozenset({HAS_PROPERTY, HAS_NUMERICAL_PART, HAS_NUMBER_VALUE,
                               HAS_MEASUREMENT_UNIT})


@dataclass
class ImportResult:
    format: str
    version: str
    ingest: IngestResult
    warnings: list[Problem] = field(default_factory=list)

    @property
    def battery_id(self) -> str:
        return self.ingest.battery_id

    def answer(self) -> ImportAnswer:
        """Machine-readable: what was stored and every warning with its JSON path."""
        return ImportAnswer(**dict(self.ingest.answer()), format=self.format,
                            formatVersion=self.version,
                            importWarnings=[w.answer() for w in self.warnings])

    def report(self) -> dict[str, Any]:
        return self.answer().model_dump()

    def summary(self) -> dict[str, Any]:
        return self.report()


@dataclass
class ExportResult:
    format: str
    version: str
    battery_id: str
    document: dict[str, Any]
    gaps: list[Gap] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.gaps

    def report(self) -> dict[str, Any]:
        return {"format": self.format, "formatVersion": self.version,
                "battery": self.battery_id, "complete": self.complete,
                "gaps": [g.as_dict() for g in self.gaps], "warnings": self.warnings}


class InteropService:
    def __init__(self, ingest: IngestService, minter: IriMinter,
                 registry: FormatRegistry,
                 readable_passport: Callable[[str, Principal], Graph]) -> None:
        self.ingest = ingest
        self.minter = minter
        self.registry = registry
        # What a caller may read of a stored passport (GraphStoreService.readable_passport).
        self.readable_passport = readable_passport

    # -- import -------------------------------------------------------------------------------
    def admit(self, format: str, principal: Principal, battery_id: str | None = None, *,
              dry_run: bool = False) -> DocumentLimits:
        """The checks that need no document (the format, the battery id, may this caller write
        at all), before the body is read; returns the limits the document must keep (the same
        per-caller limits as every other way in, services/passports/limits.py)."""
        self.registry.importer(format)
        if battery_id is not None:
            check_identifier(battery_id, "battery id")
        return self.ingest.admit(principal, dry_run=dry_run, battery_id=battery_id)

    def to_graph(self, body: bytes, format: str, battery_id: str | None = None,
                 max_json_depth: int | None = None) -> Mapped:
        """Read and map only (nothing validated against SHACL, nothing written)."""
        fmt = self.registry.importer(format)
        if battery_id is not None:
            check_identifier(battery_id, "battery id")
        document = fmt.read(body)
        if max_json_depth is not None:
            # Before any walk over the document (schema validation, mapping).
            try:
                check_depth(document.value, max_json_depth)
            except JsonLdError as exc:
                raise DocumentError(exc.message) from None
        return fmt.to_graph(document, self.minter, battery_id)

    def import_document(self, body: bytes, format: str, principal: Principal,
                        battery_id: str | None = None, *, dry_run: bool = False,
                        limits: DocumentLimits | None = None) -> ImportResult:
        """Raises ``DocumentError`` (unreadable), ``DocumentRejected`` (every error of the
        document, SHACL included), ``DocumentTooLarge`` (the caller's limits), or ingest's
        ``StageNotPermitted`` / ``NotOwner``; in every case nothing is written. ``limits``:
        from :meth:`admit` when the caller already called it."""
        if limits is None:
            limits = self.admit(format, principal, battery_id, dry_run=dry_run)
        mapped = self.to_graph(body, format, battery_id, limits.max_json_depth)
        if mapped.problems:
            problems = [*mapped.problems, *self._shacl_problems(mapped, principal, limits)]
            raise DocumentRejected(format, problems, warnings=mapped.warnings,
                                   version=mapped.version)
        graph = mapped.graph
        if mapped.battery_id is not None:
            graph += source_record(self.stored_identity(mapped.battery_id), self.minter,
                                   mapped, format, self.ingest.audit.principal_iri(principal))
        try:
            result = self.ingest.submit_graph(graph, principal=principal,
                                              battery_id=mapped.battery_id, dry_run=dry_run,
                                              limits=limits,
                                              replaces=_replaces(mapped.owned))
        except ValidationFailed as exc:
            problems = self.violation_problems(mapped, exc.result.report.errors)
            raise DocumentRejected(format, problems, warnings=mapped.warnings,
                                   version=mapped.version) from None
        return ImportResult(format, mapped.version, result, mapped.warnings)

    def stored_identity(self, battery_id: str) -> Graph:
        """The battery's stored identity stage (its source records); empty when none."""
        if Stage.IDENTITY not in self.ingest.repository.stored_stages(battery_id):
            return Graph()
        return self.ingest.store.graph(self.ingest.layout.source(battery_id, Stage.IDENTITY))

    def _shacl_problems(self, mapped: Mapped, principal: Principal,
                        limits: DocumentLimits) -> list[Problem]:
        if mapped.battery_id is None or len(mapped.graph) == 0:
            return []
        try:
            self.ingest.submit_graph(mapped.graph, principal=principal,
                                     battery_id=mapped.battery_id, dry_run=True, limits=limits,
                                     replaces=_replaces(mapped.owned))
        except ValidationFailed as exc:
            return self.violation_problems(mapped, exc.result.report.errors)
        except Exception:  # the document's own errors are what the caller needs first
            return []
        return []

    def violation_problems(self, mapped: Mapped, errors: Iterable[Violation]) -> list[Problem]:
        """SHACL violations of a mapped document as problems at their JSON path (else at the
        node they name). ``POST /import`` and the bulk pipeline report them the same way."""
        sources, graph = self._stored_sources(mapped)
        problems = []
        for violation in errors:
            focus = URIRef(violation.focus_node)
            predicate = URIRef(violation.path) if violation.path and \
                violation.path.startswith(("http", "urn")) else None
            exact = sources.get((focus, predicate))
            path = exact or sources.get((focus, None))
            battery = mapped.battery_id is not None and \
                focus == self.minter.battery(mapped.battery_id)
            involved = self._involved(violation, focus, sources, graph) \
                if violation.path is None else []
            if len(involved) > 1 or (involved and involved[0] != path):
                # A rule over several fields (shapes/crossfield.ttl): at each field it read
                for at in involved:
                    others = [json_path(p) for p in involved if p != at]
                    where = mapped.document.position(at)
                    also = f" (with {', '.join(others)})" if others else ""
                    problems.append(Problem(json_path(at), violation.message + also, "shacl",
                                            *(where or (None, None))))
            elif path is not None:
                where = mapped.document.position(path)
                message = violation.message
                if exact is None and battery:  # at the payload: a fact no field of it gave
                    message += _stated(mapped, predicate)
                problems.append(Problem(json_path(path), message, "shacl",
                                        *(where or (None, None))))
            elif battery:
                # A rule over several fields of the battery (shapes/crossfield.ttl), or a fact
                # the battery must have that no field of this document gave: the document,
                # saying which field states it
                problems.append(Problem("$", violation.message + _stated(mapped, predicate),
                                        "shacl"))
            else:
                problems.append(Problem(f"<{violation.focus_node}>", violation.message, "shacl"))
        return problems

    def _stored_sources(self, mapped: Mapped,
                        ) -> tuple[dict[tuple[Node, Node | None], Path], Graph]:
        """``mapped.sources`` keyed by the nodes a report names, and the graph in those nodes:
        a document's blank nodes and root are stored under minted IRIs (ingest's
        normalisation, run again here: it is deterministic), so a violation on one of them
        still points at its JSON path."""
        if not mapped.sources or mapped.battery_id is None:
            return mapped.sources, mapped.graph
        try:
            prepared = self.ingest.normalise(mapped.graph, mapped.battery_id)
        except Exception:  # the document's own refusal is reported elsewhere; keep the rest
            return mapped.sources, mapped.graph
        sources: dict[tuple[Node, Node | None], Path] = {}
        for (node, predicate), path in mapped.sources.items():
            sources.setdefault((prepared.renamed.get(node, node), predicate), path)
        return sources, prepared.graph

    def _involved(self, violation: Violation, focus: URIRef,
                  sources: dict[tuple[Node, Node | None], Path], graph: Graph) -> list[Path]:
        """The JSON paths of the fields a SHACL-SPARQL constraint read on ``focus`` (its
        values, and its quantities of the classes the query names), in the query's order; a
        constraint with one result path has no need of them."""
        paths: list[Path] = []
        for term in self.ingest.validator.constraint_terms(violation.source_shape,
                                                           violation.message):
            if term in _QUANTITY_PATTERN:
                continue
            found = [sources.get((focus, term))]
            found += [sources.get((q, None)) for q in sorted(graph.objects(focus, HAS_PROPERTY),
                                                           key=str)
                      if (q, RDF.type, term) in graph]
            paths += [p for p in found if p is not None and p not in paths]
        return paths

    # -- export -------------------------------------------------------------------------------
    def stored_graph(self, battery_id: str) -> Graph:
        """A battery's current passport: the union of its stage graphs (admin view)."""
        check_identifier(battery_id, "battery id")
        stages = self.ingest.repository.stored_stages(battery_id)
        if not stages:
            raise PassportNotFound(battery_id)
        graph = Graph()
        for stage in stages:
            graph += self.ingest.store.graph(self.ingest.layout.source(battery_id, stage))
        return graph

    def export_document(self, battery_id: str, format: str, *,
                        principal: Principal | None = None,
                        graph_reader: GraphReader | None = None,
                        allow_incomplete: bool = False) -> ExportResult:
        """The stored passport as a partner document. ``graph_reader(battery_id)`` returns what
        the caller may read; with a ``principal`` instead, what that principal may read
        (``readable_passport``); with neither, every stage (an admin's view). Reading less
        exports less. Raises ``ExportIncomplete`` when required fields have no stored fact,
        unless ``allow_incomplete``."""
        fmt = self.registry.exporter(format)
        check_identifier(battery_id, "battery id")
        if graph_reader is None and principal is not None:
            graph = self.readable_passport(battery_id, principal)
        else:
            graph = (graph_reader or self.stored_graph)(battery_id)
        if len(graph) == 0:
            raise PassportNotFound(battery_id)
        exported = fmt.from_graph(graph, self.minter.battery(battery_id), self.minter,
                                  battery_id)
        if exported.gaps and not allow_incomplete:
            raise ExportIncomplete(format, exported.version, battery_id, exported.gaps)
        return ExportResult(format, exported.version, battery_id, exported.document,
                            exported.gaps, exported.warnings)


def _replaces(owned: Any) -> Any:
    """A partial document replaces what it owns; the stored records of received documents are
    never replaced (each keeps its own hash-named node)."""
    if owned is None:
        return None

    def replaces(triple: Any) -> bool:
        return owned(triple) and "/source/" not in str(triple[0]) and \
            "/source/" not in str(triple[2])

    return replaces


__all__ = ["ExportResult", "GraphReader", "ImportResult", "InteropService"]


def _stated(mapped: Mapped, predicate: URIRef | None) -> str:
    """Why a fact of the battery is missing, in the document's terms: which field states it,
    and - for a Battery Pass aspect sent before the one that states it - what to send."""
    where = mapped.stated_by.get(str(predicate)) if predicate is not None else None
    if not where:
        return ""
    fields = ", ".join(f"{aspect}.{path[2:]}" if aspect else path for aspect, path in where)
    absent = sorted({aspect for aspect, _ in where if aspect and aspect not in mapped.aspects})
    if absent and len(absent) == len({aspect for aspect, _ in where}):
        return (f" No field of this document states it: {fields} does, and battery "
                f"{mapped.battery_id} has no stored {' or '.join(absent)} yet. Send "
                f"{' or '.join(absent)} first, or in the same set as "
                f"{', '.join(sorted(mapped.aspects)) or 'this payload'}.")
    if any(p.kind != "shacl" for p in mapped.problems):
        return f" It is stated by {fields}: see the error reported there."
    return f" It is stated by {fields}, which this document does not give."
