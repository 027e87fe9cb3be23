"""Two revisions side by side: did a change make the service slower?

    python -m bench.revisions --base 705edf7 [--head HEAD] [--rounds 3]

Checks both revisions out into temporary git worktrees and runs the same workload
(``bench/revision_workload.py``: fresh passports through POST /passports, then the REST reads,
Linked Data and /sparql through a real uvicorn server) on each, both in every one of
``--rounds`` rounds and the first of them swapped every other round, so that a change of machine
load hits both alike. Both use this interpreter and its installed packages, so only the project's
code differs. Prints one table: per operation the median of each revision over all rounds,
head/base (above 1 = head slower) and the range of the per-round ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.stats import median, ratio
from graph_service.config import REPO_ROOT, Settings

WORKLOAD = Path(__file__).with_name("revision_workload.py")


@contextmanager
def checkout(revision: str, parent: Path) -> Iterator[Path]:
    """A detached worktree of ``revision``, removed afterwards."""
    sha = subprocess.run(["git", "rev-parse", "--verify", f"{revision}^{{commit}}"],
                         cwd=REPO_ROOT, check=True, capture_output=True,
                         text=True).stdout.strip()
    path = parent / sha[:12]
    subprocess.run(["git", "worktree", "add", "--detach", "--quiet", str(path), sha],
                   cwd=REPO_ROOT, check=True)
    try:
        yield path
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(path)], cwd=REPO_ROOT,
                       check=False)


def run_workload(tree: Path, passports: int, reads: int) -> dict[str, list[float]]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(tree)  # the revision's package, not the installed one
    # The reference ontologies live beside the main checkout, not beside a temporary worktree.
    env["DBP_ONTOLOGY_DIR"] = str(Settings(_env_file=None).ontology_dir)  # type: ignore[call-arg]
    probe = subprocess.run([sys.executable, "-c", "import graph_service as g; print(g.__file__)"],
                           cwd=tree, env=env, check=True, capture_output=True, text=True)
    if not Path(probe.stdout.strip()).is_relative_to(tree):
        raise SystemExit(f"the worktree's package is shadowed by {probe.stdout.strip()}")
    done = subprocess.run([sys.executable, str(WORKLOAD), "--passports", str(passports),
                           "--reads", str(reads)], cwd=tree, env=env, capture_output=True,
                          text=True)
    if done.returncode != 0:
        raise SystemExit(f"the workload failed in {tree.name}: {done.stderr[-2000:]}"
                         f"{done.stdout[-500:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def compare(base: str, head: str, rounds: int, passports: int, reads: int) -> str:
    # operation -> one list of durations per round, per side
    runs: dict[str, dict[str, list[list[float]]]] = {"base": {}, "head": {}}
    with tempfile.TemporaryDirectory(prefix="dbp-revisions-") as tmp, \
            checkout(base, Path(tmp)) as base_tree, checkout(head, Path(tmp)) as head_tree:
        for number in range(rounds):
            order = [("base", base_tree), ("head", head_tree)]
            # Swap the order every other round: whichever runs second in a round may find the
            # machine in another state (caches, clock), which must not count for one side.
            for side, tree in (order if number % 2 == 0 else order[::-1]):
                print(f"round {number + 1}/{rounds}: {side}", file=sys.stderr, flush=True)
                for operation, durations in run_workload(tree, passports, reads).items():
                    runs[side].setdefault(operation, []).append(durations)
    lines = [f"base {base} ({base_tree.name}) vs head {head} ({head_tree.name}): {rounds} rounds "
             f"(first swapped every other round), {passports} fresh passports and {reads} reads "
             "per operation each round; medians in ms over all rounds; the last column is the "
             "range of the per-round ratios (how much the machine's noise moves one comparison)",
             "", "| operation | base | head | head/base | per round |", "|---|---:|---:|---:|---:|"]
    for operation, base_rounds in runs["base"].items():
        head_rounds = runs["head"].get(operation, [])
        before = median([d for r in base_rounds for d in r])
        after = median([d for r in head_rounds for d in r])
        share = ratio(after, before)
        per_round = [x for b, h in zip(base_rounds, head_rounds, strict=False)
                     if (x := ratio(median(h), median(b))) is not None]
        spread = f"{min(per_round):.2f}-{max(per_round):.2f}" if per_round else "-"
        lines.append(f"| {operation} | {before * 1000:.1f} | "
                     f"{'-' if after is None else f'{after * 1000:.1f}'} | "
                     f"{'-' if share is None else f'{share:.2f}'} | {spread} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", required=True, help="the revision to compare against")
    parser.add_argument("--head", default="HEAD")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--passports", type=int, default=20)
    parser.add_argument("--reads", type=int, default=15)
    args = parser.parse_args(argv)
    print(compare(args.base, args.head, args.rounds, args.passports, args.reads))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
