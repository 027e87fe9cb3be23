"""Realistic Battery Pass 1.2.x sets (tests/data/batterypass/*.json, written from DIN DKE SPEC
99100 and the aspect models): each imports (mapping -> SHACL -> commit), holds exactly its
reviewed EMMO / BattINFO / dbp triples (tests/data/batterypass/expected/), comes back leaf for
leaf, and a second round trip changes nothing. Payloads sent one by one join on the battery;
importing an aspect again replaces that aspect and nothing else."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph, Literal

from graph_service.container import Services
from graph_service.model.namespaces import DBP
from graph_service.services.access import Principal, Role
from graph_service.services.interop.batterypass import normalise, tables
from graph_service.services.interop.diff import diff
from graph_service.services.passports.ingest import StageNotPermitted
from tests.conftest import make_settings
from tests.services.interop.conftest import ADMIN
from tests.services.interop.support import semantic_subgraph, services_reading
from tests.services.interop.test_catenax_documents import value_set

DATA = Path(__file__).resolve().parents[2] / "data" / "batterypass"
PAYLOADS = DATA / "sodium-ion-ess-payloads"

# file -> (battery id, version of PerformanceAndDurability)
SETS = {
    "ev-nmc811-pack.json": ("EVB-NMC811-000173", "1.2.1"),
    "lmt-ebike-nmc622.json": ("EB36V-NMC622-000918", "1.2.1"),
    "stationary-lfp-container.json": ("ESS-LFP-CONT-0007", "1.2.1"),
    "industrial-forklift-lfp.json": ("FL-80V-LFP-4411", "1.2.1"),
    "ev-lfp-city-bus.json": ("BUS-LFP-0042", "1.2.1"),
    "repurposed-ev-to-stationary.json": ("EVB-NMC811-000173-R1", "1.2.1"),
    "minimal-lmt-scooter.json": ("SCOOTER-LMT-0001", "1.2.1"),
    "ev-nca-performance-1.2.0.json": ("NCA-PERF-7731", "1.2.0"),
    "remanufactured-nmc532-by-urn.json": ("RM-NMC532-0099", "1.2.1"),
    "waste-nmc111-industrial.json": ("WASTE-NMC111-0003", "1.2.1"),
}


@pytest.fixture(scope="module")
def services() -> Services:
    folder = make_settings().passport_models / "batterypass"
    return services_reading(folder, f"the Battery Pass aspect models are not installed ({folder})")


def by_aspect(services: Services, document: dict[str, Any]) -> dict[str, Any]:
    """A set keyed by aspect name (a set may use names, module names or URNs)."""
    importer = services.imports.registry.importer("batterypass").importer
    out = {}
    for key, payload in document.items():
        found = importer._aspect_of_key(key)
        assert found is not None, key
        out[found[0].name] = payload
    return out


def test_at_least_ten_sets_are_checked() -> None:
    assert len(SETS) >= 10
    assert {p.name for p in DATA.glob("*.json")} >= set(SETS)


@pytest.mark.parametrize("name", list(SETS))
def test_set_imports_with_its_expected_graph_and_round_trips(name: str,
                                                             services: Services) -> None:
    bid, performance = SETS[name]
    body = (DATA / name).read_bytes()
    result = services.imports.import_document(body, "batterypass", ADMIN)
    assert result.battery_id == bid and result.version == performance
    assert result.ingest.committed and result.ingest.report.conforms
    assert not result.warnings

    stored = services.imports.stored_graph(bid)
    expected = Graph().parse(DATA / "expected" / f"{name.removesuffix('.json')}.ttl")
    assert value_set(semantic_subgraph(stored)) == value_set(expected)

    exported = services.imports.export_document(bid, "batterypass")
    assert exported.complete and exported.version == performance
    assert set(exported.document) == {a.urn("1.2.1" if a.name == "PerformanceAndDurability"
                                             and performance == "1.2.1" else "1.2.0")
                                      for a in tables.ASPECTS.values()}
    leaves = diff(by_aspect(services, json.loads(body)),
                  by_aspect(services, exported.document), normalise)
    assert leaves.identical and leaves.coverage == 1.0, leaves.details()

    services.imports.import_document(json.dumps(exported.document).encode(), "batterypass",
                                     ADMIN)
    assert services.imports.export_document(bid, "batterypass").document == exported.document


def test_payloads_sent_one_by_one_join_on_the_battery(services: Services) -> None:
    bid = "NA-ESS-48-2210"
    general = (PAYLOADS / "GeneralProductInformation.json").read_bytes()
    first = services.imports.import_document(general, "batterypass", ADMIN)
    assert first.battery_id == bid
    partial = services.imports.export_document(bid, "batterypass", allow_incomplete=True)
    assert not partial.complete and "$['urn:samm:io.BatteryPass.CarbonFootprint:1.2.0#" \
        "CarbonFootprintForBatteries'].batteryCarbonFootprint" in {g.path for g in partial.gaps}
    for path in sorted(PAYLOADS.glob("*.json")):
        if path.name != "GeneralProductInformation.json":
            result = services.imports.import_document(path.read_bytes(), "batterypass", ADMIN,
                                                      battery_id=bid)
            assert result.ingest.committed, path.name
    sent = {p.stem: json.loads(p.read_bytes()) for p in PAYLOADS.glob("*.json")}
    exported = services.imports.export_document(bid, "batterypass")
    assert exported.complete
    leaves = diff(sent, by_aspect(services, exported.document), normalise)
    assert leaves.identical, leaves.details()


def test_an_aspect_imported_again_replaces_that_aspect_only(services: Services) -> None:
    bid = "EVB-NMC811-000173"
    services.imports.import_document((DATA / "ev-nmc811-pack.json").read_bytes(),
                                     "batterypass", ADMIN)
    before = services.imports.export_document(bid, "batterypass").document
    carbon = dict(by_aspect(services, before)["CarbonFootprintForBatteries"])
    carbon["batteryCarbonFootprint"] = 58.9
    del carbon["absoluteCarbonFootprint"]
    services.imports.import_document(json.dumps({"CarbonFootprint": carbon}).encode(),
                                     "batterypass", ADMIN, battery_id=bid)
    stored = services.imports.stored_graph(bid)
    battery = services.minter.battery(bid)
    assert [float(o.toPython()) for o in stored.objects(
        battery, DBP.carbonFootprintPerFunctionalUnit)] == [58.9]
    assert (battery, DBP.absoluteCarbonFootprint, None) not in stored  # no longer stated
    after = by_aspect(services, services.imports.export_document(bid, "batterypass").document)
    assert after["CarbonFootprintForBatteries"] == carbon
    others = {k: v for k, v in by_aspect(services, before).items()
              if k != "CarbonFootprintForBatteries"}
    assert {k: v for k, v in after.items() if k in others} == others


def test_an_operator_updates_the_dynamic_data_without_writing_the_identity(
        services: Services) -> None:
    """A partial document writes only the stages it changes: an operator sends the battery's
    condition (usage stage) without the right to write its identity."""
    bid = "BUS-LFP-0042"
    services.imports.import_document((DATA / "ev-lfp-city-bus.json").read_bytes(),
                                     "batterypass", ADMIN)
    performance = by_aspect(services, services.imports.export_document(
        bid, "batterypass").document)["PerformanceAndDurability"]
    performance["batteryCondition"]["stateOfCharge"] = {
        "stateOfChargeValue": 41.0, "lastUpdate": "2025-12-02T06:00:00Z"}
    operator = Principal("vbn", Role.OPERATOR, organisation="DE-VBN-3")
    result = services.imports.import_document(
        json.dumps({"PerformanceAndDurability": performance}).encode(), "batterypass",
        operator, battery_id=bid)
    assert result.ingest.committed
    # The condition (usage) changed; the receipt of the document is kept with the identity.
    assert {s.value for s in result.ingest.stages} == {"usage", "identity"}
    soc = [o for o in services.imports.stored_graph(bid).objects()
           if isinstance(o, Literal) and str(o) == "41"]
    assert soc
    # ... but an operator's document that changes an OEM's field is refused.
    performance["batteryTechicalProperties"]["ratedCapacity"] = 650.0
    with pytest.raises(StageNotPermitted):
        services.imports.import_document(
            json.dumps({"PerformanceAndDurability": performance}).encode(), "batterypass",
            operator, battery_id=bid)
