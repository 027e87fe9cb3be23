"""The JSON answers of the write, history and custody routes: each shape defined once.

Services build these models and routes return them (``response_model``), so FastAPI checks every
answer and the OpenAPI document names it. The REST facade's read answers live beside their
queries, also once: ``services/facade/batteries.py`` (fleet and passport data) and
``services/procedures/models.py`` (procedure, pathway, explanations).

Field names are the JSON keys clients see (camelCase where the API always had it, snake_case
where it always had that); a field whose Python name differs carries the JSON key as its alias.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


def _absent_when_none() -> Any:
    """An optional key that is left out of the JSON, rather than sent as null, without value."""
    return Field(default=None, exclude_if=lambda value: value is None)


class Violation(BaseModel):
    """One SHACL result: the node, the property path and value, and what is wrong."""

    focusNode: str
    path: str | None = None
    value: str | None = None
    message: str
    severity: str
    sourceShape: str | None = None
    constraint: str | None = None


class IngestAnswer(BaseModel):
    """The outcome of POST /passports and POST /validate (also the body of their 422)."""

    battery: str
    iri: str
    conforms: bool
    committed: bool
    version: int | None = None
    created: bool
    stages: list[str]
    triples: int
    warnings: list[str]
    violations: list[Violation]


class RejectedPassport(IngestAnswer):
    """The 422 answer of a submission that violates the shapes: nothing was stored."""

    detail: str


class PassportIssue(BaseModel):
    """One passport issued for a battery (Art. 77(6)) and, for callers who read the battery's
    legitimate-interest data, its status (Annex XIII 4(c)); null otherwise."""

    model_config = ConfigDict(frozen=True)

    number: int
    iri: str
    issued_at: str | None
    reason: str | None
    state: str | None
    closed_at: str | None
    predecessor: str | None
    successor: str | None


class VersionInfo(BaseModel):
    """One stored version of a passport: who wrote which stages, when, with which content."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    number: int
    iri: str
    author: str
    organisation: str | None
    time: str
    stages: list[str]
    content_hash: str = Field(alias="contentHash")


class BatteryHistory(BaseModel):
    """GET /batteries/{id}/history: versions (legitimate interest) and the passport lineage."""

    battery: str
    versions: list[VersionInfo]
    passports: list[PassportIssue]


class AuditRecord(BaseModel):
    """One audit-trail entry; optional keys are absent (not null) when the record lacks them."""

    record: str
    battery: str | None = _absent_when_none()
    time: str
    operation: str
    outcome: str
    principal: str
    role: str
    org: str | None = _absent_when_none()
    hash: str | None = _absent_when_none()
    detail: str | None = _absent_when_none()


class CustodyAnswer(BaseModel):
    battery: str
    manufacturer: str | None
    operator: str | None


class TransferAnswer(BaseModel):
    """The outcome of a custody transfer; ``from`` is the organisation that gave it up."""

    model_config = ConfigDict(populate_by_name=True)

    battery: str
    role: str
    from_: str | None = Field(alias="from")
    to: str
    changed: bool
    version: int | None


class OrganisationAnswer(BaseModel):
    """The outcome of PUT /organisations/{id}."""

    organisation: str
    iri: str
    created: bool
    triples: int


class DocumentProblem(BaseModel):
    """One error or warning about a partner document, at a JSON path; ``line`` and ``column``
    are absent (not null) when the problem has no position in the text."""

    path: str
    message: str
    kind: str
    line: int | None = _absent_when_none()
    column: int | None = _absent_when_none()


class ImportAnswer(IngestAnswer):
    """POST /import of one partner document: the ingest outcome, the format read and every
    warning of the mapping with its JSON path."""

    format: str
    formatVersion: str
    importWarnings: list[DocumentProblem]


class BulkDocumentOutcome(BaseModel):
    """What happened to one document of a JSON Lines import."""

    document: str
    battery: str | None
    committed: bool
    version: int | None
    error: str | None
    # SHACL results (Violation) or, for a refused document, its problems (DocumentProblem).
    violations: list[dict[str, Any]]
    warnings: list[str]
    triples: int


class BulkImportAnswer(BaseModel):
    """POST /import of JSON Lines: each passport committed or rejected on its own."""

    committed: int
    rejected: int
    documents: list[BulkDocumentOutcome]


class FormatInfo(BaseModel):
    """GET /formats: one partner format, its versions and directions."""

    model_config = ConfigDict(populate_by_name=True)

    format: str
    title: str
    import_: bool = Field(alias="import")
    export: bool
    versions: list[str]


__all__ = [
    "AuditRecord",
    "BatteryHistory",
    "BulkDocumentOutcome",
    "BulkImportAnswer",
    "CustodyAnswer",
    "DocumentProblem",
    "FormatInfo",
    "ImportAnswer",
    "IngestAnswer",
    "OrganisationAnswer",
    "PassportIssue",
    "RejectedPassport",
    "TransferAnswer",
    "VersionInfo",
    "Violation",
]
