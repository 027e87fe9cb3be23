"""The official example payload of io.catenax.battery.battery_pass 6.1.0 (tests/data/catenax/
official/, see SOURCES.md there): refused as sent for its one impossible date, with its position
in the file; with that date fixed, every one of its 288 leaves comes back."""

from __future__ import annotations

import json

import pytest

from graph_service.container import Services
from graph_service.services.interop import DocumentRejected
from graph_service.services.interop.catenax import normalise
from graph_service.services.interop.diff import diff, leaves
from tests.services.interop.conftest import ADMIN, DATA, body_of
from tests.services.interop.support import register_partners

OFFICIAL = DATA / "official" / "BatteryPass-6.1.0.json"


def test_official_example_is_refused_for_its_impossible_date_with_the_position(
        services: Services) -> None:
    before = services.store.count()
    with pytest.raises(DocumentRejected) as caught:
        services.imports.import_document(OFFICIAL.read_bytes(), "catenax", ADMIN)
    problems = caught.value.problems
    assert [(p.path, p.line, p.column, p.kind) for p in problems] == [
        ("$.operation.intoServiceDate", 525, 5, "semantic")]
    assert '"1849-78-46" is not a calendar date' in problems[0].message
    assert caught.value.version == "6.1.0"
    assert services.store.count() == before


def test_official_example_round_trips_every_leaf(services: Services) -> None:
    document = json.loads(OFFICIAL.read_text(encoding="utf-8"))
    document["operation"]["intoServiceDate"] = "2000-02-01"
    register_partners(services, document)
    result = services.imports.import_document(body_of(document), "catenax", ADMIN)
    assert result.ingest.committed and result.battery_id == "34567890"
    # Its one negative event is a link, not a typed event: kept as a document, and said so.
    # Its one carbon footprint is of the stage "main product production": not the battery's
    # (whole life cycle) footprint, and said so.
    warned = {w.path: w.message for w in result.warnings}
    assert sorted(warned) == ["$.performance.dynamic.negativeEvents[0]",
                              "$.sustainability.carbonFootprint"]
    assert '"main product production"' in warned["$.sustainability.carbonFootprint"]

    exported = services.imports.export_document("34567890", "catenax")
    assert exported.complete
    first = diff(document, exported.document, normalise)
    assert first.total == len(list(leaves(document))) == 288
    assert first.coverage == 1.0, first.details()
    assert first.identical, first.details()
    # ... with the values it was received in: ppm stays ppm, W stays W, ohm stays ohm.
    cadmium = exported.document["materials"]["hazardous"]["cadmium"]
    assert (cadmium["concentration"], cadmium["materialUnit"]) == (5.3, "unit:partPerMillion")
    assert exported.document["performance"]["rated"]["power"]["value"] == 40000.0
    assert exported.document["performance"]["rated"]["resistance"]["pack"] == 0.55
    assert exported.document["characteristics"]["physicalDimension"]["weight"] == {
        "value": 20.0, "unit": "unit:gram"}
    assert exported.document["metadata"]["version"] == "1.0.0"

    services.imports.import_document(body_of(exported.document), "catenax", ADMIN)
    second = services.imports.export_document("34567890", "catenax")
    assert second.document == exported.document
