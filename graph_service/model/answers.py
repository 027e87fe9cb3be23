"""The JSON answers of the write, history, custody, import and operations routes and of the
battery's derivation (procedure, pathway, explanations, step-outcome feedback): each shape
defined once.

Services build these models and routes return them (``response_model``), so FastAPI checks every
answer and the OpenAPI document names it. The read models of passport data and the building
blocks all answers share (concept, organisation, statement, rule) are in ``read_models.py``.

Field names are the JSON keys clients see (camelCase where the API always had it, snake_case
where it always had that); a field whose Python name differs carries the JSON key as its alias.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from graph_service.model.read_models import Concept, RuleRef, Statement


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


# GET /health and /ready (no docstrings: a docstring would become the schema's description).
class Health(BaseModel):
    status: str
    version: str


class Readiness(BaseModel):
    status: str
    store: str
    batteries: int


# -- derivation: procedure, pathway, explanations ----------------------------------------------
class UnknownOut(BaseModel):
    """A fact a decision needs but the passport lacks: what to inspect and which facts decide."""

    iri: str
    inspect: str | None = None
    decidingFacts: list[Concept] = []
    affects: list[str] = []


class HazardOut(BaseModel):
    iri: str
    type: Concept | None = None
    rationale: str | None = None
    parameters: list[str] = []
    sources: list[str] = []


class DamageOut(BaseModel):
    iri: str
    state: Concept | None = None
    rationale: str | None = None


class TriggerOut(BaseModel):
    iri: str
    level: Concept | None = None
    rationale: str | None = None


class ThermalRiskOut(BaseModel):
    iri: str
    level: Concept | None = None
    rationale: str | None = None
    triggers: list[TriggerOut] = []


class PpeOut(BaseModel):
    iri: str
    ppe: Concept | None = None
    rationale: str | None = None


class ToolOut(BaseModel):
    iri: str
    tool: Concept | None = None
    detail: str | None = None
    rationale: str | None = None
    parameters: list[str] = []
    sources: list[str] = []


class IsolationStepOut(BaseModel):
    iri: str
    sequence: int | None = None
    holdPoint: bool = False
    instruction: str | None = None
    tools: list[Concept] = []
    rationale: str | None = None
    template: str | None = None
    parameters: list[str] = []


class StopCriterionOut(BaseModel):
    iri: str
    instruction: str | None = None
    rationale: str | None = None
    template: str | None = None
    parameters: list[str] = []


class DisassemblyStepOut(BaseModel):
    iri: str
    sequence: int | None = None
    stepType: Concept | None = None
    level: Concept | None = None
    operation: str | None = None
    targetComponents: list[str] = []
    viaJoints: list[str] = []
    tools: list[Concept] = []
    # the tightening torques of the joints the step releases: values for reassembly, not limits
    assemblyTorquesNm: list[float] = []
    removalGuidance: str | None = None
    forceLimitN: float | None = None
    heatingLimitC: float | None = None
    estimatedMinutes: float | None = None
    estimateSource: str | None = None
    destructive: bool | None = None
    cautions: list[str] = []
    # what this step covers in the chosen pathway where that is less than the whole battery
    # (a module swap lifts out only the weak modules); targetComponents then lists only those
    scope: str | None = None
    precededBy: list[str] = []
    parameters: list[str] = []
    rationale: str | None = None


# Its own name, not read_models.ModuleOut (a module of the passport data): two classes of one
# name would make the OpenAPI document name both schemas by their module path.
class ModuleStanding(BaseModel):
    """One module by id and serial number, with its latest SoH and standing."""

    iri: str
    module: str | None = None
    name: str | None = None
    stateOfHealth: float | None = None
    weak: bool | None = None
    damaged: bool | None = None


class DerivedAnswer(BaseModel):
    """An answer read from a battery's derivation: the battery and when it was derived."""

    battery: str
    derivedAt: str | None = None


class PathwayChoice(BaseModel):
    """The pathway option a procedure is derived for."""

    key: str
    iri: str
    pathway: Concept | None = None
    treatmentProcess: Concept | None = None
    eligibility: Concept | None = None
    rank: int | None = None
    rationale: str | None = None
    chosenBy: str  # "top-ranked" or "requested"


class Procedure(DerivedAnswer):
    rules: list[RuleRef] = []
    pathway: PathwayChoice | None = None
    availablePathways: list[str] = []
    hazards: list[HazardOut] = []
    damage: DamageOut | None = None
    thermalRisk: ThermalRiskOut | None = None
    ppe: list[PpeOut] = []
    tools: list[ToolOut] = []
    isolationSteps: list[IsolationStepOut] = []
    holdPoints: list[IsolationStepOut] = []
    stopCriteria: list[StopCriterionOut] = []
    disassemblySteps: list[DisassemblyStepOut] = []
    modules: list[ModuleStanding] = []
    unknowns: list[UnknownOut] = []
    totalEstimatedMinutes: float = 0.0
    stepsWithoutEstimate: int = 0


