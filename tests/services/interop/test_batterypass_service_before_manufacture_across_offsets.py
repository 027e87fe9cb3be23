"""Partner-document probe: the Battery Pass check "put into service before manufacture" compared
local dates only. manufacturingDate "2024-01-15T23:30:00-05:00" (04:30 UTC on the 16th) and
puttingIntoService "2024-01-16T01:00:00+09:00" (16:00 UTC on the 15th, the earlier instant) were
accepted; Catena-X refuses the equivalent.

When both timestamps state their offset the instants are compared; the refusal names the
puttingIntoService path, and nothing is written. The converse (a later instant on an earlier
local date) is no refusal: no dbp:putIntoServiceDate is derived from it, with a warning.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph_service.container import Services
from graph_service.model.namespaces import DBP
from graph_service.services.interop.errors import DocumentRejected
from tests.services.interop.conftest import ADMIN

BATTERYPASS = Path(__file__).resolve().parents[2] / "data" / "batterypass"


def _general(services: Services) -> dict:
    if not (services.settings.passport_models / "batterypass").exists():
        pytest.skip("the Battery Pass aspect models are not installed")
    document = json.loads((BATTERYPASS / "ev-lfp-city-bus.json").read_bytes())
    document["GeneralProductInformation"]["productIdentifier"] = "BUS-LFP-OFFSETS-1"
    return document


def test_service_an_instant_before_manufacture_is_refused(services: Services) -> None:
    document = _general(services)
    document["GeneralProductInformation"]["manufacturingDate"] = "2024-01-15T23:30:00-05:00"
    document["GeneralProductInformation"]["puttingIntoService"] = "2024-01-16T01:00:00+09:00"
    before = services.store.count()
    with pytest.raises(DocumentRejected) as refused:
        services.imports.import_document(json.dumps(document).encode(), "batterypass", ADMIN)
    [problem] = [p for p in refused.value.problems if "before" in p.message]
    assert problem.path == "$.GeneralProductInformation.puttingIntoService"
    assert problem.line is not None
    assert services.store.count() == before


def test_service_after_manufacture_across_offsets_is_accepted(services: Services) -> None:
    document = _general(services)
    document["GeneralProductInformation"]["manufacturingDate"] = "2024-01-15T23:30:00-05:00"
    document["GeneralProductInformation"]["puttingIntoService"] = "2024-01-16T14:00:00+09:00"
    result = services.imports.import_document(json.dumps(document).encode(), "batterypass",
                                              ADMIN)
    assert result.ingest.committed


def test_later_instant_on_an_earlier_local_date_is_not_refused(services: Services) -> None:
    document = _general(services)
    document["GeneralProductInformation"]["productIdentifier"] = "BUS-LFP-OFFSETS-2"
    # a battery of its own: another battery's passport identifier is refused
    document["GeneralProductInformation"]["batteryPassportIdentifier"] = "urn:bp:busoffsets2"
    document["GeneralProductInformation"]["manufacturingDate"] = "2024-01-16T01:00:00+09:00"
    document["GeneralProductInformation"]["puttingIntoService"] = "2024-01-15T23:30:00-05:00"
    result = services.imports.import_document(json.dumps(document).encode(), "batterypass",
                                              ADMIN)
    assert result.ingest.committed
    warned = {w.path: w.message for w in result.warnings}
    assert "earlier local date" in warned["$.GeneralProductInformation.puttingIntoService"]
    battery = services.minter.battery(result.battery_id)
    stored = services.imports.stored_graph(result.battery_id)
    assert stored.value(battery, DBP.putIntoServiceDate) is None
    exported = services.imports.export_document(result.battery_id, "batterypass").document
    (general,) = [v for k, v in exported.items() if k.endswith("#GeneralProductInformation")]
    assert general["puttingIntoService"] == "2024-01-15T23:30:00-05:00"
