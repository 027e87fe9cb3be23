"""Every error of a Catena-X document in one answer, each at its JSON path (and line/column in
the submitted file); versions recognised and refused by name; nothing stored on refusal."""

from __future__ import annotations

import copy
import json

import pytest

from graph_service.container import Services
from graph_service.services.interop import DocumentError, DocumentRejected
from graph_service.services.interop.jsondoc import json_path
from tests.services.interop.conftest import ADMIN, DATA, body_of, load
from tests.services.interop.support import as_new_battery


def refused(services: Services, body: bytes) -> DocumentRejected:
    before = services.store.count()
    with pytest.raises(DocumentRejected) as caught:
        services.imports.import_document(body, "catenax", ADMIN)
    assert services.store.count() == before
    return caught.value


def test_all_errors_of_a_document_are_listed_at_once(services: Services) -> None:
    document = load("complete.json")
    as_new_battery(document, "CX-MANY-ERRORS")
    document["identification"]["category"] = "ebike"  # not in the enumeration
    document["metadata"]["issueDate"] = "2024-02-30"  # no such day
    document["metadata"]["expirationDate"] = "2023-01-01"
    document["performance"]["rated"]["capacity"]["value"] = "234"  # a text
    del document["metadata"]["passportIdentifier"]  # required
    document["performance"]["dynamic"]["stateOfCharge"]["time"] = "2025-13-01T00:00:00Z"
    document["performance"]["rated"]["x-note"] = "kept"
    text = json.dumps(document, indent=2)
    error = refused(services, text.encode())
    paths = {p.path: p for p in error.problems if p.kind != "shacl"}
    # What SHACL says of the rest is listed too (here: no category that our scheme knows).
    assert {p.path for p in error.problems if p.kind == "shacl"} == {"$"}
    assert set(paths) == {
        "$.identification.category", "$.metadata.issueDate",
        "$.performance.rated.capacity.value", "$.metadata.passportIdentifier",
        "$.performance.dynamic.stateOfCharge.time"}
    assert paths["$.metadata.issueDate"].kind == "semantic"
    assert paths["$.identification.category"].kind == "schema"
    # Positions are those of the submitted text.
    line = text.splitlines().index('    "category": "ebike",') + 1
    assert (paths["$.identification.category"].line, paths["$.identification.category"].column) \
        == (line, 5)
    assert "$.performance.rated['x-note']" in {w.path for w in error.warnings}
    assert paths["$.metadata.passportIdentifier"].line == text.splitlines().index(
        '  "metadata": {') + 1  # a missing member: the position of the object that lacks it
    report = error.report()
    assert report["format"] == "catenax" and len(report["errors"]) == 6


def test_dates_out_of_order_are_semantic_errors(services: Services) -> None:
    document = load("complete.json")
    document["operation"]["intoServiceDate"] = "2023-12-31"  # before manufacturing 2024-01-15
    error = refused(services, body_of(document))
    # a rule over two fields answers at both, each naming the other
    assert [(p.path, p.kind) for p in error.problems] == [
        ("$.operation.intoServiceDate", "shacl"),
        ("$.operation.manufacturer.manufacturingDate", "shacl")]
    assert "before it was manufactured" in error.problems[0].message
    assert "(with $.operation.manufacturer.manufacturingDate)" in error.problems[0].message


def test_off_schema_quirks_are_all_reported_at_once(services: Services) -> None:
    error = refused(services, (DATA / "quirks-off-schema.json").read_bytes())
    assert {p.path for p in error.problems if p.kind == "schema"} == {
        "$.identification.category", "$.sustainability.status",
        "$.operation.manufacturer.manufacturingDate", "$.operation.intoServiceDate",
        "$.characteristics.physicalDimension.weight.value", "$.performance.rated.voltage.min",
        "$.performance.rated.voltage.max", "$.performance.rated.voltage.nominal",
        "$.performance.rated.capacity.value", "$.performance.rated.power.value",
        "$.performance.rated.lifetime.expectedYears"}
    assert all(p.line is not None for p in error.problems if p.kind == "schema")


