"""Every EMMO / BattINFO / BVCO IRI the project uses exists upstream and is not deprecated.

Scans ontology/, shapes/, rules/, queries/, scripts/ and the Python package for IRIs in the
EMMO-stack and BVCO namespaces (full IRIs, CURIEs with our prefixes, and the Python namespace
helpers ``EMMO["..."]`` / ``ECHEM.x``), then looks each one up in the shipped reference files.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from graph_service.config import REPO_ROOT
from graph_service.store.base import GraphStore

NAMESPACES = {
    "emmo": "https://w3id.org/emmo#",
    "echem": "https://w3id.org/emmo/domain/electrochemistry#",
    "battery": "https://w3id.org/emmo/domain/battery#",
    "chemsub": "https://w3id.org/emmo/domain/chemical-substance#",
    "chameo": "https://w3id.org/emmo/domain/characterisation-methodology/chameo#",
    "manuf": "https://w3id.org/emmo/domain/manufacturing#",
    "bvco": "https://bvco.ontology.link/",
}
PYTHON_HELPERS = {"EMMO": "emmo", "ECHEM": "echem", "BATTERY": "battery",
                  "CHEMSUB": "chemsub", "CHAMEO": "chameo"}
LOCAL = r"[A-Za-z0-9_\-]+"
SCANNED = ["ontology", "shapes", "rules", "queries", "scripts", "graph_service"]
SUFFIXES = {".ttl", ".rq", ".ru", ".py", ".jsonld", ".json"}


def project_files() -> list[Path]:
    files = []
    for folder in SCANNED:
        root = REPO_ROOT / folder
        if root.is_dir():
            files.extend(p for p in sorted(root.rglob("*")) if p.suffix in SUFFIXES)
    return files


def external_iris(text: str) -> set[str]:
    found: set[str] = set()
    for namespace in NAMESPACES.values():
        found.update(namespace + m for m in re.findall(re.escape(namespace) + f"({LOCAL})",
                                                       text))
    for prefix, namespace in NAMESPACES.items():
        # CURIEs (not inside a longer word or an IRI)
        found.update(namespace + m for m in re.findall(
            rf"(?<![\w/#:.]){prefix}:({LOCAL})", text))
    for helper, prefix in PYTHON_HELPERS.items():
        namespace = NAMESPACES[prefix]
        found.update(namespace + m for m in re.findall(
            rf"\b{helper}\[\"({LOCAL})\"\]", text))
        found.update(namespace + m for m in re.findall(rf"\b{helper}\.([A-Z]\w+)\b", text))
    # Drop bare namespace hits and trailing separators picked up by the patterns.
    return {iri.rstrip("_-") for iri in found if iri not in NAMESPACES.values()}


def used_iris() -> dict[str, list[str]]:
    usage: dict[str, list[str]] = {}
    for path in project_files():
        for iri in external_iris(path.read_text(encoding="utf-8")):
            usage.setdefault(iri, []).append(str(path.relative_to(REPO_ROOT)))
    return usage


def test_the_scan_finds_the_terms_we_know_we_use() -> None:
    usage = used_iris()
    # hasProperty, BatteryPack and a BVCO mapping: one per kind of reference.
    assert "https://w3id.org/emmo#EMMO_e1097637_70d2_4895_973f_2396f04fa204" in usage
    assert ("https://w3id.org/emmo/domain/battery#battery_be3b35a7_75a3_4be0_9265_beb178ea7b00"
            in usage)
    assert "https://bvco.ontology.link/BVCO_b8a4a9ea_b171_468d_8c91_fdd865610c09" in usage
    assert len(usage) > 60


def _defined(store: GraphStore, iris: list[str]) -> set[str]:
    values = " ".join(f"<{iri}>" for iri in iris)
    result = store.query(
        f"SELECT DISTINCT ?t WHERE {{ VALUES ?t {{ {values} }} GRAPH ?g {{ ?t ?p ?o }} }}")
    return {str(row["t"]) for row in result.rows()}


def _deprecated(store: GraphStore, iris: list[str]) -> set[str]:
    values = " ".join(f"<{iri}>" for iri in iris)
    result = store.query(
        "SELECT DISTINCT ?t WHERE { VALUES ?t { " + values + " } GRAPH ?g { "
        "?t <http://www.w3.org/2002/07/owl#deprecated> ?d FILTER(STR(?d) = 'true') } }")
    return {str(row["t"]) for row in result.rows()}


def test_every_external_iri_exists_upstream(reference_store: GraphStore) -> None:
    usage = used_iris()
    missing = sorted(set(usage) - _defined(reference_store, sorted(usage)))
    report = [f"{iri} (used in {', '.join(sorted(set(usage[iri])))})" for iri in missing]
    assert not missing, "IRIs not defined in the reference ontologies:\n" + "\n".join(report)


def test_no_external_iri_is_deprecated(reference_store: GraphStore) -> None:
    usage = used_iris()
    deprecated = sorted(_deprecated(reference_store, sorted(usage)))
    report = [f"{iri} (used in {', '.join(sorted(set(usage[iri])))})" for iri in deprecated]
    assert not deprecated, "deprecated upstream terms in use:\n" + "\n".join(report)


@pytest.mark.parametrize("bogus", [
    "https://w3id.org/emmo/domain/battery#battery_00000000_0000_0000_0000_000000000000",
    "https://w3id.org/emmo#BatteryCell",
])
def test_an_invented_iri_would_be_caught(reference_store: GraphStore, bogus: str) -> None:
    assert bogus in external_iris(f"x <{bogus}> y")
    assert _defined(reference_store, [bogus]) == set()
