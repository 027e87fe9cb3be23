"""The read models of the REST facade: the JSON answers of the fleet list and of a passport's
sub-resources (summary, material chain, modules, cells, events, SoH series), and the building
blocks every read answer shares (a vocabulary concept, an organisation, an RDF term and
statement, a rule reference).

``services/facade/batteries.py`` fills them from its queries and the routes return them
(``response_model``). Field names are the JSON keys clients see; the class names are the schema
names of the OpenAPI document, so a class is renamed only with the API.
"""

from __future__ import annotations

from pydantic import BaseModel


# -- building blocks ---------------------------------------------------------------------------
class Concept(BaseModel):
    """A vocabulary term or class: its IRI, local name and (English) label."""

    iri: str
    id: str
    label: str | None = None


class Organisation(BaseModel):
    iri: str
    id: str | None = None
    name: str | None = None
    country: str | None = None


class Term(BaseModel):
    """An RDF term as in SPARQL JSON results."""

    type: str  # "uri", "literal" or "bnode"
    value: str
    datatype: str | None = None
    language: str | None = None


class Statement(BaseModel):
    subject: str
    predicate: str
    object: Term


class RuleRef(BaseModel):
    iri: str
    id: str
    hash: str
    stratum: int | None = None


# -- fleet and passport reads ------------------------------------------------------------------
class BatteryItem(BaseModel):
    id: str
    iri: str
    model: str | None = None
    chemistry: Concept | None = None
    category: Concept | None = None
    status: Concept | None = None
    manufacturer: Organisation | None = None
    alertLevel: Concept | None = None


class BatteryPage(BaseModel):
    items: list[BatteryItem]
    limit: int
    offset: int
    hasMore: bool
    nextOffset: int | None = None


class Quantity(BaseModel):
    iri: str
    type: Concept
    value: float | None = None
    unit: Concept | None = None


class BatterySummary(BaseModel):
    id: str
    iri: str
    passportIdentifier: str | None = None
    serialNumber: str | None = None
    model: str | None = None
    chemistry: Concept | None = None
    category: Concept | None = None
    status: Concept | None = None
    cellFormat: Concept | None = None
    cellLayout: str | None = None
    moduleCount: int | None = None
    cellCount: int | None = None
    manufacturer: Organisation | None = None
    operator: Organisation | None = None
    manufacturingDate: str | None = None
    manufacturingPlace: str | None = None
    putIntoServiceDate: str | None = None
    warrantyEndDate: str | None = None
    carbonFootprintPerFunctionalUnit: float | None = None
    carbonFootprintPerformanceClass: str | None = None
    quantities: list[Quantity] = []
    latestStateOfHealth: float | None = None
    latestStateOfHealthAt: str | None = None
    alertLevel: Concept | None = None
    damageState: Concept | None = None


class Site(BaseModel):
    iri: str
    name: str | None = None
    country: str | None = None
    latitude: float | None = None
    longitude: float | None = None


class Extraction(BaseModel):
    iri: str
    material: Concept | None = None
    mine: Site | None = None
    method: Concept | None = None
    date: str | None = None
    supplier: Organisation | None = None
    dueDiligenceCertificate: str | None = None
    emissions: float | None = None


class MaterialBatch(BaseModel):
    iri: str
    camType: Concept | None = None
    substances: list[Concept] = []
    supplier: Organisation | None = None
    processingDate: str | None = None
    massSharesPercent: dict[str, float] = {}
    cellCount: int
    extractions: list[Extraction] = []


class MaterialChain(BaseModel):
    battery: str
    batches: list[MaterialBatch]


class ModuleOut(BaseModel):
    iri: str
    serialNumber: str | None = None
    position: int | None = None
    cellCount: int | None = None
    replaceable: bool | None = None
    stateOfHealth: float | None = None
    stateOfHealthAt: str | None = None


class Modules(BaseModel):
    battery: str
    modules: list[ModuleOut]


class CellOut(BaseModel):
    iri: str
    serialNumber: str | None = None
    module: str | None = None
    cellType: Concept | None = None
    activeMaterial: str | None = None


class CellPage(BaseModel):
    battery: str
    total: int
    limit: int
    offset: int
    items: list[CellOut]


class EventOut(BaseModel):
    iri: str
    type: Concept | None = None
    severity: Concept | None = None
    occurredAt: str | None = None
    description: str | None = None


class Events(BaseModel):
    battery: str
    events: list[EventOut]


class UsageRecordOut(BaseModel):
    iri: str
    recordedAt: str | None = None
    stateOfHealth: float | None = None
    stateOfCharge: float | None = None
    depthOfDischarge: float | None = None
    cycles: float | None = None
    maxTemperature: float | None = None
    energyThroughputKwh: float | None = None


class ModuleSoh(BaseModel):
    module: str
    position: int | None = None
    recordedAt: str | None = None
    stateOfHealth: float | None = None


class SohSeries(BaseModel):
    battery: str
    records: list[UsageRecordOut]
    modules: list[ModuleSoh]


__all__ = [
    "BatteryItem",
    "BatteryPage",
    "BatterySummary",
    "CellOut",
    "CellPage",
    "Concept",
    "EventOut",
    "Events",
    "Extraction",
    "MaterialBatch",
    "MaterialChain",
    "ModuleOut",
    "ModuleSoh",
    "Modules",
    "Organisation",
    "Quantity",
    "RuleRef",
    "Site",
    "SohSeries",
    "Statement",
    "Term",
    "UsageRecordOut",
]
