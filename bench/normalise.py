"""``python -m bench.normalise``: what bounded blank-node labelling and the document limits
cost per passport, next to rdflib's canonicalisation that they replace.

1. Per passport: a demo passport whose nodes (all but the battery) are blank nodes - the shape
   of a partner's JSON-LD without ``@id`` - labelled by ``skolemise`` and by rdflib's
   ``to_canonical_graph`` (what ingest used before), one pack and a pack four times as large.
2. Hard structures (bench/hostile_graphs.py): work units, time and outcome of ``skolemise``
   with the default budget; rdflib's canonicalisation of the same graph in a child process,
   stopped after ``RDFLIB_CAP_S``.
3. The limit checks: parsing a passport with and without counting triples and blank nodes, the
   hardened XML check of its RDF/XML form, and the time to refuse the issue's 100 000-triple
   anonymous document.

``--json docs/benchmarks.json`` stores the result there (key ``normalisation``) and rewrites
docs/benchmarks.md; ``python -m bench`` (full runs) measures it too.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from rdflib import BNode, Graph, URIRef
from rdflib.compare import to_canonical_graph

from bench.hostile_graphs import HARD_CASES
from graph_service.config import Settings
from graph_service.model.iris import IriMinter
from graph_service.services.access import ANONYMOUS
from graph_service.services.fleet.demo import demo_passport
from graph_service.services.passports.limits import DocumentTooLarge, limits_for
from graph_service.services.passports.skolemise import SkolemisationRefused, skolemise
from graph_service.store.base import RdfFormat
from graph_service.store.parsing import parse_rdf, reject_unsafe_xml

BASE_IRI = "http://127.0.0.1:8000/"
MINTER = IriMinter(BASE_IRI)
RDFLIB_CAP_S = 20.0


def _median_ms(function: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 2)


def blank_passport(index: int, copies: int = 1) -> tuple[Graph, URIRef]:
    """Demo passport ``index`` with every node but the battery as a blank node; ``copies`` > 1
    puts that many packs' parts under one battery (a larger document of the same shape)."""
    battery = MINTER.battery(f"BP-{index:06d}")
    graph = Graph()
    for copy in range(copies):
        nodes: dict[URIRef, BNode] = {}

        def blank(term, nodes=nodes, copy=copy):
            text = str(term)
            if isinstance(term, URIRef) and text.startswith(f"{battery}/"):
                return nodes.setdefault(term, BNode(f"c{copy}n{len(nodes)}"))
            return term

        for s, p, o in demo_passport(MINTER, index):
            graph.add((blank(s), p, blank(o)))
    return graph, battery


def _old_normalisation(graph: Graph, battery: URIRef) -> Graph:
    """What ingest did before: rdflib's canonical labels, hashed into IRIs."""
    import hashlib

    result = Graph()
    for s, p, o in to_canonical_graph(graph):
        terms = [URIRef(f"{battery}/node/{hashlib.sha256(str(t).encode()).hexdigest()[:16]}")
                 if isinstance(t, BNode) else t for t in (s, p, o)]
        result.add(tuple(terms))  # type: ignore[arg-type]
    return result


def per_passport(repeats: int, cap_s: float) -> list[dict]:
    budget = Settings.model_fields["ingest_normalise_budget"].default
    rows = []
    for copies in (1, 4):
        graph, battery = blank_passport(1, copies)
        blank = {t for triple in graph for t in triple if isinstance(t, BNode)}

        def mint(suffix: str, battery: URIRef = battery) -> URIRef:
            return URIRef(f"{battery}/node/{suffix}")

        _, stats = skolemise(graph, mint, budget)
        rows.append({
            "document": f"demo passport, {copies} pack(s), nodes as blank nodes",
            "triples": len(graph), "blank_nodes": len(blank), "work_units": stats.work,
            "skolemise_ms": _median_ms(lambda g=graph, m=mint: skolemise(g, m, budget),
                                       repeats),
        })
        old = _capped(_old_normalisation, (graph, battery), cap_s)
        rows[-1]["rdflib_ms"] = round(old * 1000, 1) if old is not None else None
        rows[-1]["rdflib_note"] = "" if old is not None else f"stopped after {cap_s:g} s"
    return rows


def _timed_child(function: Callable, args: tuple, queue: multiprocessing.Queue) -> None:
    started = time.perf_counter()
    function(*args)
    queue.put(time.perf_counter() - started)


def _capped(function: Callable, args: tuple, cap_s: float) -> float | None:
    """Seconds ``function(*args)`` took in a child process (one run: rdflib's canonicalisation
    cannot be interrupted in-process), or None when it was stopped at ``cap_s``."""
    context = multiprocessing.get_context("fork")
    queue: multiprocessing.Queue = context.Queue()
    child = context.Process(target=_timed_child, args=(function, args, queue))
    child.start()
    child.join(cap_s)
    if child.is_alive():
        child.kill()
        child.join()
        return None
    return queue.get() if not queue.empty() else None


