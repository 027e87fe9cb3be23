"""Partner formats in and out of the passport graph (docs/interop.md).

Shared machinery: ``jsondoc`` (reading, JSON paths, positions), ``schema`` (official JSON
schemas, every error at once), ``structure`` (SAMM-term structure codec), ``codecs`` (fields
with EMMO / BattINFO / dbp terms), ``annotations`` (access groups of SAMM terms),
``provenance`` (the received document), ``diff`` (leaf-by-leaf comparison), ``registry`` and
``service`` (the pipeline). Formats: ``catenax`` (Catena-X battery pass), ``battinfo``
(import only).
"""

from __future__ import annotations

from pathlib import Path as FilePath

from graph_service.services.interop.errors import (
    DocumentError,
    DocumentRejected,
    ExportIncomplete,
    FormatNotSupported,
    FormatUnavailable,
    Gap,
    PassportNotFound,
    Problem,
    UnknownFormat,
)
from graph_service.services.interop.registry import FormatRegistry, PartnerFormat
from graph_service.services.interop.service import ExportResult, ImportResult, InteropService


def default_registry(passport_models: FilePath, battinfo: object | None = None
                     ) -> FormatRegistry:
    """Catena-X and the Battery Pass consortium aspects (both directions), BattINFO (import)."""
    from graph_service.services.interop.batterypass import BatteryPassFormat
    from graph_service.services.interop.battinfo import BattInfoFormat
    from graph_service.services.interop.catenax import CatenaXFormat

    registry = FormatRegistry()
    registry.register(CatenaXFormat(passport_models))
    registry.register(BatteryPassFormat(passport_models))
    if battinfo is not None:
        registry.register(BattInfoFormat(battinfo))  # type: ignore[arg-type]
    return registry


__all__ = [
    "DocumentError",
    "DocumentRejected",
    "ExportIncomplete",
    "ExportResult",
    "FormatNotSupported",
    "FormatRegistry",
    "FormatUnavailable",
    "Gap",
    "ImportResult",
    "InteropService",
    "PartnerFormat",
    "PassportNotFound",
    "Problem",
    "UnknownFormat",
    "default_registry",
]
