"""Dependency-driven fixpoint (issue 17): a round of a stratum re-runs only the rules that can
read a predicate the previous round added. The derivation must be exactly the one of the plain
loop that re-runs every rule until a round adds nothing (``RuleRunner(rerun_all=True)``)."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import PROV, RDF, RDFS

from graph_service.container import Services
from graph_service.model.namespaces import DBP
from graph_service.services.derivation.rules import Derivation, RuleRunner
from graph_service.services.fleet.demo import battery_id, demo_passport
from graph_service.services.sparql.query_analysis import (
    read_guards,
    read_keys_of,
    read_predicates,
    required_patterns,
)
from tests.rules.corpus import corpus_names

DEMO_INDICES = range(1, 17)

RULE_WITH_EVERYTHING = """
PREFIX dbp: <https://w3id.org/dbp#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
CONSTRUCT { ?battery dbp:weak true }
WHERE {
  ?battery a/rdfs:subClassOf* dbp:Battery ; ^dbp:partOf|dbp:hasModule ?module .
  OPTIONAL { ?module dbp:serialNumber ?serial }
  FILTER NOT EXISTS { ?module dbp:hasHazard ?hazard }
  MINUS { ?module dbp:excluded true }
  { SELECT ?module (MAX(?soh) AS ?best)
    WHERE { ?module dbp:latestStateOfHealth ?soh } GROUP BY ?module }
  BIND(EXISTS { ?module dbp:caution ?caution } AS ?cautioned)
}
"""


def reference(services: Services) -> RuleRunner:
    """The plain loop over the same store and rules."""
    return RuleRunner(services.store, services.layout, services.minter, services.repository,
                      services.rules.rules, rerun_all=True)


def comparable(derivation: Derivation) -> set:
    return {t for t in derivation.triples if t[1] != PROV.endedAtTime}


def assert_same(new: Derivation, old: Derivation) -> None:
    assert len(new.triples) > 100
    assert comparable(new) == comparable(old)
    assert new.rules_fired == old.rules_fired
    assert new.placement == old.placement
    assert new.evaluations <= old.evaluations
    assert new.iterations <= old.iterations


# -- read sets ---------------------------------------------------------------------------------
def test_read_set_holds_predicates_of_paths_optional_negation_minus_subqueries_and_exists(
) -> None:
    dbp = "https://w3id.org/dbp#"
    assert read_predicates(RULE_WITH_EVERYTHING) == {
        RDF.type, RDFS.subClassOf, *(URIRef(dbp + name) for name in (
            "partOf", "hasModule", "serialNumber", "hasHazard", "excluded",
            "latestStateOfHealth", "caution"))}


def test_read_set_leaves_out_the_construct_template() -> None:
    assert DBP.weak not in read_predicates(RULE_WITH_EVERYTHING)  # type: ignore[operator]


@pytest.mark.parametrize("pattern", [
    "?battery ?p ?o",
    "?battery dbp:hasModule ?m . FILTER NOT EXISTS { ?m ?anything ?o }",
    "?battery !dbp:hasModule ?o",
    "?battery dbp:hasModule/!(rdf:type) ?o",
    "{ SELECT ?battery WHERE { ?battery ?p dbp:Battery } }",
    "?battery dbp:hasModule ?m . OPTIONAL { ?a dbp:partOf* ?b }",
])
def test_a_variable_predicate_or_negated_property_set_reads_everything(pattern: str) -> None:
    text = ("PREFIX dbp: <https://w3id.org/dbp#>\n"
            "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n"
            f"CONSTRUCT {{ ?battery dbp:weak true }} WHERE {{ {pattern} }}")
    assert read_predicates(text) is None


def test_a_zero_length_path_joined_to_another_pattern_reads_only_its_predicates() -> None:
    text = ("PREFIX dbp: <https://w3id.org/dbp#>\n"
            "CONSTRUCT { ?battery dbp:weak true } WHERE { ?battery dbp:hasModule ?m . "
            "?m dbp:partOf* ?whole }")
    assert read_predicates(text) == {DBP.hasModule, DBP.partOf}


def test_a_type_pattern_with_a_constant_class_reads_only_that_class() -> None:
    text = ("PREFIX dbp: <https://w3id.org/dbp#>\n"
            "CONSTRUCT { ?battery dbp:weak true } WHERE { ?battery a dbp:Battery ; "
            "dbp:hasModule ?m . ?m a ?kind . FILTER NOT EXISTS { ?m a dbp:Hazard } }")
    keys = read_predicates(text)
    assert keys == {(RDF.type, DBP.Battery), (RDF.type, DBP.Hazard), RDF.type, DBP.hasModule}
    # a type triple of another class matches only the `?m a ?kind` pattern (key rdf:type)
    assert read_keys_of([(DBP.x, RDF.type, DBP.Module)]) == {RDF.type, (RDF.type, DBP.Module)}
    only_classes = read_predicates(text.replace(" . ?m a ?kind", ""))
    assert only_classes is not None
    assert only_classes.isdisjoint(read_keys_of([(DBP.x, RDF.type, DBP.Module)]))
    assert not only_classes.isdisjoint(read_keys_of([(DBP.x, RDF.type, DBP.Hazard)]))


def test_an_unparsable_rule_reads_everything() -> None:
    assert read_predicates("CONSTRUCT { ?battery ?p ?o } WHERE { ?battery") is None


def test_every_shipped_rule_has_a_read_set_or_reads_everything(services: Services) -> None:
    ordinary = [r for r in services.rules.rules if not r.is_summary]
    with_sets = [r for r in ordinary if r.read_set is not None]
    assert len(with_sets) >= len(ordinary) - 5
    assert all(r.read_set for r in with_sets)


def test_guards_name_what_a_pattern_joins_in_its_bgp() -> None:
    dbp = "https://w3id.org/dbp#"
    guards = read_guards("""