class Hazards(DerivedAnswer):
    hazards: list[HazardOut] = []
    damage: DamageOut | None = None
    thermalRisk: ThermalRiskOut | None = None


class IsolationSteps(DerivedAnswer):
    pathway: PathwayChoice | None = None
    steps: list[IsolationStepOut] = []


class Tools(DerivedAnswer):
    pathway: PathwayChoice | None = None
    tools: list[ToolOut] = []


class Ppe(DerivedAnswer):
    ppe: list[PpeOut] = []


class YieldOut(BaseModel):
    iri: str
    substance: Concept | None = None
    contentMassKg: float | None = None
    expectedMassKg: float | None = None
    recoveryEfficiency: float | None = None
    rationale: str | None = None


class PathwayOptionOut(BaseModel):
    iri: str
    key: str
    pathway: Concept | None = None
    treatmentProcess: Concept | None = None
    eligibility: Concept | None = None
    eligible: bool = False
    score: float | None = None
    rank: int | None = None
    rationale: str | None = None
    estimatedMinutes: float | None = None
    estimatedCostEur: float | None = None
    estimateSource: str | None = None
    parameters: list[str] = []
    unknowns: list[UnknownOut] = []
    yields: list[YieldOut] = []


class DeepDischargeOut(BaseModel):
    iri: str
    eventCount: int | None = None
    testResult: str | None = None
    internalResistanceIncrease: float | None = None
    rationale: str | None = None


class Pathway(DerivedAnswer):
    rules: list[RuleRef] = []
    options: list[PathwayOptionOut] = []
    modules: list[ModuleStanding] = []
    deepDischarge: DeepDischargeOut | None = None
    cellSohSpread: str | None = None


class RuleExplanation(RuleRef):
    file: str | None = None
    derives: str | None = None
    reads: str | None = None
    sources: str | None = None
    current: bool = False  # the stored text hash is the one of the rule file now in rules/


class SourceFact(BaseModel):
    iri: str
    via: list[str]
    derived: bool
    statements: list[Statement]


class Explanation(BaseModel):
    node: str
    battery: str
    types: list[str]
    statements: list[Statement]
    rule: RuleExplanation | None = None
    rules: list[RuleExplanation] = []
    activity: str | None = None
    derivedAt: str | None = None
    sources: list[SourceFact] = []


# -- step-outcome feedback ---------------------------------------------------------------------
OTHER_BATTERIES_NOTE = (
    "fleet statistics changed: other batteries show the new estimates when they are next "
    "derived (their next write, or `dbp derive --all`)"
)


class OutcomeOut(BaseModel):
    iri: str
    stepType: Concept
    actualMinutes: float | None = None
    strippedFastener: bool
    fastenerType: Concept | None = None
    damagedTab: bool
    toolUsed: Concept | None = None
    note: str | None = None
    recordedAt: str


class StatisticsOut(BaseModel):
    iri: str
    of: Concept
    observationCount: int | None = None
    meanMinutes: float | None = None
    strippedCount: int | None = None


class FeedbackResult(BaseModel):
    battery: str
    version: int | None = None
    outcomes: list[OutcomeOut]
    statistics: list[StatisticsOut]
    derivedAt: str | None = None
    disassemblySteps: list[DisassemblyStepOut] = []
    note: str = OTHER_BATTERIES_NOTE


__all__ = [
    "AuditRecord",
    "BatteryHistory",
    "BulkDocumentOutcome",
    "BulkImportAnswer",
    "CustodyAnswer",
    "DamageOut",
    "DeepDischargeOut",
    "DerivedAnswer",
    "DisassemblyStepOut",
    "DocumentProblem",
    "Explanation",
    "FeedbackResult",
    "FormatInfo",
    "HazardOut",
    "Hazards",
    "Health",
    "ImportAnswer",
    "IngestAnswer",
    "IsolationStepOut",
    "IsolationSteps",
    "ModuleStanding",
    "OrganisationAnswer",
    "OutcomeOut",
    "PassportIssue",
    "Pathway",
    "PathwayChoice",
    "PathwayOptionOut",
    "Ppe",
    "PpeOut",
    "Procedure",
    "Readiness",
    "RejectedPassport",
    "RuleExplanation",
    "SourceFact",
    "StatisticsOut",
    "StopCriterionOut",
    "ThermalRiskOut",
    "ToolOut",
    "Tools",
    "TransferAnswer",
    "TriggerOut",
    "UnknownOut",
    "VersionInfo",
    "Violation",
    "YieldOut",
]
