"""Partner-document probe: a record time with more than six fraction digits
("2025-01-11T04:30:00.123456789Z") was exported as ".123456Z", without a word: the time went
through Python's datetime (microseconds) into the usage record's dbp:recordedAt, and came back
from it.

The field comes back exactly as received; where a dbp term holds the time (dbp:recordedAt,
a negative event's dbp:occurredAt) only to the microsecond, a warning at the field's path says
so.
"""

from __future__ import annotations

import json

from graph_service.container import Services
from tests.services.interop.conftest import ADMIN, DATA, body_of
from tests.services.interop.support import register_partners

NANOS = "2025-06-01T08:00:00.123456789Z"


def test_nanosecond_record_time_comes_back_exactly_and_is_warned(services: Services) -> None:
    document = json.loads((DATA / "complete.json").read_text(encoding="utf-8"))
    document["identification"]["idDmc"] = "CX-NANOSECOND-TIME-1"
    dynamic = document["performance"]["dynamic"]
    dynamic["stateOfCharge"]["time"] = NANOS
    dynamic["negativeEvents"] = [{
        "contentType": "text/plain",
        "header": "deep-discharge | minor | 2025-02-11T06:30:00.5000001Z",
        "content": "Cell voltage below the minimum for 40 minutes."}]
    register_partners(services, document)
    result = services.imports.import_document(body_of(document), "catenax", ADMIN)
    assert result.ingest.committed
    warned = {w.path: w.message for w in result.warnings}
    assert "microsecond" in warned["$.performance.dynamic.stateOfCharge.time"]
    assert "dbp:recordedAt" in warned["$.performance.dynamic.stateOfCharge.time"]
    assert "dbp:occurredAt" in warned["$.performance.dynamic.negativeEvents[0]"]
    assert "$.performance.dynamic.fullCycles.time" not in warned
    exported = services.imports.export_document(result.battery_id, "catenax").document
    assert exported["performance"]["dynamic"]["stateOfCharge"]["time"] == NANOS
    assert exported["performance"]["dynamic"]["negativeEvents"] == dynamic["negativeEvents"]
