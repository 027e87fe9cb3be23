"""Blank-node structures that are hard to label canonically, as rdflib graphs.

Used by ``bench/normalise.py`` (what bounded labelling costs) and by the tests of
``services/passports/skolemise.py`` (every one finishes or is refused within the budget).
Each builder returns the structure hanging off a battery pack typed with the BattINFO class, so
the same graphs also work as passport documents (``as_passport``).
"""

from __future__ import annotations

import random
from collections.abc import Callable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF

EX = "http://example.org/hostile#"
P = URIRef(EX + "p")
Q = URIRef(EX + "q")
BATTERY_PACK = URIRef(
    "https://w3id.org/emmo/domain/battery#battery_be3b35a7_75a3_4be0_9265_beb178ea7b00")


def _graph(triples) -> Graph:
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return graph


def triangles(k: int) -> Graph:
    """k disjoint directed blank-node triangles: rdflib's canonicalisation took 0.5 s for 4
    (12 triples), 6 s for 5 and 137 s for 6."""
    triples = []
    for _ in range(k):
        nodes = [BNode() for _ in range(3)]
        triples += [(nodes[i], P, nodes[(i + 1) % 3]) for i in range(3)]
    return _graph(triples)


def two_cycles(k: int) -> Graph:
    triples = []
    for _ in range(k):
        a, b = BNode(), BNode()
        triples += [(a, P, b), (b, P, a)]
    return _graph(triples)


def cycle(n: int, both_directions: bool = False) -> Graph:
    nodes = [BNode() for _ in range(n)]
    triples = [(nodes[i], P, nodes[(i + 1) % n]) for i in range(n)]
    if both_directions:
        triples += [(nodes[(i + 1) % n], P, nodes[i]) for i in range(n)]
    return _graph(triples)


