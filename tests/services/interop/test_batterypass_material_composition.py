"""A Battery Pass MaterialComposition payload is read as dbp facts (batterypass/derive.py): the
chemistry the rules and fleet queries use, the critical raw materials and the hazardous
substances - and nothing is guessed: names that disagree or name no concept derive nothing,
with a warning at the field's path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rdflib import URIRef

from graph_service.container import Services
from graph_service.model.namespaces import DBP
from graph_service.model.terms import SUBSTANCE, vocab
from tests.conftest import make_settings
from tests.services.interop.conftest import ADMIN
from tests.services.interop.support import services_reading

DATA = Path(__file__).resolve().parents[2] / "data" / "batterypass"
BID = "EVB-NMC811-000173"


@pytest.fixture(scope="module")
def services() -> Services:
    folder = make_settings().passport_models / "batterypass"
    return services_reading(folder, f"the Battery Pass aspect models are not installed ({folder})")


def material_composition() -> dict[str, Any]:
    document = json.loads((DATA / "ev-nmc811-pack.json").read_bytes())
    return document["MaterialComposition"]


def send(services: Services, payload: dict[str, Any]) -> Any:
    """The payload alone, as a partner updates one aspect of a stored passport."""
    return services.imports.import_document(
        json.dumps({"MaterialComposition": payload}).encode(), "batterypass", ADMIN,
        battery_id=BID)


@pytest.fixture()
def stored(services: Services) -> URIRef:
    services.imports.import_document((DATA / "ev-nmc811-pack.json").read_bytes(),
                                     "batterypass", ADMIN)
    return services.minter.battery(BID)


def facts(services: Services, battery: URIRef, predicate: URIRef) -> set:
    return set(services.imports.stored_graph(BID).objects(battery, predicate))


def test_chemistry_reaches_the_rules(services: Services, stored: URIRef) -> None:
    assert facts(services, stored, DBP.chemistry) == {vocab("chemistry", "nmc811")}
    # hazard-chemistry reads dbp:chemistry: an NMC pack is no "unknown chemistry" any more.
    derived = services.store.graph(services.layout.derived(BID))
    unknowns = {str(o) for o in derived.objects(None, DBP.decidingFact)}
    assert str(DBP.chemistry) not in unknowns


def test_a_general_and_a_specific_name_agree_on_the_specific(services: Services,
                                                             stored: URIRef) -> None:
    payload = material_composition()
    payload["batteryChemistry"] = {"shortName": "NMC",
                                   "clearName": "Lithium nickel manganese cobalt oxide NMC 622"}
    result = send(services, payload)
    assert result.ingest.committed and not result.warnings
    assert facts(services, stored, DBP.chemistry) == {vocab("chemistry", "nmc622")}


@pytest.mark.parametrize("chemistry, says", [
    ({"shortName": "LFP", "clearName": "Lithium nickel manganese cobalt oxide"}, "disagree"),
    ({"shortName": "X-42", "clearName": "proprietary blend"}, "names no concept"),
])
def test_names_that_disagree_or_name_nothing_derive_no_chemistry(
        services: Services, stored: URIRef, chemistry: dict[str, str], says: str) -> None:
    payload = material_composition()
    payload["batteryChemistry"] = chemistry
    result = send(services, payload)
    assert result.ingest.committed
    # The aspect sent again replaces what it said before: the NMC 811 of the first import too.
    assert facts(services, stored, DBP.chemistry) == set()
    [warning] = [w for w in result.warnings if "chemistry" in w.message]
    assert says in warning.message and warning.path == "$.MaterialComposition.batteryChemistry"


def test_critical_raw_materials_come_from_cas_numbers_and_the_flag(services: Services,
                                                                   stored: URIRef) -> None:
    assert facts(services, stored, DBP.criticalRawMaterial) == {SUBSTANCE["nmc"],
                                                               SUBSTANCE["graphite"]}
    payload = material_composition()
    payload["batteryMaterials"][1]["isCriticalRawMaterial"] = False  # graphite
    payload["batteryMaterials"][2]["isCriticalRawMaterial"] = True  # LiPF6: not in our terms
    result = send(services, payload)
    assert facts(services, stored, DBP.criticalRawMaterial) == {SUBSTANCE["nmc"]}
    [warning] = [w for w in result.warnings if "critical" in w.message]
    assert "21324-40-3" in warning.message
    assert warning.path == "$.MaterialComposition.batteryMaterials[2].batteryMaterialIdentifier"


def test_hazardous_substances_keep_name_cas_concentration_class_and_location(
        services: Services, stored: URIRef) -> None:
    assert {str(o) for o in facts(services, stored, DBP.hazardousSubstance)} == {
        "Lithium hexafluorophosphate (CAS 21324-40-3): 0.41 % (AcuteToxicity) "
        "(location: Electrolyte)"}
    assert {str(o) for o in facts(services, stored, DBP.substanceImpact)} == {
        "Lithium hexafluorophosphate: Toxic if swallowed",
        "Lithium hexafluorophosphate: Releases HF in contact with water"}
    payload = material_composition()
    payload["hazardousSubstances"][0]["hazardousSubstanceConcentration"] = 0
    send(services, payload)
    # Absent (0 %): no hazardous-substance fact, and none left from before.
    assert facts(services, stored, DBP.hazardousSubstance) == set()
