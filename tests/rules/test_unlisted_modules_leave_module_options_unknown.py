"""Design probe 4, finding 3: module options were "not eligible" when modules were merely unlisted.

A 48 V mild-hybrid pouch pack (corpus design ``mhev-48v-nmc-pouch-hot``), a 1 331 V stationary
rack built of modules the passport does not list, e-bike and scooter packs: module swap, module
second life and remanufacturing were "not eligible: the passport lists no modules" - a missing
fact presented as an excluding one. A passport lists components; that it lists no module does
not say the pack has none.

Now the three options are *unknown* ("modules", deciding fact dbp:moduleCount: inspect whether
the pack is built of modules and list them, or state a module count of 0 or a cell-to-pack
casing) unless the passport says the pack has no modules - a cell-to-pack casing or a module
count of 0 - which still excludes them (a stated count above 0 must match the modules listed:
dbpsh:ModuleCountShape). A known fact that excludes an option (critical damage)
still wins over the missing one.
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef

from graph_service.container import Services
from graph_service.model.namespaces import DBP
from tests.rules import ADMIN, design_graph, design_path, new_services, submit

HOT = "mhev-48v-nmc-pouch-hot"
CELL_TO_PACK = "ev-400v-lfp-blade-cell-to-pack"
MODULE_OPTIONS = ("module-swap", "module-repurpose", "remanufacture")


def _options(services: Services, battery_id: str) -> dict:
    return {o.key: o for o in services.procedures.pathway(battery_id, ADMIN).options}


def _with_module_count(count: int) -> Graph:
    graph = design_graph(HOT)
    graph.add((URIRef(f"http://127.0.0.1:8000/id/battery/{HOT}"), DBP.moduleCount, Literal(count)))
    return graph


def test_unlisted_modules_leave_module_options_unknown_with_what_decides() -> None:
    services = new_services(load_reference_ontologies=False)
    battery_id = submit(services, design_path(HOT).read_bytes())
    options = _options(services, battery_id)
    for key in MODULE_OPTIONS:
        option = options[key]
        assert option.eligibility.id == "unknown", (key, option.rationale)
        assert "does not say the pack has none" in (option.rationale or "")
        (modules,) = [u for u in option.unknowns if u.iri.endswith("/unknown/modules")]
        assert [f.id for f in modules.decidingFacts] == ["moduleCount"]
        # an unknown option has a procedure (it may become eligible once the fact is known)
        assert key in services.procedures.procedure(battery_id, ADMIN).availablePathways


def test_a_pack_the_passport_says_has_no_modules_is_not_eligible() -> None:
    services = new_services(load_reference_ontologies=False)
    zero = submit(services, _with_module_count(0))
    blade = submit(services, design_path(CELL_TO_PACK).read_bytes())
    for battery_id in (zero, blade):
        options = _options(services, battery_id)
        for key in MODULE_OPTIONS:
            option = options[key]
            assert option.eligibility.id == "ineligible", (battery_id, key)
            assert "says the pack has none" in (option.rationale or ""), option.rationale
            assert not option.unknowns
