"""The reviewed corpus against the eleven classes of findings of issue 16, one test per class.

Each design of tests/data/designs/ has a reviewed expectation file beside it
(``<design>.expect.toml``) with one section per class: what must appear, what must not, the
step order, the top pathway and why. The tests read the service's answers (the JSON models of
GET /batteries/{id}/pathway and /procedure, for the top-ranked pathway and for every other
pathway that has a procedure) and check them against that file, and against the general
invariant of the class, which holds for every design whatever its file says.
"""

from __future__ import annotations

import json

import pytest
from rdflib import Graph, URIRef

from graph_service.model.answers import Procedure
from graph_service.model.namespaces import DBP
from graph_service.services.procedures import PathwayNotApplicable, UnknownPathway
from tests.rules import ADMIN, design_path
from tests.rules.corpus import CLASSES, DesignAnswers, corpus_names, expectation_path, key_of

NAMES = corpus_names()
VOCAB = "https://w3id.org/dbp/vocab/"
CELL_LEVELS = {"cell-to-cell", "cell-to-busbar"}
CELL_STEPS = {"release-cell-connections", "release-cell-potting"}


@pytest.fixture(params=NAMES)
def design(request: pytest.FixtureRequest, corpus: dict[str, DesignAnswers]) -> DesignAnswers:
    return corpus[request.param]


def all_procedures(design: DesignAnswers) -> list[Procedure]:
    return [design.default, *design.procedures.values()]


def templates(procedure: Procedure) -> list[str]:
    return [key_of(s.template) for s in procedure.isolationSteps]


def step_types(procedure: Procedure) -> list[str]:
    return [s.stepType.id for s in procedure.disassemblySteps if s.stepType]


# -- the corpus itself ------------------------------------------------------------------------
def test_corpus_has_at_least_fifteen_designs_each_with_a_complete_expectation_file() -> None:
    assert len(NAMES) >= 15
    for name in NAMES:
        assert expectation_path(name).exists(), f"{name} has no reviewed expectation file"


def test_every_expectation_file_covers_every_class(design: DesignAnswers) -> None:
    missing = [c for c in CLASSES if c not in design.expect]
    assert not missing, f"{design.name}: no expectations for {missing}"


def header(name: str) -> str:
    """The comment that opens a design: Turtle comments, or a plain-JSON design's "$comment"
    lines (a key our context does not map, so it never becomes data)."""
    path = design_path(name)
    if path.suffix == ".json":
        return "\n".join(json.loads(path.read_text(encoding="utf-8"))["$comment"])
    return path.read_text(encoding="utf-8").split("@base", 1)[0]


def test_every_design_header_cites_its_sources(design: DesignAnswers) -> None:
    text = header(design.name)
    assert "Figures from" in text or "Synthetic design" in text, design.name
    assert f"{design.name}.expect.toml" in text


def test_at_least_fifteen_designs_are_written_from_published_sources() -> None:
    assert sum("Figures from" in header(name) for name in NAMES) >= 15


def test_design_is_a_valid_passport_with_only_the_reviewed_warnings(
        design: DesignAnswers) -> None:
    path = design_path(design.name)
    if path.suffix == ".json":
        graph, _ = design.services.ingest.parse(path.read_bytes(), "application/json")
    else:
        graph = Graph().parse(path, format="turtle")
    # (with the records of the organisations it names: they are stored apart from passports)
    graph += design.services.organisations.records(graph.objects())
    report = design.services.validator.validate(graph)
    assert report.conforms, [v.as_dict() for v in report.errors]
    allowed = design.section("design").get("warnings", [])
    for warning in report.warnings:
        assert any(a in warning.message for a in allowed), (design.name, warning.message)
    for expected in allowed:
        assert any(expected in w.message for w in report.warnings), (design.name, expected)


