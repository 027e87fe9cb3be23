"""SHACL violations of a BattINFO JSON-LD document point at the JSON field that produced the
triple (path, line, column) - not at the IRI minted for a blank node, which the partner never
saw - and finding those paths never changes the graph a document parses to."""

from __future__ import annotations

import json
from typing import Any

import pytest
from rdflib.compare import isomorphic

from graph_service.container import Services
from graph_service.services.interop import DocumentRejected, InteropService
from graph_service.services.interop.battinfo.importer import (
    PATH_MARK_VALUE,
    PATH_MARKER,
    _parse_with_paths,
)
from graph_service.store.base import RdfFormat
from graph_service.store.parsing import parse_rdf
from tests.services.interop.test_battinfo_importer import (
    ADMIN,
    DBP_NS,
    pack,
    quantity,
    register_organisation,
    services,  # noqa: F401 (fixture)
)


@pytest.fixture(scope="module")
def service(services: Services) -> InteropService:  # noqa: F811
    register_organisation(services, "rheinvolt", "Rheinvolt Energy GmbH")
    return services.imports


def rejected(service: InteropService, document: dict[str, Any]) -> dict[str, dict]:
    body = json.dumps(document, indent=1).encode()
    with pytest.raises(DocumentRejected) as caught:
        service.import_document(body, "battinfo", ADMIN)
    return {p.path: p.as_dict() for p in caught.value.problems if p.kind == "shacl"}


def test_violations_on_blank_nodes_name_their_json_path(service: InteropService) -> None:
    document = pack()
    document["hasProperty"] = [quantity("NominalVoltage", 400.0, "emmo:Kilogram"),
                               quantity("RatedCapacity", -180.0, "emmo:AmpereHour")]
    problems = rejected(service, document)
    # The unit is the property the shape checks: its key; the capacity's value sits two
    # levels down a sequence path: the quantity object.
    assert set(problems) == {"$.hasProperty[0].hasMeasurementUnit", "$.hasProperty[1]"}
    unit = problems["$.hasProperty[0].hasMeasurementUnit"]
    assert "NominalVoltage" in unit["message"] and unit["line"] is not None
    lines = json.dumps(document, indent=1).splitlines()
    assert '"hasMeasurementUnit"' in lines[unit["line"] - 1]
    assert not any(path.startswith("<") for path in problems)


def test_a_violation_on_the_root_names_its_key(service: InteropService) -> None:
    document = pack()
    document["dbp:batteryCategory"] = {"@id": "https://w3id.org/dbp/vocab/category/spaceship"}
    problems = rejected(service, document)
    assert list(problems) == ["$['dbp:batteryCategory']"]


JSON_LD_SHAPES = {
    "language map": {"@context": {"ex": "http://ex/", "label": {
        "@id": "ex:label", "@container": "@language"}},
        "@id": "ex:a", "label": {"en": "cell", "de": "Zelle"}},
    "index map": {"@context": {"ex": "http://ex/", "part": {
        "@id": "ex:part", "@container": "@index"}},
        "@id": "ex:a", "part": {"x": {"ex:v": 1}, "y": {"@id": "ex:b", "ex:v": 2}}},
    "id map": {"@context": {"ex": "http://ex/", "part": {"@id": "ex:part", "@container": "@id"}},
               "@id": "ex:a", "part": {"http://ex/p1": {"ex:v": 1}}},
    "type map": {"@context": {"ex": "http://ex/", "part": {
        "@id": "ex:part", "@container": "@type"}},
        "@id": "ex:a", "part": {"ex:Cell": {"ex:v": 1}}},
    "JSON literal": {"@context": {"ex": "http://ex/", "raw": {"@id": "ex:raw", "@type": "@json"}},
                     "@id": "ex:a", "raw": {"k": [1, {"n": None}]}},
    "nest": {"@context": {"ex": "http://ex/", "meta": "@nest"},
             "@id": "ex:a", "meta": {"ex:v": 1}},
    "reverse": {"@context": {"ex": "http://ex/"},
                "@id": "ex:a", "@reverse": {"ex:owns": {"@id": "ex:o", "ex:v": 1}}},
    "graph and included": {"@context": {"ex": "http://ex/"}, "@graph": [
        {"@id": "ex:a", "ex:p": {"ex:q": {"@value": "v", "@language": "en"}}},
        {"ex:p": {"@list": [{"ex:v": 1}, 2]}, "@included": [{"ex:w": 3}]}]},
    "nested context": {"@context": {"ex": "http://ex/"}, "@id": "ex:a", "ex:p": {
        "@context": {"v": "http://other/v"}, "v": 1}},
}


@pytest.mark.parametrize("name", list(JSON_LD_SHAPES))
def test_path_markers_never_change_the_graph(name: str) -> None:
    document = JSON_LD_SHAPES[name]
    try:
        plain = parse_rdf(json.dumps(document).encode(), RdfFormat.JSON_LD)
    except Exception:
        pytest.skip(f"rdflib does not read {name} (nothing to compare)")
    graph, sources = _parse_with_paths(document)
    assert isomorphic(graph, plain)
    assert not any(PATH_MARK_VALUE in str(t) or t == PATH_MARKER for tr in graph for t in tr)
    for (node, _), path in sources.items():
        assert isinstance(path, tuple)
        assert (node, None, None) in graph or (None, None, node) in graph


def test_nodes_get_their_paths_and_keys_under_the_root_context() -> None:
    document = {"@context": {"ex": "http://ex/", "dbp": DBP_NS}, "@id": "ex:pack",
                "ex:hasPart": [{"ex:v": 1}, {"@id": "ex:m2", "ex:v": 2}],
                "ex:other": {"@context": {"w": "http://ex/v"}, "w": 3}}
    graph, sources = _parse_with_paths(document)
    by_path = {path: key for key, path in sources.items()}
    first = by_path[("ex:hasPart", 0)]
    assert first[1] is None and (first[0], None, None) in graph
    assert by_path[("ex:hasPart",)][1] is not None  # the key, on the pack
    assert str(by_path[("ex:hasPart", 1)][0]) == "http://ex/m2"
    # Under a nested context a key may mean something else: the node only, no key paths.
    assert ("ex:other",) in by_path and ("ex:other", "w") not in by_path


def test_bulk_import_reports_violations_at_the_same_paths(services: Services,  # noqa: F811
                                                          service: InteropService) -> None:
    """JSON Lines through POST /import and `dbp import` run the bulk pipeline: a rejected
    document's violations name the same fields as a single import's."""
    from graph_service.services.interop.bulk import import_lines

    bad = pack()
    bad["schema:serialNumber"] = "BI-PACK-400-0002"
    bad["hasProperty"] = [quantity("NominalVoltage", 400.0, "emmo:Kilogram")]
    good = pack()
    good["schema:serialNumber"] = "BI-PACK-400-0003"
    body = b"\n".join(json.dumps(d).encode() for d in (bad, good))
    report = import_lines(services, body, "battinfo", ADMIN)
    first, second = report.outcomes
    assert not first.committed and second.committed
    assert [v["path"] for v in first.violations] == ["$.hasProperty[0].hasMeasurementUnit"]
    assert "NominalVoltage" in first.violations[0]["message"]
