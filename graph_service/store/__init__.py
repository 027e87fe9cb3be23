"""Quad-store protocol and adapters. Nothing outside this package imports pyoxigraph.

This module opens stores; the protocol, its errors and formats are imported from
``graph_service.store.base``, where they are defined."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from graph_service.config import Settings
from graph_service.store.base import GraphStore

if TYPE_CHECKING:
    from graph_service.store.isolation import QueryIsolation


def open_store(settings: Settings) -> GraphStore:
    """Open the store the settings select."""
    if settings.store_backend == "remote":
        from graph_service.store.remote import RemoteStore
        from graph_service.store.virtuoso import VirtuosoStore

        adapter = VirtuosoStore if settings.remote_engine == "virtuoso" else RemoteStore
        return adapter(
            query_url=settings.remote_query_url or "",
            update_url=settings.remote_update_url or "",
            store_url=settings.remote_store_url,
            username=settings.remote_username,
            password=settings.remote_password,
        )
    from graph_service.store.oxigraph import OxigraphStore

    if settings.is_memory_store:
        # The service's ":memory:" store lives on a private RocksDB store in a temporary
        # directory (tmpfs when it has room), so that it gets the same query isolation as an
        # on-disk one: workers need checkpoints to read. It is removed on close.
        scratch = _scratch_dir()
        _remove_orphans(Path(scratch or tempfile.gettempdir()))
        folder = tempfile.mkdtemp(prefix=f"dbp-store-{os.getpid()}-", dir=scratch)
        return OxigraphStore(Path(folder) / "store", ephemeral=True)
    return OxigraphStore(settings.store)


_TMPFS = Path("/dev/shm")
_TMPFS_ROOM = 1 << 30  # bytes a tmpfs must have free to hold a service's memory store


def _scratch_dir() -> str | None:
    try:
        usage = shutil.disk_usage(_TMPFS)
    except OSError:
        return None
    return str(_TMPFS) if usage.free >= _TMPFS_ROOM and os.access(_TMPFS, os.W_OK) else None


def _remove_orphans(scratch: Path) -> None:
    """Remove the ephemeral stores of processes that are gone (killed before they could)."""
    for folder in scratch.glob("dbp-store-*-*"):
        try:
            pid = int(folder.name.split("-")[2])
        except (IndexError, ValueError):
            continue
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except PermissionError:
            continue


def open_query_isolation(store: GraphStore, settings: Settings) -> QueryIsolation | None:
    """Worker processes that evaluate callers' SPARQL texts over snapshots of ``store``; None
    when ``store`` is not an on-disk embedded store (a remote store enforces its own timeout;
    a private in-memory store of rule workspaces and tests evaluates in-process)."""
    from graph_service.store.isolation import QueryIsolation
    from graph_service.store.oxigraph import OxigraphStore

    if not isinstance(store, OxigraphStore) or store.path is None:
        return None
    snapshots = (store.path.parent / "snapshots" if store.ephemeral
                 else store.path.with_name(store.path.name + ".query-snapshots"))
    return QueryIsolation(
        store, snapshots, workers=settings.query_workers,
        memory_limit=settings.query_worker_memory_mb * (1 << 20),
        sandbox="require" if settings.environment == "production" else "try",
    )


def is_valid_iri(text: str) -> bool:
    """Whether ``text`` is an absolute IRI (RFC 3987) that can be stored and queried; check
    IRIs taken from requests with this before they reach the store."""
    from graph_service.store.oxigraph import is_valid_iri as engine_check

    return isinstance(text, str) and engine_check(text)


def open_memory_store(template: GraphStore | None = None) -> GraphStore:
    """A private in-memory store (rule workspaces, tests), optionally holding a copy of the
    quads of ``template``, another store opened by this function."""
    from graph_service.store.oxigraph import OxigraphStore

    store = OxigraphStore(None)
    if template is not None:
        if not isinstance(template, OxigraphStore) or template.path is not None:
            raise TypeError("a memory store copies another memory store only")
        store.copy_from(template)
    return store


__all__ = [
    "is_valid_iri",
    "open_memory_store",
    "open_query_isolation",
    "open_store",
]


def native_graph(ntriples: str) -> object:
    """An engine-native in-memory copy of N-Triples text, for libraries (the SHACL engine)
    that read a pyoxigraph store much faster than an rdflib graph. Opaque to callers."""
    import pyoxigraph

    native = pyoxigraph.Store()
    native.bulk_load(ntriples.encode(), format=pyoxigraph.RdfFormat.N_TRIPLES)
    return native