def test_shacl_violations_point_to_the_json_path(services: Services) -> None:
    document = load("minimal.json")
    as_new_battery(document, "CX-SHACL-1")
    document["performance"]["rated"]["voltage"]["nominal"] = 1800.0  # above 1500 V
    error = refused(services, body_of(document))
    assert [(p.path, p.kind) for p in error.problems] == [
        ("$.performance.rated.voltage.nominal", "shacl"),
        ("$.performance.rated.voltage.max", "shacl"),
        ("$.performance.rated.voltage.nominal", "shacl")]
    assert "above the maximum voltage" in error.problems[0].message
    assert "above the maximum voltage" in error.problems[1].message
    assert "at most 1500 V" in error.problems[2].message
    assert not services.repository.exists("CX-SHACL-1")


@pytest.mark.parametrize(("token", "path"), [
    ("NaN", "$.performance.rated.voltage.nominal"),
    ("Infinity", "$.performance.rated.voltage.nominal"),
    ("1e999", "$.performance.rated.voltage.nominal"),
])
def test_non_finite_numbers_are_refused(token: str, path: str, services: Services) -> None:
    text = (DATA / "complete.json").read_text(encoding="utf-8")
    assert text.count('"nominal": 350.4') == 1
    error = refused(services, text.replace('"nominal": 350.4', f'"nominal": {token}').encode())
    assert path in {p.path for p in error.problems}
    assert any("not a finite number" in p.message for p in error.problems)


def test_duplicate_keys_are_refused_not_silently_merged(services: Services) -> None:
    text = (DATA / "minimal.json").read_text(encoding="utf-8")
    text = text.replace('"category": "industrial",', '"category": "industrial", '
                        '"category": "EV",', 1)
    assert '"category": "EV"' in text
    error = refused(services, text.encode())
    assert [p.path for p in error.problems if "more than once" in p.message] == [
        "$.identification.category"]


@pytest.mark.parametrize(("name", "version", "why"), [
    ("v6.0.0-without-spec-version.json", "6.0.0", "material names at "
     "$.materials.composition[0].name"),
    ("v5.0.0-spare-parts.json", "5.0.0", "handling.spareParts")])
def test_other_versions_are_refused_by_name(name: str, version: str, why: str,
                                            services: Services) -> None:
    error = refused(services, (DATA / name).read_bytes())
    assert [p.kind for p in error.problems] == ["version"]
    message = error.problems[0].message
    assert f"battery pass {version} document" in message and "Supported: 6.1.0" in message
    assert why in message


def test_a_6_0_0_document_without_material_names_is_told_by_its_missing_commercial(
        services: Services) -> None:
    document = load("v6.0.0-without-spec-version.json")
    for item in document["materials"]["composition"]:
        del item["name"]
    for group in ("active", "hazardous"):
        for item in document["materials"][group]["other"]:
            del item["name"]
    message = refused(services, body_of(document)).problems[0].message
    assert "battery pass 6.0.0 document" in message
    assert "no top-level commercial, which 6.1.0 requires" in message


def test_spec_version_is_optional_in_6_1_0_a_document_without_it_is_read_as_6_1_0(
        services: Services) -> None:
    """Finding of the version check: specVersion is optional in the 6.1.0 schema, yet every
    document without it was refused as 6.0.0. The structure decides (commercial is required
    from 6.1.0 on, material names were dropped in 6.1.0), and the caller is told."""
    from graph_service.services.interop.catenax import normalise
    from graph_service.services.interop.diff import diff

    document = load("minimal.json")
    del document["specVersion"]
    as_new_battery(document, "CX-NO-SPEC-VERSION")
    result = services.imports.import_document(body_of(document), "catenax", ADMIN)
    assert result.version == "6.1.0"
    assert [(w.path, w.kind) for w in result.warnings if w.kind == "version"] == [("$", "version")]
    exported = services.imports.export_document("CX-NO-SPEC-VERSION", "catenax").document
    # Every received leaf comes back; the version read is stated.
    compared = diff(document, exported, normalise)
    assert not compared.lost and not compared.changed
    assert [path for path, _ in compared.added] == ["$.specVersion"]
    assert exported["specVersion"] == "urn:io.catenax.battery.battery_pass:6.1.0"


@pytest.mark.parametrize("spec", ["urn:samm:io.catenax.battery.battery_pass:6.1.0",
                                  "urn:samm:io.catenax.battery.battery_pass:6.1.0#BatteryPass"])
def test_the_aspect_urn_names_the_version_too_and_comes_back_as_received(
        spec: str, services: Services) -> None:
    document = load("minimal.json")
    document["specVersion"] = spec
    as_new_battery(document, f"CX-URN-{len(spec)}")
    result = services.imports.import_document(body_of(document), "catenax", ADMIN)
    assert result.version == "6.1.0"
    exported = services.imports.export_document(f"CX-URN-{len(spec)}", "catenax").document
    assert exported["specVersion"] == spec


