"""Partner-document probe of stop 30: Catena-X negative events were read from prose by keyword.
"Inspection: no thermal event, no swelling; damage assessed as not severe" became a severe thermal
event, "Accident-free. Minor scratches" a minor accident - and the rules then declared the battery
critically damaged and every second-life pathway ineligible.

A negative-event document becomes a dbp:NegativeEvent only when its header or content is the
statement 'event-type | severity | time'; prose is kept as the document it is, with a warning.
"""

from __future__ import annotations

import json

from rdflib.namespace import RDF

from graph_service.container import Services
from graph_service.model.graphs import Stage
from graph_service.model.namespaces import DBP
from tests.services.interop.conftest import ADMIN, DATA, body_of
from tests.services.interop.support import register_partners

PROSE = [
    {"contentType": "text/plain", "header": "Annual inspection",
     "content": "Inspection 2025-02-01T10:00:00Z: no thermal event, no swelling; damage "
                "assessed as not severe"},
    {"contentType": "text/plain", "header": "Visual check",
     "content": "Accident-free. Minor scratches on the housing 2025-03-01T09:00:00+01:00"},
]
STATED = {"contentType": "text/plain", "header": "deep-discharge | minor | 2025-02-11T06:30:00Z",
          "content": "Cell voltage below the minimum for 40 minutes."}


def _usage_stage() -> Stage:
    return Stage.USAGE


def test_prose_naming_event_words_is_no_event(services: Services) -> None:
    document = json.loads((DATA / "complete.json").read_text(encoding="utf-8"))
    document["performance"]["dynamic"]["negativeEvents"] = [*PROSE, STATED]
    register_partners(services, document)
    result = services.imports.import_document(body_of(document), "catenax", ADMIN)
    assert result.ingest.committed
    warned = {w.path for w in result.warnings}
    assert {"$.performance.dynamic.negativeEvents[0]",
            "$.performance.dynamic.negativeEvents[1]"} <= warned
    assert "$.performance.dynamic.negativeEvents[2]" not in warned
    graph = services.store.graph(services.layout.source(result.battery_id, _usage_stage()))
    events = [e for e in graph.subjects(RDF.type, DBP.NegativeEvent)]
    assert len(events) == 1
    (event,) = events
    assert str(graph.value(event, DBP.eventType)).endswith("/deep-discharge")
    assert str(graph.value(event, DBP.description)) == STATED["content"]

