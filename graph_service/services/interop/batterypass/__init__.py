"""Battery Pass consortium data model 1.2.x (the DIN DKE SPEC 99100 attributes as seven SAMM
aspects) in the format registry, both directions.

``tables.py`` is the mapping (data), ``importer.py`` / ``exporter.py`` the two directions,
``codecs.py`` the fields with dbp terms particular to the model.
"""

from __future__ import annotations

from pathlib import Path as FilePath
from typing import Any

from graph_service.services.interop.batterypass import tables
from graph_service.services.interop.batterypass.exporter import BatteryPassExporter
from graph_service.services.interop.batterypass.importer import BatteryPassImporter
from graph_service.services.interop.registry import JsonMappingFormat


class BatteryPassFormat(JsonMappingFormat):
    name = tables.FORMAT
    title = ("Battery Pass consortium data model 1.2.x (DIN DKE SPEC 99100 attributes, seven "
             "SAMM aspects)")
    versions = tables.SUPPORTED_VERSIONS

    def __init__(self, models_dir: FilePath) -> None:
        importer = BatteryPassImporter(models_dir)
        super().__init__(importer, BatteryPassExporter(importer))


def normalise(path: tuple[str | int, ...], value: Any) -> Any:
    """The documented normalisations of a Battery Pass round trip (docs/interop.md): numbers by
    value, a record's lastUpdate as received ("Z" for "+00:00")."""
    from graph_service.services.interop.codecs import parse_timestamp, utc_as_z

    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int | float):
        return ("number", float(value))
    if path and path[-1] in ("lastUpdate", "rPCLastUpdated") and isinstance(value, str) and \
            parse_timestamp(value) is not None:
        return ("time", utc_as_z(value.strip()))
    return value


__all__ = ["BatteryPassFormat", "normalise", "tables"]
