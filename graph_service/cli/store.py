"""Store operations: ``dbp migrate``, ``dbp backup``, ``dbp restore``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from graph_service.cli.common import (
    StoreOption,
    _check_copy,
    _describe,
    _embedded_store_path,
    _fail,
    _settings,
    app,
    console,
)


@app.command()
def migrate(store: StoreOption = None) -> None:
    """Bring a store to the current named-graph layout (custody records and partitions).

    The service does this at start-up; the command does it ahead of time (idempotent)."""
    from graph_service.container import build_services
    from graph_service.model.graphs import GraphLayout
    from graph_service.services.access.migration import LAYOUT_VERSION, layout_version
    from graph_service.store import open_store

    settings = _settings(store=store)
    opened = open_store(settings)
    before = layout_version(opened, GraphLayout(settings.base_iri))
    services = build_services(settings, opened)  # building the services runs the migration
    services.store.flush()
    if before < LAYOUT_VERSION:
        console.print(f"migrated the store from layout version {before} to {LAYOUT_VERSION}")
    else:
        console.print(f"store is at layout version {LAYOUT_VERSION}; nothing to migrate")


@app.command()
def backup(
    to: Annotated[Path, typer.Option("--to", help="New directory to write the backup into.")],
    store: StoreOption = None,
) -> None:
    """Write a consistent copy of the on-disk store to a new directory (stop the server first:
    the store is opened by one process at a time)."""
    from graph_service.store.oxigraph import OxigraphStore

    source = _embedded_store_path(
        store, "backup works on the embedded on-disk store; for a remote store use its own "
               "backup (e.g. `oxigraph backup`)")
    _check_copy(source, "is not a store directory", to, "back up into a new directory")
    started = time.perf_counter()
    try:
        opened = OxigraphStore(source)
    except OSError as exc:
        _fail(f"cannot open {source} ({_describe(exc)}); is a server running on it? Stop it "
              "first, or dump it over HTTP")
        return
    try:
        opened.backup(to)
    finally:
        opened.close()
    elapsed = time.perf_counter() - started
    console.print(f"backed up {source} to {to} in {elapsed:.1f} s")


@app.command()
def restore(
    source: Annotated[Path, typer.Option("--from", help="A directory written by `dbp backup`.")],
    store: StoreOption = None,
) -> None:
    """Put a backup in place as the store; refuses to overwrite an existing store."""
    import shutil

    target = _embedded_store_path(
        store, "restore writes an embedded on-disk store; name its path with --store")
    _check_copy(source, "is not a backup written by `dbp backup`",
                target, "restore into a new path (or move the old store away first)")
    staging = target.with_name(f".{target.name}.restoring")
    if staging.exists():
        shutil.rmtree(staging)
    shutil.copytree(source, staging)
    staging.rename(target)  # the store appears whole or not at all
    console.print(f"restored {source} to {target}")
