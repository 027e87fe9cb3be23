"""Finding: an OPTIONAL that mentions a variable its left side may leave unbound binds it.

``BIND(COALESCE(?camChemistry, ?batteryChemistry) AS ?chemistry) OPTIONAL { ?chemistry
skos:prefLabel ?label }`` is a left join: when the passport states no chemistry, ``?chemistry``
is unbound on the left, every labelled concept of the reference graphs is compatible, and the
rule derived the direct-recycling option once per concept - 3 s per battery and dbp:usesParameter
naming hundreds of Catena-X SAMM terms as "parameters" (a BattINFO coin cell showed it). The same
shape gave a housing without a casing type the caution of every joint type, and the published
thermal-events query a label for a status that was never stated.

Fixed in the rule texts by joining on the value (``OPTIONAL { ?x p ?label FILTER(?x = ?v) }``).
The class is checked here by a real SPARQL parser's algebra over every rule and published query,
and by behaviour: a passport that states neither chemistry nor casing type derives single
values and only real parameters.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import URIRef
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Variable

from graph_service.api.deps import Services
from graph_service.config import REPO_ROOT
from graph_service.model.namespaces import DBP
from graph_service.services.sparql.named_queries import PREFIX_BLOCK, QUERY_DIRS
from tests.rules import ADMIN, Outcome, local
from tests.rules.corpus import corpus_names

# Bound by the caller before evaluation (the rule engine binds the battery it derives).
PRE_BOUND = {Variable("battery")}
PARAM = "https://w3id.org/dbp/param/"
# Properties of a derived node that have one value by design.
SINGLE_VALUED = (DBP.eligibility, DBP.eligible, DBP.score, DBP.pathway, DBP.treatmentProcess,
                 DBP.hazardType, DBP.damageState, DBP.stepType, DBP.destructive)


def _certain(node: object) -> set[Variable]:
    """Variables every solution of ``node`` binds (BIND, OPTIONAL and UNION may leave some
    unbound; a sub-select binds only what it projects and never its aggregates for sure)."""
    if not isinstance(node, CompValue):
        return set()
    name = node.name
    if name == "BGP":
        return {t for triple in node.triples for t in triple if isinstance(t, Variable)}
    if name in ("Join",):
        return _certain(node.p1) | _certain(node.p2)
    if name in ("LeftJoin", "Minus"):
        return _certain(node.p1)
    if name == "Union":
        return _certain(node.p1) & _certain(node.p2)
    if name == "Project":
        return _certain(node.p) & set(node.PV)
    if name == "AggregateJoin":
        return set()
    if "p" in node and isinstance(node.p, CompValue):
        return _certain(node.p)
    return set()


def _possible(node: object) -> set[Variable]:
    """Variables ``node`` may bind in its solutions (what it shares with a surrounding join)."""
    if not isinstance(node, CompValue):
        return set()
    if node.name == "Project":
        return set(node.PV)
    if node.name == "BGP":
        return {t for triple in node.triples for t in triple if isinstance(t, Variable)}
    found: set[Variable] = {node.var} if node.name == "Extend" else set()
    if node.name == "values":
        found |= {v for row in node.res for v in row}
    for key in ("p", "p1", "p2"):
        if isinstance(node.get(key), CompValue):
            found |= _possible(node[key])
    return found


def _children(node: CompValue) -> Iterator[CompValue]:
    for value in node.values():
        if isinstance(value, CompValue):
            yield value
        elif isinstance(value, list):
            yield from (v for v in value if isinstance(v, CompValue))


def optionals_binding_unbound_variables(text: str) -> list[set[str]]:
    """For each OPTIONAL whose pattern shares a variable with what precedes it that the preceding
    part may leave unbound: those variables."""
    found: list[set[str]] = []

    def walk(node: CompValue) -> None:
        if node.name == "LeftJoin":
            risky = (_possible(node.p1) - _certain(node.p1) - PRE_BOUND) & _possible(node.p2)
            if risky:
                found.append({str(v) for v in risky})
        for child in _children(node):
            walk(child)

    walk(prepareQuery(text).algebra)
    return found


QUERY_FILES = sorted([*REPO_ROOT.glob("rules/*.rq"), *REPO_ROOT.glob("queries/**/*.rq")])


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_no_optional_binds_a_variable_left_unbound_before_it(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    if any(path.is_relative_to(folder) for folder in QUERY_DIRS):
        text = PREFIX_BLOCK + text  # the runner's files use the prefixes it prepends
    assert optionals_binding_unbound_variables(text) == []


def test_the_detector_sees_the_shape_of_the_finding() -> None:
    finding = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
    SELECT * WHERE { OPTIONAL { ?battery <urn:chemistry> ?c }
      BIND(COALESCE(?c, ?d) AS ?chemistry) OPTIONAL { ?chemistry skos:prefLabel ?label } }"""
    fixed = finding.replace("{ ?chemistry skos:prefLabel ?label }",
                            "{ ?x skos:prefLabel ?label FILTER(?x = ?chemistry) }")
    assert optionals_binding_unbound_variables(finding) == [{"chemistry"}]
    assert optionals_binding_unbound_variables(fixed) == []
    # a variable the left side always binds is a normal optional join
    assert optionals_binding_unbound_variables(
        "SELECT * WHERE { ?s a ?t OPTIONAL { ?t <urn:label> ?l } }") == []


