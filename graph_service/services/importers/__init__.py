"""Importers of partner passport formats into our model (and export back).

* ``catenax``: Catena-X battery passport 6.1.0 JSON (``io.catenax.battery.battery_pass``),
  both directions;
* ``battinfo``: BattINFO JSON-LD (already EMMO; identification and passport fields added);
* ``service``: ``ImportService`` - parse, map, then ingest (SHACL validation, atomic commit,
  rule derivation) - and ``export_catenax``.
"""

from graph_service.services.importers.battinfo import BattInfoError, BattInfoImporter
from graph_service.services.importers.catenax import (
    CatenaXError,
    CatenaXImporter,
    DocumentError,
    catenax_schema_path,
    passport_models_dir,
)
from graph_service.services.importers.service import (
    ExportResult,
    ImportResult,
    ImportService,
    PassportNotFound,
    UnknownImportFormat,
)

__all__ = [
    "BattInfoError",
    "BattInfoImporter",
    "CatenaXError",
    "CatenaXImporter",
    "DocumentError",
    "ExportResult",
    "ImportResult",
    "ImportService",
    "PassportNotFound",
    "UnknownImportFormat",
    "catenax_schema_path",
    "passport_models_dir",
]