# -- 1. every caution reaches the answer ------------------------------------------------------
def test_class1_cautions_of_step_and_joint_types_reach_the_procedure(
        design: DesignAnswers) -> None:
    """Every caution the parameters attach to a step's type or to the types of the joints it
    releases is in that step's answer, in every procedure."""
    params = design.services.store.graph(design.services.layout.parameters)
    passport = Graph()
    for stage in design.services.repository.stored_stages(design.name):
        passport += design.services.store.graph(design.services.layout.source(design.name, stage))
    for procedure in all_procedures(design):
        for step in procedure.disassemblySteps:
            wanted = {str(c) for c in params.objects(URIRef(step.stepType.iri), DBP.caution)}
            for joint in step.viaJoints:
                for joint_type in passport.objects(URIRef(joint), DBP.jointType):
                    wanted |= {str(c) for c in params.objects(joint_type, DBP.caution)}
            assert wanted <= set(step.cautions), (design.name, step.stepType.id,
                                                  wanted - set(step.cautions))
    expect = design.section("class1_cautions")
    shown = {c for p in all_procedures(design) for s in p.disassemblySteps for c in s.cautions}
    for text in expect.get("present", []):
        assert any(text in c for c in shown), (design.name, text)
    for text in expect.get("absent", []):
        assert not any(text in c for c in shown), (design.name, text)


# -- 2. joints by level; cell-level steps only after the modules are out, only when needed ---
def test_class2_cell_level_steps_come_after_module_removal_and_only_for_cell_pathways(
        design: DesignAnswers) -> None:
    for key, procedure in design.procedures.items():
        order = step_types(procedure)
        cell_steps = [s for s in procedure.disassemblySteps
                      if (s.level and s.level.id in CELL_LEVELS) or s.stepType.id in CELL_STEPS]
        if key != "cell-harvesting":
            assert not cell_steps, (design.name, key, [s.stepType.id for s in cell_steps])
        for step in cell_steps:
            if "lift-out-modules" in order:
                assert order.index("lift-out-modules") < order.index(step.stepType.id)
            for other in procedure.disassemblySteps:
                if other.level and other.level.id in {"module-to-module", "module-to-pack"}:
                    assert order.index(other.stepType.id) < order.index(step.stepType.id)
    for key, expected in design.section("class2_joint_levels")["steps"].items():
        assert step_types(design.procedure(key)) == expected, (design.name, key)


# -- 3. the procedure follows the pathway and the damage state --------------------------------
def test_class3_procedure_is_derived_for_the_pathway_with_holds_and_stops(
        design: DesignAnswers) -> None:
    expect = design.section("class3_pathway")
    top = design.default.pathway
    assert top is not None and top.key == expect["top"] and top.chosenBy == "top-ranked"
    assert top.rank == 1
    for text in expect.get("because", []):
        assert text in (top.rationale or ""), (design.name, text, top.rationale)
    assert templates(design.default) == expect["isolation"], design.name
    assert [key_of(h.template) for h in design.default.holdPoints] == expect["holds"]
    assert sorted(key_of(s.template) for s in design.default.stopCriteria) == sorted(
        expect["stops"])
    for key, isolation in expect.get("isolation_for", {}).items():
        assert templates(design.procedure(key)) == isolation, (design.name, key)
    for key in expect.get("no_procedure", []):
        with pytest.raises(PathwayNotApplicable) as refused:
            design.services.procedures.procedure(design.name, ADMIN, key)
        assert top.key in str(refused.value) or not design.default.availablePathways
    with pytest.raises(UnknownPathway) as unknown:
        design.services.procedures.procedure(design.name, ADMIN, "no-such-pathway")
    assert "recycling-hydrometallurgical" in str(unknown.value)
    # a hold point comes before every disassembly step of every procedure it belongs to
    for procedure in all_procedures(design):
        if procedure.holdPoints:
            assert procedure.isolationSteps[-1].sequence is not None


# -- 4. deep discharge counts against repair and re-use ---------------------------------------
def test_class4_deep_discharge_is_weighed_and_named(design: DesignAnswers) -> None:
    expect = design.section("class4_deep_discharge")
    deep = design.pathway.deepDischarge
    if expect["events"] == 0:
        assert deep is None, design.name
        return
    assert deep is not None and deep.eventCount == expect["events"]
    assert deep.testResult == expect["test"]
    for key in expect.get("named_in", []):
        assert "deep-discharge" in (design.option(key).rationale or ""), (design.name, key)
    for procedure in all_procedures(design):
        used = templates(procedure)
        # until a test clears them, deep-discharged cells are never charged, and discharged only
        # to remove stranded energy above the limit (the -stranded variant says so)
        handling = {"deep-discharge-no-charge", "deep-discharge-no-charge-stranded"} & set(used)
        assert bool(handling) == (deep.testResult != "passed"), design.name
        assert len(handling) <= 1, design.name
        if "deep-discharge-no-charge" in used:
            assert not {"discharge-storage", "discharge-recycling"} & set(used), design.name
        # never discharged further when the state of charge is not above the limit
        if expect.get("no_discharge", True):
            assert not {"discharge-storage", "discharge-recycling"} & set(used)
    for key in expect.get("test_hold_in", []):
        assert "deep-discharge-test" in templates(design.procedure(key)), (design.name, key)
    for key in expect.get("no_test_hold_in", []):
        assert "deep-discharge-test" not in templates(design.procedure(key)), (design.name, key)
    for key, eligibility in expect.get("eligibility", {}).items():
        assert design.option(key).eligibility.id == eligibility, (design.name, key)


