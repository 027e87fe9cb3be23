"""The ``dbp`` command line. Commands call the same services as the HTTP API.

Commands live in one module per group; importing them registers them on
``app`` (in the order ``dbp --help`` lists them)."""

# Imported in the order of registration (serve, demo; load .. derive; token, custody,
# organisation; migrate, backup, restore; import, export), which `dbp --help` keeps.
# isort: off
from graph_service.cli.common import app
from graph_service.cli import serving
from graph_service.cli import passports
from graph_service.cli import principals
from graph_service.cli import store
from graph_service.cli import interop
# isort: on

__all__ = ["app", "interop", "passports", "principals", "serving", "store"]
