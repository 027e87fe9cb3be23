"""``python -m bench.workspace``: derivation time against how many runs share a rule workspace.

Oxigraph's in-memory store keeps removed quads in its indexes, so a workspace that derives one
battery after another slows down with every run. The rule runner therefore replaces its
workspace with a fresh copy of the template every ``WORKSPACE_RUNS`` derivations. This prints,
per setting, the mean and the last-tenth mean derivation time over the same sequence of
batteries, so the cost of copying can be weighed against the growth it stops.
"""

from __future__ import annotations

import statistics
import time

from graph_service.services.derivation import rules as rule_module

SETTINGS = (1, 2, 5, 10, 25, 1_000_000)
FLEET = 20
DERIVATIONS = 200


def main() -> None:
    from bench.run import build
    from graph_service.services.fleet.demo import battery_id, write_demo_fleet

    services = build()
    write_demo_fleet(services, FLEET, validate=False, derive=False)
    default = rule_module.WORKSPACE_RUNS
    print(f"{'runs/workspace':>15} {'mean ms':>9} {'last 10% ms':>12}")
    try:
        for runs in SETTINGS:
            rule_module.WORKSPACE_RUNS = runs
            services.rules.refresh_workspace()
            times = []
            for n in range(DERIVATIONS):
                started = time.perf_counter()
                services.rules.derive(battery_id(1 + n % FLEET))
                times.append(time.perf_counter() - started)
            label = "never" if runs >= DERIVATIONS else str(runs)
            print(f"{label:>15} {statistics.mean(times) * 1000:>9.1f} "
                  f"{statistics.mean(times[-DERIVATIONS // 10:]) * 1000:>12.1f}", flush=True)
    finally:
        rule_module.WORKSPACE_RUNS = default


if __name__ == "__main__":
    main()
