"""Partner passport import and export: parse -> map -> ingest (validate, commit, derive).

One entry point for the coming ``POST /import`` route and ``dbp import`` command. Mapping
errors (``DocumentError``: bad encoding, malformed JSON, unusable values) are raised before
anything is written; ingest then validates with the SHACL shapes and commits atomically, so a
rejected document never changes the store.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rdflib import Graph

from graph_service.model.iris import IriMinter, check_identifier
from graph_service.model.namespaces import DBP
from graph_service.services.access import Principal
from graph_service.services.importers.battinfo import BattInfoImporter
from graph_service.services.importers.catenax import (
    CatenaXError,
    CatenaXImporter,
    DocumentError,
)
from graph_service.services.ingest import IngestResult, IngestService
from graph_service.services.jsonld import JsonLdError, check_depth
from graph_service.services.passports.limits import DocumentLimits

FORMATS = ("catenax", "battinfo")

GraphReader = Callable[[str], Graph]


class UnknownImportFormat(ValueError):
    def __init__(self, name: str) -> None:
        super().__init__(f"unknown import format {name!r}; use one of {', '.join(FORMATS)}")
        self.name = name


class PassportNotFound(LookupError):
    def __init__(self, battery_id: str) -> None:
        super().__init__(f"no passport of battery {battery_id!r} is stored")
        self.battery_id = battery_id


@dataclass
class ImportResult:
    """The ingest result plus what the mapping normalised or left out."""

    format: str
    ingest: IngestResult
    warnings: list[str] = field(default_factory=list)

    @property
    def battery_id(self) -> str:
        return self.ingest.battery_id

    def summary(self) -> dict[str, Any]:
        return {**self.ingest.summary(), "format": self.format, "importWarnings": self.warnings}


@dataclass
class ExportResult:
    format: str
    battery_id: str
    document: dict[str, Any]
    warnings: list[str] = field(default_factory=list)


class ImportService:
    def __init__(self, ingest: IngestService, minter: IriMinter) -> None:
        self.ingest = ingest
        self.minter = minter
        self.catenax = CatenaXImporter()
        self.battinfo = BattInfoImporter(ingest.settings.ontology_dir, ingest.settings.base_iri,
                                         superclasses=ingest.validator.superclasses)

    def to_graph(self, body: bytes, format: str, battery_id: str | None = None,
                 max_json_depth: int | None = None) -> tuple[Graph, list[str]]:
        """Parse and map only (no validation, nothing written)."""
        if format == "catenax":
            document = self._depth_checked(self.catenax.decode(body), max_json_depth)
            return self.catenax.to_graph(document, self.minter, battery_id=battery_id)
        if format == "battinfo":
            document = self._depth_checked(self.battinfo.decode(body), max_json_depth)
            return self.battinfo.to_graph(document, self.minter, battery_id=battery_id)
        raise UnknownImportFormat(format)

    @staticmethod
    def _depth_checked(document: object, max_depth: int | None) -> object:
        if max_depth is not None:
            try:
                check_depth(document, max_depth)
            except JsonLdError as exc:
                raise DocumentError(exc.message) from None
        return document

    def admit(self, format: str, principal: Principal, battery_id: str | None = None, *,
              dry_run: bool = False) -> DocumentLimits:
        """Checks that need no document: the format, the battery id, may this caller write."""
        if format not in FORMATS:
            raise UnknownImportFormat(format)
        if battery_id is not None:
            check_identifier(battery_id, "battery id")
        return self.ingest.admit(principal, dry_run=dry_run, battery_id=battery_id)

    def import_document(self, body: bytes, format: str, principal: Principal,
                        battery_id: str | None = None, *, dry_run: bool = False,
                        limits: DocumentLimits | None = None) -> ImportResult:
        """Map a partner document and submit it like any passport. Raises ``DocumentError``
        (mapping), ``PassportRejected``, ``ValidationFailed``, ``StageNotPermitted`` or
        ``NotOwner`` (ingest); in every case nothing is written."""
        if limits is None:
            limits = self.admit(format, principal, battery_id, dry_run=dry_run)
        graph, warnings = self.to_graph(body, format, battery_id, limits.max_json_depth)
        bid = battery_id
        if format == "battinfo" and bid is None:
            # The importer put exactly one dbp:batteryId on the root battery.
            ids = {str(v) for v in graph.objects(None, DBP.batteryId)}
            bid = ids.pop() if len(ids) == 1 else None
        result = self.ingest.submit_graph(graph, principal=principal, battery_id=bid,
                                          dry_run=dry_run, limits=limits)
        return ImportResult(format=format, ingest=result, warnings=warnings)

    def stored_graph(self, battery_id: str) -> Graph:
        """A battery's current passport: the union of its stage graphs (admin view)."""
        check_identifier(battery_id, "battery id")
        graph = Graph()
        stages = self.ingest.repository.stored_stages(battery_id)
        if not stages:
            raise PassportNotFound(battery_id)
        for stage in stages:
            graph += self.ingest.store.graph(self.ingest.layout.source(battery_id, stage))
        return graph

    def export_catenax(self, battery_id: str,
                       graph_reader: GraphReader | None = None) -> ExportResult:
        """The stored passport as Catena-X 6.1.0 JSON. ``graph_reader(battery_id)`` returns the
        passport graph the caller may see (default: every stage, i.e. an admin's view); a
        reader that returns less simply exports less, with placeholders where Catena-X
        requires a value."""
        check_identifier(battery_id, "battery id")
        graph = (graph_reader or self.stored_graph)(battery_id)
        if len(graph) == 0:
            raise PassportNotFound(battery_id)
        warnings: list[str] = []
        try:
            document = self.catenax.from_graph(graph, self.minter.battery(battery_id), warnings)
        except CatenaXError as exc:
            if "holds no passport" in str(exc):
                raise PassportNotFound(battery_id) from None
            raise
        return ExportResult("catenax", battery_id, document, warnings)


__all__ = [
    "FORMATS",
    "ExportResult",
    "ImportResult",
    "ImportService",
    "PassportNotFound",
    "UnknownImportFormat",
]
