"""A JSON document <-> RDF, field by field, with the terms of its SAMM aspect model.

The generic half of every SAMM-based format (Catena-X, Battery Pass): the document's nesting is
kept as passport-scoped nodes under the battery IRI, one node per object and per list member,
linked by the SAMM property URN of the field (``x-samm-aspect-model-urn`` in the official
schema). Leaves are literals with their JSON type (text, integer, double, boolean). A field
that has an EMMO / BattINFO / dbp term is handed to its ``FieldCodec`` instead, which writes
the semantic triples; when the codec cannot carry the value (or only interprets it) the leaf is
kept with its SAMM term too, so nothing is lost.

* lists keep their order (``dbp:listIndex`` on each member node); an empty list is ``rdf:nil``;
  members that are plain values carry ``dbp:itemValue``;
* keys the schema does not define are kept as received (``dbp:unknownMember``, a JSON literal)
  and reported with their JSON path;
* ``read`` writes the document back in schema order from whatever the graph holds: raw leaves
  first, then the codecs (which find the semantic triples of any passport, imported or not).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from graph_service.model.namespaces import DBP
from graph_service.services.interop.jsondoc import Path, json_path
from graph_service.services.interop.schema import Field, SchemaModel

MISSING: Any = object()


def value_at(value: Any, path: Path) -> Any:
    """The value at ``path`` inside a JSON value, or MISSING."""
    for part in path:
        if isinstance(part, int):
            if not isinstance(value, list) or part >= len(value):
                return MISSING
        elif not isinstance(value, dict) or part not in value:
            return MISSING
        value = value[part]
    return value
NodeMinter = Callable[[Path], URIRef]


class FieldCodec(Protocol):
    """Carries one leaf by EMMO / BattINFO / dbp terms.

    ``store`` writes the semantic triples and returns True when they carry the value exactly
    (the leaf is then not kept with its SAMM term), False when the leaf must be kept too (the
    value was only interpreted, or it cannot be carried). ``load`` reads the value back from
    the semantic triples of any passport, or returns MISSING. ``provided_by`` says which fact
    would provide the field when it is missing.
    """

    provided_by: str

    def store(self, ctx: Any, value: Any, path: Path) -> bool: ...

    def load(self, ctx: Any, path: Path) -> Any: ...


@dataclass
class Written:
    """What ``write`` produced besides triples."""

    unknown: list[Path] = field(default_factory=list)
    node_paths: dict[URIRef, Path] = field(default_factory=dict)


def leaf_literal(value: Any) -> Literal | None:
    if isinstance(value, bool):
        return Literal(value)
    if isinstance(value, int):
        return Literal(value)
    if isinstance(value, float):
        return Literal(value)
    if isinstance(value, str):
        return Literal(value)
    return None


def literal_value(literal: Node) -> Any:
    if not isinstance(literal, Literal):
        return MISSING
    value = literal.toPython()
    if isinstance(value, bool | int | float | str):
        return value
    return str(literal)


class StructureCodec:
    """The SAMM structure of one schema, with the codecs of the fields that have our terms."""

    # Where the unknown keys of the document's root are kept when the root node is shared with
    # other documents (a Battery Pass aspect's root is the battery, as is every other aspect's):
    # the node ``mint`` / ``ctx.node`` gives this path, which no schema field can have.
    ROOT_UNKNOWN: Path = ("unknown-members",)

    def __init__(self, schema: SchemaModel, codecs: dict[tuple[str, ...], FieldCodec], *,
                 shared_root: bool = False) -> None:
        self.schema = schema
        self.codecs = codecs
        self.shared_root = shared_root

    # -- JSON -> RDF --------------------------------------------------------------------------
    def write(self, document: dict[str, Any], graph: Graph, root: URIRef, mint: NodeMinter,
              ctx: Any) -> Written:
        written = Written()
        self._object(self.schema.root, document, root, (), graph, mint, ctx, written)
        return written

    def _object(self, spec: Field, value: dict[str, Any], node: URIRef, path: Path,
                graph: Graph, mint: NodeMinter, ctx: Any, written: Written) -> None:
        written.node_paths[node] = path
        for key, item in value.items():
            child = spec.properties.get(key)
            if child is None or child.urn is None:
                written.unknown.append((*path, key))
                holder = mint(self.ROOT_UNKNOWN) if self.shared_root and not path else node
                if holder != node:
                    written.node_paths[holder] = path
                graph.add((holder, DBP.unknownMember, Literal(
                    json.dumps({key: item}, ensure_ascii=False, sort_keys=True),
                    datatype=RDF.JSON)))
                continue
            self._member(child, item, node, (*path, key), graph, mint, ctx, written)

    def _member(self, spec: Field, value: Any, parent: URIRef, path: Path, graph: Graph,
                mint: NodeMinter, ctx: Any, written: Written) -> None:
        predicate = URIRef(spec.urn or "")
        if spec.kind == "object":
            if not isinstance(value, dict):
                return  # the schema check reported it
            codec = self.codecs.get(spec.pattern)
            if codec is not None and "properties" not in spec.schema:
                # A free-form object (SAMM MultiLanguageText) carried by its codec
                if codec.store(ctx, value, path):
                    return
                graph.add((parent, predicate, Literal(
                    json.dumps(value, ensure_ascii=False, sort_keys=True), datatype=RDF.JSON)))
                return
            node = mint(path)
            graph.add((parent, predicate, node))
            self._object(spec, value, node, path, graph, mint, ctx, written)
        elif spec.kind == "array":
            if not isinstance(value, list) or spec.item is None:
                return
            if not value:
                graph.add((parent, predicate, RDF.nil))
                return
            for index, item in enumerate(value):
                node = mint((*path, index))
                graph.add((parent, predicate, node))
                graph.add((node, DBP.listIndex, Literal(index)))
                if spec.item.kind == "object":
                    if isinstance(item, dict):
                        self._object(spec.item, item, node, (*path, index), graph, mint, ctx,
                                     written)
                else:
                    written.node_paths[node] = (*path, index)
                    literal = leaf_literal(item)
                    if literal is not None:
                        graph.add((node, DBP.itemValue, literal))
        else:
            codec = self.codecs.get(spec.pattern)
            if codec is not None and codec.store(ctx, value, path):
                return
            literal = leaf_literal(value)
            if literal is not None:
                graph.add((parent, predicate, literal))

    # -- RDF -> JSON --------------------------------------------------------------------------
    def read(self, graph: Graph, root: URIRef, ctx: Any) -> dict[str, Any]:
        out = self._read_object(self.schema.root, graph, root, (), ctx,
                                unknown=not self.shared_root) or {}
        if self.shared_root:
            _add_unknown_members(out, graph, ctx.node(self.ROOT_UNKNOWN))
        return out

    def _read_object(self, spec: Field, graph: Graph, node: Node | None, path: Path,
                     ctx: Any, *, unknown: bool = True) -> dict[str, Any] | None:
        out: dict[str, Any] = {}
        for key, child in spec.properties.items():
            value = self._read_member(child, graph, node, (*path, key), ctx)
            if value is not MISSING:
                out[key] = value
        if node is not None and unknown:
            _add_unknown_members(out, graph, node)
        return out if (out or node is not None) else None

    def _read_member(self, spec: Field, graph: Graph, parent: Node | None, path: Path,
                     ctx: Any) -> Any:
        predicate = URIRef(spec.urn or "")
        targets = list(graph.objects(parent, predicate)) if parent is not None else []
        if spec.kind == "object" and "properties" not in spec.schema and \
                spec.pattern in self.codecs:
            kept = next((t for t in targets if isinstance(t, Literal)
                         and t.datatype == RDF.JSON), None)
            if kept is not None:
                try:
                    return json.loads(str(kept))
                except ValueError:
                    return MISSING
            return self.codecs[spec.pattern].load(ctx, path)
        if spec.kind == "object":
            node = next((t for t in targets if isinstance(t, URIRef)), None)
            value = self._read_object(spec, graph, node, path, ctx)
            return MISSING if value is None else value
        if spec.kind == "array":
            if RDF.nil in targets:
                return []
            members = [t for t in targets if isinstance(t, URIRef) and t != RDF.nil]
            if not members:
                return MISSING
            members.sort(key=lambda m: (_index(graph, m), str(m)))
            items = []
            for index, member in enumerate(members):
                if spec.item is not None and spec.item.kind == "object":
                    items.append(self._read_object(spec.item, graph, member, (*path, index), ctx)
                                 or {})
                else:
                    value = literal_value(graph.value(member, DBP.itemValue))
                    if value is not MISSING:
                        items.append(value)
            return items
        raw = next((literal_value(t) for t in targets if isinstance(t, Literal)), MISSING)
        if raw is not MISSING:
            return raw
        codec = self.codecs.get(spec.pattern)
        return MISSING if codec is None else codec.load(ctx, path)


def _index(graph: Graph, member: Node) -> int:
    value = graph.value(member, DBP.listIndex)
    try:
        return int(value) if value is not None else 1 << 30
    except (TypeError, ValueError):
        return 1 << 30


__all__ = ["MISSING", "FieldCodec", "StructureCodec", "Written", "json_path", "leaf_literal"]


def _add_unknown_members(out: dict[str, Any], graph: Graph, node: Node) -> None:
    """The members of the object ``node`` stands for that the schema does not know, as the
    import kept them (JSON text), written back beside the known ones."""
    for literal in sorted(graph.objects(node, DBP.unknownMember)):
        try:
            extra = json.loads(str(literal))
        except ValueError:
            continue
        if isinstance(extra, dict):
            out.update({k: v for k, v in extra.items() if k not in out})
