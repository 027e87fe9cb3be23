"""Procedures capability: the derived dismantling procedure for a pathway, the end-of-life pathway
options with their unknowns, and explanations of derived nodes (the read service in ``service``;
its answers are models of ``graph_service/model/answers.py``). The names below are the
package's public surface; ``service`` keeps no list of its own."""

from graph_service.services.procedures.service import (
    DerivedNodeNotFound,
    NotDerived,
    PathwayNotApplicable,
    ProcedureService,
    UnknownPathway,
)

__all__ = [
    "DerivedNodeNotFound",
    "NotDerived",
    "PathwayNotApplicable",
    "ProcedureService",
    "UnknownPathway",
]
