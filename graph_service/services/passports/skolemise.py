"""Deterministic IRIs for blank nodes, computed within a work budget.

A submitted passport may use blank nodes; before it is stored each one gets an IRI under the
battery (``{battery}/node/{16 hex}``), and the same data sent again - with the blank nodes named
differently, the triples in another order - must get the same IRIs, or a re-submission would
look like a change. That needs a canonical labelling of the blank nodes, which in general is as
hard as graph isomorphism: rdflib's ``to_canonical_graph`` took 6 s for 15 triples (five
disjoint blank-node triangles) and grows super-exponentially. Here the work is counted and a
document that needs more than the budget is refused (``SkolemisationRefused``, 422) instead.

The method (individualisation-refinement, as in nauty/Traces, specialised to RDF):

1. Blank nodes are split into connected components (two blank nodes in one triple are
   connected); each component is labelled on its own, so k copies of a small hard structure
   cost k times one copy, not k factorial. Identical components get the same labels and an
   occurrence number.
2. Colour refinement: a blank node's colour starts from the triples that tie it to IRIs and
   literals, then repeatedly absorbs the colours of its blank neighbours (with the predicates
   and directions that connect them) until no colour class splits any more. Classes are split
   Hopcroft-style (the largest part keeps its colour; only the neighbours of the nodes that
   changed are looked at again), so a long chain costs about its length, not its square.
3. Ties. Where nodes keep equal colours one of them is individualised (given a new colour) and
   refinement continues. For nodes on no cycle (outside the component's 2-core) any choice
   gives the same result: once the cycles are fixed, what remains is a forest, and on coloured
   forests equal refined colours mean an automorphism maps one node to the other. So trees -
   nested JSON-LD objects, RDF lists, many identical sub-objects - never branch. Only ties among
   nodes on cycles are searched: every choice is tried, the smallest resulting certificate
   wins, and automorphisms found on the way prune choices in the same orbit.

Every unit of work (a neighbour looked at, a node moved between classes, a search state copied,
a certificate triple written) is counted against the budget plus an allowance proportional to
the document (``UNITS_PER_TRIPLE_AND_DOUBLING``).
"""

from __future__ import annotations

import hashlib
import heapq
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from rdflib import BNode, Graph, URIRef
from rdflib.term import Node

Triple = tuple[Node, Node, Node]
_T = TypeVar("_T")

_CORE = b"core"
_TREE = b"tree"
_INDIVIDUALISED = b"individualised"
# Work units are weighted to take about a microsecond each: a neighbourhood signature costs a
# hash and a sort on top of one unit per neighbour.
SIGNATURE_COST = 6
# Refinement of tree-shaped data costs about (triples x log2(blank nodes)) times a few units;
# that much is allowed on top of the budget, so the budget bounds the search among ties on
# cycles (the part that can explode), and tree-shaped data within the other document limits is
# never refused.
UNITS_PER_TRIPLE_AND_DOUBLING = 8


class SkolemisationRefused(ValueError):
    """The blank nodes cannot be labelled deterministically within the work budget (422)."""

    def __init__(self, message: str, *, blank_nodes: int, structure_size: int) -> None:
        super().__init__(message)
        self.blank_nodes = blank_nodes
        self.structure_size = structure_size


@dataclass
class SkolemStats:
    blank_nodes: int = 0
    components: int = 0
    work: int = 0
    leaves: int = 0
    allowance: int = 0
    # blank node -> the IRI it got (to point a report on the stored node back at its source)
    labels: dict[BNode, URIRef] = field(default_factory=dict)


def _digest(*parts: bytes) -> bytes:
    hasher = hashlib.blake2b(digest_size=16)
    for part in parts:
        hasher.update(len(part).to_bytes(4, "big"))
        hasher.update(part)
    return hasher.digest()


def _term_key(term: Node) -> bytes:
    return term.n3().encode()


class _OverBudget(Exception):
    pass


class _Budget:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0

    def spend(self, units: int) -> None:
        self.used += units
        if self.used > self.limit:
            raise _OverBudget


