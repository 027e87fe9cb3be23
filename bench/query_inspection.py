"""``python -m bench.query_inspection``: how inspecting a query's text scales with its length.

The endpoint tokenises every query once in Python to find FROM / FROM NAMED / SERVICE before the
engine sees it. A tokenizer that rescans name runs is quadratic: 80 kB of ``a.a.a...`` once held
the GIL for about a minute. This prints, per pathological unit, the time for 1x and 4x the text
and their ratio (linear is about 4, quadratic 16).
"""

from __future__ import annotations

import time

from graph_service.services.sparql.query_text import inspect_query

UNITS = ("a.", "a-", "ex:a.", 'x"', "<urn:x:1> ")
BASE_REPEATS = 100_000


def fastest_inspection(text: str, rounds: int = 3) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        inspect_query(text)
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    print(f"{'unit':<12} {'1x kB':>8} {'1x ms':>9} {'4x ms':>9} {'4x/1x':>7}")
    for unit in UNITS:
        small_text = 'ASK { ?s ?p "" }\n' + unit * BASE_REPEATS
        small = fastest_inspection(small_text)
        large = fastest_inspection('ASK { ?s ?p "" }\n' + unit * BASE_REPEATS * 4)
        print(f"{unit!r:<12} {len(small_text) / 1000:>8.0f} {small * 1000:>9.1f} "
              f"{large * 1000:>9.1f} {large / small:>7.2f}")


if __name__ == "__main__":
    main()
