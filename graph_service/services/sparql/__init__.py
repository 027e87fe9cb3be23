"""SPARQL over a caller's readable dataset: the query service, the analysis of a caller's text
(a real SPARQL 1.1 parse) and federation (SERVICE executed by our code, allow-listed only)."""

from graph_service.services.sparql.federation import (
    FederationFailed,
    FederationRejected,
    ServiceNotAllowed,
)
from graph_service.services.sparql.service import (
    Dataset,
    InvalidGraphIri,
    LoadRefused,
    SparqlService,
    UncheckableText,
    UpdateDisabled,
    WrongOperation,
)

__all__ = [
    "Dataset",
    "FederationFailed",
    "FederationRejected",
    "InvalidGraphIri",
    "LoadRefused",
    "ServiceNotAllowed",
    "SparqlService",
    "UncheckableText",
    "UpdateDisabled",
    "WrongOperation",
]
