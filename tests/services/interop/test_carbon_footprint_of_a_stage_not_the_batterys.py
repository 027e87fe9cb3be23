"""Partner-document probe: a Catena-X carbon footprint of one life cycle stage was stored as the
battery's carbon footprint. The official 6.1.0 example's only footprint entry is
{"lifecycle": "main product production", "type": "Climate Change Total", "value": 12.678,
"unit": "kg CO2 / kWh"}: it became dbp:carbonFootprintPerFunctionalUnit 12.678 (Annex XIII 1(c),
the whole life cycle) and was exported to Battery Pass as `batteryCarbonFootprint` - a stage's
value presented as the total. "Climate Change Total" is the impact category (fossil + biogenic +
land use), not the sum over the life cycle. And a document stating the total ("total life
cycle") beside its stages derived none.

Now the battery's footprint comes only from the one entry whose lifecycle names the whole life
cycle ("total life cycle", "cradle to grave"); stage entries stay in the document's own terms,
with a warning saying what would state the total.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from graph_service.container import Services
from graph_service.model.namespaces import DBP
from tests.services.interop.conftest import ADMIN, body_of
from tests.services.interop.partner_corpus import catenax_document
from tests.services.interop.support import register_partners

TOTAL = "$.sustainability.carbonFootprint"


def _entry(lifecycle: str, value: float, cls: str | None = None) -> dict[str, Any]:
    base = copy.deepcopy(catenax_document("X")["sustainability"]["carbonFootprint"][0])
    base.update(lifecycle=lifecycle, value=value, type="Climate Change Total",
                unit="kg CO2e/kWh")
    if cls is not None:
        base["performanceClass"] = cls
    return base


def _import(services: Services, key: str, entries: list[dict[str, Any]]) -> Any:
    document = catenax_document(key)
    document["sustainability"]["carbonFootprint"] = entries
    register_partners(services, document)
    result = services.imports.import_document(body_of(document), "catenax", ADMIN)
    assert result.ingest.committed
    return document, result


def _footprint(services: Services, battery_id: str) -> list[float]:
    graph = services.imports.stored_graph(battery_id)
    return [float(o) for o in graph.objects(predicate=DBP.carbonFootprintPerFunctionalUnit)]


@pytest.mark.parametrize("lifecycle", ["main product production", "cradle to gate",
                                       "raw material acquisition and pre-processing"])
def test_a_stage_footprint_is_not_the_batterys(services: Services, lifecycle: str) -> None:
    key = "CX-CF-STAGE-" + "".join(w[0] for w in lifecycle.split()).upper()
    document, result = _import(services, key, [_entry(lifecycle, 12.678)])
    assert _footprint(services, result.battery_id) == []
    warned = {w.path: w.message for w in result.warnings}
    assert json.dumps(lifecycle) in warned[TOTAL]
    assert "total life cycle" in warned[TOTAL]
    # the entry itself comes back as sent
    cx = services.imports.export_document(result.battery_id, "catenax").document
    assert cx["sustainability"]["carbonFootprint"] == document["sustainability"]["carbonFootprint"]
    # and is not presented as the Battery Pass total
    bp = services.imports.export_document(result.battery_id, "batterypass",
                                          allow_incomplete=True).document
    carbon = [v for k, v in bp.items() if "CarbonFootprint" in k]
    assert all("batteryCarbonFootprint" not in aspect for aspect in carbon)


@pytest.mark.parametrize("lifecycle", ["total life cycle", "Cradle-to-grave", "Total"])
def test_the_whole_life_cycle_entry_among_stages_is_the_batterys(services: Services,
                                                                 lifecycle: str) -> None:
    key = "CX-CF-TOTAL-" + "".join(c for c in lifecycle if c.isalpha()).upper()
    entries = [_entry("raw material acquisition and pre-processing", 43.44),
               _entry(lifecycle, 72.4, "B"), _entry("main product production", 21.72)]
    _, result = _import(services, key, entries)
    assert _footprint(services, result.battery_id) == [72.4]
    graph = services.imports.stored_graph(result.battery_id)
    assert [str(o) for o in graph.objects(predicate=DBP.carbonFootprintPerformanceClass)] == ["B"]
    bp = services.imports.export_document(result.battery_id, "batterypass",
                                          allow_incomplete=True).document
    carbon = next(v for k, v in bp.items() if "CarbonFootprint" in k)
    assert carbon["batteryCarbonFootprint"] == 72.4


def test_two_whole_life_cycle_totals_derive_none(services: Services) -> None:
    _, result = _import(services, "CX-CF-TWO-TOTALS",
                        [_entry("total life cycle", 72.4), _entry("cradle to grave", 70.0)])
    assert _footprint(services, result.battery_id) == []
    assert any(w.path == TOTAL and "whole life cycle" in w.message for w in result.warnings)
