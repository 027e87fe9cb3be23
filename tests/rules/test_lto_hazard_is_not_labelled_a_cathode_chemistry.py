"""Design probe 4, finding 5: an LTO battery's hazard called its anode a "cathode chemistry".

The thermal-runaway hazard of the Toshiba SCiB bus pack (corpus design
``bus-550v-lto-electrolyte-leak``) said "Cathode chemistry lithium titanate (LTO) anode: low
thermal-runaway propensity": LTO is the anode (its cathode is NMC or LMO), and its low propensity
is sourced for the titanate anode (Nitta et al. 2015). Every chemistry's rationale now says
"Cell chemistry ..." - true of a cathode family and of an anode chemistry alike.
"""

from __future__ import annotations

from tests.rules import ADMIN, design_path, new_services, submit


def test_lto_hazard_names_the_cell_chemistry_not_a_cathode() -> None:
    services = new_services(load_reference_ontologies=False)
    battery_id = submit(services, design_path("bus-550v-lto-electrolyte-leak").read_bytes())
    procedure = services.procedures.procedure(battery_id, ADMIN)
    (runaway,) = [h for h in procedure.hazards if h.type and h.type.id == "thermal-runaway"]
    text = runaway.rationale or ""
    assert "Cathode chemistry" not in text
    assert text.startswith("Cell chemistry lithium titanate (LTO) anode: low"), text
