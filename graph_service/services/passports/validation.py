"""SHACL validation of passport data before anything is committed.

Production engine: pyshacl-turbo (pySHACL's API on a native engine; W3C core 96/98 and
SHACL-SPARQL 22/22, ~3 ms per passport — see docs/benchmarks.md). pySHACL stays in the test suite
as the reference implementation that must agree with it on our shapes and corpus.

Shapes target EMMO/BattINFO classes. Instead of running RDFS inference over the whole EMMO
stack per request, the data graph handed to the engine is extended with the ``rdf:type`` closure
of the classes it uses (looked up once per class and cached), so ``sh:targetClass`` and
``sh:class`` see subclass instances. That closure is used for validation only, never stored.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, SKOS, XSD
from rdflib.plugins.serializers.nt import _nt_row
from rdflib.term import Node

from graph_service.config import REPO_ROOT
from graph_service.model.answers import Violation as ViolationAnswer
from graph_service.model.graphs import GraphLayout
from graph_service.model.terms import (
    HAS_MEASUREMENT_UNIT,
    HAS_NUMBER_VALUE,
    HAS_NUMERICAL_PART,
    RULE_UNITS,
    UNIT_SCALE,
)
from graph_service.services.sparql.named_queries import INTERNAL_QUERIES_DIR, Dataset, NamedQueries
from graph_service.store import native_graph
from graph_service.store.base import GraphStore

SHAPES_DIR = REPO_ROOT / "shapes"

_SEVERITY_NAMES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


_OTHER_UNITS: dict[URIRef, URIRef] = {
    unit: RULE_UNITS[dimension] for unit, (dimension, _) in UNIT_SCALE.items()
    if dimension in RULE_UNITS and unit != RULE_UNITS[dimension]}


def restated_in_rule_units(data: Graph) -> tuple[Graph, dict[tuple[str, Decimal], str]]:
    """``data`` with each quantity sent in another accepted unit (g, mV, mAh, Wh, W) restated
    in the unit the shapes' ranges are written in (a copy; ``data`` itself when there is none),
    and what each restated value was sent as, by quantity and restated number."""
    found = [(q, unit) for unit in _OTHER_UNITS for q in data.subjects(HAS_MEASUREMENT_UNIT, unit)]
    if not found:
        return data, {}
    restated = Graph()
    restated += data
    sent: dict[tuple[str, Decimal], str] = {}
    for quantity, unit in found:
        target = _OTHER_UNITS[unit]
        ratio = UNIT_SCALE[unit][1] / UNIT_SCALE[target][1]
        for number in data.objects(quantity, HAS_NUMERICAL_PART):
            for value in data.objects(number, HAS_NUMBER_VALUE):
                try:
                    converted = Decimal(str(value)) * ratio
                except InvalidOperation:
                    continue  # not a number: the datatype constraint says so
                floating = isinstance(value, Literal) and value.datatype in (XSD.double,
                                                                             XSD.float)
                new = (Literal(float(converted), datatype=XSD.double) if floating
                       else Literal(converted, datatype=XSD.decimal))
                restated.remove((number, HAS_NUMBER_VALUE, value))
                restated.add((number, HAS_NUMBER_VALUE, new))
                sent[(str(quantity), converted)] = f"{value} {str(unit).rsplit('#', 1)[-1]}"
        restated.remove((quantity, HAS_MEASUREMENT_UNIT, unit))
        restated.add((quantity, HAS_MEASUREMENT_UNIT, target))
    return restated, sent


def _as_sent(violation: Violation, sent: dict[tuple[str, Decimal], str]) -> Violation:
    try:
        number = Decimal(violation.value or "")
    except InvalidOperation:
        return violation
    original = sent.get((violation.focus_node, number))
    if original is None:
        return violation
    return replace(violation, message=f"{violation.message} (sent as {original})")


@dataclass
class Violation:
    focus_node: str
    path: str | None
    value: str | None
    message: str
    severity: str
    source_shape: str | None
    constraint: str | None

    def answer(self) -> ViolationAnswer:
        return ViolationAnswer(
            focusNode=self.focus_node, path=self.path, value=self.value, message=self.message,
            severity=self.severity, sourceShape=self.source_shape, constraint=self.constraint)

    def as_dict(self) -> dict[str, str | None]:
        return self.answer().model_dump()


@dataclass
class ValidationReport:
    conforms: bool
    violations: list[Violation] = field(default_factory=list)
    report_graph: Graph | None = None

    @property
    def errors(self) -> list[Violation]:
        return [v for v in self.violations if v.severity == "Violation"]

    @property
    def warnings(self) -> list[Violation]:
        return [v for v in self.violations if v.severity != "Violation"]


def load_shapes(directory: Path = SHAPES_DIR) -> Graph:
    graph = Graph()
    for path in sorted(directory.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def _term_text(graph: Graph, term: Node | None) -> str | None:
    if term is None:
        return None
    if isinstance(term, URIRef):
        return str(term)
    # sh:resultPath may be a SHACL path expression (blank node); show it in Turtle-like form.
    if (term, None, None) in graph:
        items = list(graph.items(term)) if (term, RDF.first, None) in graph else []
        if items:
            return " / ".join(_term_text(graph, i) or "" for i in items)
        for predicate, obj in sorted(graph.predicate_objects(term)):
            return f"{predicate.n3()} {_term_text(graph, obj)}"
    return str(term)


def _shape_text(graph: Graph, shape: Node | None, shapes: Graph | None) -> str | None:
    """A blank-node property shape, named by its node shape and path (its id is random)."""
    if shape is None or isinstance(shape, URIRef):
        return _term_text(graph, shape)
    where = graph if (shape, SH.path, None) in graph or shapes is None else shapes
    path = where.value(shape, SH.path)
    if path is None:
        return _term_text(graph, shape)
    parent = shapes.value(predicate=SH.property, object=shape) if shapes is not None else None
    description = f"sh:property [ sh:path {_term_text(where, path)} ]"
    return f"{parent} {description}" if isinstance(parent, URIRef) else description


def parse_report(results_graph: Graph, shapes: Graph | None = None) -> list[Violation]:
    violations = []
    # Results nested under sh:detail explain a top-level result (e.g. why sh:node failed);
    # they are not violations of their own.
    nested = set(results_graph.objects(None, SH.detail))
    for result in results_graph.subjects(RDF.type, SH.ValidationResult):
        if result in nested:
            continue

        def value(predicate: URIRef, result: Node = result) -> Node | None:
            return results_graph.value(result, predicate)

        messages = [str(m) for m in results_graph.objects(result, SH.resultMessage)]
        severity = value(SH.resultSeverity)
        violations.append(
            Violation(
                focus_node=str(value(SH.focusNode)),
                path=_term_text(results_graph, value(SH.resultPath)),
                value=None if value(SH.value) is None else str(value(SH.value)),
                message="; ".join(sorted(messages)) or "constraint violated",
                severity=_SEVERITY_NAMES.get(severity, str(severity)),  # type: ignore[arg-type]
                source_shape=_shape_text(results_graph, value(SH.sourceShape), shapes),
                constraint=_term_text(results_graph, value(SH.sourceConstraintComponent)),
            )
        )
    violations.sort(key=lambda v: (v.severity != "Violation", v.focus_node, v.path or "",
                                   v.source_shape or "", v.constraint or "", v.message,
                                   v.value or ""))
    return violations


# A term in a SHACL-SPARQL query: a full IRI, or a prefixed name (prefix, local name).
_TERM = re.compile(r"<([^<>\s]+)>|\b([A-Za-z][\w-]*):([A-Za-z_][\w-]*)")


def _template(message: str) -> re.Pattern[str]:
    """A SHACL-SPARQL message template ("... {?min} V ...") as a pattern of its messages."""
    parts = re.split(r"\{[?$]\w+\}", message)
    return re.compile(".*?".join(re.escape(part) for part in parts), re.DOTALL)


class Validator:
    """Validates passport graphs against the project's shapes."""

    def __init__(self, store: GraphStore, layout: GraphLayout,
                 shapes: Graph | None = None) -> None:
        import pyshacl_turbo

        self.store = store
        self.layout = layout
        self.shapes = shapes if shapes is not None else load_shapes()
        self._compiled = pyshacl_turbo.compile_shapes(self.shapes)
        self._schemes: dict[URIRef, frozenset[URIRef]] | None = None
        self._quantity_classes: frozenset[URIRef] | None = None
        self._constraint_terms: dict[str, tuple[tuple[tuple[re.Pattern[str], ...],
                                                      tuple[URIRef, ...]], ...]] = {}
        self._shape_terms = frozenset(o for o in self.shapes.objects() if isinstance(o, URIRef))
        self._superclasses: dict[URIRef, frozenset[URIRef]] = {}
        self._queries = NamedQueries(self.store, directory=INTERNAL_QUERIES_DIR)
        self._ontology_graphs = Dataset(
            default_graph=(self.layout.ontology, self.layout.reference), named_graphs=())
        self._lock = threading.Lock()

    def superclasses(self, classes: Iterable[URIRef]) -> dict[URIRef, frozenset[URIRef]]:
        """Named superclasses (reflexive, transitive) from the ontology graphs, cached."""
        wanted = set(classes)
        missing = [c for c in wanted if c not in self._superclasses]
        if missing:
            parents = self._direct_superclasses(missing)
            found: dict[URIRef, frozenset[URIRef]] = {}
            for cls in missing:
                reached, todo = {cls}, [cls]
                while todo:
                    for parent in parents.get(todo.pop(), ()):
                        if parent in reached:
                            continue
                        reached.add(parent)
                        known = self._superclasses.get(parent)
                        if known is not None:
                            reached |= known  # already closed
                        else:
                            todo.append(parent)
                found[cls] = frozenset(reached)
            with self._lock:
                self._superclasses.update(found)
        return {c: self._superclasses[c] for c in wanted}

    def _direct_superclasses(self, classes: Iterable[URIRef]) -> dict[URIRef, set[URIRef]]:
        """Direct named superclasses of ``classes`` and of all their ancestors not closed yet,
        one query per level of the hierarchy."""
        parents: dict[URIRef, set[URIRef]] = {}
        frontier = set(classes)
        while frontier:
            for cls in frontier:
                parents[cls] = set()
            rows = self._queries.select("direct-superclasses", self._ontology_graphs,
                                        c=sorted(frontier, key=str))
            for row in rows:
                parents[row["c"]].add(row["super"])  # type: ignore[index,arg-type]
            frontier = {p for cls in frontier for p in parents[cls]
                        if p not in parents and p not in self._superclasses}
        return parents

    def quantity_classes(self) -> frozenset[URIRef]:
        """The quantity classes the shapes give a unit and range to (shapes/quantities.ttl):
        the quantities the passport holds one value of per owner."""
        if self._quantity_classes is None:
            self._quantity_classes = frozenset(
                cls for shape in self.shapes.subjects(SH.property, None)
                for prop in self.shapes.objects(shape, SH.property)
                if (prop, SH.path, HAS_MEASUREMENT_UNIT) in self.shapes
                for cls in self.shapes.objects(shape, SH.targetClass)
                if isinstance(cls, URIRef))
        return self._quantity_classes

    def constraint_terms(self, source_shape: str | None, message: str) -> tuple[URIRef, ...]:
        """The terms (predicates, classes) a SHACL-SPARQL constraint of ``source_shape`` reads,
        in the order its query names them: the constraints whose message template gave
        ``message`` (all of the shape's if none matches). The fields of a cross-field violation
        (shapes/crossfield.ttl), which has no single result path."""
        if not source_shape or not source_shape.startswith(("http", "urn")):
            return ()
        # Cached per shape, not per message: messages carry the data's values.
        constraints = self._constraint_terms.get(source_shape)
        if constraints is None:
            constraints = self._read_constraint_terms(URIRef(source_shape))
            self._constraint_terms[source_shape] = constraints
        matching = [terms for templates, terms in constraints
                    if any(t.fullmatch(message) for t in templates)]
        terms: list[URIRef] = []
        for found in matching or [terms for _, terms in constraints]:
            terms += [term for term in found if term not in terms]
        return tuple(terms)

    def _read_constraint_terms(self, shape: URIRef,
                               ) -> tuple[tuple[tuple[re.Pattern[str], ...],
                                                tuple[URIRef, ...]], ...]:
        """Per SPARQL constraint of ``shape``: its message templates, and the terms its query
        names in order."""
        prefixes = {str(self.shapes.value(d, SH.prefix)): str(self.shapes.value(d, SH.namespace))
                    for d in self.shapes.objects(None, SH.declare)}
        constraints = []
        for constraint in self.shapes.objects(shape, SH.sparql):
            templates = tuple(_template(str(m)) for m in self.shapes.objects(constraint,
                                                                             SH.message))
            terms: list[URIRef] = []
            query = str(self.shapes.value(constraint, SH.select) or "")
            for iri, prefix, local in _TERM.findall(query):
                if iri:
                    term = URIRef(iri)
                elif prefix in prefixes and prefix not in ("rdf", "xsd"):
                    term = URIRef(prefixes[prefix] + local)
                else:
                    continue
                if term not in terms:
                    terms.append(term)
            constraints.append((templates, tuple(terms)))
        return tuple(constraints)

    def some_values_from(self, classes: Iterable[URIRef], prop: URIRef) -> frozenset[URIRef]:
        """Named fillers of ``prop some X`` restrictions the ontology graphs put on ``classes``
        (as a superclass, or inside an equivalent intersection): e.g. the case a CR2032 has
        (``hasCase some R2032``), which makes it a coin cell by CoinCell's definition."""
        wanted = sorted(set(classes), key=str)
        if not wanted:
            return frozenset()
        rows = self._queries.select("some-values-from", self._ontology_graphs, c=wanted, prop=prop)
        return frozenset(row["filler"] for row in rows)  # type: ignore[misc]

    def with_type_closure(self, data: Graph) -> Graph:
        """``data`` plus the inherited ``rdf:type``s the shapes can see (as an rdflib graph)."""
        closed = Graph()
        closed += data
        for triple in self._closure_triples(data):
            closed.add(triple)
        return closed

    def _closure_triples(self, data: Graph) -> list[tuple[Node, URIRef, URIRef]]:
        # Only superclasses the shapes mention matter to targets and sh:class; adding the
        # whole EMMO ancestry (30+ classes per node) would multiply the data for nothing.
        typed = [(s, o) for s, o in data.subject_objects(RDF.type) if isinstance(o, URIRef)]
        supers = self.superclasses(o for _, o in typed)
        closure: list[tuple[Node, URIRef, URIRef]] = [
            (subject, RDF.type, parent)
            for subject, cls in typed
            for parent in supers[cls]
            if parent != cls and parent in self._shape_terms
        ]
        # Enumeration values are SKOS concepts of ontology/vocabularies.ttl; their scheme
        # membership comes along so shapes can check "value is in scheme X".
        schemes = self.concept_schemes()
        for value in {o for o in data.objects() if isinstance(o, URIRef) and o in schemes}:
            closure.extend((value, SKOS.inScheme, scheme) for scheme in schemes[value])
        return closure

    def concept_schemes(self) -> dict[URIRef, frozenset[URIRef]]:
        if self._schemes is None:
            rows = self._queries.select(
                "concept-scheme-memberships",
                Dataset(default_graph=(self.layout.ontology,), named_graphs=()))
            found: dict[URIRef, set[URIRef]] = {}
            for row in rows:
                found.setdefault(row["c"], set()).add(row["s"])  # type: ignore[arg-type]
            self._schemes = {c: frozenset(s) for c, s in found.items()}
        return self._schemes

    def _engine_text(self, data: Graph) -> str:
        # N-Triples rows (``n3()`` would write a literal with a line break in Turtle's triple
        # quotes, which N-Triples refuses).
        rows = [_nt_row(triple) for triple in data]
        rows.extend(_nt_row(triple) for triple in self._closure_triples(data))
        return "".join(rows)

    def engine_graph(self, data: Graph) -> Graph:
        """The closed data exactly as the engine reads it (the N-Triples ``validate`` hands over,
        parsed back), e.g. for running a reference SHACL engine on the same input. Unlike
        ``with_type_closure`` its literals are re-read from their lexical forms."""
        return Graph().parse(data=self._engine_text(data), format="nt")

    def validate(self, data: Graph, *, keep_report_graph: bool = True) -> ValidationReport:
        data, sent = restated_in_rule_units(data)
        conforms, results_graph, _ = self._compiled.validate(
            native_graph(self._engine_text(data)), allow_warnings=True)
        violations = parse_report(results_graph, self.shapes)
        if sent:
            # A range refused in the shapes' unit names the value as it was sent, too.
            violations = [_as_sent(v, sent) for v in violations]
        conforms = not any(v.severity == "Violation" for v in violations)
        return ValidationReport(
            conforms=bool(conforms),
            violations=violations,
            report_graph=results_graph if keep_report_graph else None,
        )
