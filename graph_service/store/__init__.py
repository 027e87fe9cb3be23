"""Quad-store protocol and adapters. Nothing outside this package imports pyoxigraph."""

from __future__ import annotations

from graph_service.config import Settings
from graph_service.store.base import (
    ChangeSet,
    GraphStore,
    QueryEvaluationError,
    QueryKind,
    QueryResult,
    QuerySyntaxError,
    QueryTimeout,
    RdfFormat,
    RdfSyntaxError,
    ResultFormat,
    ResultTooLarge,
    StoreError,
    UnsupportedFormat,
)


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

    return OxigraphStore(None if settings.is_memory_store else settings.store)


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
    "ChangeSet",
    "GraphStore",
    "QueryEvaluationError",
    "QueryKind",
    "QueryResult",
    "QuerySyntaxError",
    "QueryTimeout",
    "RdfFormat",
    "RdfSyntaxError",
    "ResultFormat",
    "ResultTooLarge",
    "StoreError",
    "UnsupportedFormat",
    "is_valid_iri",
    "open_memory_store",
    "open_store",
]


def native_graph(ntriples: str) -> object:
    """An engine-native in-memory copy of N-Triples text, for libraries (the SHACL engine)
    that read a pyoxigraph store much faster than an rdflib graph. Opaque to callers."""
    import pyoxigraph

    native = pyoxigraph.Store()
    native.bulk_load(ntriples.encode(), format=pyoxigraph.RdfFormat.N_TRIPLES)
    return native
