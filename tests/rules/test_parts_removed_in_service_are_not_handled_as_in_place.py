"""Design probe 3, finding 3: a pack in mid-disassembly got the steps of the intact pack with no
word that parts were already out.

The corpus pack with a manual service disconnect and four modules was sent with a service record
(status waste) naming its service disconnect, BMS and modules 1 and 2 as removed or replaced. The
pathway rationales said it was partly dismantled, but the procedure told the operator to remove
the BMS and lift out all four modules, and to pull the service disconnect, as if all were in
place - steps about parts the pack may no longer have, or that are not the parts the design data
describe.

Now every step that handles such a part, and for a service disconnect or interlock loop the
high-voltage hazard (its isolation steps), carries an unknown (rule 37, deciding fact
dbp:replacedPart) naming the service record and the part: check whether it is in the pack and is
the part the design data describe. The same pack without the record gets none.
"""

from __future__ import annotations

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import XSD

from graph_service.model.namespaces import DBP
from tests.rules import ADMIN, design_graph, new_services, submit

DESIGN = "nmc-400v-service-disconnect"
REMOVED = ("component/service-disconnect", "component/bms", "module/1", "module/2")


def _mid_disassembly() -> Graph:
    graph = design_graph(DESIGN)
    battery = next(graph.subjects(DBP.batteryId, None))
    record = URIRef(f"{battery}/service/dismantling-1")
    graph.add((battery, DBP.hasServiceRecord, record))
    graph.add((record, RDF.type, DBP.ServiceRecord))
    graph.add((record, DBP.serviceType, URIRef("https://w3id.org/dbp/vocab/service/inspection")))
    graph.add((record, DBP.completedAt, Literal("2026-10-01T09:00:00Z", datatype=XSD.dateTime)))
    graph.add((record, DBP.resultingStatus, URIRef("https://w3id.org/dbp/vocab/status/waste")))
    for part in REMOVED:
        graph.add((record, DBP.replacedPart, URIRef(f"{battery}/{part}")))
    return graph


def test_steps_on_removed_parts_say_to_check_them() -> None:
    services = new_services(load_reference_ontologies=False)
    battery_id = submit(services, _mid_disassembly())
    procedure = services.procedures.procedure(battery_id, ADMIN, "recycling-hydrometallurgical")
    steps = {s.stepType.id: s.iri for s in procedure.disassemblySteps if s.stepType}
    replaced = {u.iri.rsplit("/", 1)[-1]: u for u in procedure.unknowns
                if "/unknown/replaced-part-" in u.iri}
    for part in REMOVED:
        key = "replaced-part-" + part.replace("/", "-") + "-record-service-dismantling-1"
        assert key in replaced, (key, sorted(replaced))
        unknown = replaced[key]
        assert f"Service record service/dismantling-1 names {part} as removed or replaced" in (
            unknown.inspect or "")
        assert [f.iri for f in unknown.decidingFacts] == [str(DBP.replacedPart)]
    affects = {a for u in replaced.values() for a in u.affects}
    assert {steps["remove-bms"], steps["unfasten-modules"], steps["lift-out-modules"]} <= affects
    # the service disconnect: its isolation steps depend on it, so the hazard carries it
    disconnect = replaced["replaced-part-component-service-disconnect-record-service-dismantling-1"]
    assert any("/derived/hazard/" in a for a in disconnect.affects), disconnect.affects
    # steps on parts no record names carry none
    untouched = {steps["remove-cover"], steps["remove-busbars"], steps["drain-coolant"]}
    assert not untouched & affects
    # a re-use procedure, with no step on the modules, still carries the service disconnect's
    reuse = services.procedures.procedure(battery_id, ADMIN, "recycling-pyrometallurgical")
    keys = {u.iri.rsplit("/", 1)[-1] for u in reuse.unknowns}
    assert "replaced-part-component-service-disconnect-record-service-dismantling-1" in keys
    assert "replaced-part-module-1-record-service-dismantling-1" not in keys


def test_intact_pack_gets_no_replaced_part_unknown() -> None:
    services = new_services(load_reference_ontologies=False)
    battery_id = submit(services, design_graph(DESIGN))
    unknowns = [u for u in services.procedures.procedure(battery_id, ADMIN).unknowns]
    assert not [u for u in unknowns if "/unknown/replaced-part-" in u.iri]
