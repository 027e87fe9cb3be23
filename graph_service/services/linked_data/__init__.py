"""Linked Data: dereferencing minted IRIs, GS1 Digital Link resolution, the base-IRI rule."""

from graph_service.services.linked_data.resolver import (
    Description,
    LinkedDataService,
    NothingToDescribe,
    render_html,
)

__all__ = ["Description", "LinkedDataService", "NothingToDescribe", "render_html"]
