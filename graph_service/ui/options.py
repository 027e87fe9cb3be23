"""Choices for the dashboard's drop-down lists: the concepts of a SKOS scheme of our ontology
(chemistries, statuses, alert levels, tools, fastener types), read through the same
``GraphReader.vocabulary`` the services use and ordered by ``dbp:rank``, then label."""

from __future__ import annotations

import threading
import weakref

from rdflib import URIRef

from graph_service.model.namespaces import DBP
from graph_service.model.read_models import Concept
from graph_service.services.facade.reading import GraphReader, integer

SCHEMES = {
    "chemistry": DBP.ChemistryScheme,
    "status": DBP.BatteryStatusScheme,
    "alert": DBP.AlertLevelScheme,
    "tool": DBP.ToolScheme,
    "fastener": DBP.FastenerTypeScheme,
}

_cache: weakref.WeakKeyDictionary[GraphReader, dict[str, list[Concept]]] = (
    weakref.WeakKeyDictionary())
_lock = threading.Lock()


def scheme_options(reader: GraphReader, name: str) -> list[Concept]:
    """The concepts of one scheme (cached per reader: the ontology is loaded at start-up)."""
    with _lock:
        cached = _cache.get(reader, {}).get(name)
    if cached is not None:
        return cached
    rows = reader.vocabulary("scheme-concepts", scheme=SCHEMES[name])
    ranked: dict[URIRef, int] = {}
    for row in rows:
        concept = row["c"]
        if isinstance(concept, URIRef):
            rank = integer(row.get("rank"))
            ranked[concept] = rank if rank is not None else 0
    reader.load_labels(ranked)
    concepts = [(ranked[c], reader.concept(c)) for c in ranked]
    options = [c for _, c in sorted(
        ((rank, c) for rank, c in concepts if c is not None),
        key=lambda item: (item[0], (item[1].label or item[1].id).lower()))]
    with _lock:
        _cache.setdefault(reader, {})[name] = options
    return options


__all__ = ["SCHEMES", "scheme_options"]
