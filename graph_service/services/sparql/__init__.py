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
from graph_service.services.sparql.update_dataset import UnparsableUpdate, UpdateDatasetRefused

__all__ = [
    "Dataset",
    "FederationFailed",
    "FederationRejected",
    "InvalidGraphIri",
    "LoadRefused",
    "ServiceNotAllowed",
    "SparqlService",
    "UncheckableText",
    "UnparsableUpdate",
    "UpdateDatasetRefused",
    "UpdateDisabled",
    "WrongOperation",
]
