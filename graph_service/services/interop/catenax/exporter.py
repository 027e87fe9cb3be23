"""Our passport graph -> Catena-X battery pass JSON, with nothing made up.

The document is written in the version whose SAMM terms the passport holds (the version it was
imported in), else the latest supported one. Every field comes from what the graph holds: the
field kept with its SAMM term, else the EMMO / BattINFO / dbp facts its codec reads (in the unit
the document uses). A field the schema requires that no stored fact provides is a ``Gap`` (its
JSON path and what would provide it); so is a stored value that does not fit the schema (it is
left out). The caller decides whether gaps refuse the export (the default) or are returned
next to an incomplete document.
"""

from __future__ import annotations

from rdflib import Graph, URIRef

from graph_service.model.iris import IriMinter
from graph_service.services.interop.catenax import tables
from graph_service.services.interop.catenax.importer import CatenaXImporter
from graph_service.services.interop.codecs import ExportContext, codec_held
from graph_service.services.interop.errors import Gap
from graph_service.services.interop.jsondoc import JsonDocument, Path, remove_at
from graph_service.services.interop.registry import Exported
from graph_service.services.interop.samm import write_integers
from graph_service.services.interop.schema import SchemaModel, missing_required

_TERM_PREFIX = f"urn:samm:{tables.ASPECT}:"
_RAW_ONLY = "the field itself: only a Catena-X document provides it (no EMMO, BattINFO or dbp " \
            "term carries it)"


def stored_versions(graph: Graph) -> set[str]:
    """Versions of the Catena-X battery pass whose SAMM terms the graph holds."""
    return {str(p)[len(_TERM_PREFIX):].split("#", 1)[0] for p in set(graph.predicates())
            if str(p).startswith(_TERM_PREFIX)}


class CatenaXExporter:
    def __init__(self, importer: CatenaXImporter) -> None:
        self.importer = importer

    def export(self, graph: Graph, battery: URIRef, minter: IriMinter, battery_id: str,
               version: str | None = None) -> Exported:
        warnings: list[str] = []
        found = sorted(stored_versions(graph))
        if version is None:
            supported = [v for v in found if v in tables.SUPPORTED_VERSIONS]
            version = supported[-1] if supported else tables.LATEST
            if len(found) > 1:
                warnings.append(f"the passport holds fields of Catena-X versions "
                                f"{', '.join(found)}; written as {version}, fields of the "
                                "others are left out")
        schema = self.importer.schema(version)
        ctx = ExportContext(graph, battery, minter, battery_id, schema, tables.FORMAT)
        document = write_integers(self.importer.structure(version).read(graph, battery, ctx),
                                  schema, self.importer.integers(version))
        held = codec_held(tables.FIELDS, ctx)
        held.update({pattern: (reason, row.provided_by) for pattern, row in tables.HELD.items()
                     if (reason := row.describe(ctx)) is not None})
        gaps = missing_required(schema.root, document, (), tables.FIELDS, _RAW_ONLY, held)
        listed = {g.path for g in gaps}
        for problem in schema.validate(JsonDocument(document, "", "", "")):
            if problem.path in listed or problem.message.startswith("required by"):
                continue
            path = remove_at(document, problem.path)
            gaps.append(Gap(problem.path, f"the stored value does not fit the schema "
                                          f"({problem.message}); left out",
                            _provider(schema, path)))
        gaps.sort(key=lambda g: g.path)
        return Exported(document, version, gaps, warnings)


def _provider(schema: SchemaModel, path: Path | None) -> str:
    from graph_service.services.interop.schema import pattern_of

    if path is None:
        return _RAW_ONLY
    codec = tables.FIELDS.get(pattern_of(path))
    return getattr(codec, "provided_by", None) or _RAW_ONLY
