"""Battery Pass 1.2.x: every error at once with its place in the file, versions refused by name,
a payload of no aspect named as no Battery Pass payload (issue 15: every payload got
"$.identification: missing"), unknown keys warned and kept, nothing written on refusal."""

from __future__ import annotations

import json
from typing import Any

import pytest

from graph_service.container import Services
from graph_service.services.interop import DocumentRejected
from tests.services.interop.conftest import ADMIN
from tests.services.interop.test_batterypass_documents import (  # noqa: F401  (fixture)
    DATA,
    by_aspect,
    services,
)


def load(name: str) -> dict[str, Any]:
    return json.loads((DATA / name).read_bytes())


def rejected(services: Services, document: Any,  # noqa: F811
             **kwargs: Any) -> DocumentRejected:
    before = services.store.count()
    body = document if isinstance(document, bytes) else json.dumps(document, indent=1).encode()
    with pytest.raises(DocumentRejected) as caught:
        services.imports.import_document(body, "batterypass", ADMIN, **kwargs)
    assert services.store.count() == before
    return caught.value


def test_every_error_at_once_with_its_line(services: Services) -> None:  # noqa: F811
    document = load("ev-nmc811-pack.json")
    general = document["GeneralProductInformation"]
    general["batteryCategory"] = "bus"
    general["batteryMass"] = "512 kg"
    del general["manufacturingPlace"]
    document["Circularity"]["recycledContent"][0]["preConsumerShare"] = 140.0
    document["PerformanceAndDurability"]["batteryCondition"]["stateOfCharge"][
        "lastUpdate"] = "yesterday"
    error = rejected(services, document)
    paths = {p.path for p in error.problems}
    assert {"$.GeneralProductInformation.batteryCategory",
            "$.GeneralProductInformation.batteryMass",
            "$.GeneralProductInformation.manufacturingPlace",
            "$.Circularity.recycledContent[0].preConsumerShare",
            "$.PerformanceAndDurability.batteryCondition.stateOfCharge.lastUpdate"} <= paths
    assert all(p.line for p in error.problems if p.kind == "schema")


def test_a_payload_of_no_aspect_is_named_as_such(services: Services) -> None:  # noqa: F811
    catena_x = {"identification": {"idDmc": "X"}, "specVersion": "urn:x:6.1.0"}
    error = rejected(services, catena_x)
    assert error.problems[0].kind == "format"
    assert "no Battery Pass consortium payload" in error.problems[0].message
    assert "GeneralProductInformation: productIdentifier" in error.problems[0].message


def test_versions_are_detected_and_others_refused_by_name(services: Services) -> None:  # noqa: F811
    document = load("remanufactured-nmc532-by-urn.json")
    key = next(k for k in document if "Performance" in k)
    older = {key.replace("1.2.1", "1.1.0"): document[key]}
    error = rejected(services, older, battery_id="RM-NMC532-0099")
    assert "PerformanceAndDurability 1.1.0 is not supported" in error.problems[0].message
    assert "1.2.0, 1.2.1" in error.problems[0].message
    # 1.2.0 and 1.2.1 marks in one payload: refused, not guessed
    performance = by_aspect(services, load("ev-nca-performance-1.2.0.json"))[
        "PerformanceAndDurability"]
    performance["batteryTechicalProperties"]["roundTripEfficiencyat50PerCentCycleLife"] = 90.0
    error = rejected(services, {"PerformanceAndDurability": performance}, battery_id="X-1")
    assert error.problems[0].kind == "version" and "both 1.2.0" in error.problems[0].message
    # a 1.2.0 payload stated as 1.2.1 is read with the 1.2.1 schema: its 1.2.0 fields are errors
    nca = by_aspect(services, load("ev-nca-performance-1.2.0.json"))["PerformanceAndDurability"]
    urn = "urn:samm:io.BatteryPass.Performance:1.2.1#PerformanceAndDurability"
    error = rejected(services, {urn: nca}, battery_id="X-2")
    assert any("temperatureRangeIdleState" in p.path for p in error.problems)


def test_an_aspect_without_its_battery_is_refused(services: Services) -> None:  # noqa: F811
    carbon = load("ev-nmc811-pack.json")["CarbonFootprintForBatteries"]
    error = rejected(services, carbon)
    assert "names no battery" in error.problems[0].message
    assert "?battery=ID" in error.problems[0].message


def test_unknown_keys_are_warned_with_their_path_and_kept(services: Services) -> None:  # noqa: F811
    document = load("lmt-ebike-nmc622.json")
    document["GeneralProductInformation"]["vendorBatchCode"] = "B-2025-17"
    document["Circularity"]["safetyMeasures"]["fireBrigadeHotline"] = "+49 800 112"
    result = services.imports.import_document(json.dumps(document).encode(), "batterypass",
                                              ADMIN)
    assert {(w.path, w.kind) for w in result.warnings} == {
        ("$.GeneralProductInformation.vendorBatchCode", "unknown-key"),
        ("$.Circularity.safetyMeasures.fireBrigadeHotline", "unknown-key")}
    exported = by_aspect(services, services.imports.export_document(
        result.battery_id, "batterypass").document)
    assert exported["GeneralProductInformation"]["vendorBatchCode"] == "B-2025-17"
    assert exported["Circularity"]["safetyMeasures"]["fireBrigadeHotline"] == "+49 800 112"


def test_the_published_email_pattern_defect_is_corrected(services: Services) -> None:  # noqa: F811
    """GeneralProductInformation 1.2.0's e-mail pattern lost its backslashes; an ordinary address
    is accepted, a malformed one still refused."""
    document = load("ev-nmc811-pack.json")
    general = document["GeneralProductInformation"]
    assert general["manufacturerInformation"]["emailAddress"] == "passport@voltacells.example"
    general["manufacturerInformation"]["emailAddress"] = "passport at voltacells"
    error = rejected(services, document)
    assert [p.path for p in error.problems] == [
        "$.GeneralProductInformation.manufacturerInformation.emailAddress"]


def test_unreadable_documents(services: Services) -> None:  # noqa: F811
    from graph_service.services.interop import DocumentError

    with pytest.raises(DocumentError) as caught:
        services.imports.import_document(b'{"GeneralProductInformation": {', "batterypass",
                                         ADMIN)
    assert caught.value.line == 1
    error = rejected(services, b'{"GeneralProductInformation": {"batteryMass": NaN}}')
    assert "$.GeneralProductInformation.batteryMass" in {p.path for p in error.problems}
