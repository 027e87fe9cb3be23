"""Partner-document probe: "2025-03-14T24:00:00+01:00", a valid xsd:dateTime (the end of the
day: the next day's first instant) that the schema check accepts as the model's xsd:dateTime,
was dropped by the mapping (Python's datetime has no hour 24). A Battery Pass
manufacturingDate written so was refused with "It is stated by
GeneralProductInformation.manufacturingDate, which this document does not give" - the document
gives it - and a record time written so lost its record.

Now a time of 24:00:00 is read as xsd:dateTime reads it: the next day at 00:00:00, the same
instant. The manufacturing date is that instant's local date, the record is stored at that
instant, and both documents come back as sent.
"""

from __future__ import annotations

import json

import pytest

from graph_service.container import Services
from graph_service.model.namespaces import DBP
from graph_service.services.interop.batterypass import normalise as bp_normalise
from graph_service.services.interop.catenax import normalise as cx_normalise
from graph_service.services.interop.diff import diff
from tests.services.interop.conftest import ADMIN, body_of
from tests.services.interop.partner_corpus import battery_pass_set, catenax_document, register
from tests.services.interop.support import battery_pass_services, register_partners


@pytest.fixture(scope="module")
def services() -> Services:
    return battery_pass_services()


def _keyed_by_name(services: Services, document: dict) -> dict:
    importer = services.imports.registry.importer("batterypass").importer
    return {importer._aspect_of_key(k)[0].name: v for k, v in document.items()}


def test_battery_pass_times_at_24_00_are_the_next_days_midnight(services: Services) -> None:
    sent = battery_pass_set("BP-END-OF-DAY")
    sent["GeneralProductInformation"]["manufacturingDate"] = "2025-03-14T24:00:00+01:00"
    condition = sent["PerformanceAndDurability"]["batteryCondition"]
    condition["stateOfCharge"]["lastUpdate"] = "2025-11-01T24:00:00Z"
    result = services.imports.import_document(json.dumps(sent).encode(), "batterypass", ADMIN)
    assert result.ingest.committed
    stored = services.imports.stored_graph(result.battery_id)
    assert [str(o) for o in stored.objects(None, DBP.manufacturingDate)] == ["2025-03-15"]
    assert "2025-11-02T00:00:00+00:00" in {str(o) for o in stored.objects(None, DBP.recordedAt)}
    back = services.imports.export_document(result.battery_id, "batterypass").document
    assert diff(sent, _keyed_by_name(services, back), bp_normalise).identical


def test_a_catenax_record_time_at_24_00_keeps_its_record(services: Services) -> None:
    sent = catenax_document("CX-END-OF-DAY")
    sent["performance"]["dynamic"]["stateOfCharge"]["time"] = "2025-10-01T24:00:00Z"
    register_partners(services, sent)
    result = services.imports.import_document(body_of(sent), "catenax", ADMIN)
    stored = services.imports.stored_graph(result.battery_id)
    assert "2025-10-02T00:00:00+00:00" in {str(o) for o in stored.objects(None, DBP.recordedAt)}
    back = services.imports.export_document(result.battery_id, "catenax").document
    assert diff(sent, back, cx_normalise).identical


def test_a_battinfo_production_date_time_at_24_00_is_the_next_day(services: Services) -> None:
    """BattINFO JSON-LD: schema:productionDate "2022-10-03T24:00:00Z" (xsd:dateTime) was
    refused as "not a date (expected YYYY-MM-DD)"; its local date is 2022-10-04."""
    from pathlib import Path

    source = Path(__file__).resolve().parents[2] / "data" / "battinfo"
    document = json.loads((source / "upstream-style-lfp-18650.json").read_text("utf-8"))
    document["schema:serialNumber"] = "B7729-END-OF-DAY"
    document["schema:productionDate"] = {"@value": "2022-10-03T24:00:00Z",
                                         "@type": "xsd:dateTime"}
    register(services, "wroclaw-cells")
    result = services.imports.import_document(json.dumps(document).encode(), "battinfo", ADMIN)
    stored = services.imports.stored_graph(result.battery_id)
    assert [str(o) for o in stored.objects(None, DBP.manufacturingDate)] == ["2022-10-04"]
