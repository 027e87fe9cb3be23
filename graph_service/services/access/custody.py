"""Custody records: who manufactures and who operates each battery.

Trust decisions (may this OEM or operator write this battery, of which batteries does it read
legitimate-interest data) are taken from these records only - never from a submitted document
and never from a stage graph. The records live in the custody graph
(``GraphLayout.custody``), one small node per battery::

    <battery> dbp:batteryId "BP-1" ; dbp:manufacturer <org/M> ; dbp:operator <org/O> .

They are written only by our code: when a battery is created (its creating OEM, or for an admin
the organisations the document names), by an audited transfer, and by the one-off migration of a
store that predates them (built from the stored identity stage graphs).

The custody pair also names the partition of the legitimate-interest and derived views that
holds the battery's data (``GraphLayout.legitimate_interest_partition``); the meta graph indexes
which organisations each partition belongs to, so a caller's partitions are one index lookup.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import Literal, URIRef

from graph_service.model.graphs import NOBODY, GraphLayout
from graph_service.model.iris import IriMinter
from graph_service.model.namespaces import DBP
from graph_service.store.base import ChangeSet, GraphStore, QuadPattern

# Datasets built from the partition index are cached this long; a partition a cached dataset
# lacks can only hide data from its caller, never show data of another custodian (a partition's
# name is its custody pair, so its content never changes hands).
PARTITION_CACHE_SECONDS = 30.0


@dataclass(frozen=True)
class Custody:
    """The custody of one battery (organisation ids; None = nobody)."""

    manufacturer: str | None
    operator: str | None = None

    @property
    def key(self) -> str:
        return GraphLayout.partition_key(self.manufacturer, self.operator)

    def holds(self, organisation: str | None) -> bool:
        """Whether ``organisation`` manufactures or operates the battery."""
        return organisation is not None and organisation in (self.manufacturer, self.operator)

    def with_role(self, role: str, organisation: str) -> Custody:
        if role == "manufacturer":
            return Custody(organisation, self.operator)
        return Custody(self.manufacturer, organisation)


UNASSIGNED = Custody(None, None)


class CustodyRecords:
    """Reads and writes the custody graph and the partition index."""

    def __init__(self, store: GraphStore, layout: GraphLayout, minter: IriMinter) -> None:
        self.store = store
        self.layout = layout
        self.minter = minter
        self._org_prefix = str(minter.organisation("x"))[:-1]
        self._partitions: dict[str, tuple[float, tuple[str, ...]]] = {}
        self._lock = threading.Lock()

    # -- organisation IRIs ---------------------------------------------------------------------
    def organisation_id(self, iri: object) -> str | None:
        """The organisation id of one of our organisation IRIs, else None."""
        text = str(iri)
        if not isinstance(iri, URIRef) or not text.startswith(self._org_prefix):
            return None
        candidate = text[len(self._org_prefix):]
        try:
            return candidate if str(self.minter.organisation(candidate)) == text else None
        except ValueError:
            return None

    # -- reads ---------------------------------------------------------------------------------
    def record(self, battery_id: str) -> Custody | None:
        """The stored custody of a battery; None when no record exists."""
        battery = self.minter.battery(battery_id)
        # Imported here: services.sparql imports this package.
        from graph_service.services.sparql.named_queries import Dataset, NamedQueries

        custody = Dataset(default_graph=(self.layout.custody,), named_graphs=())
        rows = NamedQueries(self.store).select("custody-record", custody, battery=battery)
        if not rows:
            return None
        manufacturers = {self.organisation_id(r["m"]) for r in rows if "m" in r}
        operators = {self.organisation_id(r["o"]) for r in rows if "o" in r}
        return Custody(_single(manufacturers), _single(operators))

    def partitions_of(self, organisation: str) -> tuple[str, ...]:
        """Partition keys of the batteries ``organisation`` manufactures or operates."""
        now = time.monotonic()
        with self._lock:
            cached = self._partitions.get(organisation)
            if cached is not None and now - cached[0] < PARTITION_CACHE_SECONDS:
                return cached[1]
        prefix = str(self.layout.legitimate_interest_partition(""))
        from graph_service.services.sparql.named_queries import Dataset, NamedQueries

        meta = Dataset(default_graph=(self.layout.meta,), named_graphs=())
        rows = NamedQueries(self.store).select("custody-partitions", meta,
                                               org=self.minter.organisation(organisation))
        keys = tuple(sorted(str(row["g"])[len(prefix):] for row in rows))
        with self._lock:
            self._partitions[organisation] = (now, keys)
        return keys

    def forget_cached_partitions(self) -> None:
        with self._lock:
            self._partitions.clear()

    # -- writes --------------------------------------------------------------------------------
    def changes(self, battery_id: str, custody: Custody) -> ChangeSet:
        """The change that makes ``custody`` the battery's record (and indexes its partition)."""
        battery = self.minter.battery(battery_id)
        graph = self.layout.custody
        quads = [(battery, DBP.batteryId, Literal(battery_id), graph)]
        if custody.manufacturer is not None:
            quads.append((battery, DBP.manufacturer,
                          self.minter.organisation(custody.manufacturer), graph))
        if custody.operator is not None:
            quads.append((battery, DBP.operator, self.minter.organisation(custody.operator),
                          graph))
        return ChangeSet(retract=[QuadPattern(graph, battery)],
                         insert=quads + self.index_quads(custody))

    def index_quads(self, custody: Custody) -> list:
        partition = self.layout.legitimate_interest_partition(custody.key)
        return [(partition, DBP.partitionCustodian, self.minter.organisation(org),
                 self.layout.meta)
                for org in {custody.manufacturer, custody.operator} if org is not None]

    def applied(self) -> None:
        """Call after a custody change is committed: new partitions are named at once."""
        self.forget_cached_partitions()


def _single(values: Iterable[str | None]) -> str | None:
    """One organisation; several (a store written before records were checked) is nobody."""
    known = {v for v in values if v is not None}
    return known.pop() if len(known) == 1 else None


__all__ = ["NOBODY", "PARTITION_CACHE_SECONDS", "UNASSIGNED", "Custody", "CustodyRecords"]
