"""Every triple of an imported Catena-X document is classified (stage and access group) as the
Annex XIII / DIN DKE SPEC 99100 table in interop/catenax/tables.py says, or more restricted;
the generated ontology/interop-catenax.ttl is that table."""

from __future__ import annotations

import json

import pytest
from rdflib import Graph, URIRef

from graph_service.config import REPO_ROOT
from graph_service.container import Services
from graph_service.model.graphs import AccessGroup, Stage
from graph_service.services.interop.annotations import stage_conflicts, term_annotations
from graph_service.services.interop.catenax import tables
from graph_service.services.interop.jsondoc import read_json_document
from graph_service.services.passports.classify import TermAnnotations, classify
from tests.services.interop.conftest import DATA
from tests.services.interop.support import register_partners

ORDER = [AccessGroup.PUBLIC, AccessGroup.LEGITIMATE_INTEREST, AccessGroup.AUTHORITY]


def test_generated_annotations_are_up_to_date(services: Services) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "gen", REPO_ROOT / "scripts" / "gen_interop_annotations.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    committed = (REPO_ROOT / "ontology" / "interop-catenax.ttl").read_text(encoding="utf-8")
    assert module.render() == committed, "run scripts/gen_interop_annotations.py"


def test_every_part_of_the_document_has_a_group(services: Services) -> None:
    schema = services.imports.registry.importer("catenax").importer.schema("6.1.0")
    top = {(key,) for key in schema.root.properties}
    assert top <= set(tables.ACCESS), sorted(top - set(tables.ACCESS))
    assert stage_conflicts(term_annotations(schema, tables.ACCESS)) == []
    assert set(tables.ACCESS) <= set(schema.fields), "ACCESS names a field the schema lacks"


def expected_access(path: tuple[str | int, ...]) -> tuple[AccessGroup, Stage | None]:
    pattern = tuple("[]" if isinstance(p, int) else p for p in path)
    group, stage = AccessGroup.PUBLIC, None
    for end in range(1, len(pattern) + 1):
        entry = tables.ACCESS.get(pattern[:end])
        if entry is not None:
            group = max(group, entry[0], key=ORDER.index)
            stage = entry[1] or stage
    return group, stage


@pytest.fixture(scope="module")
def classified(services: Services):
    document = json.loads((DATA / "official" / "BatteryPass-6.1.0.json").read_text())
    document["operation"]["intoServiceDate"] = "2000-02-01"
    fmt = services.imports.registry.importer("catenax")
    mapped = fmt.to_graph(read_json_document(json.dumps(document).encode()), services.minter)
    annotations = TermAnnotations.from_store(services.store, services.layout)
    return mapped, classify(mapped.graph, annotations)


def test_fields_kept_with_samm_terms_are_as_restricted_as_the_table(services: Services,
                                                                     classified) -> None:
    mapped, result = classified
    node_paths: dict[URIRef, tuple] = {}
    kind = f"/{tables.FORMAT}/"
    for s in mapped.graph.subjects():
        if kind in str(s):
            slug = str(s).split(kind, 1)[1]
            node_paths[s] = tuple(int(p) if p.isdigit() else p for p in slug.split("."))
    checked = 0
    for (s, p, o), cls in result.items():
        if not str(p).startswith("urn:samm:") or (s not in node_paths and \
                s != services.minter.battery(mapped.battery_id)):
            continue
        label_path = node_paths.get(s, ())
        child = node_paths.get(o) if isinstance(o, URIRef) else None
        path = child if child is not None else (*label_path, _label(services, p))
        group, stage = expected_access(path)
        assert ORDER.index(cls.group) >= ORDER.index(group), (path, cls.group, group)
        if stage is not None and child is None:
            assert cls.stage == stage, (path, cls.stage, stage)
        checked += 1
    assert checked > 250


_LABELS: dict[URIRef, str] = {}


def _label(services: Services, predicate: URIRef) -> str:
    if not _LABELS:
        from rdflib.namespace import RDFS

        graph = Graph().parse(REPO_ROOT / "ontology" / "interop-catenax.ttl")
        _LABELS.update({s: str(o) for s, o in graph.subject_objects(RDFS.label)})
    return _LABELS[predicate]


def test_sections_land_in_their_stage_and_group(services: Services, classified) -> None:
    _mapped, result = classified
    by_path: dict[str, set[tuple[str, str]]] = {}
    for (s, _p, _o), cls in result.items():
        text = str(s)
        for part in ("performance.dynamic", "materials.composition", "performance.rated.testReport",
                     "metadata", "safety.dismantling", "safety.meaningOfLabels", "source/"):
            if f"/{part}" in text:
                by_path.setdefault(part, set()).add((cls.stage.value, cls.group.value))
    # performanceDocument is one SAMM property in rated (authority: not a DIN attribute) and in
    # dynamic: its documents are authority-only in both (never less restricted than the table).
    assert by_path["performance.dynamic"] == {("usage", "legitimate-interest"),
                                              ("usage", "authority")}
    assert by_path["materials.composition"] == {("design", "legitimate-interest")}
    assert by_path["performance.rated.testReport"] == {("rated-performance", "authority")}
    assert by_path["safety.dismantling"] == {("design", "legitimate-interest")}
    assert by_path["safety.meaningOfLabels"] == {("identity", "public")}
    assert ("identity", "authority") in by_path["metadata"]  # issue date, version...
    assert ("identity", "public") in by_path["metadata"]  # the node and its public fields


def test_the_public_view_holds_no_restricted_field(services: Services) -> None:
    from tests.services.interop.conftest import ADMIN, body_of

    document = json.loads((DATA / "official" / "BatteryPass-6.1.0.json").read_text())
    document["operation"]["intoServiceDate"] = "2000-02-01"
    document["identification"]["idDmc"] = "CX-PUBLIC-VIEW"
    register_partners(services, document)
    services.imports.import_document(body_of(document), "catenax", ADMIN)
    public = services.store.graph(services.layout.view(AccessGroup.PUBLIC))
    mine = Graph()
    for triple in public:
        if "CX-PUBLIC-VIEW" in str(triple[0]):
            mine.add(triple)
    text = mine.serialize(format="nt")
    for restricted in ("/catenax/performance.dynamic", "/catenax/materials.composition",
                       "/source/", "registrationIdentifier", "backupReference",
                       "/catenax/sources.", "unknownMember"):
        assert restricted not in text, restricted
    # (the summary fact dbp:nominalVoltageV of public rated data is public, queries/README.md)
    assert "/catenax/identification" in text and "6.1.0#nominalVoltage" not in text