@dataclass
class _Component:
    """One connected set of blank nodes with every triple that mentions one of them."""

    nodes: list[BNode]
    triples: list[Triple]
    initial: list[bytes] = field(default_factory=list)
    # per node: (key of the predicates/directions joining the two nodes, neighbour index)
    neighbours: list[list[tuple[bytes, int]]] = field(default_factory=list)
    core: list[bool] = field(default_factory=list)


class _State:
    """A colouring of one component's nodes: ``colour[v]``, the classes as
    ``classes[colour][neighbourhood signature] = members``, and heaps of the classes that
    still hold more than one node (cycle nodes and tree nodes apart)."""

    __slots__ = ("budget", "classes", "colour", "component", "heaps", "nsig", "sizes")

    def __init__(self, component: _Component, budget: _Budget) -> None:
        self.component = component
        self.budget = budget
        self.colour: list[bytes] = list(component.initial)
        self.nsig: list[bytes] = [b""] * len(component.nodes)
        self.classes: dict[bytes, dict[bytes, set[int]]] = {}
        self.sizes: dict[bytes, int] = {}
        self.heaps: tuple[list[tuple[int, bytes]], list[tuple[int, bytes]]] = ([], [])
        for node, colour in enumerate(self.colour):
            self.classes.setdefault(colour, {}).setdefault(b"", set()).add(node)
        for colour, buckets in self.classes.items():
            self._resize(colour, len(buckets[b""]))
        budget.spend(len(self.colour))

    def copy(self) -> _State:
        clone = _State.__new__(_State)
        clone.component = self.component
        clone.budget = self.budget
        clone.colour = list(self.colour)
        clone.nsig = list(self.nsig)
        clone.classes = {c: {k: set(m) for k, m in b.items()} for c, b in self.classes.items()}
        clone.sizes = dict(self.sizes)
        clone.heaps = (list(self.heaps[0]), list(self.heaps[1]))
        self.budget.spend(len(self.colour) + len(self.classes))
        return clone

    def _resize(self, colour: bytes, size: int) -> None:
        self.sizes[colour] = size
        if size > 1:
            any_member = next(iter(next(iter(self.classes[colour].values()))))
            heap = self.heaps[0 if self.component.core[any_member] else 1]
            heapq.heappush(heap, (size, colour))

    def target(self, core: bool) -> bytes | None:
        """The smallest class of more than one node (then the smallest colour): a choice that
        depends on the colours only, so isomorphic inputs choose alike."""
        heap = self.heaps[0 if core else 1]
        while heap:
            size, colour = heap[0]
            if self.sizes.get(colour) == size and size > 1:
                return colour
            heapq.heappop(heap)
        return None

    def members(self, colour: bytes) -> list[int]:
        return sorted(node for bucket in self.classes[colour].values() for node in bucket)

    def _signature(self, node: int) -> bytes:
        neighbours = self.component.neighbours[node]
        self.budget.spend(SIGNATURE_COST + len(neighbours))
        colour = self.colour
        # Every part is 32 bytes (label key + colour): joined without length prefixes.
        return hashlib.blake2b(b"".join(sorted([label + colour[other]
                                                for label, other in neighbours])),
                               digest_size=16).digest()

    def refine(self, affected: Iterable[int]) -> None:
        pending = set(affected)
        sizes, colour, nsig, classes = self.sizes, self.colour, self.nsig, self.classes
        neighbours = self.component.neighbours
        while pending:
            # Signatures from the colours at the start of the round (synchronous rounds: the
            # order in which nodes are visited cannot matter).
            changed = []
            for node in pending:
                if sizes[colour[node]] == 1:
                    continue  # a class of one cannot split
                signature = self._signature(node)
                if signature != nsig[node]:
                    changed.append((node, signature))
            touched: set[bytes] = set()
            for node, signature in changed:
                buckets = classes[colour[node]]
                old = buckets[nsig[node]]
                old.discard(node)
                if not old:
                    del buckets[nsig[node]]
                buckets.setdefault(signature, set()).add(node)
                nsig[node] = signature
                touched.add(colour[node])
            pending = set()
            for old_colour in touched:
                buckets = classes[old_colour]
                if len(buckets) < 2:
                    continue
                # The largest part keeps the colour; only the others' neighbours need another
                # look (their multiset of neighbour colours tells the parts apart).
                keep = min(buckets, key=lambda key, b=buckets: (-len(b[key]), key))
                for key in [k for k in buckets if k != keep]:
                    members = buckets.pop(key)
                    new_colour = _digest(old_colour, key)
                    classes[new_colour] = {key: members}
                    self._resize(new_colour, len(members))
                    self.budget.spend(len(members))
                    for node in members:
                        colour[node] = new_colour
                        pending.update(other for _, other in neighbours[node])
                self._resize(old_colour, len(buckets[keep]))

    def individualise(self, node: int) -> None:
        old_colour = self.colour[node]
        size = self.sizes[old_colour]
        buckets = self.classes[old_colour]
        key = self.nsig[node]
        buckets[key].discard(node)
        if not buckets[key]:
            del buckets[key]
        # The class's size is part of the new colour: the next node taken from the same class
        # (which is smaller by then) gets a different one.
        new_colour = _digest(old_colour, _INDIVIDUALISED, size.to_bytes(8, "big"))
        self.classes[new_colour] = {key: {node}}
        self._resize(new_colour, 1)
        self._resize(old_colour, size - 1)
        self.colour[node] = new_colour
        self.refine(other for _, other in self.component.neighbours[node])

    def settle_trees(self) -> None:
        """Individualise tied tree nodes one after the other: any member of a class will do."""
        while (colour := self.target(core=False)) is not None:
            bucket = next(iter(self.classes[colour].values()))
            self.individualise(next(iter(bucket)))

    def certificate(self, encoded: list[tuple[bytes | int, bytes, bytes | int]]) -> bytes:
        self.budget.spend(len(encoded))
        colour = self.colour
        lines = sorted(
            b" ".join((b"_:" + colour[s]) if isinstance(s, int) else s for s in (s, p, o))
            for s, p, o in encoded
        )
        return _digest(*lines)


