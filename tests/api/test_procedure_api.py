"""Derived dismantling procedure, pathway options and explanations over HTTP.

A demo fleet (written like ``dbp demo``) plus demo battery 19, a low-voltage light-means-of-
transport pack submitted through ingest. Expectations come from the generator's graphs
(``demo_passport``) and from the rule files (``load_rules``), not from numbers of a run.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF

from graph_service.model.namespaces import DBP, ECHEM
from graph_service.model.terms import HAS_NUMBER_VALUE, HAS_NUMERICAL_PART, HAS_PROPERTY
from graph_service.services.access import Principal, Role
from graph_service.services.derivation.rules import load_rules
from graph_service.services.fleet.demo import demo_passport, write_demo_fleet

# The root tests/conftest.py, imported by pytest as the top-level module ``conftest``.
from conftest import LiveServer, make_settings, start_server  # isort: skip

FLEET = 10
LOW_VOLTAGE = "BP-000019"  # demo battery 19: a 14-cell LMT pack (about 50 V)
IDS = [*(f"BP-{i:06d}" for i in range(1, FLEET + 1)), LOW_VOLTAGE]
NOMINAL_VOLTAGE = ECHEM["electrochemistry_639b844a_e801_436b_985d_28926129ead6"]
PROBLEM = "application/problem+json"
VOCAB = "https://w3id.org/dbp/vocab/"
HV_ISOLATION = {"qualification-hvt", "prepare-hv", "wait", "verify-absence", "cover-live-parts"}
HYDRO = "recycling-hydrometallurgical"  # always eligible: every battery has this procedure


@pytest.fixture(scope="module")
def fleet() -> Iterator[LiveServer]:
    with start_server(make_settings()) as live:
        write_demo_fleet(live.services, FLEET)
        services = live.services
        services.ingest.submit_graph(demo_passport(services.minter, 19),
                                     principal=Principal("setup", Role.ADMIN))
        yield live


@pytest.fixture(scope="module")
def recycler(fleet: LiveServer):
    with fleet.client(fleet.token(Role.RECYCLER, "circular-metals")) as client:
        yield client


@pytest.fixture(scope="module")
def anonymous(fleet: LiveServer):
    with fleet.client() as client:
        yield client


@pytest.fixture(scope="module")
def procedures(recycler) -> dict[str, dict]:
    return {bid: ok(recycler.get(f"/batteries/{bid}/procedure")) for bid in IDS}


@pytest.fixture(scope="module")
def recycling_procedures(recycler) -> dict[str, dict]:
    """The procedure for hydrometallurgical recycling: the modules come out."""
    return {bid: ok(recycler.get(f"/batteries/{bid}/procedure", params={"pathway": HYDRO}))
            for bid in IDS}


@pytest.fixture(scope="module")
def pathways(recycler) -> dict[str, dict]:
    return {bid: ok(recycler.get(f"/batteries/{bid}/pathway")) for bid in IDS}


def ok(response) -> dict:
    assert response.status_code == 200, response.text
    return response.json()


def nominal_volts(fleet: LiveServer, bid: str) -> float:
    index = int(bid.split("-")[1])
    graph = demo_passport(fleet.services.minter, index)
    battery = fleet.services.minter.battery(bid)
    for q in graph.objects(battery, HAS_PROPERTY):
        if (q, RDF.type, NOMINAL_VOLTAGE) in graph:
            return float(graph.value(graph.value(q, HAS_NUMERICAL_PART), HAS_NUMBER_VALUE))
    raise AssertionError(f"{bid} has no nominal voltage")


def local(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def by_value(graph) -> set[tuple]:
    """Triples with literals compared by value ("23.0" and "23" are the same xsd:decimal)."""
    return {(s, p, ("literal", o.datatype, o.language, o.value) if isinstance(o, Literal)
             and o.value is not None else o) for s, p, o in graph}


# -- the procedure ----------------------------------------------------------------------------
def test_the_fleet_has_high_and_low_voltage_packs(fleet):
    volts = {bid: nominal_volts(fleet, bid) for bid in IDS}
    assert volts[LOW_VOLTAGE] <= 60
    assert sum(v > 60 for v in volts.values()) >= 5


@pytest.mark.parametrize("bid", IDS)
def test_high_voltage_hazard_ppe_and_isolation_follow_the_nominal_voltage(fleet, procedures,
                                                                          bid):
    procedure = procedures[bid]
    hazards = {h["type"]["id"]: h for h in procedure["hazards"]}
    ppe = {p["ppe"]["id"] for p in procedure["ppe"]}
    isolation = [local(step["iri"]) for step in procedure["isolationSteps"]]
    if nominal_volts(fleet, bid) > 60:
        hazard = hazards["high-voltage"]
        assert "60" in hazard["rationale"] and "V" in hazard["rationale"]
        assert hazard["parameters"] == ["https://w3id.org/dbp/param/high-voltage-limit"]
        assert "insulating-gloves-class0" in ppe
        assert set(isolation) >= HV_ISOLATION
        assert "qualification-eip" not in isolation
        # a disconnect is locked only where there is one
        assert ("lock-out-tag" in isolation) == ("remove-service-disconnect" in isolation)
    else:
        assert "high-voltage" not in hazards
        assert "insulating-gloves-class0" not in ppe
        assert "qualification-eip" in isolation and "qualification-hvt" not in isolation
        # the short LV isolation: terminals, then measure; no glove test, no HV lock-out
        assert isolation.index("lv-disconnect-terminals") < isolation.index("lv-measure")
        assert not {"prepare-hv", "verify-absence", "lock-out-tag-system", "wait"} & set(isolation)
        assert ("lock-out-tag" in isolation) == ("remove-service-disconnect" in isolation)
    assert {"safety-glasses"} <= ppe


@pytest.mark.parametrize("bid", IDS)
def test_isolation_steps_are_in_sequence_order(procedures, bid):
    steps = procedures[bid]["isolationSteps"]
    sequences = [step["sequence"] for step in steps]
    assert sequences == sorted(sequences) and len(set(sequences)) == len(sequences)
    for step in steps:
        assert step["instruction"] and step["rationale"].startswith("applies because")
        assert step["template"].startswith(f"{VOCAB}isolation/")
    wait = next((s for s in steps if local(s["iri"]) == "wait"), None)
    if wait is not None:
        label = "wait for the HV capacitors to discharge once the battery is isolated (min): 10"
        assert label in wait["instruction"]


@pytest.mark.parametrize("bid", IDS)
def test_disassembly_steps_respect_every_precedence(recycling_procedures, bid):
    procedure = recycling_procedures[bid]
    assert procedure["pathway"]["key"] == HYDRO and procedure["pathway"]["chosenBy"] == "requested"
    steps = procedure["disassemblySteps"]
    position = {step["iri"]: index for index, step in enumerate(steps)}
    assert [step["sequence"] for step in steps] == list(range(1, len(steps) + 1))
    for index, step in enumerate(steps):
        for predecessor in step["precededBy"]:
            assert position[predecessor] < index, (step["iri"], predecessor)
        assert step["stepType"]["iri"].startswith(f"{VOCAB}step/")
        assert step["stepType"]["label"]
        assert step["operation"] and step["rationale"]
        assert step["estimateSource"]
        assert step["estimatedMinutes"] is None or step["estimatedMinutes"] > 0
        assert step["destructive"] in (True, False)
        assert step["targetComponents"]
    assert procedure["totalEstimatedMinutes"] == pytest.approx(
        sum(step["estimatedMinutes"] or 0 for step in steps))
    types = [local(step["stepType"]["iri"]) for step in steps]
    assert types.index("remove-cover") < types.index("lift-out-modules")


def test_joint_steps_carry_their_assembly_torques_and_tools(fleet, recycling_procedures):
    for bid in IDS:
        procedure = recycling_procedures[bid]
        steps = {local(s["stepType"]["iri"]): s for s in procedure["disassemblySteps"]}
        connector = steps["disconnect-hv-connector"]
        assert connector["viaJoints"] == [f"{fleet.services.minter.battery(bid)}/joint/"
                                          "hv-connector"]
        (torque,) = connector["assemblyTorquesNm"]
        assert 4.0 <= torque <= 6.0  # the generator's torque range
        assert "not a removal limit" in connector["removalGuidance"]
        assert "torqueLimitNm" not in connector
        assert "insulated-screwdriver-set" in {t["id"] for t in connector["tools"]}
        tools = {t["tool"]["id"] for t in procedure["tools"]}
        used = {t["id"] for s in procedure["disassemblySteps"] for t in s["tools"]}
        used |= {t["id"] for s in procedure["isolationSteps"] for t in s["tools"]}
        assert used <= tools, bid


def test_procedure_carries_derivation_time_and_rule_versions(fleet, procedures):
    rules = {rule.id: rule for rule in load_rules()}
    for bid in IDS:
        procedure = procedures[bid]
        derived = fleet.services.store.graph(fleet.services.layout.derived(bid))
        activity = fleet.services.minter.battery(bid) + "/derivation"
        ended = derived.value(URIRef(activity), PROV.endedAtTime)
        assert datetime.fromisoformat(procedure["derivedAt"]) == ended.toPython()
        assert {r["id"]: r["hash"] for r in procedure["rules"]} == {
            rule_id: rule.digest for rule_id, rule in rules.items()}
        assert all(r["stratum"] == rules[r["id"]].stratum for r in procedure["rules"])


def test_sub_resources_are_the_parts_of_the_procedure(recycler, procedures):
    bid = IDS[1]
    procedure = procedures[bid]
    assert ok(recycler.get(f"/batteries/{bid}/isolation"))["steps"] == \
        procedure["isolationSteps"]
    assert ok(recycler.get(f"/batteries/{bid}/tools"))["tools"] == procedure["tools"]
    assert ok(recycler.get(f"/batteries/{bid}/ppe"))["ppe"] == procedure["ppe"]
    hazards = ok(recycler.get(f"/batteries/{bid}/hazards"))
    assert hazards["hazards"] == procedure["hazards"]
    assert hazards["damage"] == procedure["damage"]
    assert hazards["thermalRisk"] == procedure["thermalRisk"]
    assert hazards["derivedAt"] == procedure["derivedAt"]


def test_thermal_alert_is_the_highest_trigger_level(procedures):
    # "unknown": no trigger holds, but a fact that decides one is not reported
    rank = {"none": 0, "unknown": 0, "elevated": 1, "high": 2, "critical": 3}
    for bid in IDS:
        alert = procedures[bid]["thermalRisk"]
        levels = [rank[t["level"]["id"]] for t in alert["triggers"]]
        if alert["level"]["id"] == "unknown":
            assert not levels, bid
        assert rank[alert["level"]["id"]] == max(levels, default=0), bid
        assert alert["rationale"]
        if procedures[bid]["damage"]["state"]["id"] == "critical":
            assert alert["level"]["id"] == "critical"


# -- pathway ----------------------------------------------------------------------------------
@pytest.mark.parametrize("bid", IDS)
def test_pathway_options_are_ranked_then_unknown_then_ineligible(pathways, bid):
    options = pathways[bid]["options"]
    assert len(options) == 10
    ranked = [o for o in options if o["rank"] is not None]
    assert [o["rank"] for o in ranked] == list(range(1, len(ranked) + 1))
    assert options[:len(ranked)] == ranked
    order = {"eligible": 0, "unknown": 1, "ineligible": 2}
    standing = [order[o["eligibility"]["id"]] for o in options]
    assert standing == sorted(standing)
    assert ranked, "recycling is always possible"
    scores = [o["score"] for o in ranked]
    assert scores == sorted(scores, reverse=True)
    for option in options:
        assert option["eligible"] is (option["rank"] is not None)
        assert option["rationale"]
        assert option["estimatedMinutes"] > 0 and option["estimatedCostEur"] > 0
        assert (option["eligibility"]["id"] == "unknown") == bool(option["unknowns"])
        assert option["pathway"]["iri"].startswith(f"{VOCAB}pathway/")
        if not option["eligible"]:
            assert option["score"] == 0 and option["yields"] == []
    recycling = [o for o in options if o["pathway"]["id"] == "recycling"]
    assert {o["treatmentProcess"]["id"] for o in recycling} == {
        "direct-recycling", "hydrometallurgical", "pyrometallurgical"}
    assert pathways[bid]["rules"] and pathways[bid]["derivedAt"]


def test_critically_damaged_batteries_are_not_reused(procedures, pathways):
    critical = [bid for bid in IDS if procedures[bid]["damage"]["state"]["id"] == "critical"]
    assert critical, "the demo fleet should contain a critically damaged battery"
    for bid in critical:
        options = {local(o["iri"]): o for o in pathways[bid]["options"]}
        for key in ("reuse", "repurpose", "remanufacture", "repair", "recycling-direct"):
            assert options[key]["eligible"] is False, (bid, key)
        assert options["recycling-pyrometallurgical"]["rank"] == 1


# -- explanations -----------------------------------------------------------------------------
def derived_nodes(procedure: dict, pathway: dict) -> list[tuple[str, dict]]:
    """(IRI, JSON item) of every derived node in /procedure and /pathway."""
    items = [*procedure["hazards"], procedure["damage"], procedure["thermalRisk"],
             *procedure["thermalRisk"]["triggers"], *procedure["ppe"], *procedure["tools"],
             *procedure["isolationSteps"], *procedure["disassemblySteps"],
             *procedure["stopCriteria"], *procedure["unknowns"], *procedure["modules"],
             *pathway["options"], *(y for o in pathway["options"] for y in o["yields"])]
    return [(item["iri"], item) for item in items]


EXPLAINED = [IDS[0], IDS[1], IDS[3], LOW_VOLTAGE]  # normal, critical, damaged, low voltage


@pytest.mark.parametrize("bid", EXPLAINED)
def test_every_derived_node_is_explained_by_its_rule_and_sources(recycler, procedures,
                                                                 pathways, bid):
    rule_files = {rule.id: rule for rule in load_rules()}
    nodes = derived_nodes(procedures[bid], pathways[bid])
    assert len(nodes) > 40
    for iri, _item in nodes:
        explanation = ok(recycler.get("/explain", params={"node": iri}))
        assert explanation["node"] == iri and explanation["battery"] == bid
        rule = explanation["rule"]
        assert rule["id"] in rule_files and rule["current"] is True, iri
        assert rule["hash"] == rule_files[rule["id"]].digest
        assert rule["derives"] == rule_files[rule["id"]].derives
        assert rule["stratum"] == min(r["stratum"] for r in explanation["rules"])
        assert explanation["derivedAt"] == procedures[bid]["derivedAt"]
        predicates = {s["predicate"] for s in explanation["statements"]}
        assert str(DBP.derivedByRule) in predicates and str(PROV.wasGeneratedBy) in predicates
        assert explanation["sources"], f"{iri} has no source fact"
        assert any(source["statements"] for source in explanation["sources"]), iri


def test_expected_yields_follow_pack_mass_cam_share_and_recovery(fleet, pathways):
    bid = IDS[0]
    graph = demo_passport(fleet.services.minter, 1)
    battery = fleet.services.minter.battery(bid)
    mass = next(float(graph.value(graph.value(q, HAS_NUMERICAL_PART), HAS_NUMBER_VALUE))
                for q in graph.objects(battery, HAS_PROPERTY) if str(q).endswith("/q/mass"))
    cam = URIRef(f"{battery}/cam/1")
    options = {local(o["iri"]): o for o in pathways[bid]["options"]}
    hydro = options["recycling-hydrometallurgical"]
    assert hydro["eligible"] and hydro["yields"]
    for item in hydro["yields"]:
        if not local(item["iri"]).endswith("MassShare"):
            continue  # battery contents (copper, aluminium, graphite) of the pack mass
        element = local(item["iri"])[:-len("MassShare")]
        share = float(graph.value(cam, DBP[f"{element}MassShare"]))
        # pack mass x CAM share of pack mass (param, 22 %) x element share x recovery
        expected = mass * 0.22 * share / 100 * item["recoveryEfficiency"] / 100
        assert item["expectedMassKg"] == pytest.approx(expected, abs=0.006), element
        assert item["rationale"] and item["substance"]["label"]
    for option in options.values():
        # the whole battery stays in use (module second life and cell harvesting keep parts
        # whose mass the passport does not give: no yield rather than a guess)
        if option["eligible"] and option["pathway"]["id"] not in (
                "recycling", "module-repurpose", "cell-harvesting"):
            assert [y["expectedMassKg"] for y in option["yields"]] == [pytest.approx(mass)]


def test_explanation_shows_the_source_facts_readably(fleet, recycler):
    bid = IDS[0]
    battery = fleet.services.minter.battery(bid)
    hazard = f"{battery}/derived/hazard/high-voltage"
    explanation = ok(recycler.get("/explain", params={"node": hazard}))
    assert explanation["rule"]["id"] == "hazard-high-voltage"
    assert "voltage" in explanation["rule"]["reads"]
    sources = {s["iri"]: s for s in explanation["sources"]}
    quantity = sources[f"{battery}/q/nominal-voltage"]
    assert quantity["via"] == [str(PROV.wasDerivedFrom)] and quantity["derived"] is False
    values = [s["object"]["value"] for s in quantity["statements"]
              if s["predicate"] == str(HAS_NUMBER_VALUE)]
    assert [float(v) for v in values] == [pytest.approx(nominal_volts(fleet, bid))]
    parameter = sources["https://w3id.org/dbp/param/high-voltage-limit"]
    assert any(s["predicate"] == str(DBP.value) for s in parameter["statements"])
    # A derived source (the pathway's damage assessment) is flagged as such.
    option = ok(recycler.get("/explain", params={"node": f"{battery}/derived/pathway/reuse"}))
    assert {s["iri"]: s["derived"] for s in option["sources"]} == {
        f"{battery}/derived/damage": True, f"{battery}/derived/state": True,
        "https://w3id.org/dbp/param/labour-rate": False,
        "https://w3id.org/dbp/param/reuse-soh-min": False}


# -- content negotiation ----------------------------------------------------------------------
@pytest.mark.parametrize("media_type", ["text/turtle", "application/ld+json",
                                        "application/n-triples"])
def test_procedure_and_pathway_as_rdf(fleet, recycler, media_type):
    bid = IDS[0]
    battery = fleet.services.minter.battery(bid)
    fmt = {"text/turtle": "turtle", "application/ld+json": "json-ld",
           "application/n-triples": "nt"}[media_type]
    response = recycler.get(f"/batteries/{bid}/procedure", headers={"Accept": media_type})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(media_type)
    assert "accept" in response.headers["vary"].lower()
    graph = Graph().parse(data=response.text, format=fmt)
    hazard = URIRef(f"{battery}/derived/hazard/high-voltage")
    assert (battery, DBP.hasHazard, hazard) in graph
    assert (hazard, DBP.hazardType, URIRef(f"{VOCAB}hazard/high-voltage")) in graph
    activity = URIRef(f"{battery}/derivation")
    assert graph.value(activity, PROV.endedAtTime) is not None
    assert len(set(graph.objects(activity, DBP.usedRule))) == len(load_rules())
    # The RDF is a subgraph of the stored derived graph.
    derived = by_value(fleet.services.store.graph(fleet.services.layout.derived(bid)))
    assert by_value(graph) <= derived

    pathway = recycler.get(f"/batteries/{bid}/pathway", headers={"Accept": media_type})
    graph = Graph().parse(data=pathway.text, format=fmt)
    options = set(graph.objects(battery, DBP.hasPathwayOption))
    assert len(options) == 10
    assert any(graph.value(o, DBP.rank) == Literal(1) for o in options)
    assert by_value(graph) <= derived


def test_explain_as_turtle_and_json_is_the_default(fleet, recycler):
    battery = fleet.services.minter.battery(IDS[0])
    node = f"{battery}/derived/step/remove-cover"
    default = recycler.get("/explain", params={"node": node}, headers={"Accept": "*/*"})
    assert default.headers["content-type"].startswith("application/json")
    turtle = recycler.get("/explain", params={"node": node}, headers={"Accept": "text/turtle"})
    assert turtle.status_code == 200
    graph = Graph().parse(data=turtle.text, format="turtle")
    rule = graph.value(URIRef(node), DBP.derivedByRule, any=True)
    assert rule is not None and graph.value(rule, DBP.ruleId) is not None
    assert (URIRef(node), PROV.wasDerivedFrom, URIRef(f"{battery}/joint/lid")) in graph
    assert graph.value(URIRef(f"{battery}/joint/lid"), DBP.jointType) is not None


def test_unacceptable_media_type_is_406(recycler):
    response = recycler.get(f"/batteries/{IDS[0]}/procedure", headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "text/turtle" in response.json()["detail"]


# -- access and errors ------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/procedure", "/pathway", "/isolation", "/tools", "/ppe",
                                  "/hazards"])
def test_anonymous_callers_get_403_and_unknown_batteries_404(anonymous, recycler, path):
    denied = anonymous.get(f"/batteries/{IDS[0]}{path}")
    assert denied.status_code == 403, denied.text
    assert denied.headers["content-type"].startswith(PROBLEM)
    assert "legitimate" in denied.json()["detail"]
    for client in (anonymous, recycler):
        missing = client.get(f"/batteries/BP-999999{path}")
        assert missing.status_code == 404, missing.text
        assert missing.headers["content-type"].startswith(PROBLEM)


def test_explain_errors(fleet, anonymous, recycler):
    battery = fleet.services.minter.battery(IDS[0])
    node = f"{battery}/derived/hazard/high-voltage"
    assert anonymous.get("/explain", params={"node": node}).status_code == 403
    unknown = str(fleet.services.minter.battery("BP-999999")) + "/derived/damage"
    assert anonymous.get("/explain", params={"node": unknown}).status_code == 404
    assert recycler.get("/explain", params={"node": unknown}).status_code == 404
    for not_derived in (str(battery), f"{battery}/joint/lid", "https://example.org/x"):
        response = recycler.get("/explain", params={"node": not_derived})
        assert response.status_code == 404, not_derived
    for bad in ("not an iri", "<http://x>", ""):
        assert recycler.get("/explain", params={"node": bad}).status_code in (400, 422)


# -- the procedure for a pathway ---------------------------------------------------------------
def test_procedure_is_for_the_top_ranked_pathway_by_default(procedures, pathways):
    for bid in IDS:
        top = pathways[bid]["options"][0]
        choice = procedures[bid]["pathway"]
        assert choice["key"] == top["key"] and choice["rank"] == 1
        assert choice["chosenBy"] == "top-ranked" and choice["rationale"] == top["rationale"]
        allowed = {o["key"] for o in pathways[bid]["options"]
                   if o["eligibility"]["id"] in ("eligible", "unknown")}
        assert set(procedures[bid]["availablePathways"]) == allowed


def test_an_unknown_pathway_is_a_400_listing_the_options(recycler, pathways):
    bid = IDS[0]
    response = recycler.get(f"/batteries/{bid}/procedure", params={"pathway": "landfill"})
    assert response.status_code == 400, response.text
    problem = response.json()
    assert response.headers["content-type"].startswith(PROBLEM)
    assert "landfill" in problem["detail"]
    assert problem["options"] == sorted(o["key"] for o in pathways[bid]["options"])


def test_an_ineligible_pathway_is_a_422_listing_those_with_a_procedure(recycler, pathways):
    for bid in IDS:
        ineligible = [o for o in pathways[bid]["options"]
                      if o["eligibility"]["id"] == "ineligible"]
        if not ineligible:
            continue
        response = recycler.get(f"/batteries/{bid}/procedure",
                                params={"pathway": ineligible[0]["key"]})
        assert response.status_code == 422, response.text
        problem = response.json()
        assert ineligible[0]["key"] in problem["detail"] and "not eligible" in problem["detail"]
        assert HYDRO in problem["options"]
        return
    pytest.fail("the demo fleet has no ineligible option")


def test_sub_resources_follow_the_requested_pathway(recycler, recycling_procedures):
    bid = IDS[0]
    isolation = ok(recycler.get(f"/batteries/{bid}/isolation", params={"pathway": HYDRO}))
    assert isolation["steps"] == recycling_procedures[bid]["isolationSteps"]
    assert isolation["pathway"]["key"] == HYDRO
    tools = ok(recycler.get(f"/batteries/{bid}/tools", params={"pathway": HYDRO}))
    assert tools["tools"] == recycling_procedures[bid]["tools"]
