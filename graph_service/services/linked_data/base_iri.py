"""The base IRI in force, and whether the store's data was minted under it.

Every minted IRI (``{base}id/...``) and graph name (``{base}graph/...``) starts with the base IRI,
so data written under one base IRI is invisible under another. Unless DBP_BASE_IRI is set, the base
follows the address the service listens on (config.address_base_iri); ``dbp serve`` says at
start-up which base is in force and warns when the store's passports were minted under another.
"""

from __future__ import annotations

from graph_service.config import Settings
from graph_service.store.base import GraphStore

_VIEW_SUFFIX = "graph/view/public"


def minted_bases(store: GraphStore) -> list[str]:
    """The base IRIs the store holds passport data for (one public view graph per base)."""
    return sorted({str(graph)[: -len(_VIEW_SUFFIX)] for graph in store.graphs()
                   if str(graph).endswith(_VIEW_SUFFIX)})


def describe_base_iri(settings: Settings) -> str:
    """One start-up line: which base IRI is in force and why."""
    if settings.base_iri_derived:
        source = "from --host/--port; set DBP_BASE_IRI or --base-iri for a public name"
        if settings.binds_all_interfaces:
            source = (f"{settings.host} names no host a client can use: set DBP_BASE_IRI or "
                      "--base-iri to the address clients reach, or minted IRIs will not "
                      "dereference from other machines")
    else:
        source = "from DBP_BASE_IRI / --base-iri"
    return f"base IRI {settings.base_iri} ({source})"


def base_iri_mismatch(settings: Settings, store: GraphStore) -> str | None:
    """A warning when the store's passports were minted under other base IRIs only."""
    bases = minted_bases(store)
    if not bases or settings.base_iri in bases:
        return None
    return (f"the store's passports were minted under {', '.join(bases)}, not under "
            f"{settings.base_iri}: their IRIs will not dereference here and queries see only "
            f"data minted under the base in force; serve with --base-iri {bases[0]} "
            "(or DBP_BASE_IRI) to serve them")
