"""Loading the project's own ontology (and, when present, the EMMO reference stack) into the store.

The runtime needs only ``ontology/``; the reference ontologies under ``DBP_ONTOLOGY_DIR`` add the
EMMO class hierarchy so researchers can query with ``rdfs:subClassOf*``. Each graph is reloaded
only when its source files change (content hash kept beside it).

Every caller's default graph merges ``ontology`` and ``ontology/reference``. SPARQL's default
graph is a set, but the engine reads a default graph of several graphs as a bag: a triple in
both would be matched (and counted) twice. Our ontology restates some of the EMMO hierarchy
(alignment axioms, so rules work without the reference stack), so the reference graph holds the
stack *minus* what the ontology graph holds, and is reloaded whenever either changes.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from graph_service.config import REPO_ROOT, Settings
from graph_service.model.graphs import GraphLayout
from graph_service.model.namespaces import DBP
from graph_service.services.sparql.named_queries import INTERNAL_QUERIES_DIR, Dataset, NamedQueries
from graph_service.store.base import ChangeSet, GraphStore, QuadPattern, RdfFormat

log = logging.getLogger(__name__)

ONTOLOGY_DIR = REPO_ROOT / "ontology"
REFERENCE_FILE = Path("merged") / "battery-0.20.1-stack-merged.ttl"
_HASH = DBP.sourceHash


RULES_DIR = REPO_ROOT / "rules"


def project_ontology_files() -> list[Path]:
    return sorted(p for p in ONTOLOGY_DIR.glob("*.ttl"))


def _digest(files: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _stored_hash(store: GraphStore, graph: URIRef, meta: URIRef) -> str | None:
    rows = NamedQueries(store, directory=INTERNAL_QUERIES_DIR).select(
        "meta-values", Dataset(default_graph=(meta,), named_graphs=()), g=graph, p=_HASH)
    for row in rows:
        return str(row["v"])
    return None


def _load_files(store: GraphStore, graph: URIRef, files: list[Path], meta: URIRef, *,
                depends_on: Sequence[Path] = (), without: URIRef | None = None) -> int:
    """(Re)load ``graph`` from ``files`` when they (or ``depends_on``) changed; the triples of
    the graph ``without`` are left out (see the module docstring)."""
    digest = _digest([*files, *depends_on])
    if _stored_hash(store, graph, meta) == digest:
        return 0
    # The hash is written last: an interrupted load is simply redone at the next start.
    store.apply(ChangeSet(
        drop_graphs=[graph],
        retract=[QuadPattern(meta, graph, _HASH)],
    ))
    count = 0
    for path in files:
        count += store.load(path.read_bytes(), RdfFormat.from_path(path.name), graph=graph,
                            base_iri=path.as_uri())
    if without is not None:
        NamedQueries(store, directory=INTERNAL_QUERIES_DIR).update(
            "graph-minus-graph", graph=graph, without=without)
    store.apply(ChangeSet(insert=[(graph, _HASH, Literal(digest), meta)]))
    log.info("loaded %d triples into %s", count, graph)
    return count


def rule_parameters(settings: Settings) -> Graph:
    """Default rule parameters with the site's overrides applied (same subject and predicate)."""
    graph = Graph()
    for path in sorted(RULES_DIR.glob("*.ttl")):
        graph.parse(path, format="turtle")
    if settings.parameters_file is not None:
        overrides = Graph().parse(settings.parameters_file, format="turtle")
        for subject, predicate in {(s, p) for s, p, _ in overrides}:
            graph.remove((subject, predicate, None))
        graph += overrides
    return graph


def _load_parameters(store: GraphStore, layout: GraphLayout, settings: Settings) -> None:
    files = sorted(RULES_DIR.glob("*.ttl"))
    if settings.parameters_file is not None:
        files.append(settings.parameters_file)
    digest = _digest(files)
    if _stored_hash(store, layout.parameters, layout.meta) == digest:
        return
    parameters = rule_parameters(settings)
    store.apply(ChangeSet(
        drop_graphs=[layout.parameters],
        retract=[QuadPattern(layout.meta, layout.parameters, _HASH)],
        insert=[(s, p, o, layout.parameters) for s, p, o in parameters],
    ))
    store.apply(ChangeSet(insert=[(layout.parameters, _HASH, Literal(digest), layout.meta)]))
    log.info("loaded %d rule parameters triples", len(parameters))


def ensure_ontology_loaded(store: GraphStore, layout: GraphLayout, settings: Settings) -> None:
    files = project_ontology_files()
    if files:
        _load_files(store, layout.ontology, files, layout.meta)
    _load_parameters(store, layout, settings)
    reference = settings.ontology_dir / REFERENCE_FILE
    if settings.load_reference_ontologies and reference.is_file():
        _load_files(store, layout.reference, [reference], layout.meta, depends_on=files,
                    without=layout.ontology)
