"""The named-graph layout: which graph holds what. The single place graph IRIs are built.

Two kinds of graph hold passport data:

* **source graphs**, one per battery and lifecycle stage (``graph/battery/{id}/{stage}``): the
  unit of writing. A stage's data for one battery is replaced atomically, so the cost of a write
  depends on one battery only. Readable by admin.
* **access views**, one per Annex XIII access group (``graph/view/{group}``) plus the derived
  view: the union of every battery's triples of that group, maintained in the same atomic update
  as the source graphs. A caller's SPARQL dataset is a handful of view graphs, so naming it costs
  the same at 10 or 100 000 batteries (naming 100k per-battery graphs costs ~80 ms per query).

Per battery there is also ``graph/battery/{id}/derived`` (rule output, replaced on re-derivation)
and ``graph/battery/{id}/lineage`` (the legitimate-interest facts of its passport lineage: status,
closure; the public lineage facts are in the shared lineage graph).

**Custody partitions.** Organisations with a custody-bound legitimate interest (by the access
policy: OEMs, operators) read the legitimate-interest and derived data of the batteries they
manufacture or operate only. Those triples are also kept in one partition per custody pair
(``graph/view/legitimate-interest/custody/{manufacturer}/{operator}``, same for ``derived``), so
such a caller's dataset names the few partitions of its organisation, never per-battery graphs.
Roles that read every battery keep reading the whole view (a set: no duplicates).

Shared graphs: ontology, shapes, rule parameters, audit, principals, the **custody** records (who
manufactures and who operates each battery; written only by our code) and the **organisation**
records (written only through the organisations endpoint).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from rdflib import URIRef

from graph_service.model.iris import check_identifier

# Stands for "no organisation" in a partition IRI; never an organisation id (those start with a
# letter or digit).
NOBODY = "_"


class AccessGroup(StrEnum):
    """Annex XIII access groups, from least to most restricted."""

    PUBLIC = "public"
    LEGITIMATE_INTEREST = "legitimate-interest"
    AUTHORITY = "authority"


class Stage(StrEnum):
    """Lifecycle stages: the unit of write permission and of source-graph replacement."""

    IDENTITY = "identity"
    DESIGN = "design"
    MANUFACTURING = "manufacturing"
    RATED_PERFORMANCE = "rated-performance"
    USAGE = "usage"
    SERVICE = "service"
    LOGISTICS = "logistics"
    END_OF_LIFE = "end-of-life"


PRINCIPALS_GRAPH = URIRef("urn:dbp:graph:principals")


@dataclass(frozen=True)
class GraphLayout:
    base: str

    def _graph(self, path: str) -> URIRef:
        return URIRef(f"{self.base}graph/{path}")

    # -- per battery -------------------------------------------------------------------------
    def source(self, battery_id: str, stage: Stage) -> URIRef:
        return self._graph(f"battery/{check_identifier(battery_id, 'battery id')}/{stage.value}")

    def sources(self, battery_id: str) -> list[URIRef]:
        return [self.source(battery_id, stage) for stage in Stage]

    def derived(self, battery_id: str) -> URIRef:
        return self._graph(f"battery/{check_identifier(battery_id, 'battery id')}/derived")

    def lineage_source(self, battery_id: str) -> URIRef:
        """The legitimate-interest facts of one battery's passport lineage (status, closure)."""
        return self._graph(f"battery/{check_identifier(battery_id, 'battery id')}/lineage")

    def version(self, battery_id: str, number: int, stage: Stage, group: AccessGroup) -> URIRef:
        """Stage content of one access group written by version ``number`` of a battery's
        passport. Kept outside ``graph/battery/`` so old versions never count as current data,
        and split by access group so an old version is read with the same dataset rules."""
        bid = check_identifier(battery_id, "battery id")
        return self._graph(f"history/battery/{bid}/{int(number)}/{stage.value}/{group.value}")

    # -- access views ------------------------------------------------------------------------
    def view(self, group: AccessGroup) -> URIRef:
        return self._graph(f"view/{group.value}")

    @property
    def derived_view(self) -> URIRef:
        return self._graph("view/derived")

    def views(self) -> list[URIRef]:
        return [*(self.view(g) for g in AccessGroup), self.derived_view]

    # -- custody partitions of the legitimate-interest and derived views ---------------------
    @staticmethod
    def partition_key(manufacturer: str | None, operator: str | None) -> str:
        parts = [NOBODY if org is None else check_identifier(org, "organisation id")
                 for org in (manufacturer, operator)]
        return "/".join(parts)

    def legitimate_interest_partition(self, key: str) -> URIRef:
        return self._graph(f"view/{AccessGroup.LEGITIMATE_INTEREST.value}/custody/{key}")

    def derived_partition(self, key: str) -> URIRef:
        return self._graph(f"view/derived/custody/{key}")

    # -- shared ------------------------------------------------------------------------------
    @property
    def ontology(self) -> URIRef:
        return self._graph("ontology")

    @property
    def reference(self) -> URIRef:
        """The EMMO/BattINFO reference stack (class hierarchy for ``rdfs:subClassOf*``)."""
        return self._graph("ontology/reference")

    @property
    def shapes(self) -> URIRef:
        return self._graph("shapes")

    @property
    def parameters(self) -> URIRef:
        return self._graph("parameters")

    @property
    def lineage(self) -> URIRef:
        """Passport issue lineage (predecessor/successor passports, closure): readable by all."""
        return self._graph("lineage")

    @property
    def statistics(self) -> URIRef:
        """Fleet-wide aggregates of fed-back step outcomes (small: one node per step type)."""
        return self._graph("statistics")

    @property
    def meta(self) -> URIRef:
        """Bookkeeping of the service itself (content hashes of loaded files); admin only."""
        return self._graph("meta")

    @property
    def custody(self) -> URIRef:
        """Who manufactures and who operates each battery: readable by every caller (Annex VI
        Part A(1); DIN DKE SPEC 99100 6.1.2.3-4), written only by creation and transfers."""
        return self._graph("custody")

    @property
    def organisations(self) -> URIRef:
        """Organisation records (name, address...): public, written only through
        ``PUT /organisations/{id}`` by an admin or that organisation."""
        return self._graph("organisations")

    @property
    def audit(self) -> URIRef:
        return self._graph("audit")

    @property
    def principals(self) -> URIRef:
        """Principals and their token hashes. Not under the base IRI: a token keeps working
        when the service is served under another base IRI (another port, a public name)."""
        return PRINCIPALS_GRAPH

    def legacy_principals(self) -> URIRef:
        """Where principals were kept before they moved to PRINCIPALS_GRAPH (migrated at
        start-up by ``PrincipalRegistry``)."""
        return self._graph("principals")

    def readable_by_all(self) -> list[URIRef]:
        """Graphs every caller may read (vocabulary, not passport data)."""
        return [self.ontology, self.reference, self.view(AccessGroup.PUBLIC)]

    def all_data_views(self) -> list[URIRef]:
        """The dataset of a caller who may read every access group (no audit, no principals).
        The custody graph is not merged in: the identity data already states the same
        manufacturer and operator, and a merged copy would count them twice."""
        return [self.ontology, self.reference, self.parameters, self.statistics, self.lineage,
                self.organisations, *self.views()]
