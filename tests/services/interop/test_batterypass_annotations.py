"""Access classification of every Battery Pass field (DIN DKE SPEC 99100 / Battery Pass long list
v1.2 access rights, interop/batterypass/tables.py ACCESS): every stored triple of every aspect
is at least as restricted as the table says and lands in its stage; the generated
ontology/interop-batterypass.ttl is that table; the public view holds no restricted field. The
SAMM -> JSON schema generator gives the official schemas' field trees."""

from __future__ import annotations

import importlib.util
import json

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDFS

from graph_service.config import REPO_ROOT
from graph_service.container import Services
from graph_service.model.graphs import AccessGroup, Stage
from graph_service.services.interop.annotations import stage_conflicts, term_annotations
from graph_service.services.interop.batterypass import tables
from graph_service.services.interop.jsondoc import read_json_document
from graph_service.services.interop.samm import aspect_schema
from graph_service.services.interop.schema import SchemaModel
from graph_service.services.passports.classify import TermAnnotations, classify
from tests.services.interop.conftest import ADMIN
from tests.services.interop.test_batterypass_documents import (  # noqa: F401  (fixture)
    DATA,
    services,
)

ORDER = [AccessGroup.PUBLIC, AccessGroup.LEGITIMATE_INTEREST, AccessGroup.AUTHORITY]
TTL = REPO_ROOT / "ontology" / "interop-batterypass.ttl"


def test_generated_annotations_are_up_to_date(services: Services) -> None:  # noqa: F811
    spec = importlib.util.spec_from_file_location(
        "gen", REPO_ROOT / "scripts" / "gen_interop_annotations.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    assert module.render_batterypass() == TTL.read_text(encoding="utf-8"), (
        "run scripts/gen_interop_annotations.py")


@pytest.mark.parametrize("name", list(tables.ASPECTS))
def test_every_part_of_every_aspect_has_a_group(name: str, services: Services) -> None:  # noqa: F811
    aspect = tables.ASPECTS[name]
    importer = services.imports.registry.importer("batterypass").importer
    for version in aspect.versions:
        schema = importer.schema(aspect, version)
        top = {(key,) for key in schema.root.properties}
        assert top <= set(tables.ACCESS[name]), sorted(top - set(tables.ACCESS[name]))
        assert stage_conflicts(term_annotations(schema, tables.ACCESS[name])) == []
        named = {p for p in tables.ACCESS[name] if p in schema.fields}
        assert named, name


def expected_access(name: str, path: tuple) -> tuple[AccessGroup, Stage | None]:
    pattern = tuple("[]" if isinstance(p, int) else p for p in path)
    group, stage = AccessGroup.PUBLIC, None
    for end in range(1, len(pattern) + 1):
        entry = tables.ACCESS[name].get(pattern[:end])
        if entry is not None:
            group = max(group, entry[0], key=ORDER.index)
            stage = entry[1] or stage
    return group, stage


def test_every_field_is_as_restricted_as_the_table(services: Services) -> None:  # noqa: F811
    body = (DATA / "ev-nmc811-pack.json").read_bytes()
    fmt = services.imports.registry.importer("batterypass")
    mapped = fmt.to_graph(read_json_document(body), services.minter)
    result = classify(mapped.graph, TermAnnotations.from_store(services.store, services.layout))
    labels = {s: str(o) for s, o in Graph().parse(TTL).subject_objects(RDFS.label)}
    battery = services.minter.battery(mapped.battery_id)
    by_kind = {f"/bp-{a.short}/": a.name for a in tables.ASPECTS.values()}
    checked = 0
    for (s, p, o), cls in result.items():
        text = str(p)
        if not text.startswith("urn:samm:io.BatteryPass."):
            continue
        name = next(a.name for a in tables.ASPECTS.values() if text.startswith(a.term_prefix()))
        kind = next((k for k in by_kind if k in str(s)), None)
        node_path: tuple = ()
        if kind is not None:
            slug = str(s).split(kind, 1)[1]
            node_path = tuple(int(x) if x.isdigit() else x for x in slug.split("."))
        elif s != battery:
            continue
        child = None
        if isinstance(o, URIRef) and any(k in str(o) for k in by_kind):
            slug = str(o).split(next(k for k in by_kind if k in str(o)), 1)[1]
            child = tuple(int(x) if x.isdigit() else x for x in slug.split("."))
        path = child if child is not None else (*node_path, labels[p])
        group, stage = expected_access(name, path)
        assert ORDER.index(cls.group) >= ORDER.index(group), (name, path, cls.group, group)
        if stage is not None and child is None:
            assert cls.stage == stage, (name, path, cls.stage, stage)
        checked += 1
    assert checked > 150


def test_the_public_view_holds_no_restricted_field(services: Services) -> None:  # noqa: F811
    document = json.loads((DATA / "industrial-forklift-lfp.json").read_bytes())
    document["GeneralProductInformation"]["productIdentifier"] = "BP-PUBLIC-VIEW"
    services.imports.import_document(json.dumps(document).encode(), "batterypass", ADMIN)
    public = services.store.graph(services.layout.view(AccessGroup.PUBLIC))
    text = Graph()
    for triple in public:
        if "BP-PUBLIC-VIEW" in str(triple[0]):
            text.add(triple)
    nt = text.serialize(format="nt")
    for restricted in ("#batteryStatus", "#puttingIntoService", "/bp-mc/batteryMaterials",
                       "/bp-circ/dismantlingAndRemovalInformation", "/bp-circ/sparePartSources",
                       "#resultOfTestReport", "/bp-perf/batteryCondition", "/usage/",
                       "#initialSelfDischarge", "#expectedLifetime", "/source/",
                       "#safetyInstructions"):
        assert restricted not in nt, restricted
    for public_field in ("#batteryCategory", "/bp-circ/safetyMeasures", "#extinguishingAgent",
                         "/q/nominal-voltage", "#hazardousSubstances", "#declarationOfConformity"):
        assert public_field in nt, public_field




def _tree(model: SchemaModel) -> dict:
    return {f.pattern: (f.kind, f.urn, tuple(sorted(f.required)),
                        tuple(dict.fromkeys(f.schema.get("enum", ())))) for f in model.root.walk()}


@pytest.mark.parametrize("name", list(tables.ASPECTS))
def test_the_samm_generator_gives_the_official_field_tree(name: str,
                                                          services: Services) -> None:  # noqa: F811
    """PerformanceAndDurability 1.2.1 is published without a JSON schema: the one we make from
    its aspect model is trusted because the same generator gives the official 1.2.0 schemas."""
    aspect = tables.ASPECTS[name]
    folder = services.settings.passport_models
    schema_file = folder.joinpath(*aspect.file("1.2.0"))
    ttl = schema_file.with_name(schema_file.name.replace("-schema.json", ".ttl"))
    official = SchemaModel.load(schema_file, format="bp", version="1.2.0")
    made = SchemaModel(aspect_schema(ttl), format="bp", version="1.2.0")
    assert _tree(made) == _tree(official)
