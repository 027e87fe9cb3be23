"""The production SHACL engine (pyshacl-turbo behind ``Validator``) agrees with pySHACL, the
reference implementation, on our shapes: same conformance and the same set of results
(focus node, source shape or property-shape path, constraint component, severity, value) for
every invalid example of tests/data/invalid and for demo passports.

Both engines get exactly the same data: ``Validator.engine_graph`` is the closed graph the
production engine reads (the passport, the ``rdf:type`` closure of the classes it uses and the
``skos:inScheme`` triples of the enumeration values it uses), re-read from the N-Triples text
the engine is given, so literals carry their lexical forms only. (The demo generator builds
``xsd:decimal`` literals from Python floats; pySHACL judges those by their Python type.)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pyshacl
import pytest
from rdflib import Graph, Literal
from rdflib.namespace import RDF, SH, SKOS
from rdflib.term import Node

from graph_service.container import Services, build_services
from graph_service.model.iris import IriMinter
from graph_service.model.namespaces import DBP
from graph_service.model.terms import BATTERY_CLASS
from graph_service.services.fleet.demo import demo_organisation_records, demo_passport
from graph_service.services.passports.validation import Validator, parse_report
from graph_service.store import open_memory_store

from conftest import make_settings  # isort: skip

INVALID = sorted((Path(__file__).resolve().parent.parent / "data" / "invalid").glob("*.ttl"))
DEMOS = [1, 2, 3]
MINTER = IriMinter("http://127.0.0.1:8000/")


@pytest.fixture(scope="module")
def services() -> Iterator[Services]:
    services = build_services(make_settings(), open_memory_store())
    yield services
    services.store.close()


@pytest.fixture(scope="module")
def validator(services: Services) -> Validator:
    return services.validator


@pytest.fixture(scope="module")
def reference_shapes(validator: Validator) -> Graph:
    """Our shapes for pySHACL, with one workaround: pySHACL refuses SPARQL constraints that
    match its SERVICE regex (``[^?$#]S?ERVICE[\\s<]``, case-insensitive), which the variable
    ``?service`` of dbpsh:DateOrderShape does. The variable is renamed; nothing else changes,
    and the blank-node shapes keep their identities, so results name the same shapes."""
    shapes = Graph()
    for s, p, o in validator.shapes:
        if p in (SH.select, SH.message) and "?service" in str(o):
            o = Literal(str(o).replace("?service", "?usedFrom"))
        shapes.add((s, p, o))
    return shapes


def _top_level_values(report: Graph) -> Counter:
    """(focus node, value) of the top-level results, values compared as RDF values (an engine
    may write 2000.0 as "2000", or a UTC time as "+00:00" instead of "Z")."""
    nested = set(report.objects(None, SH.detail))
    values: Counter = Counter()
    for result in report.subjects(RDF.type, SH.ValidationResult):
        if result in nested:
            continue
        value: Node | None = report.value(result, SH.value)
        plain = value.toPython() if isinstance(value, Literal) else value
        values[(str(report.value(result, SH.focusNode)), plain)] += 1
    return values


def _compare(validator: Validator, shapes: Graph, data: Graph) -> None:
    ours = validator.validate(data)
    closed = validator.engine_graph(data)
    conforms, report, text = pyshacl.validate(
        closed, shacl_graph=shapes, advanced=True, allow_warnings=True)
    assert isinstance(report, Graph), text
    reference = parse_report(report, validator.shapes)
    assert ours.conforms == bool(conforms)

    def key(v):  # sourceShape names a blank-node property shape by node shape + path
        return (v.focus_node, v.source_shape, v.path, v.constraint, v.severity)

    assert Counter(map(key, ours.violations)) == Counter(map(key, reference))
    assert ours.report_graph is not None
    assert _top_level_values(ours.report_graph) == _top_level_values(report)


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_engines_agree_on_invalid_example(validator, reference_shapes, path: Path) -> None:
    data = Graph().parse(path, format="turtle")
    assert not validator.validate(data).conforms
    _compare(validator, reference_shapes, data)


@pytest.mark.parametrize("index", DEMOS)
def test_engines_agree_on_demo_passport(validator, reference_shapes, index: int) -> None:
    data = demo_passport(MINTER, index) + demo_organisation_records(MINTER)
    assert validator.validate(data).conforms
    _compare(validator, reference_shapes, data)


def test_engine_graph_is_the_closed_data(validator: Validator) -> None:
    data = demo_passport(MINTER, 1)
    closed = validator.engine_graph(data)
    assert len(closed) > len(data)
    assert len(closed) == len(validator.with_type_closure(data))
    pack = MINTER.battery("BP-000001")
    assert (pack, RDF.type, BATTERY_CLASS) in closed  # an inherited type the shapes mention
    category = data.value(pack, DBP.batteryCategory)
    assert category is not None
    assert (category, SKOS.inScheme, DBP.BatteryCategoryScheme) in closed
    for _, _, scheme in closed.triples((None, SKOS.inScheme, None)):
        assert str(scheme).startswith("https://w3id.org/dbp#")
