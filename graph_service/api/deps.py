"""Dependencies injected into routes: settings, services, the caller's readable dataset."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from graph_service.config import Settings
from graph_service.model.graphs import GraphLayout
from graph_service.model.iris import IriMinter
from graph_service.services.sparql import Dataset, SparqlService
from graph_service.store import GraphStore


@dataclass
class Services:
    """Everything a route may call, built once per application."""

    settings: Settings
    store: GraphStore
    layout: GraphLayout
    minter: IriMinter
    sparql: SparqlService


def get_services(request: Request) -> Services:
    return request.app.state.services


def get_settings(request: Request) -> Settings:
    return request.app.state.services.settings


def readable_dataset(request: Request) -> Dataset:
    """The graphs the caller may read. Until roles exist, every caller reads every data view."""
    return request.app.state.services.sparql.full_dataset()
