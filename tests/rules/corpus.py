"""The reviewed corpus of pack designs (tests/data/designs/*.ttl, *.json) and their expectations
(``<design>.expect.toml`` beside each), read back through the procedure service's answers.

A design's answers are what GET /batteries/{id}/pathway and /procedure return (the same
pydantic models, called in-process): the pathway options, and the procedure of every pathway
option that has one (eligible, or unknown until a fact is known).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from graph_service.container import Services
from graph_service.model.answers import DisassemblyStepOut, Pathway, Procedure
from tests.rules import ADMIN, DESIGNS

CLASSES = (
    "class1_cautions", "class2_joint_levels", "class3_pathway", "class4_deep_discharge",
    "class5_unknowns", "class6_tools", "class7_torque", "class8_isolation", "class9_heating",
    "class10_recycling", "class11_modules",
)


def corpus_names() -> list[str]:
    """Turtle designs and plain-JSON designs (*.json, read through our context)."""
    return sorted({p.stem for suffix in ("*.ttl", "*.json") for p in DESIGNS.glob(suffix)})


def expectation_path(name: str) -> Path:
    return DESIGNS / f"{name}.expect.toml"


def load_expectation(name: str) -> dict:
    with expectation_path(name).open("rb") as handle:
        return tomllib.load(handle)


def key_of(iri: str | None) -> str:
    return (iri or "").rstrip("/").rsplit("/", 1)[-1]


@dataclass
class DesignAnswers:
    name: str
    services: Services
    expect: dict
    pathway: Pathway
    default: Procedure
    procedures: dict[str, Procedure] = field(default_factory=dict)
    all_steps: list[DisassemblyStepOut] = field(default_factory=list)

    def section(self, name: str) -> dict:
        return self.expect[name]

    def option(self, key: str):
        matches = [o for o in self.pathway.options if o.key == key]
        assert matches, f"{self.name}: no pathway option {key}"
        return matches[0]

    def procedure(self, key: str | None = None) -> Procedure:
        return self.default if key is None else self.procedures[key]


def read_answers(services: Services, name: str) -> DesignAnswers:
    procedures = services.procedures
    pathway = procedures.pathway(name, ADMIN)
    default = procedures.procedure(name, ADMIN)
    answers = DesignAnswers(name=name, services=services, expect=load_expectation(name),
                            pathway=pathway, default=default,
                            all_steps=procedures.disassembly_steps(name, ADMIN))
    for key in default.availablePathways:
        answers.procedures[key] = procedures.procedure(name, ADMIN, key)
    return answers
