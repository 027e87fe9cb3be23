"""BattINFO JSON-LD (context ``https://w3id.org/emmo/domain/battery/context``) into our model.

BattINFO documents already use the EMMO/BattINFO terms we store, so everything is kept as sent.
The importer only adds what our passport model needs to name and validate the battery, each
addition reported as a warning:

* ``dbp:batteryId`` from a supplied id, else ``schema:serialNumber`` or ``dbp:serialNumber``
  of the root battery, else its ``schema:productID`` (made to follow the identifier rules). A
  serial number names the one battery; a product id may name every battery of a product;
* ``dbp:serialNumber`` from ``schema:serialNumber``; ``dbp:model`` from a textual
  ``schema:model``;
* ``dbp:manufacturer`` (our organisation IRI, from ``schema:identifier`` of
  ``schema:manufacturer``, else its ``schema:name``); the partner's description of the
  organisation is not passport data and is left out (the organisation must be registered);
* ``dbp:manufacturingDate`` from ``schema:productionDate`` / ``schema:dateCreated``;
* ``dbp:batteryCategory`` portable for a coin cell that names no category (a coin cell is a
  sealed battery under 5 kg that is none of the other categories, Regulation (EU) 2023/1542
  Art. 3(9)). A coin cell by the EMMO hierarchy: a CoinCell subclass, or a battery whose case
  (stated with ``hasCase``, or by its class, e.g. CR2032 ``hasCase some R2032``) is a CoinCase.
  Other batteries must state their category.

What the document's context does not define is never silently dropped nor turned into an IRI of
ours (JSON-LD would drop an undefined key and resolve an undefined ``@type`` or a relative
``@id`` against the server's address): an undefined key or type is left out with a warning at
its JSON path (the received document, stored with the passport, still holds it); a relative
IRI is refused, as it names nothing outside the document.

Contexts are resolved from local copies only (``services/rdf/jsonld.py``).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from graph_service.model.iris import (
    IriMinter,
    battery_id_for,
    check_identifier,
    sanitize_identifier,
)
from graph_service.model.namespaces import DBP, SCHEMA
from graph_service.model.terms import (
    BATTERY_CELL,
    BATTERY_CLASS,
    BATTERY_MODULE,
    BATTERY_PACK,
    COIN_CASE,
    COIN_CELL,
    HAS_CASE,
    HAS_CONSTITUENT,
    HAS_MEASUREMENT_UNIT,
    HAS_NUMBER_VALUE,
    HAS_NUMERICAL_PART,
    HAS_PROPERTY,
    LOWER_VOLTAGE_LIMIT,
    MASS,
    NOMINAL_ENERGY,
    NOMINAL_VOLTAGE,
    RATED_CAPACITY,
    UPPER_VOLTAGE_LIMIT,
    vocab,
)
from graph_service.services.interop.codecs import convert, parse_timestamp, to_decimal_literal
from graph_service.services.interop.errors import DocumentError
from graph_service.services.interop.jsondoc import decode_json, json_path, walk
from graph_service.services.rdf.jsonld import (
    ContextResolver,
    JsonLdError,
    check_iris,
    has_context,
)
from graph_service.store.base import RdfFormat, RdfSyntaxError
from graph_service.store.parsing import parse_rdf

BATTERY_CONTEXT = "https://w3id.org/emmo/domain/battery/context"
# Sentinels the document is expanded with, so that JSON-LD cannot drop an undefined key or
# resolve a relative reference against our own address unseen (.invalid never resolves).
UNDEFINED_TERM = "https://undefined-term.invalid/"
RELATIVE_BASE = "https://relative-reference.invalid/"
# Used when no class hierarchy is at hand (the store's reference ontologies give the full one).
KNOWN_BATTERY_CLASSES = frozenset({BATTERY_CLASS, BATTERY_PACK, BATTERY_MODULE, BATTERY_CELL,
                                   COIN_CELL})
# Used when no shapes are at hand (the validator's quantity shapes give the full set).
KNOWN_QUANTITY_CLASSES = frozenset({MASS, NOMINAL_VOLTAGE, LOWER_VOLTAGE_LIMIT,
                                    UPPER_VOLTAGE_LIMIT, RATED_CAPACITY, NOMINAL_ENERGY})
# A serial number names one battery; a product id may name a whole product line.
ID_PROPERTIES = (DBP.batteryId, SCHEMA.serialNumber, DBP.serialNumber, SCHEMA.productID)

# Marks each JSON object with its path while the document is parsed (removed after).
PATH_MARKER = URIRef("https://json-path.invalid/of")
PATH_MARK_VALUE = "json-path-marker:"
# Objects with these keys are no node objects: no marker (value, list and set objects).
_NOT_NODE_KEYS = frozenset({"@value", "@list", "@set"})
Superclasses = Callable[[Iterable[URIRef]], dict[URIRef, frozenset[URIRef]]]
Restrictions = Callable[[Iterable[URIRef], URIRef], frozenset[URIRef]]
JsonPath = tuple[str | int, ...]
Sources = dict[tuple[Node, Node | None], JsonPath]
Warning = tuple[JsonPath, str]


class BattInfoError(DocumentError):
    """A BattINFO JSON-LD document that cannot be imported."""


class BattInfoImporter:
    format = "battinfo"

    def __init__(self, ontology_dir: Path, base_iri: str,
                 superclasses: Superclasses | None = None,
                 restrictions: Restrictions | None = None,
                 quantity_classes: Callable[[], frozenset[URIRef]] | None = None) -> None:
        self.contexts = ContextResolver(ontology_dir)
        self.base_iri = base_iri
        self.superclasses = superclasses
        self.restrictions = restrictions
        self.quantity_classes = quantity_classes

    def decode(self, body: bytes) -> Any:
        return decode_json(body, BattInfoError)

    def to_graph(self, document: Any, minter: IriMinter, *, battery_id: str | None = None,
                 ) -> tuple[Graph, list[Warning], Sources]:
        """The document as our graph, warnings as (JSON path, message), and where in the
        document each node and each of its properties was given (to point SHACL violations
        back at the field)."""
        if not has_context(document):
            raise BattInfoError(f"a BattINFO document is JSON-LD with an @context (e.g. "
                                f"{BATTERY_CONTEXT!r}); this one has none", path="$")
        for path, value in walk(document):
            # Python's JSON reader accepts NaN and Infinity; JSON and JSON-LD have neither.
            if isinstance(value, float) and not math.isfinite(value):
                raise BattInfoError(f"{_non_finite(value)} is not a JSON number (JSON has "
                                    "no NaN or Infinity)", path=json_path(path))
        try:
            prepared = self.contexts.prepare(json.dumps(document).encode(), plain_json=False)
            check_iris(prepared.document, None)
            sentinelled = _with_sentinels(prepared.document)
            graph, sources = _parse_with_paths(sentinelled)
        except JsonLdError as exc:
            raise BattInfoError(exc.message) from None
        except RdfSyntaxError as exc:
            raise BattInfoError(f"not valid JSON-LD: {exc.message}") from None
        warnings: list[Warning] = [((), w) for w in prepared.warnings]
        _refuse_relative(graph, document)
        warnings.extend(_drop_undefined(graph, document))
        if len(graph) == 0:
            raise BattInfoError("the document holds no triples (are its terms in the context?)")
        root = self._root(graph)
        messages: list[str] = []
        self._identify(graph, root, battery_id, messages, sources)
        self._manufacturer(graph, root, minter, messages, sources)
        self._dates(graph, root, messages, sources)
        self._category(graph, root, messages)
        return graph, warnings + [((), m) for m in messages], sources

    def conflicts(self, graph: Graph, document: Any, sources: Sources) -> list[Warning]:
        """Two values of one quantity of one owner (two NominalVoltage of the battery, say) that
        disagree: the passport holds one value per quantity, and which of the two holds only the
        partner knows. Each is refused at its own JSON path, naming the other. The same value
        stated twice (400 V and 400000 mV) is no conflict."""
        classes = self.quantity_classes() if self.quantity_classes is not None \
            else KNOWN_QUANTITY_CLASSES
        problems: list[Warning] = []
        for owner in sorted(set(graph.subjects(HAS_PROPERTY, None)), key=str):
            stated: dict[URIRef, list[tuple[Node, Decimal, URIRef]]] = {}
            for q in graph.objects(owner, HAS_PROPERTY):
                number = to_decimal_literal(graph.value(graph.value(q, HAS_NUMERICAL_PART),
                                                        HAS_NUMBER_VALUE))
                unit = graph.value(q, HAS_MEASUREMENT_UNIT)
                if number is None or not isinstance(unit, URIRef):
                    continue  # the shapes say what the quantity lacks
                for cls in self._types(graph, q) & classes:
                    stated.setdefault(cls, []).append((q, number, unit))
            for cls, values in sorted(stated.items(), key=lambda item: str(item[0])):
                first = values[0]
                if all(_same_quantity(first, other) for other in values[1:]):
                    continue
                where = {q: sources.get((q, None)) for q, _, _ in values}
                for q, number, unit in values:
                    others = "; ".join(
                        f"{_number_text(n)} {_unit_text(u)} at "
                        f"{json_path(where[o]) if where[o] is not None else _node_text(o)}"
                        for o, n, u in values if o != q)
                    name = _type_text(document, where[q]) or _curie(cls)
                    holder = "the battery" if owner == self._root_or_none(graph) \
                        else (json_path(sources[(owner, None)]) if (owner, None) in sources
                              else _node_text(owner))
                    problems.append((where[q] or (), (
                        f"{name} {_number_text(number)} {_unit_text(unit)} conflicts with "
                        f"{others}: {holder} has one {name}, and the document states "
                        f"{len(values)} different values of it. Send the one that holds "
                        "(nothing was imported)")))
        return problems

    def _root_or_none(self, graph: Graph) -> Node | None:
        try:
            return self._root(graph)
        except BattInfoError:
            return None

    # -- steps ---------------------------------------------------------------------------------
    def _is_battery(self, classes: set[URIRef]) -> set[URIRef]:
        if self.superclasses is None:
            return {c for c in classes if c in KNOWN_BATTERY_CLASSES}
        supers = self.superclasses(classes)
        return {c for c in classes if BATTERY_CLASS in supers.get(c, frozenset())
                or c in KNOWN_BATTERY_CLASSES}

    def _types(self, graph: Graph, node: Node) -> set[URIRef]:
        return {o for o in graph.objects(node, RDF.type) if isinstance(o, URIRef)}

    def _root(self, graph: Graph) -> Node:
        typed = {s for s in graph.subjects(RDF.type, None)}
        batteries = {s for s in typed if self._is_battery(self._types(graph, s))}
        roots = sorted(batteries - set(graph.objects(None, HAS_CONSTITUENT)), key=str)
        if not roots:
            raise BattInfoError("the document describes no battery: type it with a BattINFO "
                                "battery class (e.g. BatteryCell, CoinCell, BatteryPack)")
        if len(roots) > 1:
            raise BattInfoError(f"the document describes {len(roots)} separate batteries; send "
                                "one per request")
        return roots[0]

    def _identify(self, graph: Graph, root: Node, battery_id: str | None,
                  warnings: list[str], sources: Sources) -> None:
        existing = graph.value(root, DBP.batteryId)
        if battery_id is not None:
            bid = check_identifier(battery_id, "battery id")
            if existing is not None and str(existing) != bid:
                raise BattInfoError(f"the document's dbp:batteryId {str(existing)!r} differs "
                                    f"from the requested battery id {bid!r}")
        elif existing is not None:
            bid = check_identifier(str(existing), "battery id")
        else:
            source = next(((p, v) for p in ID_PROPERTIES[1:]
                           if isinstance(v := _single(graph, root, p, sources,
                                                      "the battery's identifier"), Literal)),
                          None)
            if source is None:
                raise BattInfoError("the battery has no identifier: give it schema:productID, "
                                    "schema:serialNumber or dbp:batteryId, or pass a battery id")
            prop, value = source
            bid = battery_id_for(str(value))
            if not bid:
                raise BattInfoError(f"{_curie(prop)} {str(value)!r} has no character usable in "
                                    "an identifier (A-Z a-z 0-9 . _ ~ -)")
            check_identifier(bid, "battery id")
            warnings.append(f"battery id {bid!r} taken from {_curie(prop)} {str(value)!r}")
        if existing is None:
            graph.add((root, DBP.batteryId, Literal(bid)))
        serial = _single(graph, root, SCHEMA.serialNumber, sources,
                         "the battery's serial number (dbp:serialNumber)")
        if isinstance(serial, Literal) and graph.value(root, DBP.serialNumber) is None:
            graph.add((root, DBP.serialNumber, Literal(str(serial))))
        model = _single(graph, root, SCHEMA.model, sources, "the battery's model (dbp:model)")
        if isinstance(model, Literal) and graph.value(root, DBP.model) is None:
            graph.add((root, DBP.model, Literal(str(model))))

    def _manufacturer(self, graph: Graph, root: Node, minter: IriMinter,
                      warnings: list[str], sources: Sources) -> None:
        if graph.value(root, DBP.manufacturer) is not None:
            return
        partner = _single(graph, root, SCHEMA.manufacturer, sources,
                          "the battery's manufacturer (dbp:manufacturer)")
        if partner is None:
            return
        name = graph.value(partner, SCHEMA.name) if not isinstance(partner, Literal) else partner
        if not isinstance(name, Literal) or not str(name).strip():
            warnings.append("schema:manufacturer has no schema:name; not mapped to "
                            "dbp:manufacturer")
            return
        identifier = _single(graph, partner, SCHEMA.identifier, sources,
                             "the manufacturer's identifier") \
            if not isinstance(partner, Literal) else None
        if not isinstance(identifier, Literal) and not isinstance(partner, Literal):
            # the organisation's id is then made from its name: one name
            name = _single(graph, partner, SCHEMA.name, sources,
                           "the manufacturer's name its identifier is made from (or give "
                           "schema:identifier)")
        org_id = sanitize_identifier(str(identifier if isinstance(identifier, Literal)
                                         else name))
        if not org_id:
            warnings.append(f"manufacturer {str(name)!r} gives no usable identifier; not mapped")
            return
        org = minter.organisation(org_id)
        graph.add((root, DBP.manufacturer, org))
        # A passport names organisations and never describes them (their records are written
        # apart, docs/access.md): the partner's description of it is left out of the passport.
        for triple in list(graph.triples((partner, None, None))) \
                if not isinstance(partner, Literal) else []:
            graph.remove(triple)
        graph.remove((root, SCHEMA.manufacturer, partner))
        known = f" (the partner's node {partner.n3()})" if isinstance(partner, URIRef) else ""
        warnings.append(f"schema:manufacturer {str(name)!r} recorded as dbp:manufacturer "
                        f"{org_id!r}{known}; the organisation must be registered (PUT "
                        f"/organisations/{org_id}): its name and links are its record's, not "
                        "the passport's")

    def _dates(self, graph: Graph, root: Node, warnings: list[str], sources: Sources) -> None:
        if graph.value(root, DBP.manufacturingDate) is not None:
            return
        for prop in (SCHEMA.productionDate, SCHEMA.dateCreated):
            value = _single(graph, root, prop, sources,
                            "the battery's manufacturing date (dbp:manufacturingDate)")
            if not isinstance(value, Literal):
                continue
            made = _as_date(value)
            if made is None:
                raise BattInfoError(f"{_curie(prop)} {str(value)!r} is not a date "
                                    "(expected YYYY-MM-DD)")
            graph.add((root, DBP.manufacturingDate, Literal(made)))
            warnings.append(f"dbp:manufacturingDate {made.isoformat()} taken from "
                            f"{_curie(prop)}")
            return

    def _category(self, graph: Graph, root: Node, warnings: list[str]) -> None:
        if graph.value(root, DBP.batteryCategory) is not None:
            return
        if self._is_coin_cell(graph, root):
            graph.add((root, DBP.batteryCategory, vocab("category", "portable")))
            warnings.append("no battery category given; a coin cell is recorded as a portable "
                            "battery (Regulation (EU) 2023/1542 Art. 3(9))")


    def _is_coin_cell(self, graph: Graph, root: Node) -> bool:
        classes = self._types(graph, root)
        if COIN_CELL in classes:
            return True
        if self.superclasses is None:
            return False
        supers = self.superclasses(classes)
        if any(COIN_CELL in s for s in supers.values()):
            return True
        # CoinCell is defined by its case (CoinCell = hasCase some CoinCase): the case the
        # document states, or the one the battery's class has (a CR2032 has an R2032 case).
        cases = {t for case in graph.objects(root, HAS_CASE) for t in self._types(graph, case)}
        if self.restrictions is not None:
            cases |= self.restrictions({c for s in supers.values() for c in s}, HAS_CASE)
        return any(COIN_CASE in s for s in self.superclasses(cases).values())


def _parse_with_paths(document: Any) -> tuple[Graph, Sources]:
    """Parse the JSON-LD ``document`` and say which JSON object each node came from.

    Each object that can be a node object gets one more property, an absolute IRI key no
    context can redefine, whose value names the object's path; after parsing, the triples of
    that property tell node -> path and are removed. Nothing else of the graph changes: if a
    marker ended anywhere else (an object the context reads as a JSON literal, a language or
    index map...), or the marked document does not parse, the document is parsed unmarked and
    no paths are given. Properties: ``(node, predicate) -> path of the key`` when the root
    context expands the key to that predicate (keys under a nested context: the node only)."""
    marks = _Marks()
    marked = marks.mark(document, (), nested=False)
    try:
        graph: Graph | None = parse_rdf(json.dumps(marked, ensure_ascii=False).encode(),
                                        RdfFormat.JSON_LD, base_iri=RELATIVE_BASE)
    except RdfSyntaxError:
        graph = None
    nodes: dict[Node, JsonPath] = {}
    if graph is not None:
        for s, _, o in graph.triples((None, PATH_MARKER, None)):
            index = str(o).removeprefix(PATH_MARK_VALUE)
            if not index.isdigit() or int(index) >= len(marks.paths):
                graph = None
                break
            nodes.setdefault(s, marks.paths[int(index)])
    if graph is not None:
        graph.remove((None, PATH_MARKER, None))
        if any(PATH_MARK_VALUE in str(term) or term == PATH_MARKER
               for triple in graph for term in triple):
            graph = None
    if graph is None:
        unmarked = json.dumps(document, ensure_ascii=False).encode()
        return parse_rdf(unmarked, RdfFormat.JSON_LD, base_iri=RELATIVE_BASE), {}
    sources: Sources = {(node, None): path for node, path in nodes.items()}
    expand = _root_expander(document)
    for node, path in nodes.items() if expand is not None else ():
        holder = _value_at(document, path)
        if not isinstance(holder, dict) or path in marks.nested:
            continue
        for key in holder:
            if isinstance(key, str) and not key.startswith("@"):
                predicate = expand(key)  # type: ignore[misc]
                if predicate is not None and (node, predicate, None) in graph:
                    sources.setdefault((node, predicate), (*path, key))
    return graph, sources


class _Marks:
    """Path markers of one parse: marker i names ``paths[i]``; ``nested``: objects under a
    nested @context (their keys may mean something else than under the root context)."""

    def __init__(self) -> None:
        self.paths: list[JsonPath] = []
        self.nested: set[JsonPath] = set()

    def mark(self, value: Any, path: JsonPath, *, nested: bool) -> Any:
        if isinstance(value, list):
            return [self.mark(item, (*path, i), nested=nested) for i, item in enumerate(value)]
        if not isinstance(value, dict):
            return value
        nested = nested or (bool(path) and "@context" in value)
        out: dict[str, Any] = {}
        for key, item in value.items():
            # A context, and the property maps of @reverse and @nest, are not node objects
            # themselves (their values inside @reverse are: left unmarked, simply).
            out[key] = item if key in ("@context", "@reverse") else \
                self.mark(item, (*path, key), nested=nested)
        if not (_NOT_NODE_KEYS & value.keys()) and "@graph" not in value \
                and (not path or path[-1] != "@nest"):
            out[str(PATH_MARKER)] = f"{PATH_MARK_VALUE}{len(self.paths)}"
            self.paths.append(path)
            if nested:
                self.nested.add(path)
        return out


def _root_expander(document: Any) -> Callable[[str], URIRef | None] | None:
    """Key -> predicate under the document's own (inlined) root context; None if it has no
    inlined root context."""
    if not isinstance(document, dict):
        return None
    context = document.get("@context")
    items = context if isinstance(context, list) else [context]
    if not items or not all(isinstance(item, dict) for item in items):
        return None  # a context left as a reference: never fetched here
    from rdflib.plugins.shared.jsonld.context import Context

    try:
        parsed = Context(items)
    except Exception:  # a context rdflib cannot read: no key paths, nodes still have theirs
        return None

    def expand(key: str) -> URIRef | None:
        try:
            iri = parsed.expand(key)
        except Exception:
            return None
        return URIRef(iri) if iri else None

    return expand


def _value_at(document: Any, path: JsonPath) -> Any:
    value = document
    for part in path:
        value = value[part]
    return value


def _with_sentinels(document: Any) -> Any:
    """``document`` with ``@vocab`` set to :data:`UNDEFINED_TERM` under its own contexts (a
    context of the document that sets ``@vocab`` itself wins)."""
    if isinstance(document, list):
        return [_with_sentinels(item) for item in document]
    if not isinstance(document, dict) or "@context" not in document:
        return document
    context = document["@context"]
    items = context if isinstance(context, list) else [context]
    return {**document, "@context": [{"@vocab": UNDEFINED_TERM}, *items]}


def _refuse_relative(graph: Graph, document: Any) -> None:
    relative = {term for triple in graph for term in triple
                if isinstance(term, URIRef) and str(term).startswith(RELATIVE_BASE)}
    if not relative:
        return
    for path, value in walk(document):
        if isinstance(value, str) and path and path[-1] != "@type" \
                and URIRef(urljoin(RELATIVE_BASE, value)) in relative:
            raise BattInfoError(
                f"{value!r} is a relative IRI reference: it names nothing outside this "
                "document. Give an absolute IRI (https:, urn:), a term or compact IRI the "
                "context defines (e.g. \"emmo:Volt\"), or leave the @id out", path=json_path(path))
    raise BattInfoError("the document uses relative IRI references ("
                        + ", ".join(sorted(str(r)[len(RELATIVE_BASE):] for r in relative))
                        + "); give absolute IRIs", path="$")


def _drop_undefined(graph: Graph, document: Any) -> list[Warning]:
    """Leave out what expanded to :data:`UNDEFINED_TERM` (keys and types the context does not
    define), with a warning at each place the document uses it, and the nodes only it held."""
    undefined = {term for triple in graph for term in triple
                 if isinstance(term, URIRef) and str(term).startswith(UNDEFINED_TERM)}
    if not undefined:
        return []
    dropped = [t for t in graph if any(term in undefined for term in t)]
    for triple in dropped:
        graph.remove(triple)
    _prune_orphans(graph, {o for _, _, o in dropped})
    names = {str(term)[len(UNDEFINED_TERM):] for term in undefined}
    warnings: list[Warning] = []
    for path, value in walk(document):
        if not path:
            continue
        key = path[-1]
        if isinstance(key, str) and key in names and isinstance(value, (dict, list, str, int,
                                                                      float, bool)):
            warnings.append((path, f"the key {key!r} is not defined by the document's JSON-LD "
                             "context: not imported (it stays in the received document)"))
        is_type = key == "@type" or (len(path) > 1 and path[-2] == "@type")
        if is_type and isinstance(value, str) and value in names:
            warnings.append((path, f"the type {value!r} is not defined by the document's "
                             "JSON-LD context: not imported (it stays in the received "
                             "document)"))
    if not warnings:  # e.g. a @type: @vocab value
        warnings.append(((), "terms the JSON-LD context does not define were not imported: "
                         + ", ".join(sorted(names))))
    return warnings


def _prune_orphans(graph: Graph, candidates: set[Node]) -> None:
    """Remove blank nodes that nothing links to any more (what an undefined key held)."""
    pending = [n for n in candidates if isinstance(n, BNode)]
    while pending:
        node = pending.pop()
        if (None, None, node) in graph:
            continue
        for triple in list(graph.triples((node, None, None))):
            graph.remove(triple)
            if isinstance(triple[2], BNode):
                pending.append(triple[2])


def _as_date(value: Literal) -> date | None:
    python = value.toPython()
    if isinstance(python, datetime):
        return python.date()
    if isinstance(python, date):
        return python
    text = str(value).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None
    if value.datatype in (None, XSD.string, XSD.dateTime):
        # as xsd:dateTime reads it: "2022-10-03T24:00:00Z" is 2022-10-04's first instant
        parsed = parse_timestamp(text)
        return None if parsed is None else parsed.date()
    return None


def _single(graph: Graph, node: Node, prop: URIRef, sources: Sources, what: str) -> Node | None:
    """The one value of ``prop`` a single passport fact (``what``) is taken from; two or more
    different values are refused at the key's JSON path, naming them: which one holds, only the
    sender knows (a value picked from them would be a guess, and the other lost)."""
    values = sorted(set(graph.objects(node, prop)), key=str)
    if len(values) < 2:
        return values[0] if values else None
    shown = ", ".join(json.dumps(str(v), ensure_ascii=False) if isinstance(v, Literal)
                      else _shown_node(graph, v) for v in values)
    path = sources.get((node, prop))
    raise BattInfoError(f"{_curie(prop)} has {len(values)} different values ({shown}), and "
                        f"{what} is one of them: send the one that holds (nothing was "
                        "imported)", path=json_path(path) if path is not None else None)


def _shown_node(graph: Graph, node: Node) -> str:
    name = graph.value(node, SCHEMA.name)
    if isinstance(name, Literal):
        return f"the node named {json.dumps(str(name), ensure_ascii=False)}"
    return node.n3() if isinstance(node, URIRef) else "a node of the document"


def _same_quantity(a: tuple[Node, Decimal, URIRef], b: tuple[Node, Decimal, URIRef]) -> bool:
    if a[2] == b[2]:
        return a[1] == b[1]
    restated = convert(b[1], b[2], a[2])
    return restated is not None and restated == a[1]


def _number_text(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _unit_text(unit: URIRef) -> str:
    text = str(unit)
    return text.rsplit("#", 1)[-1] if "#" in text else text


def _node_text(node: Node) -> str:
    return node.n3() if isinstance(node, URIRef) else "a node of the document"


def _type_text(document: Any, path: JsonPath | None) -> str | None:
    """The quantity's type as the document writes it (e.g. "NominalVoltage")."""
    if path is None:
        return None
    try:
        holder = _value_at(document, path)
    except (KeyError, IndexError, TypeError):
        return None
    kind = holder.get("@type") if isinstance(holder, dict) else None
    names = [kind] if isinstance(kind, str) else [k for k in kind or () if isinstance(k, str)]
    return "/".join(names) or None


def _curie(prop: Node) -> str:
    text = str(prop)
    for prefix, namespace in (("schema", str(SCHEMA)), ("dbp", str(DBP))):
        if text.startswith(namespace):
            return f"{prefix}:{text[len(namespace):]}"
    return f"<{text}>"


def _non_finite(value: float) -> str:
    return "NaN" if math.isnan(value) else ("-Infinity" if value < 0 else "Infinity")


__all__ = ["BATTERY_CONTEXT", "BattInfoError", "BattInfoImporter"]