class _Orbits:
    """Orbits of the automorphisms found so far that fix the current search path (union-find),
    with a mark on the orbits that hold an explored choice."""

    def __init__(self, size: int) -> None:
        self.parent = list(range(size))
        self.explored = [False] * size
        self.applied = 0  # automorphisms of the labeller's list already merged in

    def find(self, node: int) -> int:
        return _root(self.parent, node)

    def merge(self, generator: list[int]) -> None:
        for node, image in enumerate(generator):
            a, b = self.find(node), self.find(image)
            if a != b:
                self.parent[a] = b
                self.explored[b] = self.explored[b] or self.explored[a]


class _Labeller:
    """Canonical labels of one component's nodes (the search over ties on cycles)."""

    def __init__(self, component: _Component, budget: _Budget, stats: SkolemStats) -> None:
        self.component = component
        self.budget = budget
        self.stats = stats
        index = {node: i for i, node in enumerate(component.nodes)}
        self.encoded: list[tuple[bytes | int, bytes, bytes | int]] = [
            (index[s] if isinstance(s, BNode) else _term_key(s), _term_key(p),
             index[o] if isinstance(o, BNode) else _term_key(o))
            for s, p, o in component.triples
        ]
        self.best: tuple[bytes, list[bytes]] | None = None
        self.best_path: list[int] = []
        self.automorphisms: list[list[int]] = []

    def run(self) -> tuple[bytes, list[bytes]]:
        state = _State(self.component, self.budget)
        state.refine(range(len(self.component.nodes)))
        self._search(state, [])
        assert self.best is not None
        return self.best

    def _search(self, state: _State, path: list[int]) -> int:
        """Explore the choices below ``path``; returns the depth to go back to (``len(path)``
        to carry on normally, less when an automorphism showed the rest of this subtree
        repeats one explored already)."""
        cell = state.target(core=True)
        if cell is None:
            state.settle_trees()
            return self._leaf(state, path)
        depth = len(path)
        orbits = _Orbits(len(self.component.nodes))
        for node in state.members(cell):
            self._merge_new(orbits, path)
            root = orbits.find(node)
            if orbits.explored[root]:
                continue  # an automorphism fixing the path maps it onto an explored choice
            orbits.explored[root] = True
            child = state.copy()
            child.individualise(node)
            path.append(node)
            back = self._search(child, path)
            path.pop()
            if back < depth:
                return back
        return depth

    def _merge_new(self, orbits: _Orbits, path: list[int]) -> None:
        while orbits.applied < len(self.automorphisms):
            generator = self.automorphisms[orbits.applied]
            orbits.applied += 1
            self.budget.spend(len(path))
            if all(generator[p] == p for p in path):
                self.budget.spend(len(generator))
                orbits.merge(generator)

    def _leaf(self, state: _State, path: list[int]) -> int:
        self.stats.leaves += 1
        certificate = state.certificate(self.encoded)
        colours = list(state.colour)
        if self.best is None or certificate < self.best[0]:
            self.best = (certificate, colours)
            self.best_path = list(path)
            return len(path)
        if certificate == self.best[0]:
            # Same labelled graph from another choice: the map between the two labellings is an
            # automorphism. It fixes the choices both paths share and maps this path's next
            # choice onto the best path's, so everything below that shared prefix repeats
            # what was seen: go back there (and keep the automorphism to prune with).
            by_colour = {c: node for node, c in enumerate(self.best[1])}
            mapping = [by_colour[c] for c in colours]
            self.budget.spend(len(mapping))
            if any(i != j for i, j in enumerate(mapping)):
                self.automorphisms.append(mapping)
                shared = 0
                while (shared < len(path) and shared < len(self.best_path)
                       and path[shared] == self.best_path[shared]):
                    shared += 1
                return shared
        return len(path)


