"""The shapes graph itself: valid against SHACL's shapes-for-shapes, and written for people."""

from __future__ import annotations

import pyshacl
import pyshacl_turbo
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

from graph_service.services.passports.validation import SHAPES_DIR, load_shapes

SHACL_SHACL = pyshacl.__file__.replace("__init__.py", "assets/shacl-shacl.ttl")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_shapes(SHAPES_DIR)


def test_shapes_conform_to_shacl_shacl_with_the_production_engine(shapes: Graph) -> None:
    conforms, _, text = pyshacl_turbo.meta_validate(shapes)
    assert conforms, text


def test_shapes_conform_to_shacl_shacl_with_pyshacl(shapes: Graph) -> None:
    shacl_shacl = Graph().parse(SHACL_SHACL)
    conforms, _, text = pyshacl.validate(shapes, shacl_graph=shacl_shacl)
    assert conforms, text


def test_a_broken_shape_is_caught_by_the_meta_validation() -> None:
    broken = Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <urn:s> a sh:NodeShape ; sh:property [ sh:path <urn:p> ; sh:minCount "many" ] .
    """, format="turtle")
    conforms, _, _ = pyshacl_turbo.meta_validate(broken)
    assert not conforms


def _constraint_shapes(shapes: Graph) -> list[URIRef]:
    """Property shapes and SPARQL constraints: the things that produce a result message."""
    found = list(shapes.objects(None, SH.property)) + list(shapes.objects(None, SH.sparql))
    return [s for s in found if (s, SH.path, None) in shapes or (s, SH.select, None) in shapes]


def test_every_constraint_has_a_message(shapes: Graph) -> None:
    silent = [
        f"{owner} -> {shapes.value(c, SH.path)}"
        for c in _constraint_shapes(shapes)
        if shapes.value(c, SH.message) is None
        for owner in shapes.subjects(SH.property, c)
    ]
    assert not silent, "constraints without sh:message:\n" + "\n".join(silent)


def test_every_targeted_node_shape_declares_its_severity(shapes: Graph) -> None:
    targets = {SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode}
    targeted = {s for t in targets for s in shapes.subjects(t, None)}
    missing = sorted(str(s) for s in targeted if shapes.value(s, SH.severity) is None)
    assert not missing, f"node shapes without sh:severity: {missing}"
    assert len(targeted) >= 20


def test_messages_do_not_leak_engine_jargon(shapes: Graph) -> None:
    # A technician reads these: no SPARQL variables left unfilled, no placeholder text.
    for message in shapes.objects(None, SH.message):
        text = str(message)
        assert "TODO" not in text and "$this" not in text, text
        assert len(text) > 15, text


def test_every_shape_file_parses_on_its_own() -> None:
    for path in sorted(SHAPES_DIR.glob("*.ttl")):
        graph = Graph().parse(path)
        assert len(graph) > 0, path.name
        assert (None, RDF.type, SH.NodeShape) in graph or path.name == "prefixes.ttl", path.name
