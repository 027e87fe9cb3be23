"""Passports: storing one battery's stage graphs (``repository``) and turning submitted documents
into storable graphs (``skolemise``: bounded, deterministic IRIs for blank nodes; ``limits``:
what one caller may submit at once)."""

from graph_service.services.passports.repository import (
    BlankNodeInPassport,
    PassportRepository,
    StagedTriples,
    group_by_classification,
)

__all__ = [
    "BlankNodeInPassport",
    "PassportRepository",
    "StagedTriples",
    "group_by_classification",
]