PREFIX dbp: <https://w3id.org/dbp#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
CONSTRUCT { ?battery dbp:ok true }
WHERE {
  ?battery dbp:hasDamageAssessment ?a . ?a dbp:rationale ?why .
  OPTIONAL { ?a dbp:note ?note }
  <https://w3id.org/dbp/vocab/pathway/repair> dbp:baseScore ?base .
  ?battery a/rdfs:subClassOf* dbp:Battery .
}""")
    assert guards is not None
    assert guards[URIRef(dbp + "rationale")] == {
        frozenset({("in", URIRef(dbp + "hasDamageAssessment"))})}
    # Alone in its OPTIONAL's BGP, but the OPTIONAL binds ?a only where the required part does.
    assert guards[URIRef(dbp + "note")] == {
        frozenset({("in", URIRef(dbp + "hasDamageAssessment")),
                   ("out", URIRef(dbp + "rationale"))})}
    assert guards[URIRef(dbp + "baseScore")] == {
        frozenset({("subject", URIRef("https://w3id.org/dbp/vocab/pathway/repair"))})}
    # The path's first step is a plain pattern of ?battery; the step under * is unguarded.
    assert guards[RDF.type] == {frozenset({("out", URIRef(dbp + "hasDamageAssessment"))})}
    assert guards[RDFS.subClassOf] == {frozenset()}
    assert read_guards("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }") is None


def test_guards_cross_into_exists_and_minus_but_not_into_sub_selects_or_unions() -> None:
    dbp = "https://w3id.org/dbp#"
    guards = read_guards("""
