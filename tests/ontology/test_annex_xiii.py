"""Annex XIII coverage: the 93 attributes of DIN DKE SPEC 99100 / Battery Pass long list v1.2.

``ontology/annex-xiii.ttl`` maps every attribute to the ontology terms that carry it;
``docs/annex-xiii.md`` is generated from it by ``scripts/gen_annex_xiii.py``. These tests fail
when an attribute has no term, a term does not exist, the page is stale, or the ontology would
publish data the standard restricts.
"""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from graph_service.config import Settings

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "gen_annex_xiii.py"
ANNEX_FILE = ROOT / "ontology" / "annex-xiii.ttl"
DOC = ROOT / "docs" / "annex-xiii.md"
REGENERATE = ".venv/bin/python scripts/gen_annex_xiii.py"
ATTRIBUTE_COUNT = 93
TERM_TYPES = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty}
MERGED = Path("merged") / "battery-0.20.1-stack-merged.ttl"
XSD_INTEGER = URIRef("http://www.w3.org/2001/XMLSchema#integer")


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_annex_xiii", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve annotations through sys.modules
    spec.loader.exec_module(module)
    return module


gen = _load_generator()
DBP = gen.DBP_NS


def dbp(name: str) -> URIRef:
    return URIRef(DBP + name)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return gen.load_ontology()


@pytest.fixture(scope="module")
def other_ontology_files() -> Graph:
    """``ontology/*.ttl`` without annex-xiii.ttl: where mapped dbp: terms must be defined."""
    graph = Graph()
    for path in sorted((ROOT / "ontology").glob("*.ttl")):
        if path != ANNEX_FILE:
            graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="module")
def attributes(ontology: Graph) -> list:
    return gen.attributes(ontology)


@pytest.fixture(scope="module")
def emmo_stack() -> Graph:
    path = Settings().ontology_dir / MERGED
    if not path.is_file():
        pytest.skip(f"EMMO stack file {path} is absent (set DBP_ONTOLOGY_DIR); cannot check that "
                    "the mapped EMMO IRIs exist")
    graph = Graph()
    graph.parse(path, format="turtle")
    return graph


def _describe(attribute) -> str:
    return f"#{attribute.number} {attribute.label}"


# -- (a) exactly the 93 attributes, each complete -------------------------------------------
def test_exactly_93_attributes_numbered_1_to_93(ontology: Graph, attributes: list) -> None:
    numbers = Counter(a.number for a in attributes)
    duplicates = sorted(n for n, count in numbers.items() if count > 1)
    missing = sorted(set(range(1, ATTRIBUTE_COUNT + 1)) - set(numbers))
    unexpected = sorted(set(numbers) - set(range(1, ATTRIBUTE_COUNT + 1)))
    assert not duplicates, f"attribute numbers used more than once: {duplicates}"
    assert not missing, f"attribute numbers missing: {missing}"
    assert not unexpected, f"attribute numbers outside 1..{ATTRIBUTE_COUNT}: {unexpected}"
    assert len(attributes) == ATTRIBUTE_COUNT
    for attribute in attributes:
        assert str(attribute.iri) == f"{gen.ATTRIBUTE_PREFIX}{attribute.number}", attribute.iri
        number = ontology.value(attribute.iri, dbp("attributeNumber"))
        assert isinstance(number, Literal) and number.datatype == XSD_INTEGER, attribute.iri


def test_every_attribute_is_fully_described(ontology: Graph, attributes: list) -> None:
    single = ["attributeNumber", "dinSection", "regulationReference", "requiredAccess",
              "dataGranularity", "staticOrDynamic"]
    problems = []
    for attribute in attributes:
        for name in single:
            count = len(list(ontology.objects(attribute.iri, dbp(name))))
            if count != 1:
                problems.append(f"{_describe(attribute)}: {count} values of dbp:{name}")
        labels = [x for x in ontology.objects(attribute.iri, RDFS.label)
                  if isinstance(x, Literal) and x.language == "en"]
        if len(labels) != 1 or not str(labels[0]).strip():
            problems.append(f"#{attribute.number}: needs exactly one rdfs:label@en")
        if attribute.required_access not in gen.GROUP_RANK:
            problems.append(f"{_describe(attribute)}: dbp:requiredAccess is not an access group")
        if attribute.granularity not in {"model", "item"}:
            problems.append(f"{_describe(attribute)}: dbp:dataGranularity "
                            f"{attribute.granularity!r}")
        if attribute.static_or_dynamic not in {"static", "dynamic"}:
            problems.append(f"{_describe(attribute)}: dbp:staticOrDynamic "
                            f"{attribute.static_or_dynamic!r}")
        if not attribute.din_section.startswith("6."):
            problems.append(f"{_describe(attribute)}: DIN section {attribute.din_section!r}")
    assert not problems, "\n".join(problems)


def test_description_vocabulary_is_declared(ontology: Graph) -> None:
    assert (dbp("PassportAttribute"), RDF.type, OWL.Class) in ontology
    for name in ["attributeNumber", "dinSection", "regulationReference", "dataGranularity",
                 "staticOrDynamic"]:
        assert (dbp(name), RDF.type, OWL.DatatypeProperty) in ontology, name
    for name in ["requiredAccess", "mappedTerm"]:
        assert (dbp(name), RDF.type, OWL.ObjectProperty) in ontology, name
    for name in ["PassportAttribute", "attributeNumber", "dinSection", "regulationReference",
                 "dataGranularity", "staticOrDynamic", "requiredAccess", "mappedTerm"]:
        assert ontology.value(dbp(name), RDFS.label) is not None, name
        assert ontology.value(dbp(name), RDFS.comment) is not None, name


