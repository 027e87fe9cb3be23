"""Shared helpers of the interop tests."""

from __future__ import annotations

from rdflib import Graph

from graph_service.model.namespaces import DBP

BASE = "http://127.0.0.1:8000/"
SAMM = "urn:samm:"
STRUCTURE = {DBP.listIndex, DBP.itemValue, DBP.unknownMember}


def semantic_subgraph(graph: Graph) -> Graph:
    """The triples with EMMO / BattINFO / dbp terms: not the SAMM-term structure, not the
    record of the received document."""
    sources = set(graph.subjects(predicate=None, object=DBP.SourceDocument))
    result = Graph()
    for s, p, o in graph:
        if str(p).startswith(SAMM) or p in STRUCTURE or s in sources or o in sources:
            continue
        result.add((s, p, o))
    return result
