"""Design probe 4, finding 4: cell harvesting spoke of "modules" on packs that list none.

A mild-hybrid pouch pack without listed modules (corpus design ``mhev-48v-nmc-pouch-hot``) was
told "the passport does not say how the cells are joined inside the modules" and to "inspect how
the cells are joined inside the modules"; a cell-to-pack pack with potted cells would have been
told they are "potted or bonded inside the modules". The option's rationale now says "inside the
pack" where the passport lists no modules and "inside the modules" where it lists them; the
unknown's inspection names no modules.
"""

from __future__ import annotations

from tests.rules import ADMIN, design_path, new_services, submit


def _harvesting(services, battery_id):
    (option,) = [o for o in services.procedures.pathway(battery_id, ADMIN).options
                 if o.key == "cell-harvesting"]
    return option


def test_cell_harvesting_wording_fits_packs_with_and_without_modules() -> None:
    services = new_services(load_reference_ontologies=False)
    without = submit(services, design_path("mhev-48v-nmc-pouch-hot").read_bytes())
    with_modules = submit(services, design_path("lfp-48v-no-disconnect").read_bytes())
    option = _harvesting(services, without)
    assert "joined inside the pack" in (option.rationale or ""), option.rationale
    for text in [option.rationale or ""] + [u.inspect or "" for u in option.unknowns]:
        assert "module" not in text, text
    assert "joined inside the modules" in (_harvesting(services, with_modules).rationale or "")