@pytest.mark.parametrize("spec", ["urn:io.catenax.battery.battery_pass:7.0.0", "6.1.0", 61])
def test_unsupported_or_garbled_spec_versions_are_refused(spec: object,
                                                          services: Services) -> None:
    document = load("minimal.json")
    document["specVersion"] = spec
    error = refused(services, body_of(document))
    assert [(p.path, p.kind) for p in error.problems] == [("$.specVersion", "version")]


def test_a_document_that_is_not_an_object(services: Services) -> None:
    error = refused(services, b"[1, 2]")
    assert error.problems[0].path == "$"


@pytest.mark.parametrize(("body", "message"), [
    (b'{\n  "identification": {\n    "category" "EV"\n  }\n}', "line 3, column 16: malformed "
                                                             "JSON: Expecting ':' delimiter"),
    (b'{"identification": {"chemistry": "Nickel \xe9"}}', "not valid UTF-8: byte 0xE9 at "
                                                          "offset 41 (line 1, column 42)"),
    (b"\x00\x00\xfe\xff" + '{"a": 1}'.encode("utf-32-be"), "encoded as UTF-32 BE"),
    ('{"a": 1}'.encode("utf-16-le"), "without a byte order mark"),
    (b"\xef\xbb\xbf\xef\xbb\xbf{}", "second byte order mark"),
    (b"", "malformed JSON"),
])
def test_unreadable_documents(body: bytes, message: str, services: Services) -> None:
    with pytest.raises(DocumentError) as caught:
        services.imports.import_document(body, "catenax", ADMIN)
    assert message in str(caught.value)
    assert not isinstance(caught.value, DocumentRejected)


def test_utf16_be_with_bom_is_accepted(services: Services) -> None:
    text = (DATA / "minimal.json").read_text(encoding="utf-8")
    fmt = services.imports.registry.importer("catenax")
    assert fmt.read(b"\xfe\xff" + text.encode("utf-16-be")).value == json.loads(text)


def test_timestamps_without_zone_are_kept_as_data_not_as_usage_records(
        services: Services) -> None:
    document = as_new_battery(load("minimal.json"), "CX-LOCALTIME")
    record = document["performance"]["dynamic"]["stateOfCharge"]
    record["time"] = "2025-05-01T10:00:00"
    result = services.imports.import_document(body_of(document), "catenax", ADMIN)
    assert "$.performance.dynamic.stateOfCharge.time" in {w.path for w in result.warnings}
    exported = services.imports.export_document("CX-LOCALTIME", "catenax").document
    assert exported["performance"]["dynamic"]["stateOfCharge"] == record


def test_the_battery_id_can_be_given(services: Services) -> None:
    document = as_new_battery(copy.deepcopy(load("minimal.json")), "MY-OWN-ID", id_dmc=False)
    result = services.imports.import_document(body_of(document), "catenax", ADMIN,
                                              battery_id="MY-OWN-ID")
    assert result.battery_id == "MY-OWN-ID"
    exported = services.imports.export_document("MY-OWN-ID", "catenax").document
    assert exported["identification"]["idDmc"] == document["identification"]["idDmc"]


@pytest.mark.parametrize(("path", "value"), [
    (("operation", "manufacturer", "manufacturer"), "BPNL0000000GRIDS\n"),
    (("metadata", "economicOperatorId"), "BPNL0000000GRIDS\n"),
    (("identification", "identification", "serial", 0, "key"), "partInstanceId\n")])
def test_a_final_newline_does_not_pass_a_schema_pattern(path: tuple, value: str,
                                                        services: Services) -> None:
    """Finding: Python's ``$`` also matches before a final newline, ECMA-262's (the schema's
    regex dialect) does not; "BPNL...\\n" passed the schema and the import then failed on the
    organisation IRI, with no JSON path."""
    document = load("complete.json")
    node = document
    for part in path[:-1]:
        node = node[part]
    assert node.get(path[-1]) is not None
    node[path[-1]] = value
    as_new_battery(document, "CX-FINAL-NEWLINE")
    error = refused(services, body_of(document))
    where = json_path(path)
    assert [p.path for p in error.problems if p.kind != "shacl"] == [where]
    assert next(p for p in error.problems if p.path == where).kind == "schema"
