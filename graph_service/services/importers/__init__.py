"""Importers not yet moved into ``services/interop/``: BattINFO JSON-LD (used through
``interop/battinfo.py``). Catena-X lives in ``services/interop/catenax/``."""

from graph_service.services.importers.battinfo import BattInfoError, BattInfoImporter

__all__ = ["BattInfoError", "BattInfoImporter"]
