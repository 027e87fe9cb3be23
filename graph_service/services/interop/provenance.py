"""The received partner document, kept as a provenance-linked source record.

``<battery> prov:wasDerivedFrom <battery>/source/<hash>``, a ``dbp:SourceDocument`` with the
content hash of the bytes received, format and version, when it was first received, who
submitted it, and the document text (rdf:JSON). Any export can be checked against it. Receiving
the same bytes again keeps the first record (time and submitter), so a repeated import changes
nothing. The record holds every field of the document, so it is authority-only (see
ontology/interop.ttl).
"""

from __future__ import annotations

from datetime import UTC, datetime

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF

from graph_service.model.iris import IriMinter
from graph_service.model.namespaces import DBP
from graph_service.services.interop.registry import Mapped


def source_record(stored: Graph, minter: IriMinter, mapped: Mapped, format: str,
                  submitter: URIRef) -> Graph:
    """The source record of ``mapped``; ``stored``: the battery's stored identity stage (its
    earlier receipts), empty when unknown (a bulk worker: see :func:`keep_first_receipts`)."""
    assert mapped.battery_id is not None
    digest = mapped.document.digest
    source = minter.source_document(mapped.battery_id, digest.removeprefix("sha256:"))
    graph = Graph()
    battery = minter.battery(mapped.battery_id)
    graph.add((battery, PROV.wasDerivedFrom, source))
    graph.add((source, RDF.type, DBP.SourceDocument))
    graph.add((source, DBP.contentHash, Literal(digest)))
    graph.add((source, DBP.sourceFormat, Literal(format)))
    graph.add((source, DBP.formatVersion, Literal(mapped.version)))
    graph.add((source, DCTERMS.format, Literal("application/json")))
    graph.add((source, DBP.receivedAt, Literal(datetime.now(UTC).replace(microsecond=0))))
    graph.add((source, PROV.wasAttributedTo, submitter))
    graph.add((source, DBP.documentText, Literal(mapped.document.text, datatype=RDF.JSON)))
    keep_first_receipts(graph, stored)
    return graph


def keep_first_receipts(graph: Graph, stored: Graph) -> None:
    """Give every source record of ``graph`` whose document (same content hash) ``stored``
    already records the stored time and submitter: receiving the same bytes again is not a new
    receipt. Only the stored graph decides, never the document."""
    for source in list(graph.subjects(RDF.type, DBP.SourceDocument)):
        digest = graph.value(source, DBP.contentHash)
        if not isinstance(source, URIRef) or digest is None \
                or (source, DBP.contentHash, digest) not in stored:
            continue
        received = stored.value(source, DBP.receivedAt)
        if isinstance(received, Literal):
            graph.remove((source, DBP.receivedAt, None))
            graph.add((source, DBP.receivedAt, received))
        who = stored.value(source, PROV.wasAttributedTo)
        if isinstance(who, URIRef):
            graph.remove((source, PROV.wasAttributedTo, None))
            graph.add((source, PROV.wasAttributedTo, who))
