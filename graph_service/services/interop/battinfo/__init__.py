"""BattINFO JSON-LD in the format registry (import only, through
services/interop/battinfo/importer.py).

The BattINFO mapping itself is reworked separately (issue 15); this adapter lets it use the
shared pipeline (one report of problems, the received document recorded). Export answers
"not yet supported" until that work adds it.
"""

from __future__ import annotations

from rdflib import Graph, URIRef

from graph_service.model.iris import IriMinter
from graph_service.model.namespaces import DBP
from graph_service.services.interop.battinfo.importer import BattInfoError, BattInfoImporter
from graph_service.services.interop.errors import Problem
from graph_service.services.interop.jsondoc import JsonDocument, read_json_document
from graph_service.services.interop.registry import Exported, Mapped


class BattInfoFormat:
    name = "battinfo"
    title = "BattINFO JSON-LD (EMMO battery domain)"
    media_type = "application/ld+json"
    can_import = True
    can_export = False

    def __init__(self, importer: BattInfoImporter) -> None:
        self.importer = importer

    def supported_versions(self) -> tuple[str, ...]:
        return ("0.20",)

    def read(self, body: bytes) -> JsonDocument:
        return read_json_document(body, BattInfoError)

    def to_graph(self, document: JsonDocument, minter: IriMinter,
                 battery_id: str | None = None) -> Mapped:
        graph, warnings, sources = self.importer.to_graph(document.value, minter,
                                                          battery_id=battery_id)
        bid = battery_id
        if bid is None:
            ids = {str(v) for v in graph.objects(None, DBP.batteryId)}
            bid = ids.pop() if len(ids) == 1 else None
        problems = self.importer.conflicts(graph, document.value, sources)
        return Mapped(graph, bid, "0.20", document,
                      problems=[document.problem(path, message, "semantic") if path
                                else Problem("$", message, "semantic")
                                for path, message in problems],
                      warnings=[document.problem(path, message, "semantic") if path
                                else Problem("$", message, "semantic")
                                for path, message in warnings],
                      sources=sources)

    def from_graph(self, graph: Graph, battery: URIRef, minter: IriMinter,
                   battery_id: str) -> Exported:
        raise NotImplementedError  # can_export is False: the registry never calls it
