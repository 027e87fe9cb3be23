"""Partner-document probe: record times sharing an instant came back with one offset. Records
of one instant share one usage record, whose dbp:recordedAt was written as the first record of
that instant wrote it, and every record's time was written back from it: a Catena-X
stateOfCharge.time "2025-06-01T10:00:00+02:00" before fifteen "...08:00:00Z" records made all
sixteen come back "+02:00" (a Battery Pass "+02:00" came back "Z"), and ".5Z" came back
".500Z" - while docs/interop.md promises the same offset.

Each record keeps its own text (``Z`` for ``+00:00``, the documented normalisation).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from graph_service.container import Services
from graph_service.services.interop import batterypass, catenax
from graph_service.services.interop.codecs import utc_as_z
from graph_service.services.interop.diff import diff
from tests.services.interop.conftest import ADMIN, DATA, body_of
from tests.services.interop.support import register_partners

BATTERYPASS = Path(__file__).resolve().parents[2] / "data" / "batterypass"


def _times(value: Any, key: str, path: tuple = ()) -> dict[tuple, str]:
    found: dict[tuple, str] = {}
    if isinstance(value, dict):
        for k, v in value.items():
            if k == key and isinstance(v, str):
                found[(*path, k)] = v
            found.update(_times(v, key, (*path, k)))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found.update(_times(v, key, (*path, i)))
    return found


def test_catenax_records_of_one_instant_keep_their_offsets(services: Services) -> None:
    document = json.loads((DATA / "complete.json").read_text(encoding="utf-8"))
    document["identification"]["idDmc"] = "CX-RECORD-OFFSETS-1"
    dynamic = document["performance"]["dynamic"]
    assert dynamic["stateOfCharge"]["time"] == "2025-06-01T08:00:00Z"
    dynamic["stateOfCharge"]["time"] = "2025-06-01T10:00:00+02:00"  # the same instant
    dynamic["fullCycles"]["time"] = "2025-06-01T08:00:00.5Z"
    dynamic["power"]["fade"]["time"] = "2025-06-01T08:00:00.5+00:00"  # the same instant
    dynamic["capacity"]["fade"]["time"] = "2025-06-01T03:00:00.250-05:00"
    register_partners(services, document)
    result = services.imports.import_document(body_of(document), "catenax", ADMIN)
    assert result.ingest.committed
    exported = services.imports.export_document(result.battery_id, "catenax").document
    sent, back = _times(document, "time"), _times(exported, "time")
    assert {p: utc_as_z(t) for p, t in back.items()} == {p: utc_as_z(t) for p, t in sent.items()}
    assert back[("performance", "dynamic", "stateOfCharge", "time")] == \
        "2025-06-01T10:00:00+02:00"
    assert back[("performance", "dynamic", "fullCycles", "time")] == "2025-06-01T08:00:00.5Z"
    leaves = diff(json.loads(json.dumps(document)), exported, catenax.normalise)
    assert leaves.identical, leaves.details()


def test_batterypass_records_of_one_instant_keep_their_offsets(services: Services) -> None:
    if not (services.settings.passport_models / "batterypass").exists():
        pytest.skip("the Battery Pass aspect models are not installed")
    document = json.loads((BATTERYPASS / "ev-lfp-city-bus.json").read_bytes())
    condition = document["PerformanceAndDurability"]["batteryCondition"]
    assert condition["energyThroughput"]["lastUpdate"] == "2025-11-29T22:10:00Z"
    condition["energyThroughput"]["lastUpdate"] = "2025-11-30T00:10:00+02:00"  # same instant
    condition["capacityFade"]["lastUpdate"] = "2025-11-29T22:10:00.5Z"
    result = services.imports.import_document(json.dumps(document).encode(), "batterypass",
                                              ADMIN)
    assert result.ingest.committed
    exported = services.imports.export_document(result.battery_id, "batterypass").document
    (performance,) = [v for k, v in exported.items() if "PerformanceAndDurability" in k]
    sent = _times(document["PerformanceAndDurability"], "lastUpdate")
    assert _times(performance, "lastUpdate") == sent
    leaves = diff(document["PerformanceAndDurability"], performance, batterypass.normalise)
    assert leaves.identical, leaves.details()