def _root(parent: Any, node: _T) -> _T:
    """The representative of ``node`` in a union-find forest (``parent``: a list for numbered
    nodes, a dict for blank nodes), compressing the path to it."""
    root = node
    while parent[root] != root:
        root = parent[root]
    while parent[node] != root:
        parent[node], node = root, parent[node]
    return root


def _components(graph: Graph) -> list[_Component]:
    parent: dict[BNode, BNode] = {}

    def find(node: BNode) -> BNode:
        return _root(parent, node)

    triples: list[Triple] = []
    for s, p, o in graph:
        if isinstance(p, BNode):
            raise SkolemisationRefused(
                f"a blank node is used as a predicate ({p.n3()}); predicates are IRIs",
                blank_nodes=0, structure_size=0)
        blank = [t for t in (s, o) if isinstance(t, BNode)]
        if not blank:
            continue
        triples.append((s, p, o))
        for node in blank:
            parent.setdefault(node, node)
        if len(blank) == 2:
            a, b = find(blank[0]), find(blank[1])
            if a != b:
                parent[a] = b
    grouped: dict[BNode, _Component] = {}
    for triple in triples:
        s, _, o = triple
        node = s if isinstance(s, BNode) else o
        grouped.setdefault(find(node), _Component([], [])).triples.append(triple)
    for root in parent:
        grouped[find(root)].nodes.append(root)
    return list(grouped.values())


def _prepare(component: _Component) -> None:
    index = {node: i for i, node in enumerate(component.nodes)}
    constants: list[list[bytes]] = [[] for _ in component.nodes]
    between: list[dict[int, list[bytes]]] = [{} for _ in component.nodes]
    for s, p, o in component.triples:
        predicate = _term_key(p)
        if isinstance(s, BNode) and isinstance(o, BNode):
            i, j = index[s], index[o]
            if i == j:
                constants[i].append(b"self " + predicate)
            else:
                between[i].setdefault(j, []).append(b"out " + predicate)
                between[j].setdefault(i, []).append(b"in " + predicate)
        elif isinstance(s, BNode):
            constants[index[s]].append(b"out " + predicate + b" " + _term_key(o))
        else:
            constants[index[o]].append(b"in " + predicate + b" " + _term_key(s))
    component.neighbours = [
        [(_digest(*sorted(labels)), other) for other, labels in links.items()]
        for links in between
    ]
    # The 2-core: peel nodes with at most one blank neighbour until none is left. What remains
    # lies on cycles (or on paths between cycles); the rest are trees hanging off it.
    degree = [len(links) for links in between]
    alive = [True] * len(degree)
    stack = [i for i, d in enumerate(degree) if d <= 1]
    while stack:
        node = stack.pop()
        if not alive[node]:
            continue
        alive[node] = False
        for other in between[node]:
            if alive[other]:
                degree[other] -= 1
                if degree[other] <= 1:
                    stack.append(other)
    component.core = alive
    component.initial = [
        _digest(_CORE if alive[i] else _TREE, *sorted(features))
        for i, features in enumerate(constants)
    ]


