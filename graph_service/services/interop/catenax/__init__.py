"""Catena-X battery pass (``io.catenax.battery.battery_pass``): the format of the registry.

``tables.py`` is the mapping (data), ``importer.py`` / ``exporter.py`` the two directions,
``derive.py`` the interpretations of fields kept as data.
"""

from __future__ import annotations

from pathlib import Path as FilePath

from rdflib import Graph, URIRef

from graph_service.model.iris import IriMinter
from graph_service.services.interop.catenax import tables
from graph_service.services.interop.catenax.exporter import CatenaXExporter, stored_versions
from graph_service.services.interop.catenax.importer import CatenaXImporter
from graph_service.services.interop.errors import DocumentError
from graph_service.services.interop.jsondoc import JsonDocument, read_json_document
from graph_service.services.interop.registry import Exported, Mapped


class CatenaXFormat:
    name = tables.FORMAT
    title = "Catena-X battery pass (io.catenax.battery.battery_pass)"
    media_type = "application/json"
    can_import = True
    can_export = True

    def __init__(self, models_dir: FilePath) -> None:
        self.importer = CatenaXImporter(models_dir)
        self.exporter = CatenaXExporter(self.importer)

    def supported_versions(self) -> tuple[str, ...]:
        return tables.SUPPORTED_VERSIONS

    def read(self, body: bytes) -> JsonDocument:
        return read_json_document(body, DocumentError)

    def to_graph(self, document: JsonDocument, minter: IriMinter,
                 battery_id: str | None = None) -> Mapped:
        return self.importer.to_graph(document, minter, battery_id)

    def from_graph(self, graph: Graph, battery: URIRef, minter: IriMinter,
                   battery_id: str) -> Exported:
        return self.exporter.export(graph, battery, minter, battery_id)


__all__ = ["CatenaXFormat", "normalise", "stored_versions", "tables"]


def normalise(path: tuple[str | int, ...], value: object) -> object:
    """The documented normalisations of a Catena-X round trip (docs/interop.md): numbers by
    value (150000 and 150000.0 are the same JSON number), a record's time as an instant
    ("Z" and "+00:00" are the same offset; other offsets are kept)."""
    from graph_service.services.interop.codecs import parse_timestamp

    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int | float):
        return ("number", float(value))
    if path and path[-1] == "time" and isinstance(value, str):
        when = parse_timestamp(value)
        if when is not None:
            return ("instant", when.isoformat(), when.utcoffset())
    return value
