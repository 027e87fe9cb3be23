"""The JSON schema of a SAMM aspect model, made from its Turtle (for versions published without
one).

The Battery Pass consortium ships a generated JSON schema for each 1.2.0 aspect, but
PerformanceAndDurability 1.2.1 as the aspect model only. This module reads a SAMM 2.x aspect
model with rdflib and writes the draft-04 JSON schema the ESMF generator writes for it: one
component per characteristic and entity, each property ``{"$ref", "x-samm-aspect-model-urn"}``,
required unless ``samm:optional``. It covers the constructs the Battery Pass models use
(Measurement, Quantifiable, Code, Enumeration, List, SingleEntity, Trait with range and regular
expression constraints, entities that extend others, Text / Timestamp / ResourcePath /
MultiLanguageText); anything else is an error naming the construct. A test compares what it makes
of the 1.2.0 models with the official 1.2.0 schemas.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

SAMM = Namespace("urn:samm:org.eclipse.esmf.samm:meta-model:2.1.0#")
SAMMC = Namespace("urn:samm:org.eclipse.esmf.samm:characteristic:2.1.0#")
RDF_LANG_STRING = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#langString")

_NUMBERS = {XSD.float, XSD.double, XSD.decimal}
_INTEGERS = {XSD.int: (-2**31, 2**31 - 1), XSD.integer: (None, None),
             XSD.long: (-2**63, 2**63 - 1), XSD.short: (-2**15, 2**15 - 1),
             XSD.byte: (-128, 127), XSD.nonNegativeInteger: (0, None),
             XSD.positiveInteger: (1, None), XSD.unsignedInt: (0, 2**32 - 1)}
_PREDEFINED = {
    SAMMC.Text: {"type": "string"},
    SAMMC.Timestamp: {"type": "string", "pattern": r"-?([1-9][0-9]{3,}|0[0-9]{3})-(0[1-9]|1[0-2])"
                      r"-(0[1-9]|[12][0-9]|3[01])T(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
                      r"(\.[0-9]+)?|(24:00:00(\.0+)?))(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|"
                      r"14:00))?"},
    SAMMC.ResourcePath: {"type": "string", "format": "uri"},
    SAMMC.MultiLanguageText: {"type": "object"},
    SAMMC.Boolean: {"type": "boolean"},
    SAMMC.MimeType: {"type": "string"},
}


class UnsupportedSamm(ValueError):
    """The aspect model uses a SAMM construct this generator does not know."""


class _Generator:
    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.components: dict[str, dict[str, Any]] = {}

    def _name(self, node: Node) -> str:
        text = str(node)
        return text.rsplit("#", 1)[-1] if "#" in text else text

    def _ref(self, name: str) -> dict[str, str]:
        return {"$ref": f"#/components/schemas/{name}"}

    def _datatype(self, datatype: Node | None) -> dict[str, Any]:
        if datatype is None:
            raise UnsupportedSamm("a characteristic without samm:dataType")
        if datatype in _NUMBERS:
            return {"type": "number"}
        if datatype in _INTEGERS:
            low, high = _INTEGERS[datatype]
            schema: dict[str, Any] = {"type": "number"}
            if low is not None:
                schema["minimum"] = low
            if high is not None:
                schema["maximum"] = high
            return schema
        if datatype == XSD.boolean:
            return {"type": "boolean"}
        if datatype == RDF_LANG_STRING:
            return {"type": "object"}
        if isinstance(datatype, URIRef) and str(datatype).startswith(str(XSD)):
            return {"type": "string"}
        if (datatype, RDF.type, SAMM.Entity) in self.graph or \
                (datatype, RDF.type, SAMM.AbstractEntity) in self.graph:
            return self._ref(self._entity(datatype))
        raise UnsupportedSamm(f"the data type {datatype}")

    def _entity(self, entity: Node) -> str:
        name = self._name(entity)
        if name in self.components:
            return name
        self.components[name] = {}  # a placeholder against cycles
        properties: dict[str, Any] = {}
        required: list[str] = []
        for owner in self._lineage(entity):
            self._properties(owner, properties, required)
        schema: dict[str, Any] = {"x-samm-aspect-model-urn": str(entity), "type": "object",
                                  "properties": properties}
        if required:
            schema["required"] = required
        self.components[name] = schema
        return name

    def _lineage(self, entity: Node) -> list[Node]:
        chain: list[Node] = []
        current: Node | None = entity
        while current is not None and current not in chain:
            chain.insert(0, current)
            current = self.graph.value(current, SAMM.extends)
        return chain

    def _properties(self, owner: Node, properties: dict[str, Any], required: list[str]) -> None:
        listed = self.graph.value(owner, SAMM.properties)
        if listed is None:
            return
        for item in Collection(self.graph, listed):
            optional = False
            prop = item
            if isinstance(item, BNode):
                prop = self.graph.value(item, SAMM.property)
                flag = self.graph.value(item, SAMM.optional)
                optional = isinstance(flag, Literal) and bool(flag.toPython())
            if prop is None:
                raise UnsupportedSamm(f"a property reference without samm:property in {owner}")
            payload = self.graph.value(prop, SAMM.payloadName)
            key = str(payload) if payload is not None else self._name(prop)
            characteristic = self.graph.value(prop, SAMM.characteristic)
            entry: dict[str, Any] = {"x-samm-aspect-model-urn": str(prop)}
            description = self.graph.value(prop, SAMM.description)
            if description is not None:
                entry["description"] = str(description)
            entry.update(self._ref(self._characteristic(characteristic)))
            properties[key] = entry
            if not optional:
                required.append(key)

    def _characteristic(self, node: Node | None) -> str:
        if node is None:
            raise UnsupportedSamm("a property without samm:characteristic")
        name = self._name(node)
        if name in self.components:
            return name
        if node in _PREDEFINED:
            self.components[name] = {**_PREDEFINED[node], "x-samm-aspect-model-urn": str(node)}
            return name
        types = set(self.graph.objects(node, RDF.type))
        schema: dict[str, Any]
        if SAMMC.Trait in types:
            base = self.graph.value(node, SAMMC.baseCharacteristic)
            schema = dict(self._inline(self._characteristic(base)))
            for constraint in self.graph.objects(node, SAMMC.constraint):
                schema.update(self._constraint(constraint))
        elif SAMMC.Enumeration in types:
            values = self.graph.value(node, SAMMC.values)
            listed = [v.toPython() for v in Collection(self.graph, values)] if values else []
            schema = {**self._datatype(self.graph.value(node, SAMM.dataType)),
                      "enum": list(dict.fromkeys(listed))}
        elif types & {SAMMC.List, SAMMC.Set, SAMMC.SortedSet, SAMMC.Collection}:
            element = self.graph.value(node, SAMMC.elementCharacteristic)
            items = self._ref(self._characteristic(element)) if element is not None else \
                self._datatype(self.graph.value(node, SAMM.dataType))
            schema = {"type": "array", "items": items}
            if types & {SAMMC.Set, SAMMC.SortedSet}:
                schema["uniqueItems"] = True
        elif SAMMC.SingleEntity in types:
            schema = {"type": "object",
                      "allOf": [self._datatype(self.graph.value(node, SAMM.dataType))]}
        elif types & {SAMMC.Measurement, SAMMC.Quantifiable, SAMMC.Code, SAMM.Characteristic,
                      SAMMC.Duration}:
            datatype = self.graph.value(node, SAMM.dataType)
            resolved = self._datatype(datatype)
            schema = {"type": "object", "allOf": [resolved]} if "$ref" in resolved else resolved
        else:
            raise UnsupportedSamm(f"the characteristic {node} ({', '.join(map(str, types))})")
        schema["x-samm-aspect-model-urn"] = str(node)
        self.components[name] = schema
        return name

    def _inline(self, name: str) -> dict[str, Any]:
        return {k: v for k, v in self.components[name].items() if k != "x-samm-aspect-model-urn"}

    def _constraint(self, node: Node) -> dict[str, Any]:
        types = set(self.graph.objects(node, RDF.type))
        if SAMMC.RangeConstraint in types:
            out: dict[str, Any] = {}
            low = self.graph.value(node, SAMMC.minValue)
            high = self.graph.value(node, SAMMC.maxValue)
            if isinstance(low, Literal):
                out["minimum"] = float(low.toPython())
                if self.graph.value(node, SAMMC.lowerBoundDefinition) == SAMMC.GREATER_THAN:
                    out["exclusiveMinimum"] = True
            if isinstance(high, Literal):
                out["maximum"] = float(high.toPython())
                if self.graph.value(node, SAMMC.upperBoundDefinition) == SAMMC.LESS_THAN:
                    out["exclusiveMaximum"] = True
            return out
        if SAMMC.RegularExpressionConstraint in types:
            return {"pattern": str(self.graph.value(node, SAMM.value))}
        if SAMMC.LengthConstraint in types:
            out = {}
            low = self.graph.value(node, SAMMC.minValue)
            high = self.graph.value(node, SAMMC.maxValue)
            if isinstance(low, Literal):
                out["minLength"] = int(low.toPython())
            if isinstance(high, Literal):
                out["maxLength"] = int(high.toPython())
            return out
        raise UnsupportedSamm(f"the constraint {node}")

    def aspect(self) -> dict[str, Any]:
        aspects = list(self.graph.subjects(RDF.type, SAMM.Aspect))
        if len(aspects) != 1:
            raise UnsupportedSamm(f"{len(aspects)} aspects in one model")
        aspect = aspects[0]
        properties: dict[str, Any] = {}
        required: list[str] = []
        self._properties(aspect, properties, required)
        schema: dict[str, Any] = {"$schema": "http://json-schema.org/draft-04/schema",
                                  "x-samm-aspect-model-urn": str(aspect), "type": "object",
                                  "components": {"schemas": self.components},
                                  "properties": properties}
        description = self.graph.value(aspect, SAMM.description)
        if description is not None:
            schema["description"] = str(description)
        if required:
            schema["required"] = required
        return schema


def integer_properties(path: Path) -> dict[str, str]:
    """Property URN -> xsd data type, for the properties of the aspect model in the Turtle file
    ``path`` whose values are integers (xsd:long, xsd:short, xsd:integer...; through Traits to
    their base characteristic; a List of integers too), and for those of every model it
    references that is installed beside it (``<root>/<namespace>/<version>/*.ttl``, the layout
    of the SAMM model repositories: Catena-X's battery pass takes ``characteristics.warranty.
    lifeValue``, an xsd:integer, from the generic digital product passport). The generated JSON
    schemas say only "number" for them (with the type's bounds), so a fraction passes the
    schema."""
    found: dict[str, str] = {}
    for graph in _model_and_references(path):
        found.update(_integers_of(graph))
    return found


def _model_and_references(path: Path) -> Iterator[Graph]:
    """The aspect model in ``path`` and every model it references, directly or not, that is
    installed beside it (each parsed once)."""
    done: set[Path] = set()
    todo = [path]
    while todo:
        current = todo.pop()
        if current in done or not current.is_file():
            continue
        done.add(current)
        graph = Graph().parse(current, format="turtle")
        yield graph
        todo += _referenced_models(graph, current)


def multilanguage_properties(path: Path) -> set[str]:
    """Property URNs whose characteristic is a samm-c:MultiLanguageText (``{"en": "..."}``),
    in the aspect model ``path`` and the models it references (as ``integer_properties``).
    The generated JSON schemas say only "object" for them, so ``{"en": 42}`` passes."""
    found: set[str] = set()
    for graph in _model_and_references(path):
        for prop, characteristic in graph.subject_objects(SAMM.characteristic):
            node: Node | None = characteristic
            for _ in range(16):
                if node is None or node == SAMMC.MultiLanguageText or \
                        (node, RDF.type, SAMMC.MultiLanguageText) in graph:
                    break
                node = graph.value(node, SAMMC.baseCharacteristic)
            if node is not None and isinstance(prop, URIRef):
                found.add(str(prop))
    return found


def non_texts(document: Any, schema: Any, multilanguage: set[str]) -> list[Any]:
    """Problems (at the JSON path of each language) for a multi-language text whose value for
    a language is not a text (a number, null, a list, an object): refused, not kept silently."""
    from graph_service.services.interop.jsondoc import shown, walk
    from graph_service.services.interop.schema import pattern_of

    problems = []
    for path, value in walk(document.value):
        if not path or not isinstance(value, dict) or isinstance(path[-1], int):
            continue
        spec = schema.field(pattern_of(path))
        if spec is None or not spec.urn or spec.urn not in multilanguage:
            continue
        for language, text in value.items():
            if not isinstance(text, str):
                kind = "null" if text is None else (
                    "true or false" if isinstance(text, bool) else
                    "a number" if isinstance(text, int | float) else
                    "a list" if isinstance(text, list) else "an object")
                problems.append(document.problem(
                    (*path, language),
                    f"{path[-1]} is a text in several languages: the {shown(language)} text "
                    f"must be a string, not {kind}", "semantic"))
    return problems


def _integers_of(graph: Graph) -> dict[str, str]:
    found: dict[str, str] = {}
    for prop, characteristic in graph.subject_objects(SAMM.characteristic):
        node: Node | None = characteristic
        datatype: Node | None = None
        for _ in range(16):
            if node is None:
                break
            datatype = graph.value(node, SAMM.dataType)
            if datatype is not None:
                break
            node = graph.value(node, SAMMC.baseCharacteristic)
        if isinstance(prop, URIRef) and datatype in _INTEGERS:
            found[str(prop)] = "xsd:" + str(datatype).rsplit("#", 1)[-1]
    return found


def _referenced_models(graph: Graph, path: Path) -> list[Path]:
    """The Turtle files of the other aspect-model namespaces ``graph`` uses, where installed
    in the SAMM repository layout beside ``path`` (``<root>/<namespace>/<version>/``)."""
    own = path.parent.parent.name, path.parent.name
    root = path.parent.parent.parent
    files: list[Path] = []
    namespaces = {str(term).split("#", 1)[0] for triple in graph for term in triple
                  if isinstance(term, URIRef) and str(term).startswith("urn:samm:")
                  and not str(term).startswith("urn:samm:org.eclipse.esmf.")}
    for namespace in sorted(namespaces):
        name, _, version = namespace.removeprefix("urn:samm:").rpartition(":")
        if not name or (name, version) == own or "/" in name or "/" in version \
                or name.startswith(".") or version.startswith("."):
            continue
        folder = root / name / version
        if folder.is_dir():
            files += sorted(folder.glob("*.ttl"))
    return files


def fractions_of_integers(document: Any, schema: Any, integers: dict[str, str]) -> list[Any]:
    """Problems (at their JSON paths) for numbers with a fraction where the aspect model's data
    type is an integer (``integers`` from ``integer_properties``), also as items of a list;
    ``schema`` the SchemaModel, ``document`` the JsonDocument."""
    from graph_service.services.interop.jsondoc import shown, walk
    from graph_service.services.interop.schema import pattern_of

    problems = []
    for path, value in walk(document.value):
        if not path or not isinstance(value, float) or not math.isfinite(value):
            continue  # (NaN and infinities are refused as such)
        if value.is_integer():
            continue
        # an item of a list has the list's property (its name is the last key of the path)
        owner = path
        while owner and isinstance(owner[-1], int):
            owner = owner[:-1]
        spec = schema.field(pattern_of(owner)) if owner else None
        datatype = integers.get(spec.urn) if spec is not None and spec.urn else None
        if datatype is not None:
            problems.append(document.problem(
                path, f"{shown(value)} is not an integer: the aspect model's data type of "
                      f"{owner[-1]} is {datatype}", "semantic"))
    return problems


def write_integers(value: Any, schema: Any, integers: dict[str, str]) -> Any:
    """``value`` (an exported document) with every whole number of an integer-typed property
    (``integers``), also in a list, written as a JSON integer: ``2000``, not ``2000.0``, which
    a consumer typing the field as the aspect model does may refuse. Changed in place."""
    from graph_service.services.interop.schema import pattern_of

    def visit(node: Any, path: tuple) -> Any:
        if isinstance(node, dict):
            for key in list(node):
                node[key] = visit(node[key], (*path, key))
        elif isinstance(node, list):
            for index, item in enumerate(node):
                node[index] = visit(item, (*path, index))
        elif isinstance(node, float) and math.isfinite(node) and node.is_integer():
            owner = path
            while owner and isinstance(owner[-1], int):
                owner = owner[:-1]
            spec = schema.field(pattern_of(owner)) if owner else None
            if spec is not None and spec.urn and spec.urn in integers:
                return int(node)
        return node

    return visit(value, ())


def aspect_schema(path: Path) -> dict[str, Any]:
    """The JSON schema of the aspect model in the Turtle file ``path``."""
    graph = Graph().parse(path, format="turtle")
    return _Generator(graph).aspect()


__all__ = ["UnsupportedSamm", "aspect_schema", "fractions_of_integers", "integer_properties",
           "multilanguage_properties", "non_texts", "write_integers"]
