"""SPARQL 1.1 Graph Store HTTP Protocol over the passport layout.

* A battery's stage graph (``graph/battery/{id}/{stage}``) is read as the caller may read it
  (the stage's triples that are also in one of the caller's access views - an intersection the
  engine computes, not a filter on results). A stage graph of which the caller reads nothing
  answers exactly like one that does not exist (GET, HEAD and DELETE alike), so the protocol
  does not tell which batteries have usage, service or end-of-life records. It is written
  through ingest: PUT replaces the
  stage, POST merges into it, DELETE empties it - with the same validation, stage permissions,
  ownership, versioning, audit and re-derivation as ``POST /passports``.
* Any readable view or shared graph (ontology, parameters, lineage, the access views) is read
  as a whole by callers whose dataset contains it.
* Every other graph is admin-only, and writes to it also need SPARQL Update enabled in the
  settings.
* The default graph (``?default``) is, as in SPARQL, the merge of the graphs the caller may read
  (admins included); it is read-only: writes name a graph (docs/access.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import Graph, URIRef

from graph_service.model.graphs import AccessGroup, GraphLayout, Stage
from graph_service.services.access import Principal, Role
from graph_service.services.passports.ingest import IngestResult, IngestService
from graph_service.services.passports.limits import DocumentLimits, limits_for
from graph_service.services.sparql import Dataset, SparqlService
from graph_service.services.sparql.named_queries import NamedQueries
from graph_service.store.base import ChangeSet, GraphStore


class GraphNotFound(LookupError):
    """The graph does not exist, or the caller may not read it (one answer for both)."""

    def __init__(self, graph: URIRef | None) -> None:
        super().__init__(f"no graph <{graph}> that this caller may read")


class GraphWriteForbidden(PermissionError):
    """The caller may not write this graph through the Graph Store Protocol."""


class DefaultGraphNotWritable(ValueError):
    """A write to ``?default``: the default graph is a merge of graphs, not a stored graph."""

    def __init__(self) -> None:
        super().__init__("the default graph is the merge of the graphs you may read, not a "
                         "stored graph; write a named graph (?graph=IRI)")


@dataclass(frozen=True)
class StageGraph:
    battery_id: str
    stage: Stage


class GraphStoreService:
    def __init__(self, store: GraphStore, layout: GraphLayout, sparql: SparqlService,
                 ingest: IngestService) -> None:
        self.store = store
        self.layout = layout
        self.sparql = sparql
        self.ingest = ingest
        stages = "|".join(re.escape(s.value) for s in Stage)
        self._stage_graph = re.compile(
            re.escape(f"{layout.base}graph/battery/") + r"([A-Za-z0-9][A-Za-z0-9._~-]{0,127})/("
            + stages + r")")

    def stage_graph(self, graph: URIRef) -> StageGraph | None:
        match = self._stage_graph.fullmatch(str(graph))
        return StageGraph(match.group(1), Stage(match.group(2))) if match else None

    # -- reads --------------------------------------------------------------------------------
    def readable_passport(self, battery_id: str, principal: Principal) -> Graph:
        """What ``principal`` may read of a battery's stored stages (each stage read as GET
        /store reads it), plus the records of the organisations it names (public, kept apart
        from passports): the passport an export for this caller is made from."""
        graph = Graph()
        for stage in self.ingest.repository.stored_stages(battery_id):
            try:
                graph += self.read(self.layout.source(battery_id, stage), principal)
            except GraphNotFound:
                continue
        graph += self.ingest.organisations.records(graph.objects())
        return graph

    def read(self, graph: URIRef | None, principal: Principal) -> Graph:
        dataset = self.sparql.dataset_for(principal)
        if graph is None:
            # The caller's default graph is the merge of what it may read.
            return self._construct(list(dataset.default_graph))
        if principal.role is Role.ADMIN:
            if not self.store.contains_graph(graph):
                raise GraphNotFound(graph)
            return self.store.graph(graph)
        target = self.stage_graph(graph)
        if target is not None:
            part = self._readable_part(graph, list(dataset.named_graphs))
            if len(part) == 0:
                raise GraphNotFound(graph)
            return part
        if graph in dataset.named_graphs or graph in dataset.default_graph:
            return self.store.graph(graph)
        raise GraphNotFound(graph)

    def _construct(self, default_graph: list[URIRef]) -> Graph:
        graphs = Dataset(default_graph=tuple(default_graph), named_graphs=())
        result = self._queries().run("graph-content", graphs)
        graph = Graph()
        for triple in result.triples():
            graph.add(triple)
        return graph

    def _queries(self) -> NamedQueries:
        return NamedQueries(self.store, timeout=self.sparql.settings.query_timeout,
                            max_rows=self.sparql.settings.max_result_rows)

    def _readable_part(self, graph: URIRef, views: list[URIRef]) -> Graph:
        """What the caller reads of a stage graph (empty when missing or unreadable)."""
        if not self.store.contains_graph(graph):
            return Graph()
        prefix = str(self.layout.view(AccessGroup.PUBLIC))[:-len(AccessGroup.PUBLIC.value)]
        derived = str(self.layout.derived_view)
        readable = [v for v in views
                    if str(v).startswith(prefix) and not str(v).startswith(derived)]
        named = Dataset(default_graph=(), named_graphs=(graph, *readable))
        result = self._queries().run("stage-graph-readable-part", named, stage=graph)
        part = Graph()
        for triple in result.triples():
            part.add(triple)
        return part

    # -- writes -------------------------------------------------------------------------------
    def admit_write(self, graph: URIRef | None, principal: Principal) -> DocumentLimits:
        """Before the body is read: may this caller write this graph at all (the stage named by
        the graph IRI, or an admin for other graphs)? Returns the caller's document limits."""
        target = self._writable(graph, principal)
        if isinstance(target, StageGraph):
            return self.ingest.admit(principal, dry_run=False, battery_id=target.battery_id,
                                     stages=[target.stage])
        return limits_for(principal, self.ingest.settings)

    def write(self, method: str, graph: URIRef | None, body: bytes, media_type: str,
              principal: Principal, limits: DocumentLimits,
              served_context: str | None = None) -> IngestResult | None:
        """PUT (replace) or POST (merge) ``body`` into ``graph``; an empty body is an empty
        graph. ``served_context``: where the caller reached our JSON-LD context, so that a
        document the service wrote is accepted back (as by POST /passports)."""
        data = Graph() if not body.strip() else self.ingest.parse(
            body, media_type, limits, served_context)[0]
        if method == "PUT":
            return self.put(graph, data, principal, limits)
        return self.post(graph, data, principal, limits)

    def put(self, graph: URIRef | None, data: Graph, principal: Principal,
            limits: DocumentLimits | None = None) -> IngestResult | None:
        target = self._writable(graph, principal)
        if isinstance(target, StageGraph):
            return self.ingest.submit_graph(
                data, principal=principal, battery_id=target.battery_id,
                only_stage=target.stage, clear_stages=[target.stage] if len(data) == 0 else (),
                limits=limits)
        assert graph is not None  # _writable refuses the default graph
        self.store.apply(ChangeSet(drop_graphs=[graph],
                                   insert=[(s, p, o, graph) for s, p, o in data]))
        return None

    def post(self, graph: URIRef | None, data: Graph, principal: Principal,
             limits: DocumentLimits | None = None) -> IngestResult | None:
        target = self._writable(graph, principal)
        if isinstance(target, StageGraph):
            # Read and commit under the ingest's (re-entrant) write lock: a write committed in
            # between would otherwise be overwritten by the older read.
            with self.ingest.write_lock:
                merged = Graph()
                merged += self.store.graph(graph)  # type: ignore[arg-type]
                merged += data
                return self.ingest.submit_graph(merged, principal=principal,
                                                battery_id=target.battery_id,
                                                only_stage=target.stage, limits=limits)
        self.store.apply(ChangeSet(insert=[(s, p, o, graph) for s, p, o in data]))
        return None

    def delete(self, graph: URIRef | None, principal: Principal) -> IngestResult | None:
        target = self._writable(graph, principal)
        if graph is not None and not self.store.contains_graph(graph):
            raise GraphNotFound(graph)
        assert graph is not None  # _writable refuses the default graph
        if isinstance(target, StageGraph) and principal.role is not Role.ADMIN and len(
                self._readable_part(graph, list(self.sparql.dataset_for(principal).named_graphs))
        ) == 0:
            # Refusing to delete what the caller cannot even see would tell it that it exists.
            raise GraphNotFound(graph)
        if isinstance(target, StageGraph):
            return self.ingest.submit_graph(Graph(), principal=principal,
                                            battery_id=target.battery_id,
                                            clear_stages=[target.stage])
        self.store.apply(ChangeSet(drop_graphs=[graph]))
        return None

    def _writable(self, graph: URIRef | None, principal: Principal) -> StageGraph | None:
        target = self.stage_graph(graph) if graph is not None else None
        if target is not None:
            return target  # ingest checks the stage permission and ownership
        if principal.role is not Role.ADMIN or not self.sparql.settings.enable_update:
            raise GraphWriteForbidden(
                "only battery stage graphs (graph/battery/{id}/{stage}) are written through "
                "the Graph Store Protocol; other graphs need an admin with updates enabled")
        if graph is None:
            raise DefaultGraphNotWritable()
        return None
