"""Regression tests of the derivation rules (rules/*.rq) over hand-built pack designs.

The passports are tests/data/designs/*.ttl and *.json (plain JSON read through our context);
their reviewed expected outcomes are the ``*.expect.toml`` files beside them. This module holds
the small helpers the test modules share: building in-process services, submitting a passport
as an admin, and reading a battery's derived graph back as plain Python values (concept ids
such as ``"high-voltage"`` or ``"remove-cover"``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.term import Node

from graph_service.container import Services, build_services
from graph_service.model.graphs import Stage
from graph_service.model.namespaces import DBP
from graph_service.services.access import Principal, Role
from graph_service.store import open_memory_store
from tests.conftest import make_settings, register_test_organisations

DESIGNS = Path(__file__).resolve().parents[1] / "data" / "designs"
VOCAB = "https://w3id.org/dbp/vocab/"
ADMIN = Principal("rules-test", Role.ADMIN)


def vocab(scheme: str, name: str) -> URIRef:
    return URIRef(f"{VOCAB}{scheme}/{name}")


def local(iri: Node | None) -> str:
    """The last path segment of a concept IRI (``.../vocab/hazard/high-voltage`` ->
    ``high-voltage``)."""
    assert iri is not None, "expected a value, found none"
    return str(iri).rstrip("/").rsplit("/", 1)[-1]


def new_services(**overrides: object) -> Services:
    """Fresh in-process services over an empty in-memory store (test organisations
    registered)."""
    services = build_services(make_settings(**overrides), open_memory_store())
    register_test_organisations(services)
    return services


def design_path(name: str) -> Path:
    """A corpus design: Turtle, or plain JSON read through our context (the partners' style)."""
    turtle = DESIGNS / f"{name}.ttl"
    return turtle if turtle.exists() or not (DESIGNS / f"{name}.json").exists() \
        else DESIGNS / f"{name}.json"


def design_media_type(name: str) -> str:
    return "application/json" if design_path(name).suffix == ".json" else "text/turtle"


def design_graph(name: str) -> Graph:
    return Graph().parse(design_path(name), format="turtle")


def submit(services: Services, passport: Graph | bytes, media_type: str = "text/turtle") -> str:
    """Validate, store and derive a passport as an admin; returns the battery id."""
    body = passport if isinstance(passport, bytes) else passport.serialize(format="nt").encode()
    if not isinstance(passport, bytes):
        media_type = "application/n-triples"
    result = services.ingest.submit(body, media_type, principal=ADMIN)
    assert result.committed or result.version is not None, result.summary()
    return result.battery_id


@dataclass
class Outcome:
    """One battery's stored derivation, read back through rdflib."""

    services: Services
    battery_id: str
    battery: URIRef = field(init=False)
    derived: Graph = field(init=False)
    passport: Graph = field(init=False)

    def __post_init__(self) -> None:
        self.battery = self.services.minter.battery(self.battery_id)
        self.reload()

    def reload(self) -> Outcome:
        layout = self.services.layout
        self.derived = self.services.store.graph(layout.derived(self.battery_id))
        self.passport = Graph()
        for stage in Stage:
            self.passport += self.services.store.graph(layout.source(self.battery_id, stage))
        return self

    # -- single values --------------------------------------------------------------------------
    def value(self, subject: Node, predicate: URIRef) -> Node | None:
        values = list(self.derived.objects(subject, predicate))
        assert len(values) <= 1, f"{subject} has {len(values)} values of {predicate}: {values}"
        return values[0] if values else None

    def nodes(self, predicate: URIRef) -> list[Node]:
        return list(self.derived.objects(self.battery, predicate))

    # -- hazards, damage, alert -----------------------------------------------------------------
    def hazards(self) -> set[str]:
        return {local(self.value(h, DBP.hazardType)) for h in self.nodes(DBP.hasHazard)}

    def damage_state(self) -> str:
        (assessment,) = self.nodes(DBP.hasDamageAssessment)
        return local(self.value(assessment, DBP.damageState))

    def alert(self) -> Node:
        (alert,) = self.nodes(DBP.hasThermalRiskAlert)
        return alert

    def alert_level(self) -> str:
        return local(self.value(self.alert(), DBP.alertLevel))

    # -- procedure ------------------------------------------------------------------------------
    def isolation_steps(self) -> list[Node]:
        return sorted(self.nodes(DBP.hasIsolationStep),
                      key=lambda s: int(self.value(s, DBP.sequence)))  # type: ignore[arg-type]

    def isolation(self) -> list[str]:
        """Isolation step template ids in procedure order."""
        return [local(self.value(s, DBP.template)) for s in self.isolation_steps()]

    def ppe(self) -> set[str]:
        return {local(self.value(r, DBP.ppe)) for r in self.nodes(DBP.hasPPERequirement)}

    def tools(self) -> set[str]:
        return {local(self.value(r, DBP.tool)) for r in self.nodes(DBP.requiresTool)}

    def steps(self) -> list[Node]:
        """Disassembly steps in their derived order (dbp:sequence)."""
        return sorted(self.nodes(DBP.hasDisassemblyStep),
                      key=lambda s: int(self.value(s, DBP.sequence)))  # type: ignore[arg-type]

    def step_types(self) -> list[str]:
        return [local(self.value(s, DBP.stepType)) for s in self.steps()]

    def step(self, step_type: str) -> Node:
        matches = [s for s in self.steps() if local(self.value(s, DBP.stepType)) == step_type]
        assert len(matches) == 1, f"{len(matches)} steps of type {step_type}"
        return matches[0]

    # -- pathway options ------------------------------------------------------------------------
    def options(self) -> dict[str, Node]:
        return {local(o): o for o in self.nodes(DBP.hasPathwayOption)}

    def eligible(self, key: str) -> bool:
        return bool(self.value(self.options()[key], DBP.eligible).toPython())  # type: ignore[union-attr]

    def ranking(self) -> list[tuple[str, float]]:
        """Eligible options by dbp:rank, each with its score."""
        ranked = [(int(rank), key, float(self.value(o, DBP.score)))  # type: ignore[arg-type]
                  for key, o in self.options().items()
                  if (rank := self.value(o, DBP.rank)) is not None]
        return [(key, score) for _, key, score in sorted(ranked)]

    def ineligible(self) -> set[str]:
        return {key for key in self.options() if not self.eligible(key)}

    def rationale(self, node: Node) -> str:
        return str(self.value(node, DBP.rationale))
