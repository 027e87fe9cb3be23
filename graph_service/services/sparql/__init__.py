"""SPARQL over a caller's readable dataset: the query service, the analysis of a caller's text
(a real SPARQL 1.1 parse) and federation (SERVICE executed by our code, allow-listed only)."""

from graph_service.services.sparql.service import (
    Dataset,
    InvalidGraphIri,
    ServiceNotAllowed,
    SparqlService,
    UpdateDisabled,
    WrongOperation,
)

__all__ = [
    "Dataset",
    "InvalidGraphIri",
    "ServiceNotAllowed",
    "SparqlService",
    "UpdateDisabled",
    "WrongOperation",
]
