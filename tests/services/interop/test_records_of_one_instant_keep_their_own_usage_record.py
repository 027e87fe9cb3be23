"""Partner-document finding: records of one instant still shared one usage record carrying the
first offset. A Catena-X stateOfCharge at "2025-10-01T08:00:00+02:00" and a fullCycles at
"2025-10-01T06:00:00Z" (the same instant) were measured quantities of one dbp:UsageRecord whose
dbp:recordedAt said "+02:00": in the graph (what SPARQL users and rules read) the cycle count's
time had lost its offset; only the SAMM copy of the field kept it.

A usage record is now one per instant *and offset*: each measured quantity's record states the
time as the partner wrote it ("Z" and "+00:00" are the same offset), in the graph and on export.
"""

from __future__ import annotations

import json

from rdflib import Literal

from graph_service.container import Services
from graph_service.model.namespaces import DBP
from graph_service.model.terms import HAS_PROPERTY, STATE_OF_CHARGE, TOTAL_CYCLES
from graph_service.services.interop.codecs import format_timestamp
from tests.services.interop.conftest import ADMIN
from tests.services.interop.partner_corpus import catenax_document
from tests.services.interop.support import register_partners


def _recorded(services: Services, bid: str, cls: object) -> str:
    graph = services.imports.stored_graph(bid)
    (record,) = [r for r in graph.objects(services.minter.battery(bid), DBP.hasUsageRecord)
                 if any((q, None, cls) in graph for q in graph.objects(r, HAS_PROPERTY))]
    when = graph.value(record, DBP.recordedAt)
    assert isinstance(when, Literal)
    return format_timestamp(when) or ""


def test_each_record_keeps_its_offset_in_the_graph(services: Services) -> None:
    document = catenax_document("NZ-CX-ONE-INSTANT")
    dynamic = document["performance"]["dynamic"]
    dynamic["stateOfCharge"]["time"] = "2025-10-01T08:00:00+02:00"
    dynamic["fullCycles"]["time"] = "2025-10-01T06:00:00Z"
    dynamic["capacity"]["fade"]["time"] = "2025-10-01T01:00:00-05:00"
    register_partners(services, document)
    result = services.imports.import_document(json.dumps(document).encode(), "catenax", ADMIN)
    assert result.ingest.committed
    bid = result.battery_id
    assert _recorded(services, bid, STATE_OF_CHARGE) == "2025-10-01T08:00:00+02:00"
    assert _recorded(services, bid, TOTAL_CYCLES) == "2025-10-01T06:00:00Z"
    assert _recorded(services, bid, DBP.CapacityFadeRatio) == "2025-10-01T01:00:00-05:00"
    back = services.imports.export_document(bid, "catenax").document["performance"]["dynamic"]
    assert back["stateOfCharge"]["time"] == "2025-10-01T08:00:00+02:00"
    assert back["fullCycles"]["time"] == "2025-10-01T06:00:00Z"
    assert back["capacity"]["fade"]["time"] == "2025-10-01T01:00:00-05:00"
    assert back["capacity"]["capacity"]["time"] == "2025-10-01T06:00:00Z"
