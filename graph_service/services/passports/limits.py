"""What one caller may submit at once: body size, triples, blank nodes, JSON nesting depth and
the work that labelling blank nodes may take.

Two tiers from the settings: anonymous callers (who may only validate) and authenticated ones.
The same limits hold on every way in (POST /validate and /passports, Graph Store writes,
POST /import, ``dbp load``/``dbp validate``), and each is checked as early as it can be: the body
size while it is read, triples and blank nodes while the parser streams, nesting depth before
a JSON document is walked, the labelling work while it runs.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import BNode, Graph

from graph_service.config import Settings
from graph_service.services.access import Principal


@dataclass(frozen=True)
class DocumentLimits:
    tier: str  # "anonymous" or "authenticated": named in refusals
    max_body_bytes: int
    max_triples: int
    max_blank_nodes: int
    max_json_depth: int
    normalise_budget: int

    def setting(self, what: str) -> str:
        """The environment variable that sets the limit ``what`` for this tier."""
        prefix = "DBP_ANONYMOUS" if self.tier == "anonymous" else "DBP_INGEST"
        if what == "body bytes":
            return "DBP_ANONYMOUS_MAX_BODY_BYTES" if self.tier == "anonymous" \
                else "DBP_MAX_BODY_BYTES"
        return f"{prefix}_MAX_{what.upper().replace(' ', '_')}"


def limits_for(principal: Principal, settings: Settings) -> DocumentLimits:
    if principal.is_anonymous:
        return DocumentLimits(
            tier="anonymous",
            max_body_bytes=min(settings.anonymous_max_body_bytes, settings.max_body_bytes),
            max_triples=min(settings.anonymous_max_triples, settings.ingest_max_triples),
            max_blank_nodes=min(settings.anonymous_max_blank_nodes,
                                settings.ingest_max_blank_nodes),
            max_json_depth=min(settings.anonymous_max_json_depth, settings.ingest_max_json_depth),
            normalise_budget=min(settings.anonymous_normalise_budget,
                                 settings.ingest_normalise_budget),
        )
    return DocumentLimits(
        tier="authenticated",
        max_body_bytes=settings.max_body_bytes,
        max_triples=settings.ingest_max_triples,
        max_blank_nodes=settings.ingest_max_blank_nodes,
        max_json_depth=settings.ingest_max_json_depth,
        normalise_budget=settings.ingest_normalise_budget,
    )


class DocumentTooLarge(ValueError):
    """The document exceeds one of the caller's limits (413)."""

    def __init__(self, what: str, limit: int, limits: DocumentLimits) -> None:
        caller = "anonymous callers" if limits.tier == "anonymous" else "this caller"
        super().__init__(
            f"the document holds more than {limit} {what}, the limit for {caller} "
            f"({limits.setting(what)}); split it into smaller documents"
            + (" or authenticate" if limits.tier == "anonymous" else ""))
        self.what = what
        self.limit = limit


def check_graph(graph: Graph, limits: DocumentLimits) -> None:
    """For graphs that were not parsed here (mapped imports, merged Graph Store writes)."""
    if len(graph) > limits.max_triples:
        raise DocumentTooLarge("triples", limits.max_triples, limits)
    blank: set[BNode] = set()
    for s, _, o in graph:
        if isinstance(s, BNode):
            blank.add(s)
        if isinstance(o, BNode):
            blank.add(o)
        if len(blank) > limits.max_blank_nodes:
            raise DocumentTooLarge("blank nodes", limits.max_blank_nodes, limits)


__all__ = ["DocumentLimits", "DocumentTooLarge", "check_graph", "limits_for"]