PREFIX dbp: <https://w3id.org/dbp#>
CONSTRUCT { ?battery dbp:ok true }
WHERE {
  ?battery dbp:hasJoint ?joint .
  FILTER NOT EXISTS { ?joint dbp:jointType/dbp:destructive true }
  MINUS { ?joint dbp:removed true }
  BIND(EXISTS { ?joint dbp:stripped true } AS ?stripped)
  { SELECT ?joint (COUNT(?c) AS ?n) WHERE { ?joint dbp:caution ?c } GROUP BY ?joint }
  { ?joint dbp:left ?x } UNION { ?battery dbp:right ?y }
}""")
    assert guards is not None
    joint = ("in", URIRef(dbp + "hasJoint"))
    assert guards[URIRef(dbp + "jointType")] == {frozenset({joint})}
    # the second step of the split path joins the first
    assert guards[URIRef(dbp + "destructive")] == {frozenset({("in", URIRef(dbp + "jointType"))})}
    assert joint in next(iter(guards[URIRef(dbp + "removed")]))
    assert joint in next(iter(guards[URIRef(dbp + "stripped")]))
    # a sub-select's ?joint is its own variable: no guard from outside
    assert guards[URIRef(dbp + "caution")] == {frozenset()}
    # a UNION's branch joins the required part, never the other branch
    assert guards[URIRef(dbp + "left")] == {frozenset({joint})}
    assert guards[URIRef(dbp + "right")] == {frozenset({("out", URIRef(dbp + "hasJoint"))})}


@pytest.mark.slow
def test_join_guards_skip_re_runs_and_derive_the_same(services: Services) -> None:
    """The pathway rules read an assessment's dbp:rationale; a round that added only options'
    rationales (no assessment has them) need not run them again."""
    predicates_only = RuleRunner(services.store, services.layout, services.minter,
                                 services.repository, services.rules.rules, join_guards=False)
    saved = 0
    for index in DEMO_INDICES[:6]:
        passport = demo_passport(services.minter, index)
        new = services.rules.derive(battery_id(index), passport)
        old = predicates_only.derive(battery_id(index), passport)
        assert_same(new, old)
        saved += old.evaluations - new.evaluations
    assert saved >= 6 * 5


# -- same derivation as the plain loop ---------------------------------------------------------
@pytest.mark.slow
def test_demo_passports_derive_exactly_as_re_running_every_rule(services: Services) -> None:
    old_runner = reference(services)
    saved = 0
    for index in DEMO_INDICES:
        passport = demo_passport(services.minter, index)
        new = services.rules.derive(battery_id(index), passport)
        old = old_runner.derive(battery_id(index), passport)
        assert_same(new, old)
        saved += old.evaluations - new.evaluations
    assert saved > 0


@pytest.mark.slow
@pytest.mark.parametrize("name", corpus_names())
def test_designs_derive_exactly_as_re_running_every_rule(corpus_services: Services,
                                                        name: str) -> None:
    """The reviewed designs, stored (stages and access groups, so summary placement too)."""
    new = corpus_services.rules.derive(name)
    old = reference(corpus_services).derive(name)
    assert_same(new, old)


def test_required_patterns_are_those_every_solution_matches() -> None:
    dbp = "https://w3id.org/dbp#"
    required = required_patterns("""
PREFIX dbp: <https://w3id.org/dbp#>
CONSTRUCT { ?battery dbp:ok true }
WHERE {
  ?battery dbp:hasThermalEvent/dbp:peakTemperature ?t .
  OPTIONAL { ?battery dbp:note ?note }
  FILTER NOT EXISTS { ?battery dbp:quarantined true }
  { ?battery dbp:left ?x } UNION { ?battery dbp:right ?y }
}""")
    assert required is not None
    assert {p for _, p, _ in required} == {URIRef(dbp + "hasThermalEvent"),
                                           URIRef(dbp + "peakTemperature")}
    # an aggregate answers one row over no match: nothing is required of it
    assert required_patterns("""
PREFIX dbp: <https://w3id.org/dbp#>
CONSTRUCT { ?battery dbp:events ?n }
WHERE { { SELECT (COUNT(?e) AS ?n) WHERE { ?battery dbp:hasThermalEvent ?e } } }""") == []
    assert required_patterns("CONSTRUCT { ?s ?p ?o } WHERE { ?s") is None


@pytest.mark.slow
def test_a_rule_whose_required_pattern_matches_nothing_is_spared_and_derives_the_same(
        services: Services) -> None:
    """A minimal passport (no usage records, no joints, no thermal events): the rules about
    those are not evaluated, and the derivation is the plain loop's."""
    passport = demo_passport(services.minter, DEMO_INDICES[0])
    battery = services.minter.battery(battery_id(DEMO_INDICES[0]))
    minimal = Graph()
    for triple in passport.triples((battery, None, None)):
        if not isinstance(triple[2], URIRef) or triple[1] == RDF.type \
                or str(triple[1]).startswith("https://w3id.org/dbp#manufacturer"):
            minimal.add(triple)
    new = services.rules.derive(battery_id(DEMO_INDICES[0]), minimal)
    old = reference(services).derive(battery_id(DEMO_INDICES[0]), minimal)
    assert_same(new, old)
    assert new.spared > 0
    assert new.evaluations < old.evaluations
