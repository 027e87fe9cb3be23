"""Design probe 3, finding 2: a high-voltage battery's stated circuit breaker was never opened.

A 1 331.2 V stationary LFP rack (CATL EnerOne figures; corpus design
``stationary-1331v-lfp-rack-breaker``) names its DC circuit breaker, the rack's isolating device.
Its procedure switched the controller off, locked out "the system" (key, control supply) and went
on to verify absence of voltage - the breaker was never opened or locked: the breaker step
applied to extra-low-voltage batteries only. EN 50110-1 rules 1-2 isolate at the isolating
device and lock it open.

Now a high-voltage battery with a stated breaker gets ``hv-open-breaker`` (open it, lock it open
with a padlock, tag it; only its load side is isolated) after the controller is off and before
lock-out, the wait and the test for absence of voltage; the lock-out kit is listed for it. An
extra-low-voltage battery with a breaker keeps its own breaker step, and a high-voltage pack
without one gets none.
"""

from __future__ import annotations

from graph_service.container import Services
from tests.rules import ADMIN, design_path, new_services, submit

DESIGN = "stationary-1331v-lfp-rack-breaker"
LV_BREAKER = "stationary-51v-lfp-deep-discharge-tested"
HV_NO_BREAKER = "nmc-400v-service-disconnect"


def _templates(services: Services, battery_id: str, pathway: str | None = None) -> list[str]:
    procedure = services.procedures.procedure(battery_id, ADMIN, pathway)
    return [(s.template or "").rsplit("/", 1)[-1] for s in procedure.isolationSteps]


def test_hv_rack_breaker_is_opened_and_locked_before_lock_out_wait_and_test() -> None:
    services = new_services(load_reference_ontologies=False)
    battery_id = submit(services, design_path(DESIGN).read_bytes())
    procedures = services.procedures
    for key in procedures.procedure(battery_id, ADMIN).availablePathways:
        templates = _templates(services, battery_id, key)
        assert "lv-open-breaker" not in templates and "lv-verify-load-side" not in templates
        order = ["de-energise-control", "hv-open-breaker", "lock-out-tag-system", "wait",
                 "verify-absence"]
        assert [t for t in templates if t in order] == order, (key, templates)
        procedure = procedures.procedure(battery_id, ADMIN, key)
        (step,) = [s for s in procedure.isolationSteps
                   if (s.template or "").endswith("/hv-open-breaker")]
        assert "lock it open" in (step.instruction or "")
        assert "battery side" in (step.instruction or "")
        loto = [t for t in procedure.tools if t.tool and t.tool.id == "loto-kit"]
        assert loto and "hv-open-breaker" in (loto[0].rationale or ""), key


def test_lv_breaker_and_hv_without_breaker_unchanged() -> None:
    services = new_services(load_reference_ontologies=False)
    lv = submit(services, design_path(LV_BREAKER).read_bytes())
    hv = submit(services, design_path(HV_NO_BREAKER).read_bytes())
    lv_templates = _templates(services, lv)
    assert "lv-open-breaker" in lv_templates and "hv-open-breaker" not in lv_templates
    assert "hv-open-breaker" not in _templates(services, hv)