# -- 5. missing facts are unknowns, never defaults --------------------------------------------
def test_class5_missing_facts_give_unknowns_with_deciding_facts(design: DesignAnswers) -> None:
    expect = design.section("class5_unknowns")
    by_eligibility: dict[str, set[str]] = {"eligible": set(), "unknown": set(), "ineligible": set()}
    for option in design.pathway.options:
        by_eligibility[option.eligibility.id].add(option.key)
        if option.eligibility.id == "unknown":
            assert option.rationale.startswith("unknown: "), (design.name, option.key)
            assert option.unknowns, f"{design.name}: {option.key} is unknown but says nothing"
            assert option.rank is None and option.score == 0
        for unknown in option.unknowns:
            assert unknown.inspect and unknown.decidingFacts, (design.name, unknown.iri)
    for eligibility in ("eligible", "unknown", "ineligible"):
        assert by_eligibility[eligibility] == set(expect[eligibility]), (design.name, eligibility)
    procedure_unknowns = {key_of(u.iri) for u in design.default.unknowns
                          if "/derived/pathway/" not in u.iri}
    assert procedure_unknowns == set(expect["procedure"]), design.name
    for key, keys in expect.get("options", {}).items():
        assert {key_of(u.iri) for u in design.option(key).unknowns} == set(keys), (
            design.name, key)


# -- 6. the tool fits the fastener's drive -----------------------------------------------------
def test_class6_tool_and_size_follow_the_drive_type(design: DesignAnswers) -> None:
    expect = design.section("class6_tools")
    sizes = {t.detail for p in all_procedures(design) for t in p.tools
             if t.detail and key_of(t.iri).startswith("size-")}
    assert sizes == set(expect["sizes"]), design.name
    for wrong in expect.get("absent", []):
        assert wrong not in sizes, (design.name, wrong)
    # every size comes from a sourced table row of the fastener's type
    for procedure in all_procedures(design):
        for tool in procedure.tools:
            if key_of(tool.iri).startswith("size-"):
                assert tool.parameters and all(p.startswith("https://w3id.org/dbp/param/size-")
                                               for p in tool.parameters), tool


# -- 7. torque: the assembly value, with removal guidance --------------------------------------
def test_class7_torque_is_the_assembly_torque_with_removal_guidance(
        design: DesignAnswers) -> None:
    expect = design.section("class7_torque")
    torques = {}
    for procedure in all_procedures(design):
        for step in procedure.disassemblySteps:
            dumped = step.model_dump()
            assert "torqueLimitNm" not in dumped
            if step.assemblyTorquesNm:
                torques[step.stepType.id] = step.assemblyTorquesNm
                assert step.removalGuidance and "assembly (tightening) torque" in \
                    step.removalGuidance and "not a removal limit" in step.removalGuidance
    assert torques == {k: [float(x) for x in v] for k, v in expect["torques"].items()}, design.name
    wrench = [t for p in all_procedures(design) for t in p.tools
              if t.tool and t.tool.id == "insulated-torque-wrench"]
    for tool in wrench:
        assert "reassembly" in (tool.rationale or "")


# -- 8. isolation follows the components present; short LV isolation ---------------------------
def test_class8_isolation_follows_voltage_class_and_components(design: DesignAnswers) -> None:
    expect = design.section("class8_isolation")
    used = templates(design.default)
    ppe = {p.ppe.id for p in design.default.ppe}
    hazards = {h.type.id for h in design.default.hazards}
    assert ("high-voltage" in hazards) == (expect["voltage_class"] == "high")
    if expect["voltage_class"] == "low":
        assert "insulating-gloves-class0" not in ppe
        assert not {"prepare-hv", "lock-out-tag", "lock-out-tag-system", "wait",
                    "verify-absence", "de-energise-lv"} & set(used)
        assert used.index("lv-disconnect-terminals") < used.index("lv-measure")
        if "lv-open-breaker" in used:
            assert used.index("lv-open-breaker") < used.index("lv-measure")
        # the load side of a breaker is verified only where there is a breaker to open
        assert ("lv-verify-load-side" in used) == ("lv-open-breaker" in used)
    else:
        assert "insulating-gloves-class0" in ppe
        if "lock-out-tag" in used:  # locking a disconnect needs one
            assert "remove-service-disconnect" in used
    for template in expect.get("present", []):
        assert template in used, (design.name, template)
    for template in expect.get("absent", []):
        assert template not in used, (design.name, template)