# -- (b) every attribute maps to terms that exist --------------------------------------------
def test_every_attribute_has_a_mapped_term(attributes: list) -> None:
    unmapped = [_describe(a) for a in attributes if not a.terms]
    assert not unmapped, ("attributes without dbp:mappedTerm (add the missing ontology term and "
                          "map it in ontology/annex-xiii.ttl):\n" + "\n".join(unmapped))


def test_mapped_dbp_terms_are_defined_in_the_ontology(attributes: list,
                                                      other_ontology_files: Graph) -> None:
    undefined = []
    for attribute in attributes:
        for term in attribute.terms:
            if not str(term).startswith(DBP):
                continue
            types = set(other_ontology_files.objects(term, RDF.type))
            if not types & TERM_TYPES:
                undefined.append(f"{_describe(attribute)}: {gen.curie(term)}")
    assert not undefined, "mapped dbp: terms not defined in ontology/*.ttl:\n" + "\n".join(
        undefined)


def test_mapped_external_terms_are_known_to_the_generator(attributes: list,
                                                          other_ontology_files: Graph) -> None:
    """External terms need a label for the page; they must not be invented elsewhere."""
    unknown = []
    for attribute in attributes:
        for term in attribute.terms:
            if str(term).startswith(DBP):
                continue
            if str(term) not in gen.EMMO_TERMS:
                unknown.append(f"{_describe(attribute)}: {term}")
    assert not unknown, ("mapped external terms missing from EMMO_TERMS in "
                         "scripts/gen_annex_xiii.py:\n" + "\n".join(unknown))


def test_mapped_emmo_terms_exist_in_the_emmo_stack(attributes: list, emmo_stack: Graph) -> None:
    problems = []
    for attribute in attributes:
        for term in attribute.terms:
            if str(term).startswith(DBP):
                continue
            types = set(emmo_stack.objects(term, RDF.type))
            if not types & TERM_TYPES:
                problems.append(f"{_describe(attribute)}: {term} is not in the EMMO stack")
            elif emmo_stack.value(term, OWL.deprecated) == Literal(True):
                problems.append(f"{_describe(attribute)}: {term} is deprecated")
    assert not problems, "\n".join(problems)


def test_emmo_labels_and_kinds_match_the_emmo_stack(emmo_stack: Graph) -> None:
    kinds = {"class": OWL.Class, "object property": OWL.ObjectProperty}
    problems = []
    for iri, (label, kind) in sorted(gen.EMMO_TERMS.items()):
        term = URIRef(iri)
        labels = {str(x) for x in emmo_stack.objects(term, SKOS.prefLabel)}
        if label not in labels:
            problems.append(f"{iri}: label {label!r} not among skos:prefLabel {sorted(labels)}")
        if (term, RDF.type, kinds[kind]) not in emmo_stack:
            problems.append(f"{iri}: not an {kinds[kind]} in the EMMO stack")
    assert not problems, "\n".join(problems)


# -- (c) the generated page is current ------------------------------------------------------
def test_annex_xiii_page_is_current() -> None:
    expected = gen.render()
    assert DOC.is_file(), f"docs/annex-xiii.md is missing; run {REGENERATE}"
    assert DOC.read_text(encoding="utf-8") == expected, (
        f"docs/annex-xiii.md is stale; run {REGENERATE} and commit the result")


def test_render_is_deterministic() -> None:
    assert gen.render() == gen.render()


def test_page_ends_with_the_coverage_line(attributes: list) -> None:
    mapped = sum(1 for a in attributes if a.terms)
    last = gen.render().rstrip("\n").splitlines()[-1]
    assert last == f"Coverage: {mapped}/{ATTRIBUTE_COUNT} attributes mapped"


# -- (d) access groups ----------------------------------------------------------------------
def test_public_attributes_are_not_mapped_to_authority_only_terms(ontology: Graph,
                                                                  attributes: list) -> None:
    hidden = []
    for attribute in attributes:
        if attribute.required_access != dbp("PublicAccess"):
            continue
        for term in attribute.terms:
            if gen.annotated_group(ontology, term) == dbp("AuthorityAccess"):
                hidden.append(f"{_describe(attribute)}: {gen.curie(term)} is authority-only")
    assert not hidden, ("public attributes mapped to authority-only terms (the public could "
                        "not read them):\n" + "\n".join(hidden))


def test_no_term_is_less_restricted_than_the_standard_requires(ontology: Graph,
                                                               attributes: list) -> None:
    """Data the standard restricts must not be published through a term annotated with a more
    open group. An unannotated term inherits its group from the node that holds it, so a
    restricted attribute needs at least one mapped term that states the restriction."""
    leaks = []
    for attribute in attributes:
        required = attribute.required_access
        if required is None or not attribute.terms:
            continue
        ranks = []
        for term in attribute.terms:
            group = gen.annotated_group(ontology, term)
            if group is None:
                continue
            ranks.append(gen.GROUP_RANK[group])
            if gen.GROUP_RANK[group] < gen.GROUP_RANK[required]:
                leaks.append(f"{_describe(attribute)}: standard requires "
                             f"{gen.GROUP_NAMES[required]}, {gen.curie(term)} is annotated "
                             f"{gen.GROUP_NAMES[group]}")
        if gen.GROUP_RANK[required] > 0 and not any(r >= gen.GROUP_RANK[required]
                                                    for r in ranks):
            leaks.append(f"{_describe(attribute)}: standard requires "
                         f"{gen.GROUP_NAMES[required]}, but no mapped term is annotated with it "
                         "(all inherit their group)")
    assert not leaks, ("attributes whose standard access group is more restrictive than their "
                       "terms' dbp:accessGroup:\n" + "\n".join(leaks))
