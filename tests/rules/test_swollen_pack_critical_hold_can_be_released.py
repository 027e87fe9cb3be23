"""Design probe 4, finding 2: the critical hold point of a swollen pack could never be released.

A pack whose passport records swelling (SP 376 (c): critically damaged) was held "while it shows
any heating, smoke, venting or swelling" and released "only after the thermal camera has shown
no heating". A swollen casing does not shrink back: the hold named a condition the battery keeps
for ever, so its procedure could not go on to any pathway - the operator either stopped for
good or released it against the text. The release criterion of a hold point must be one the
battery in the state that triggered it can meet.

Now the hold is on heating, smoke, venting or a swelling that *grows* (mark and measure each
bulge at the start); it is released when the camera shows no heating and no marked bulge has
grown for the hold period; the battery stays critically damaged (no second life) and goes to its
recycling pathway, with new or growing swelling a stop criterion.
"""

from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from graph_service.model.namespaces import DBP
from tests.rules import ADMIN, design_graph, new_services, submit

DESIGN = "thermal-event-swelling"
EVENT = "https://w3id.org/dbp/vocab/event/"


def _swelling_only() -> Graph:
    """The corpus pack with its thermal event taken out: swelling is the only damage."""
    graph = design_graph(DESIGN)
    for event in list(graph.subjects(RDF.type, DBP.NegativeEvent)):
        if graph.value(event, DBP.eventType) != URIRef(EVENT + "swelling"):
            graph.remove((None, None, event))
            graph.remove((event, None, None))
    return graph


def test_swollen_pack_hold_is_released_on_growth_not_on_swelling() -> None:
    services = new_services(load_reference_ontologies=False)
    battery_id = submit(services, _swelling_only())
    procedure = services.procedures.procedure(battery_id, ADMIN)
    assert procedure.damage and procedure.damage.state.id == "critical"
    (hold,) = [s for s in procedure.isolationSteps
               if (s.template or "").endswith("/hold-critical")]
    text = hold.instruction or ""
    # the hold names what the battery can stop doing, not a state it keeps
    assert "venting or swelling." not in text
    assert "a swelling that grows" in text and "no marked bulge has grown" in text
    assert "60" in text  # the hold period of param:critical-hold-minutes
    # growing swelling still stops the work; no second life for the swollen pack
    stops = " ".join(s.instruction or "" for s in procedure.stopCriteria)
    assert "new swelling" in stops
    pathway = services.procedures.pathway(battery_id, ADMIN)
    assert {o.key for o in pathway.options if o.eligible} <= {
        "recycling-hydrometallurgical", "recycling-pyrometallurgical"}
