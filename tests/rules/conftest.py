"""The corpus of reviewed designs, submitted once per test session to one in-process service."""

from __future__ import annotations

import pytest

from graph_service.container import Services
from tests.rules import design_media_type, design_path, new_services, submit
from tests.rules.corpus import DesignAnswers, corpus_names, read_answers


@pytest.fixture(scope="module")
def services() -> Services:
    """Fresh services for a module's own designs (test organisations registered)."""
    return new_services()


@pytest.fixture(scope="session")
def corpus_services() -> Services:
    """Every design of tests/data/designs submitted as an admin (validated, stored, derived).
    Derivation is per battery (test_rule_engine.py), so the designs cannot see each other."""
    services = new_services()
    for name in corpus_names():
        assert submit(services, design_path(name).read_bytes(), design_media_type(name)) == name
    return services


@pytest.fixture(scope="session")
def corpus(corpus_services: Services) -> dict[str, DesignAnswers]:
    return {name: read_answers(corpus_services, name) for name in corpus_names()}