def _single_values_and_real_parameters(outcome: Outcome) -> None:
    derived = outcome.derived
    for node in set(derived.subjects()):
        for predicate in SINGLE_VALUED:
            values = set(derived.objects(node, predicate))
            assert len(values) <= 1, (outcome.battery_id, node, predicate, values)
    for parameter in derived.objects(None, DBP.usesParameter):
        assert str(parameter).startswith(PARAM), (outcome.battery_id, parameter)


def test_a_passport_without_chemistry_or_casing_type_derives_no_invented_values(
        services: Services) -> None:
    base = "id/battery/NO-CHEM-1"
    document = {
        "id": base, "type": "BatteryPack", "batteryId": "NO-CHEM-1",
        "batteryCategory": "dbpv:category/industrial", "manufacturingDate": "2020-06-01",
        "manufacturer": "id/org/plain-json",  # registered: tests/data/organisations.ttl
        "hasProperty": [{"type": "NominalVoltage", "hasMeasurementUnit": "emmo:Volt",
                         "hasNumericalPart": {"type": "RealData", "hasNumberValue": 48.0}}],
        "hasComponent": [{"id": f"{base}/housing", "type": "PackHousing"}],
    }
    result = services.ingest.submit(json.dumps(document).encode(), "application/json",
                                    principal=ADMIN)
    assert result.committed, result.summary()
    outcome = Outcome(services, "NO-CHEM-1")
    _single_values_and_real_parameters(outcome)

    direct = URIRef(f"{outcome.battery}/derived/pathway/recycling-direct")
    assert local(outcome.value(direct, DBP.eligibility)) == "unknown"
    (why,) = outcome.derived.objects(direct, DBP.rationale)
    assert "cathode chemistry is not stated" in str(why)
    # the unknown says which fact would decide it
    deciding = {outcome.value(u, DBP.decidingFact)
                for u in outcome.derived.objects(outcome.battery, DBP.hasUnknown)
                if (u, DBP.affects, direct) in outcome.derived}
    assert DBP.camType in deciding, deciding

    # the cover step of a housing whose fastening is not stated carries no joint type's caution
    cover = URIRef(f"{outcome.battery}/derived/step/remove-cover")
    cautions = {str(c) for c in outcome.derived.objects(cover, DBP.caution)}
    template = services.store.graph(services.layout.reference)
    own = {str(c) for c in template.objects(
        URIRef("https://w3id.org/dbp/vocab/step/remove-cover"), DBP.caution)}
    assert cautions <= own, cautions - own


@pytest.mark.parametrize("name", corpus_names())
def test_every_corpus_design_derives_single_values_and_real_parameters(
        name: str, corpus_services: Services) -> None:
    _single_values_and_real_parameters(Outcome(corpus_services, name))
