"""Procedures capability: the derived dismantling procedure for a pathway, the end-of-life pathway
options with their unknowns, and explanations of derived nodes (models in ``models``, the read
service in ``service``)."""

from graph_service.services.procedures.models import (
    DisassemblyStepOut,
    Explanation,
    Hazards,
    IsolationSteps,
    Pathway,
    Ppe,
    Procedure,
    Tools,
)
from graph_service.services.procedures.service import (
    DerivedNodeNotFound,
    NotDerived,
    PathwayNotApplicable,
    ProcedureService,
    UnknownPathway,
)

__all__ = [
    "DerivedNodeNotFound",
    "DisassemblyStepOut",
    "Explanation",
    "Hazards",
    "IsolationSteps",
    "NotDerived",
    "Pathway",
    "PathwayNotApplicable",
    "Ppe",
    "Procedure",
    "ProcedureService",
    "Tools",
    "UnknownPathway",
]
