"""The answers of the procedure service: JSON models of the derived procedure, pathway options,
unknowns and explanations (what /procedure, /pathway and /explain return)."""

from __future__ import annotations

from pydantic import BaseModel

from graph_service.services.facade.reading import Concept, RuleRef, Statement


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


class ModuleOut(BaseModel):
    """One module by id and serial number, with its latest SoH and standing."""

    iri: str
    module: str | None = None
    name: str | None = None
    stateOfHealth: float | None = None
    weak: bool | None = None
    damaged: bool | None = None


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


class Procedure(BaseModel):
    battery: str
    derivedAt: str | None = None
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
    modules: list[ModuleOut] = []
    unknowns: list[UnknownOut] = []
    totalEstimatedMinutes: float = 0.0
    stepsWithoutEstimate: int = 0


class Hazards(BaseModel):
    battery: str
    derivedAt: str | None = None
    hazards: list[HazardOut] = []
    damage: DamageOut | None = None
    thermalRisk: ThermalRiskOut | None = None


class IsolationSteps(BaseModel):
    battery: str
    derivedAt: str | None = None
    pathway: PathwayChoice | None = None
    steps: list[IsolationStepOut] = []


class Tools(BaseModel):
    battery: str
    derivedAt: str | None = None
    pathway: PathwayChoice | None = None
    tools: list[ToolOut] = []


class Ppe(BaseModel):
    battery: str
    derivedAt: str | None = None
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


class Pathway(BaseModel):
    battery: str
    derivedAt: str | None = None
    rules: list[RuleRef] = []
    options: list[PathwayOptionOut] = []
    modules: list[ModuleOut] = []
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
