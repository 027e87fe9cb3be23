"""The partner formats the service reads and writes, behind one small protocol.

A format is one object with ``read`` (bytes -> JSON document), ``to_graph`` (document -> our
passport graph plus every problem found) and ``from_graph`` (stored passport -> document plus
the gaps). ``InteropService`` (service.py) runs the shared pipeline around it: all errors at
once, SHACL violations pointed back to JSON paths, the received document recorded, never a
placeholder in an export. Adding a format = adding a module that implements ``PartnerFormat``
and registering it in ``default_registry`` (docs/interop.md, "Adding a format").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from rdflib import Graph, URIRef
from rdflib.term import Node

from graph_service.model.answers import FormatInfo
from graph_service.model.iris import IriMinter
from graph_service.services.interop.errors import (
    DocumentError,
    FormatNotSupported,
    Gap,
    Problem,
    UnknownFormat,
)
from graph_service.services.interop.jsondoc import JsonDocument, Path, read_json_document


@dataclass
class Mapped:
    """A partner document mapped onto our terms (not validated against SHACL yet)."""

    graph: Graph
    battery_id: str | None
    version: str
    document: JsonDocument
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    # (subject, predicate or None) -> JSON path: points SHACL violations back into the document
    sources: dict[tuple[Node, Node | None], Path] = field(default_factory=dict)
    # The stored triples this document replaces (None: the document is the whole passport, its
    # stages replace the stored ones). A Battery Pass aspect replaces only what it said before.
    owned: Callable[[tuple[Node, Node, Node]], bool] | None = None
    aspects: dict[str, str] = field(default_factory=dict)  # aspect -> version (Battery Pass)
    # term (predicate or quantity class) -> the fields of the format that state it, as
    # (aspect or "", "$.path"): a SHACL violation no field of the document produced says which
    # field would (an aspect sent before GeneralProductInformation, a field with an error).
    stated_by: dict[str, list[tuple[str, str]]] = field(default_factory=dict)


@dataclass
class Exported:
    document: dict[str, Any]
    version: str
    gaps: list[Gap] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class PartnerFormat(Protocol):
    name: str
    title: str
    media_type: str
    can_import: bool
    can_export: bool

    def supported_versions(self) -> tuple[str, ...]: ...

    def read(self, body: bytes) -> JsonDocument: ...

    def to_graph(self, document: JsonDocument, minter: IriMinter,
                 battery_id: str | None = None) -> Mapped: ...

    def from_graph(self, graph: Graph, battery: URIRef, minter: IriMinter,
                   battery_id: str) -> Exported: ...


class DocumentImporter(Protocol):
    def to_graph(self, document: JsonDocument, minter: IriMinter,
                 battery_id: str | None = None) -> Mapped: ...


class DocumentExporter(Protocol):
    def export(self, graph: Graph, battery: URIRef, minter: IriMinter,
               battery_id: str) -> Exported: ...


class JsonMappingFormat:
    """A JSON format mapped both ways by an importer and an exporter (Catena-X, Battery Pass):
    the registry's side of it, so a format module names only itself and its versions."""

    name: str
    title: str
    versions: tuple[str, ...]
    media_type = "application/json"
    can_import = True
    can_export = True

    def __init__(self, importer: DocumentImporter, exporter: DocumentExporter) -> None:
        self.importer = importer
        self.exporter = exporter

    def supported_versions(self) -> tuple[str, ...]:
        return self.versions

    def read(self, body: bytes) -> JsonDocument:
        return read_json_document(body, DocumentError)

    def to_graph(self, document: JsonDocument, minter: IriMinter,
                 battery_id: str | None = None) -> Mapped:
        return self.importer.to_graph(document, minter, battery_id)

    def from_graph(self, graph: Graph, battery: URIRef, minter: IriMinter,
                   battery_id: str) -> Exported:
        return self.exporter.export(graph, battery, minter, battery_id)


@dataclass
class FormatRegistry:
    formats: dict[str, PartnerFormat] = field(default_factory=dict)
    # Known names not implemented yet (say "not yet supported", not "unknown").
    planned: dict[str, str] = field(default_factory=dict)

    def register(self, fmt: PartnerFormat) -> None:
        self.formats[fmt.name] = fmt

    def names(self) -> list[str]:
        return sorted({*self.formats, *self.planned})

    def _get(self, name: str, direction: str) -> PartnerFormat:
        fmt = self.formats.get(name)
        if fmt is None and name not in self.planned:
            raise UnknownFormat(name, self.names())
        able = [n for n, f in sorted(self.formats.items())
                if (f.can_import if direction == "import" else f.can_export)]
        if fmt is None or not (fmt.can_import if direction == "import" else fmt.can_export):
            raise FormatNotSupported(name, direction, able)
        return fmt

    def importer(self, name: str) -> PartnerFormat:
        return self._get(name, "import")

    def exporter(self, name: str) -> PartnerFormat:
        return self._get(name, "export")

    def describe(self) -> list[FormatInfo]:
        rows = []
        for name in self.names():
            fmt = self.formats.get(name)
            rows.append(FormatInfo(
                format=name,
                title=fmt.title if fmt else self.planned[name],
                import_=bool(fmt and fmt.can_import),
                export=bool(fmt and fmt.can_export),
                versions=list(fmt.supported_versions()) if fmt else [],
            ))
        return rows


__all__ = ["Exported", "FormatRegistry", "JsonMappingFormat", "Mapped", "PartnerFormat"]
