"""Loading the project's own ontology (and, when present, the EMMO reference stack) into the store.

The runtime needs only ``ontology/``; the reference ontologies under ``DBP_ONTOLOGY_DIR`` add the
EMMO class hierarchy so researchers can query with ``rdfs:subClassOf*``. Each graph is reloaded
only when its source files change (content hash kept beside it).
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from rdflib import Literal, URIRef

from graph_service.config import REPO_ROOT, Settings
from graph_service.model.graphs import GraphLayout
from graph_service.model.namespaces import DBP
from graph_service.store import ChangeSet, GraphStore, RdfFormat

log = logging.getLogger(__name__)

ONTOLOGY_DIR = REPO_ROOT / "ontology"
REFERENCE_FILE = Path("merged") / "battery-0.20.1-stack-merged.ttl"
_HASH = DBP.sourceHash


def project_ontology_files() -> list[Path]:
    return sorted(p for p in ONTOLOGY_DIR.glob("*.ttl"))


def _digest(files: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _stored_hash(store: GraphStore, graph: URIRef, meta: URIRef) -> str | None:
    result = store.query(
        "SELECT ?g ?p ?h WHERE { ?g ?p ?h }",
        bindings={"g": graph, "p": _HASH},
        default_graph=[meta],
    )
    for row in result.rows():
        return str(row["h"])
    return None


def _load_files(store: GraphStore, graph: URIRef, files: list[Path], meta: URIRef) -> int:
    digest = _digest(files)
    if _stored_hash(store, graph, meta) == digest:
        return 0
    # The hash is written last: an interrupted load is simply redone at the next start.
    store.apply(ChangeSet(
        drop_graphs=[graph],
        sparql_before=[f"DELETE WHERE {{ GRAPH <{meta}> {{ <{graph}> <{_HASH}> ?h }} }}"],
    ))
    count = 0
    for path in files:
        count += store.load(path.read_bytes(), RdfFormat.from_path(path.name), graph=graph,
                            base_iri=path.as_uri())
    store.apply(ChangeSet(insert=[(graph, _HASH, Literal(digest), meta)]))
    log.info("loaded %d triples into %s", count, graph)
    return count


def ensure_ontology_loaded(store: GraphStore, layout: GraphLayout, settings: Settings) -> None:
    files = project_ontology_files()
    if files:
        _load_files(store, layout.ontology, files, layout.meta)
    reference = settings.ontology_dir / REFERENCE_FILE
    if settings.load_reference_ontologies and reference.is_file():
        _load_files(store, layout.reference, [reference], layout.meta)