# -- 9. heat on fillings: limits from the cells and the material -------------------------------
def test_class9_fillings_are_released_within_their_temperature_limit(
        design: DesignAnswers) -> None:
    expect = design.section("class9_heating")
    limits = {s.stepType.id: s.heatingLimitC for s in design.all_steps
              if s.heatingLimitC is not None}
    assert limits == {k: float(v) for k, v in expect["limits"].items()}, design.name
    for step in design.all_steps:
        if "heat-gun" in {t.id for t in step.tools}:
            assert step.heatingLimitC is not None
            assert any("Never use an induction heater" in c for c in step.cautions)
            assert any(f"at most {step.heatingLimitC}" in c or
                       f"at most {step.heatingLimitC:g}" in c for c in step.cautions), step
    labels = {t.tool.label for p in all_procedures(design) for t in p.tools if t.tool}
    assert not any("induction heater for" in (label or "") for label in labels)


# -- 10. direct recycling depends on the chemistry ---------------------------------------------
def test_class10_direct_recycling_is_scored_by_chemistry(design: DesignAnswers) -> None:
    expect = design.section("class10_recycling")
    direct = design.option("recycling-direct")
    assert direct.eligibility.id == expect["direct"], design.name
    if direct.eligibility.id == "eligible":
        routes = [key_of(p) for p in direct.parameters if "/param/direct-recycling-" in p]
        assert routes == [expect["direct_parameter"]], design.name
    ranked = [o.key for o in design.pathway.options
              if o.rank is not None and o.key.startswith("recycling-")]
    assert ranked == expect["order"], design.name


# -- 11. module-level second life, modules named by id and serial number -----------------------
def test_class11_modules_are_named_and_assessed_for_second_life(design: DesignAnswers) -> None:
    expect = design.section("class11_modules")
    assert len(design.pathway.modules) == expect["modules"], design.name
    for module in design.pathway.modules:
        # its id in the battery, or its position where it was written without an id
        assert module.name and module.name.startswith(("module/", "module at position "))
        assert "(S/N " in module.name or "(serial number not stated)" in module.name
    # a module swap takes out only the weak modules, and says so on each module-level step
    if design.option("module-swap").eligibility.id == "eligible":
        weak = {m.module for m in design.pathway.modules if m.weak}
        for step in design.procedure("module-swap").disassemblySteps:
            if step.stepType.id in {"unfasten-modules", "lift-out-modules", "remove-busbars"}:
                assert step.scope and step.scope.startswith("Module swap: "), step.stepType.id
            if step.stepType.id in {"unfasten-modules", "lift-out-modules"}:
                assert set(step.targetComponents) == weak, (design.name, step.stepType.id)
    assert design.option("module-repurpose").eligibility.id == expect["module_repurpose"]
    for key, names in expect.get("named", {}).items():
        rationale = design.option(key).rationale or ""
        for name in names:
            assert name in rationale, (design.name, key, name)
    for key, names in expect.get("not_named", {}).items():
        rationale = design.option(key).rationale or ""
        for name in names:
            assert name not in rationale, (design.name, key, name)
    assert "weak module(s)" not in " ".join(o.rationale or "" for o in design.pathway.options)


# -- why: each option's rationale names what decided it ----------------------------------------
def test_option_rationales_say_why(design: DesignAnswers) -> None:
    for key, texts in design.expect.get("rationales", {}).items():
        rationale = design.option(key).rationale or ""
        for text in texts:
            assert text in rationale, (design.name, key, text, rationale)
    for option in design.pathway.options:
        prefix = {"eligible": "eligible: ", "unknown": "unknown: ",
                  "ineligible": "not eligible: "}[option.eligibility.id]
        assert (option.rationale or "").startswith(prefix), (design.name, option.key)
