"""Serialising rdflib graphs to the wire formats we offer (one mapping, used everywhere)."""

from __future__ import annotations

from rdflib import Dataset, Graph

from graph_service.model.namespaces import PREFIXES
from graph_service.store.base import RdfFormat

_RDFLIB_FORMAT = {
    RdfFormat.TURTLE: "turtle",
    RdfFormat.N_TRIPLES: "nt",
    RdfFormat.N_QUADS: "nquads",
    RdfFormat.TRIG: "trig",
    RdfFormat.JSON_LD: "json-ld",
    RdfFormat.RDF_XML: "xml",
}


def rdflib_format(media_type: str | RdfFormat) -> str:
    return _RDFLIB_FORMAT[RdfFormat.from_name(str(media_type))]


def bind_prefixes(graph: Graph) -> Graph:
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=False)
    return graph


def serialize_graph(graph: Graph | Dataset, media_type: str | RdfFormat) -> bytes:
    fmt = rdflib_format(media_type)
    if fmt in ("nquads", "trig") and not isinstance(graph, Dataset):
        dataset = Dataset()
        for triple in graph:
            dataset.add(triple)
        graph = dataset
    data = graph.serialize(format=fmt, encoding="utf-8")
    return data if isinstance(data, bytes) else data.encode()