def hard_cases(smoke: bool) -> list[dict]:
    budget = Settings.model_fields["ingest_normalise_budget"].default
    rows = []
    for name, (build, _) in HARD_CASES.items():
        graph = build()
        blank = {t for triple in graph for t in triple if isinstance(t, BNode)}
        started = time.perf_counter()
        try:
            _, stats = skolemise(graph, lambda s: URIRef(f"{BASE_IRI}n/{s}"), budget)
            outcome, work, allowance = "labelled", stats.work, stats.allowance
        except SkolemisationRefused:
            outcome, work, allowance = "refused (422)", None, None
        elapsed = round((time.perf_counter() - started) * 1000, 1)
        cap = 2.0 if smoke else RDFLIB_CAP_S
        old = _capped(to_canonical_graph, (graph,), cap) if len(graph) <= 4000 else None
        rows.append({
            "structure": name, "triples": len(graph), "blank_nodes": len(blank),
            "outcome": outcome, "work_units": work, "allowance": allowance, "ms": elapsed,
            "rdflib_ms": round(old * 1000, 1) if old is not None else None,
            "rdflib_note": "" if old is not None else (
                f"stopped after {cap:g} s" if len(graph) <= 4000 else "not run (large)"),
        })
    return rows


def limit_checks(repeats: int) -> list[dict]:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    limits = limits_for(ANONYMOUS, settings)
    passport = demo_passport(MINTER, 1)
    turtle = passport.serialize(format="turtle").encode()
    rdfxml = passport.serialize(format="xml").encode()
    numbers = ",".join(str(i) for i in range(100_000))
    issue = f"<{MINTER.battery('BP-000001')}> <http://example.org/p> {numbers} .".encode()

    def refuse() -> None:
        try:
            parse_rdf(issue, RdfFormat.TURTLE, max_triples=limits.max_triples,
                      max_blank_nodes=limits.max_blank_nodes)
        except Exception as exc:  # the store's ParseLimitExceeded
            if "more than" not in str(exc):
                raise
        else:
            raise DocumentTooLarge("triples", limits.max_triples, limits)

    return [
        {"operation": f"parse demo passport ({len(passport)} triples, Turtle), no counting",
         "ms": _median_ms(lambda: parse_rdf(turtle, RdfFormat.TURTLE), repeats)},
        {"operation": "the same, counting triples and blank nodes against the limits",
         "ms": _median_ms(lambda: parse_rdf(turtle, RdfFormat.TURTLE, max_triples=10**9,
                                            max_blank_nodes=10**9), repeats)},
        {"operation": f"hardened XML check of its RDF/XML ({len(rdfxml) // 1024} KiB)",
         "ms": _median_ms(lambda: reject_unsafe_xml(rdfxml), repeats)},
        {"operation": f"refuse the issue's 100 000 triples ({len(issue) // 1024} KiB) at the "
                      f"anonymous limit of {limits.max_triples}",
         "ms": _median_ms(refuse, max(3, repeats // 5))},
    ]


def measure(smoke: bool = False) -> dict:
    repeats = 3 if smoke else 15
    return {
        "per_passport": per_passport(repeats, 5.0 if smoke else 300.0),
        "hard_cases": hard_cases(smoke),
        "limits": limit_checks(repeats),
        "budget": Settings.model_fields["ingest_normalise_budget"].default,
        "anonymous_budget": Settings.model_fields["anonymous_normalise_budget"].default,
    }


def print_tables(result: dict) -> None:
    print(f"{'document':<52} {'triples':>7} {'blank':>6} {'work':>8} {'ours ms':>8} "
          f"{'rdflib ms':>9}")
    for row in result["per_passport"]:
        print(f"{row['document']:<52} {row['triples']:>7} {row['blank_nodes']:>6} "
              f"{row['work_units']:>8} {row['skolemise_ms']:>8} "
              f"{row['rdflib_ms'] or row['rdflib_note']:>9}")
    print()
    print(f"{'structure':<40} {'triples':>7} {'blank':>6} {'outcome':<14} {'work':>9} "
          f"{'ours ms':>8} {'rdflib ms':>10}")
    for row in result["hard_cases"]:
        print(f"{row['structure']:<40} {row['triples']:>7} {row['blank_nodes']:>6} "
              f"{row['outcome']:<14} {row['work_units'] or '-':>9} {row['ms']:>8} "
              f"{row['rdflib_ms'] or row['rdflib_note']:>10}")
    print()
    for row in result["limits"]:
        print(f"{row['operation']:<90} {row['ms']:>8} ms")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.normalise")
    parser.add_argument("--json", type=Path, help="store the result in this benchmarks.json "
                        "and rewrite the benchmarks.md beside it")
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args(argv)
    result = measure(args.smoke)
    print_tables(result)
    if args.json:
        from bench.run import render

        results = json.loads(args.json.read_text(encoding="utf-8"))
        results["normalisation"] = result
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        return render(args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
