"""Partner-document probe: the Catena-X import invented a warranty end date. It stored
dbp:warrantyEndDate = manufacturingDate + characteristics.warranty.lifeValue, but the model gives
the warranty as a period without a start (Annex XIII (1m)); the passport states no end date.

The period is kept as received (SAMM terms) and comes back unchanged; no end date is stored,
shown in the summary or exported.
"""

from __future__ import annotations

import json

from graph_service.container import Services
from graph_service.model.graphs import Stage
from graph_service.model.namespaces import DBP
from tests.services.interop.conftest import ADMIN, DATA, body_of
from tests.services.interop.support import register_partners


def test_warranty_period_gives_no_end_date(services: Services) -> None:
    document = json.loads((DATA / "complete.json").read_text(encoding="utf-8"))
    document["identification"]["idDmc"] = "CX-WARRANTY-PERIOD-1"
    document["characteristics"]["warranty"] = {"lifeValue": 30, "lifeUnit": "unit:month"}
    assert document["operation"]["manufacturer"]["manufacturingDate"]
    register_partners(services, document)
    result = services.imports.import_document(body_of(document), "catenax", ADMIN)
    assert result.ingest.committed
    bid = result.battery_id
    for stage in Stage:
        graph = services.store.graph(services.layout.source(bid, stage))
        assert not list(graph.triples((None, DBP.warrantyEndDate, None))), stage
    assert services.batteries.summary(bid, ADMIN).warrantyEndDate is None
    exported = services.imports.export_document(bid, "catenax").document
    assert exported["characteristics"]["warranty"] == {"lifeValue": 30,
                                                       "lifeUnit": "unit:month"}
