"""Catena-X battery pass (``io.catenax.battery.battery_pass``): the format of the registry.

``tables.py`` is the mapping (data), ``importer.py`` / ``exporter.py`` the two directions,
``derive.py`` the interpretations of fields kept as data.
"""

from __future__ import annotations

from pathlib import Path as FilePath

from graph_service.services.interop.catenax import tables
from graph_service.services.interop.catenax.exporter import CatenaXExporter, stored_versions
from graph_service.services.interop.catenax.importer import CatenaXImporter
from graph_service.services.interop.registry import JsonMappingFormat


class CatenaXFormat(JsonMappingFormat):
    name = tables.FORMAT
    title = "Catena-X battery pass (io.catenax.battery.battery_pass)"
    versions = tables.SUPPORTED_VERSIONS

    def __init__(self, models_dir: FilePath) -> None:
        importer = CatenaXImporter(models_dir)
        super().__init__(importer, CatenaXExporter(importer))


__all__ = ["CatenaXFormat", "normalise", "stored_versions", "tables"]


def normalise(path: tuple[str | int, ...], value: object) -> object:
    """The documented normalisations of a Catena-X round trip (docs/interop.md): numbers by
    value (150000 and 150000.0 are the same JSON number), a record's time as received
    ("Z" for "+00:00"; other offsets and the fraction's digits are kept)."""
    from graph_service.services.interop.codecs import parse_timestamp, utc_as_z

    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int | float):
        return ("number", float(value))
    if path and path[-1] == "time" and isinstance(value, str) and \
            parse_timestamp(value) is not None:
        return ("time", utc_as_z(value.strip()))
    return value
