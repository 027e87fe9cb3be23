"""Fixtures over the external EMMO/BattINFO/BVCO reference files (../shared/ontologies)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import URIRef

from graph_service.config import Settings
from graph_service.store import open_memory_store
from graph_service.store.base import GraphStore, RdfFormat

MERGED = Path("merged") / "battery-0.20.1-stack-merged.ttl"
BVCO = Path("bvco") / "BVCO.ttl"


def reference_dir() -> Path:
    return Settings(_env_file=None).ontology_dir  # type: ignore[call-arg]


@pytest.fixture(scope="session")
def reference_store() -> GraphStore:
    """The EMMO stack (merged) and BVCO, each in its own named graph."""
    root = reference_dir()
    if not (root / MERGED).is_file():
        pytest.skip(f"reference ontologies not installed (DBP_ONTOLOGY_DIR={root})")
    store = open_memory_store()
    store.load((root / MERGED).read_bytes(), RdfFormat.TURTLE,
               graph=URIRef("urn:reference:emmo"))
    if (root / BVCO).is_file():
        store.load((root / BVCO).read_bytes(), RdfFormat.TURTLE,
                   graph=URIRef("urn:reference:bvco"))
    return store
