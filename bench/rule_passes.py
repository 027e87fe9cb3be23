"""``python -m bench.rule_passes``: the dependency-driven fixpoint against re-running every rule.

Derives the same demo batteries (passport graphs, not stored) three ways, alternating per battery
so all see the same machine load: ``RuleRunner(rerun_all=True)`` (every round re-runs all rules
of the stratum until a round adds nothing), ``join_guards=False`` (a round re-runs the rules
whose read predicates grew) and the runner as shipped (those rules only if an added triple can
join their patterns), and checks that all derive the same triples. Prints rule evaluations and
rounds per derivation and the median time.
"""

from __future__ import annotations

import statistics
import time

from rdflib.namespace import PROV

from graph_service.services.derivation.rules import Derivation, RuleRunner

BATTERIES = 40


def main() -> None:
    from bench.run import build
    from graph_service.services.fleet.demo import battery_id, demo_passport

    services = build()
    new_runner = services.rules
    old_runner = RuleRunner(services.store, services.layout, services.minter,
                            services.repository, new_runner.rules, rerun_all=True)
    predicates_runner = RuleRunner(services.store, services.layout, services.minter,
                                   services.repository, new_runner.rules, join_guards=False)
    for rule in new_runner.rules:
        # parsed once per process; not part of a derivation's time
        _ = rule.read_set, rule.read_guards
    runners = (("rerun all", old_runner), ("predicates", predicates_runner),
               ("dependency", new_runner))
    runs: dict[str, list[tuple[Derivation, float]]] = {label: [] for label, _ in runners}
    for index in range(1, BATTERIES + 1):
        passport = demo_passport(services.minter, index)
        derived = []
        for label, runner in runners:
            started = time.perf_counter()
            derivation = runner.derive(battery_id(index), passport)
            runs[label].append((derivation, time.perf_counter() - started))
            derived.append({t for t in derivation.triples if t[1] != PROV.endedAtTime})
        if any(d != derived[0] for d in derived):
            raise SystemExit(f"battery {index}: the loops derived different triples")
    print(f"{BATTERIES} demo batteries, identical derived triples all three ways")
    print(f"{'fixpoint':>11} {'evaluations':>12} {'rounds':>7} {'median ms':>10}")
    medians = {}
    for label, results in runs.items():
        evaluations = statistics.mean(d.evaluations for d, _ in results)
        rounds = statistics.mean(d.iterations for d, _ in results)
        medians[label] = (evaluations, rounds, statistics.median(t for _, t in results) * 1000)
        print(f"{label:>11} {evaluations:>12.1f} {rounds:>7.1f} {medians[label][2]:>10.1f}")
    old = medians["rerun all"]
    for label in ("predicates", "dependency"):
        new = medians[label]
        print(f"{label[:6] + '/all':>11} {new[0] / old[0]:>12.2f} {new[1] / old[1]:>7.2f} "
              f"{new[2] / old[2]:>10.2f}")


if __name__ == "__main__":
    main()
