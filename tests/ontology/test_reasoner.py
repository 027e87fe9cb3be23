"""Our ontology plus its alignment to EMMO/BattINFO is consistent under a real OWL reasoner.

The reasoner (HermiT, shipped with owlready2, needs Java) runs over ontology/*.ttl plus the
upstream axioms our terms hook into: for every external class or property we use, its named
superclass/superproperty chain, domain/range, and the disjointness axioms among all of them.
That is where a wrong alignment (say, a dbp class under two disjoint EMMO branches) shows up,
without asking the reasoner to classify all 5,700 EMMO classes.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

from graph_service.config import REPO_ROOT
from graph_service.store.base import GraphStore
from tests.ontology.conftest import MERGED, reference_dir

pytestmark = pytest.mark.slow

NON_OWL2_DATATYPES = {XSD.date, XSD.gYearMonth, XSD.duration}
ANNOTATION_LIKE = [SKOS.closeMatch, SKOS.exactMatch, SKOS.relatedMatch, SKOS.broadMatch,
                   SKOS.related, SKOS.inScheme, SKOS.topConceptOf, SKOS.broader,
                   SKOS.prefLabel, SKOS.definition, SKOS.notation, SKOS.scopeNote]


def project_ontology() -> Graph:
    graph = Graph()
    for path in sorted((REPO_ROOT / "ontology").glob("*.ttl")):
        graph.parse(path)
    return graph


def alignment_module(ours: Graph, reference: GraphStore) -> Graph:
    """Upstream axioms reachable from the external terms our ontology mentions."""
    external = {t for triple in ours for t in triple
                if isinstance(t, URIRef) and str(t).startswith("https://w3id.org/emmo")}
    values = " ".join(f"<{t}>" for t in external)
    result = reference.query(
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        "PREFIX owl: <http://www.w3.org/2002/07/owl#> "
        "CONSTRUCT { ?x ?p ?y . ?x a ?type . ?a owl:disjointWith ?b } WHERE { "
        f"VALUES ?start {{ {values} }} "
        "?start (rdfs:subClassOf|rdfs:subPropertyOf)* ?x . "
        "{ ?x a ?type } UNION "
        "{ ?x ?p ?y VALUES ?p { rdfs:subClassOf rdfs:subPropertyOf } FILTER(isIRI(?y)) } UNION "
        "{ ?x owl:disjointWith ?b BIND(?x AS ?a) FILTER(isIRI(?b)) } }",
        default_graph=[URIRef("urn:reference:emmo")],
    )
    module = Graph()
    for triple in result.triples():
        module.add(triple)
    return module


def _declare_skos(graph: Graph) -> None:
    # SKOS mapping links between concepts and OWL classes are annotations in OWL 2 DL.
    for prop in ANNOTATION_LIKE:
        graph.add((prop, RDF.type, OWL.AnnotationProperty))
    graph.add((SKOS.Concept, RDF.type, OWL.Class))
    graph.add((SKOS.ConceptScheme, RDF.type, OWL.Class))


@pytest.fixture(scope="module")
def reasoning_input(reference_store: GraphStore, tmp_path_factory: pytest.TempPathFactory
                    ) -> Path:
    if shutil.which("java") is None:
        pytest.skip("Java is not installed; HermiT needs it")
    if not (reference_dir() / MERGED).is_file():
        pytest.skip("reference ontologies not installed")
    ours = project_ontology()
    combined = Graph()
    combined += ours
    combined += alignment_module(ours, reference_store)
    _declare_skos(combined)
    # owlready2 reads N-Triples; blank-node-free axioms keep the load simple and exact.
    target = tmp_path_factory.mktemp("reasoner") / "dbp-aligned.nt"
    plain = Graph()
    for s, p, o in combined:
        if any(isinstance(term, BNode) for term in (s, p, o)):
            continue
        # HermiT implements exactly the OWL 2 datatype map, which lacks xsd:date; as a range
        # it says nothing about class satisfiability, so it is weakened to rdfs:Literal here.
        if p == RDFS.range and o in NON_OWL2_DATATYPES:
            o = RDFS.Literal
        plain.add((s, p, o))
    target.write_text(plain.serialize(format="nt"), encoding="utf-8")
    return target


def test_alignment_module_brings_in_the_emmo_hierarchy(reference_store: GraphStore) -> None:
    module = alignment_module(project_ontology(), reference_store)
    battery_pack = URIRef(
        "https://w3id.org/emmo/domain/battery#battery_be3b35a7_75a3_4be0_9265_beb178ea7b00")
    battery = URIRef(
        "https://w3id.org/emmo/domain/battery#battery_74ed2670_657d_4f0b_b0a6_3f13bc2e9c17")
    assert (battery_pack, RDFS.subClassOf, battery) in module
    assert len(list(module.triples((None, OWL.disjointWith, None)))) > 0


def test_ontology_is_consistent_with_no_unsatisfiable_classes(reasoning_input: Path) -> None:
    import owlready2

    world = owlready2.World()
    ontology = world.get_ontology(reasoning_input.as_uri()).load(format="ntriples")
    with ontology:
        # Raises OwlReadyInconsistentOntologyError when the axioms contradict each other.
        owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    unsatisfiable = [str(c.iri) for c in world.inconsistent_classes()]
    assert unsatisfiable == []
    ours = [c for c in ontology.classes() if c.iri.startswith("https://w3id.org/dbp#")]
    assert len(ours) > 30


def test_the_reasoner_would_catch_a_contradictory_alignment(reasoning_input: Path,
                                                            tmp_path: Path) -> None:
    import owlready2

    broken = Graph().parse(reasoning_input, format="nt")
    # A class under both Battery and one of its disjoint siblings must become unsatisfiable.
    pairs = [(a, b) for a, b in broken.subject_objects(OWL.disjointWith)
             if isinstance(a, URIRef) and isinstance(b, URIRef)]
    assert pairs, "no disjointness axioms in the alignment module"
    first, second = pairs[0]
    bogus = URIRef("https://w3id.org/dbp#BogusTestClass")
    broken.add((bogus, RDF.type, OWL.Class))
    broken.add((bogus, RDFS.subClassOf, first))
    broken.add((bogus, RDFS.subClassOf, second))
    path = tmp_path / "broken.nt"
    path.write_text(broken.serialize(format="nt"), encoding="utf-8")
    world = owlready2.World()
    ontology = world.get_ontology(path.as_uri()).load(format="ntriples")
    with ontology:
        owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    assert str(bogus) in {str(c.iri) for c in world.inconsistent_classes()}
