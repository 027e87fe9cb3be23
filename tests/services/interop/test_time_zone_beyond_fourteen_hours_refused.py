"""Partner-document probe: "2025-03-14T09:30:00+14:01" was accepted as a Battery Pass
manufacturingDate (and a record time so written as its lastUpdate) and stored: the aspect
model's data type is xsd:dateTime, whose time zone is at most 14 hours from UTC (the model's
own warrentyPeriod pattern says the same: "14:00"), so the stored literal was no xsd:dateTime.
The date-time format check followed RFC 3339's looser offsets.

Now an offset beyond +-14:00 in a "date-time" field is refused at the field's JSON path like
any other impossible date and time; +14:00 and -14:00 are accepted.
"""

from __future__ import annotations

import json

import pytest

from graph_service.container import Services
from graph_service.services.interop.errors import DocumentRejected
from tests.services.interop.conftest import ADMIN
from tests.services.interop.partner_corpus import battery_pass_set
from tests.services.interop.support import battery_pass_services

MANUFACTURED = "$.GeneralProductInformation.manufacturingDate"
SOC = "$.PerformanceAndDurability.batteryCondition.stateOfCharge.lastUpdate"


@pytest.fixture(scope="module")
def services() -> Services:
    return battery_pass_services()


@pytest.mark.parametrize("offset", ["+14:01", "-14:30", "+15:00", "-23:59"])
def test_an_offset_beyond_fourteen_hours_is_refused_at_its_field(services: Services,
                                                                 offset: str) -> None:
    sent = battery_pass_set("BP-TZ-BEYOND")
    sent["GeneralProductInformation"]["manufacturingDate"] = f"2025-03-14T09:30:00{offset}"
    condition = sent["PerformanceAndDurability"]["batteryCondition"]
    condition["stateOfCharge"]["lastUpdate"] = f"2025-11-02T12:00:00{offset}"
    with pytest.raises(DocumentRejected) as refused:
        services.imports.import_document(json.dumps(sent).encode(), "batterypass", ADMIN)
    problems = {p.path: p.message for p in refused.value.problems}
    assert "is not a date and time" in problems[MANUFACTURED]
    # a record time (the model's Timestamp pattern, not the date-time format) was refused
    # before too, at its path, by the usage record's shape
    assert SOC in problems
    assert not services.repository.exists("BP-TZ-BEYOND")


@pytest.mark.parametrize("offset", ["+14:00", "-14:00", "+13:45"])
def test_offsets_within_fourteen_hours_are_accepted(services: Services, offset: str) -> None:
    pid = "BP-TZ-WITHIN-" + offset.replace(":", "").replace("+", "P").replace("-", "M")
    sent = battery_pass_set(pid)
    sent["GeneralProductInformation"]["manufacturingDate"] = f"2025-03-14T09:30:00{offset}"
    result = services.imports.import_document(json.dumps(sent).encode(), "batterypass", ADMIN)
    assert result.ingest.committed