def regular3(n: int, seed: int = 0) -> Graph:
    """A random 3-regular graph (edges both ways): usually rigid, so every choice of the search
    leads to a different leaf."""
    rng = random.Random(seed)
    while True:
        stubs = [i for i in range(n) for _ in range(3)]
        rng.shuffle(stubs)
        edges = {tuple(sorted((stubs[2 * i], stubs[2 * i + 1]))) for i in range(len(stubs) // 2)}
        if len(edges) == len(stubs) // 2 and all(a != b for a, b in edges):
            break
    nodes = [BNode() for _ in range(n)]
    return _graph(t for a, b in edges for t in ((nodes[a], P, nodes[b]), (nodes[b], P, nodes[a])))


def torus(width: int) -> Graph:
    nodes = [[BNode() for _ in range(width)] for _ in range(width)]
    triples = []
    for i in range(width):
        for j in range(width):
            for a, b in ((nodes[i][j], nodes[(i + 1) % width][j]),
                         (nodes[i][j], nodes[i][(j + 1) % width])):
                triples += [(a, P, b), (b, P, a)]
    return _graph(triples)


def complete(n: int) -> Graph:
    nodes = [BNode() for _ in range(n)]
    return _graph((a, P, b) for a in nodes for b in nodes if a != b)


def cfi(base_vertices: int, seed: int = 0) -> Graph:
    """A Cai-Fuerer-Immerman graph over a random 3-regular base graph: colour refinement cannot
    tell its nodes apart, only search can."""
    rng = random.Random(seed)
    while True:
        stubs = [i for i in range(base_vertices) for _ in range(3)]
        rng.shuffle(stubs)
        edges = [tuple(sorted((stubs[2 * i], stubs[2 * i + 1]))) for i in range(len(stubs) // 2)]
        if len(set(edges)) == len(edges) and all(a != b for a, b in edges):
            break
    incident = {v: [e for e, edge in enumerate(edges) if v in edge] for v in range(base_vertices)}
    ends = {(v, e, bit): BNode() for v in range(base_vertices) for e in incident[v]
            for bit in (0, 1)}
    triples = []
    for v in range(base_vertices):
        for mask in range(8):
            bits = [(mask >> i) & 1 for i in range(3)]
            if sum(bits) % 2:
                continue
            middle = BNode()
            for i, e in enumerate(incident[v]):
                end = ends[(v, e, bits[i])]
                triples += [(middle, P, end), (end, P, middle)]
    for e, (a, b) in enumerate(edges):
        for bit in (0, 1):
            triples += [(ends[(a, e, bit)], Q, ends[(b, e, bit)]),
                        (ends[(b, e, bit)], Q, ends[(a, e, bit)])]
    return _graph(triples)


def star(k: int) -> Graph:
    """One blank node with k identical blank-node children (k identical sub-objects)."""
    root = BNode()
    triples = [(URIRef(EX + "root"), P, root)]
    for _ in range(k):
        child = BNode()
        triples += [(root, P, child), (child, Q, Literal(1))]
    return _graph(triples)


def binary_tree(depth: int) -> Graph:
    root = BNode()
    triples = [(URIRef(EX + "root"), P, root)]
    level = [root]
    for _ in range(depth):
        below = []
        for node in level:
            for _ in range(2):
                child = BNode()
                triples.append((node, P, child))
                below.append(child)
        level = below
    return _graph(triples)


def same_value_list(n: int) -> Graph:
    """An RDF list of n equal values: positions differ only by their distance from the ends."""
    nodes = [BNode() for _ in range(n)]
    triples = [(URIRef(EX + "s"), P, nodes[0])]
    for i, node in enumerate(nodes):
        triples.append((node, RDF.first, Literal(7)))
        triples.append((node, RDF.rest, nodes[i + 1] if i + 1 < n else RDF.nil))
    return _graph(triples)


# name -> (builder, whether the default budget must label it: False = may be refused). Tree-shaped
# data, disjoint copies and simple cycles must be labelled; dense symmetric or rigid cyclic
# structures may be refused (with 422) - they are not what passports hold.
HARD_CASES: dict[str, tuple[Callable[[], Graph], bool]] = {
    "4 triangles (the issue's 12 triples)": (lambda: triangles(4), True),
    "6 two-cycles": (lambda: two_cycles(6), True),
    "1000 triangles": (lambda: triangles(1000), True),
    "directed cycle of 10000": (lambda: cycle(10_000), True),
    "undirected cycle of 1000": (lambda: cycle(1000, both_directions=True), True),
    "torus 30x30": (lambda: torus(30), True),
    "complete graph K30": (lambda: complete(30), False),
    "CFI over 10 vertices": (lambda: cfi(10), True),
    "CFI over 20 vertices": (lambda: cfi(20), False),
    "star of 10000 identical children": (lambda: star(10_000), True),
    "binary tree of depth 12": (lambda: binary_tree(12), True),
    "list of 10000 equal values": (lambda: same_value_list(10_000), True),
    "3-regular graph of 100": (lambda: regular3(100), False),
    "3-regular graph of 1000": (lambda: regular3(1000), False),
}


def as_passport(structure: Graph, battery: URIRef, attach: bool = True) -> Graph:
    """The structure beside a battery pack, attached to it at one node unless ``attach`` is
    false: what a hostile passport document would send."""
    graph = Graph()
    graph.add((battery, RDF.type, BATTERY_PACK))
    nodes = sorted({t for triple in structure for t in triple if isinstance(t, BNode)}, key=str)
    for triple in structure:
        graph.add(triple)
    if nodes and attach:
        graph.add((battery, P, nodes[0]))
    return graph


def with_iris(structure: Graph, prefix: str) -> Graph:
    """The structure with its blank nodes named ``prefix0``, ``prefix1``...: the same shape
    made of IRIs (nothing left to label, but still cycles to classify)."""
    names: dict[BNode, URIRef] = {}
    graph = Graph()
    for triple in structure:
        graph.add(tuple(names.setdefault(t, URIRef(f"{prefix}{len(names)}"))
                        if isinstance(t, BNode) else t for t in triple))  # type: ignore[arg-type]
    return graph
