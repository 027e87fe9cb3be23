"""The invalid-passport corpus (tests/data/invalid) against a real server.

Each file is a small, complete passport with exactly one deliberate fault; its header says what
the server must report:

    # expect-message: <substring of the sh:message the fault must produce>
    # expect-path: <the violation's path, 'none' when the constraint reports no path>

(For a sequence path the expected path is written the way the API renders it, "p1 / p2".)

The files share one real server per module (built like the root ``live_server``: in-memory store,
reference ontologies, SPARQL Update for admins): an invalid passport stores nothing, so the
tests cannot disturb each other, and a server start-up per file would cost half a minute.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import RDF, SH

from graph_service.services.access import Role
from graph_service.services.passports.validation import SHAPES_DIR
from graph_service.store.base import RdfFormat

from conftest import LiveServer, make_settings, start_server  # isort: skip

DATA = Path(__file__).resolve().parent.parent / "data"
INVALID = sorted((DATA / "invalid").glob("*.ttl"))
VIOLATION_KEYS = {"focusNode", "path", "value", "message", "severity", "sourceShape"}
TURTLE = {"Content-Type": "text/turtle"}


@dataclass(frozen=True)
class Expectation:
    message: str
    path: str | None


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    with start_server(make_settings(enable_update=True)) as live:
        yield live


@pytest.fixture(scope="module")
def admin_token(server: LiveServer) -> str:
    return server.token(Role.ADMIN)


def expectation(path: Path) -> Expectation:
    text = path.read_text(encoding="utf-8")
    message = re.search(r"^# expect-message: (.+)$", text, re.MULTILINE)
    expected_path = re.search(r"^# expect-path: (.+)$", text, re.MULTILINE)
    assert message and expected_path, f"{path.name} lacks its expect-message/expect-path header"
    value = expected_path.group(1).strip()
    return Expectation(message.group(1).strip(), None if value == "none" else value)


def check_violations(violations: list[dict], expected: Expectation, name: str) -> None:
    assert violations, f"{name}: no violations reported"
    for violation in violations:
        assert violation.keys() >= VIOLATION_KEYS, violation
        for key in ("focusNode", "message", "severity", "sourceShape"):
            assert violation[key], f"{name}: {key} empty in {violation}"
    matching = [v for v in violations if expected.message in v["message"]]
    assert matching, (f"{name}: no violation says {expected.message!r}; got "
                      f"{[v['message'] for v in violations]}")
    assert any(v["path"] == expected.path for v in matching), (
        f"{name}: expected path {expected.path!r}, got {[v['path'] for v in matching]}")
    assert any(v["severity"] == "Violation" for v in matching)


def test_corpus_headers_and_size() -> None:
    assert len(INVALID) >= 20
    for path in INVALID:
        expectation(path)


def test_corpus_covers_every_constraint_kind(server: LiveServer) -> None:
    """In-process: every constraint kind of shapes/ and every SPARQL constraint of
    shapes/crossfield.ttl is hit by some file of the corpus."""
    fired: list = []
    for path in INVALID:
        report = server.services.validator.validate(Graph().parse(path, format="turtle"))
        assert not report.conforms, path.name
        fired.extend(report.errors)
    components = {v.constraint.rsplit("#", 1)[-1] for v in fired if v.constraint}
    assert {
        "DatatypeConstraintComponent", "NodeConstraintComponent", "MinInclusiveConstraintComponent",
        "MaxInclusiveConstraintComponent", "InConstraintComponent", "MinCountConstraintComponent",
        "MaxCountConstraintComponent", "PatternConstraintComponent", "ClassConstraintComponent",
        "OrConstraintComponent", "NodeKindConstraintComponent",
        "QualifiedMinCountConstraintComponent", "SPARQLConstraintComponent",
    } <= components, components

    crossfield = Graph().parse(SHAPES_DIR / "crossfield.ttl", format="turtle")
    messages = [fired_violation.message for fired_violation in fired]
    missing = []
    for shape, constraint in crossfield.subject_objects(SH.sparql):
        if crossfield.value(shape, SH.severity) != SH.Violation:
            continue
        template = str(crossfield.value(constraint, SH.message))
        fixed_start = template.split("{", 1)[0]
        if not any(m.startswith(fixed_start) for m in messages):
            missing.append(f"{shape}: {template}")
    assert not missing, "SPARQL constraints without an invalid example:\n" + "\n".join(missing)


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_passport_is_rejected_and_nothing_is_stored(
    server: LiveServer, admin_token: str, path: Path
) -> None:
    expected = expectation(path)
    body = path.read_bytes()
    store = server.services.store
    audited = len(server.services.ingest.audit.records())
    with server.client(admin_token) as client:
        before = store.dump(RdfFormat.N_QUADS)
        answer = client.post("/passports", content=body, headers=TURTLE)
        after = store.dump(RdfFormat.N_QUADS)
        assert answer.status_code == 422, answer.text
        report = answer.json()
        assert report["conforms"] is False
        assert report["committed"] is False
        check_violations(report["violations"], expected, path.name)
        # Nothing is stored: the store dump is byte-identical, audit graph included (invalid
        # data is answered with its report; the audit trail records writes and denials).
        assert after == before
        assert len(server.services.ingest.audit.records()) == audited

        dry_run = client.post("/validate", content=body, headers=TURTLE)
        assert dry_run.status_code == 422, dry_run.text
        assert dry_run.json()["conforms"] is False
        assert dry_run.json()["violations"] == report["violations"]
        assert store.dump(RdfFormat.N_QUADS) == after  # a dry run writes nothing at all

        as_turtle = client.post("/validate", content=body,
                                headers={**TURTLE, "Accept": "text/turtle"})
        assert as_turtle.status_code == 422
        assert as_turtle.headers["content-type"].startswith("text/turtle")
        shacl_report = Graph().parse(data=as_turtle.text, format="turtle")
        reports = list(shacl_report.subjects(RDF.type, SH.ValidationReport))
        assert len(reports) == 1
        assert shacl_report.value(reports[0], SH.conforms) == Literal(False)
        assert any(expected.message in str(m)
                   for m in shacl_report.objects(None, SH.resultMessage))
        assert store.dump(RdfFormat.N_QUADS) == after