def skolemise(
    graph: Graph,
    mint: Callable[[str], URIRef],
    budget: int,
) -> tuple[Graph, SkolemStats]:
    """``graph`` with every blank node replaced by ``mint(suffix)``; the suffix (16 hex digits)
    depends only on the graph's structure, never on the blank nodes' names or triple order.

    Raises :class:`SkolemisationRefused` when labelling needs more than ``budget`` work units
    on top of the allowance for the document's size.
    """
    components = _components(graph)
    stats = SkolemStats(blank_nodes=sum(len(c.nodes) for c in components),
                        components=len(components))
    if not components:
        return graph, stats
    blank_triples = sum(len(c.triples) for c in components)
    stats.allowance = budget + UNITS_PER_TRIPLE_AND_DOUBLING * blank_triples * \
        max(1, stats.blank_nodes.bit_length())
    spend = _Budget(stats.allowance)
    labels: list[tuple[bytes, list[bytes]]] = []
    for component in components:
        try:
            spend.spend(len(component.triples))
            _prepare(component)
            labels.append(_Labeller(component, spend, stats).run())
        except _OverBudget:
            stats.work = spend.used
            raise _refusal(component, stats) from None
    stats.work = spend.used
    seen: dict[bytes, int] = {}
    mapping: dict[BNode, URIRef] = {}
    for component, (certificate, colours) in zip(components, labels, strict=True):
        # Identical components are isomorphic: which one is "first" changes nothing.
        occurrence = seen.get(certificate, 0)
        seen[certificate] = occurrence + 1
        for node, colour in zip(component.nodes, colours, strict=True):
            suffix = _digest(certificate, occurrence.to_bytes(8, "big"), colour).hex()[:16]
            mapping[node] = mint(suffix)
    if len(set(mapping.values())) != len(mapping):
        raise SkolemisationRefused(  # two 64-bit suffixes collided; never seen in practice
            "two blank nodes would get the same IRI; give them IRIs",
            blank_nodes=stats.blank_nodes, structure_size=0)
    result = Graph()
    for s, p, o in graph:
        result.add((mapping.get(s, s), p, mapping.get(o, o)))  # type: ignore[arg-type]
    stats.labels = mapping
    return result, stats


def _refusal(component: _Component, stats: SkolemStats) -> SkolemisationRefused:
    size = len(component.nodes)
    cycles = sum(component.core) if component.core else 0
    predicates = sorted({str(p) for _, p, _ in component.triples})
    anchors = sorted({str(t) for s, _, o in component.triples for t in (s, o)
                      if not isinstance(t, BNode)})
    where = f"linked by {', '.join(f'<{p}>' for p in predicates[:3])}"
    if anchors:
        where += f" and attached to {anchors[0][:120]!r}"
    shape = (f"{cycles} of them on cycles whose nodes cannot be told apart" if cycles
             else "with many indistinguishable nodes")
    return SkolemisationRefused(
        f"the document's blank nodes cannot be given stable IRIs within the work budget "
        f"({stats.work} units spent): a structure of {size} blank nodes ({shape}), {where}. "
        f"The document has {stats.blank_nodes} blank nodes in all; give these nodes IRIs "
        f"(\"@id\" in JSON-LD, a name in Turtle) or make them distinguishable",
        blank_nodes=stats.blank_nodes, structure_size=size)


__all__ = ["SkolemStats", "SkolemisationRefused", "skolemise"]
