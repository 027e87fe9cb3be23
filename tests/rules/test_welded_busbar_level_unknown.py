"""Unseen-design probe: busbars laser-welded (``fastener:none``) without a stated
``dbp:jointLevel`` are taken as cell connections inside the modules, and the unknown asking to
inspect their level was attached only to the cell-level step - which only cell harvesting has.
Recycling, module second life and the other pathways that lift the modules out did so with welded
HV busbars possibly still joining them, and no prompt (ontology/examples/pack-400v-nmc.ttl has
the same pattern).

The unknown now also affects every step that separates what a busbar joins by its class
(module-to-module: remove busbars, unfasten modules, and lift out modules after them), so it
reaches the procedure of every pathway that lifts modules out.
"""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef

from graph_service.container import Services
from graph_service.model.namespaces import DBP
from tests.rules import ADMIN, design_graph, new_services, submit, vocab

DESIGN = "nmc-400v-service-disconnect"  # bolted busbars, four bolted modules
LIFTING = ["recycling-hydrometallurgical", "recycling-direct", "module-repurpose"]


@pytest.fixture(scope="module")
def services() -> Services:
    return new_services(load_reference_ontologies=False)


def _welded_busbars() -> Graph:
    """The corpus pack with its busbar joint laser-welded, no fastener, no level stated."""
    graph = design_graph(DESIGN)
    battery = next(graph.subjects(DBP.batteryId, None))
    joint = URIRef(f"{battery}/joint/busbar")
    for p in (DBP.fastenerSize, DBP.fastenerCount, DBP.material):
        graph.remove((joint, p, None))
    for quantity in list(graph.objects(joint, None)):
        if str(quantity).startswith(f"{joint}/q/"):
            graph.remove((joint, None, quantity))
            for s, p, o in list(graph.triples((quantity, None, None))):
                graph.remove((s, p, o))
                graph.remove((o, None, None))
    graph.set((joint, DBP.jointType, vocab("joint", "laser-welded")))
    graph.set((joint, DBP.fastenerType, vocab("fastener", "none")))
    assert (joint, DBP.jointLevel, None) not in graph
    return graph


def _level_unknowns(services: Services, battery_id: str, pathway: str) -> list[str]:
    procedure = services.procedures.procedure(battery_id, ADMIN, pathway)
    return [u.inspect for u in procedure.unknowns if "/derived/unknown/level" in u.iri]


@pytest.mark.parametrize("pathway", LIFTING)
def test_welded_busbars_of_unstated_level_are_inspected_before_modules_come_out(
        services: Services, pathway: str) -> None:
    battery_id = submit(services, _welded_busbars())
    procedure = services.procedures.procedure(battery_id, ADMIN, pathway)
    steps = [s.stepType.id for s in procedure.disassemblySteps if s.stepType]
    assert "lift-out-modules" in steps and "release-cell-connections" not in steps
    (inspect,) = _level_unknowns(services, battery_id, pathway)
    assert "Before modules are unfastened or lifted out" in inspect


def test_a_stated_busbar_level_asks_nothing(services: Services) -> None:
    battery_id = submit(services, design_graph(DESIGN))
    for pathway in LIFTING:
        assert not _level_unknowns(services, battery_id, pathway)


def test_the_corpus_welded_design_prompts_on_its_recycling_procedure(services: Services) -> None:
    battery_id = submit(services, design_graph("laser-welded-adhesive"))
    assert _level_unknowns(services, battery_id, "recycling-hydrometallurgical")
