"""Every error of a Catena-X document in one answer, each at its JSON path (and line/column in
the submitted file); versions recognised and refused by name; nothing stored on refusal."""

from __future__ import annotations

import copy
import json

import pytest

from graph_service.api.deps import Services
from graph_service.services.interop import DocumentError, DocumentRejected
from tests.services.interop.conftest import ADMIN, DATA, body_of, load


def refused(services: Services, body: bytes) -> DocumentRejected:
    before = services.store.count()
    with pytest.raises(DocumentRejected) as caught:
        services.imports.import_document(body, "catenax", ADMIN)
    assert services.store.count() == before
    return caught.value


def test_all_errors_of_a_document_are_listed_at_once(services: Services) -> None:
    document = load("complete.json")
    document["identification"]["idDmc"] = "CX-MANY-ERRORS"
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
    assert [(p.path, p.kind) for p in error.problems] == [("$", "shacl")]
    assert "before it was manufactured" in error.problems[0].message


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
    document["identification"]["idDmc"] = "CX-SHACL-1"
    document["performance"]["rated"]["voltage"]["nominal"] = 1800.0  # above 1500 V
    error = refused(services, body_of(document))
    assert [(p.path, p.kind) for p in error.problems] == [
        ("$", "shacl"), ("$.performance.rated.voltage.nominal", "shacl")]
    assert "at most 1500 V" in error.problems[1].message
    assert "above the maximum voltage" in error.problems[0].message
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


@pytest.mark.parametrize(("name", "version"), [
    ("v6.0.0-without-spec-version.json", "6.0.0"), ("v5.0.0-spare-parts.json", "5.0.0")])
def test_other_versions_are_refused_by_name(name: str, version: str,
                                            services: Services) -> None:
    error = refused(services, (DATA / name).read_bytes())
    assert [p.kind for p in error.problems] == ["version"]
    message = error.problems[0].message
    assert f"battery pass {version} document" in message and "Supported: 6.1.0" in message


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
    document = load("minimal.json")
    document["identification"]["idDmc"] = "CX-LOCALTIME"
    record = document["performance"]["dynamic"]["stateOfCharge"]
    record["time"] = "2025-05-01T10:00:00"
    result = services.imports.import_document(body_of(document), "catenax", ADMIN)
    assert "$.performance.dynamic.stateOfCharge.time" in {w.path for w in result.warnings}
    exported = services.imports.export_document("CX-LOCALTIME", "catenax").document
    assert exported["performance"]["dynamic"]["stateOfCharge"] == record


def test_the_battery_id_can_be_given(services: Services) -> None:
    document = copy.deepcopy(load("minimal.json"))
    result = services.imports.import_document(body_of(document), "catenax", ADMIN,
                                              battery_id="MY-OWN-ID")
    assert result.battery_id == "MY-OWN-ID"
    exported = services.imports.export_document("MY-OWN-ID", "catenax").document
    assert exported["identification"]["idDmc"] == document["identification"]["idDmc"]
