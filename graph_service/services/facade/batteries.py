"""Read-only views of passport data for the REST facade: fleet list, passport summary, material
traceability, modules, cells, negative events and the SoH time series.

Every query runs over the caller's readable dataset, so access groups hold by construction: an
anonymous caller sees the public passport (identity, chemistry, rated performance...), roles with
legitimate interest also see inner structure, usage data and the derived alert level. A field the
caller may not read is simply absent (null / empty), never an error - except the ``riskLevel``
filter, which would otherwise silently answer "no battery" to a public caller.
"""

from __future__ import annotations

from rdflib import Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from graph_service.model.graphs import AccessGroup, GraphLayout
from graph_service.model.namespaces import DBP, GEO
from graph_service.model.read_models import (
    BatteryItem,
    BatteryPage,
    BatterySummary,
    CellOut,
    CellPage,
    EventOut,
    Events,
    Extraction,
    MaterialBatch,
    MaterialChain,
    ModuleOut,
    Modules,
    ModuleSoh,
    Organisation,
    Quantity,
    Site,
    SohSeries,
    UsageRecordOut,
)
from graph_service.model.terms import (
    BATTERY_CELL,
    BATTERY_MODULE,
    CELSIUS_TEMPERATURE,
    DEPTH_OF_DISCHARGE,
    STATE_OF_CHARGE,
    STATE_OF_HEALTH,
    TOTAL_CYCLES,
)
from graph_service.services.access import Principal
from graph_service.services.facade.reading import (
    GraphReader,
    first,
    group_properties,
    integer,
    number,
    py,
    text,
    vocab_iri,
)
from graph_service.services.sparql import Dataset
from graph_service.services.sparql.named_queries import INTERNAL_QUERIES_DIR, NamedQueries
from graph_service.store.base import GraphStore

_SERIES = {  # usage-record quantity class -> field of UsageRecordOut
    STATE_OF_HEALTH: "stateOfHealth",
    STATE_OF_CHARGE: "stateOfCharge",
    DEPTH_OF_DISCHARGE: "depthOfDischarge",
    TOTAL_CYCLES: "cycles",
    CELSIUS_TEMPERATURE: "maxTemperature",
    DBP.EnergyThroughput: "energyThroughputKwh",
}

MAX_PAGE = 500


# -- queries ---------------------------------------------------------------------------------
# Every read is a query file of queries/facade/ run by the named-query runner
# (services/sparql/named_queries.py); queries/facade/README.md says which query shapes stay cheap
# per battery. Grouping, counting and paging of one battery's (small) data happen in Python.
_LIST_FILTERS = ("chemistry", "status", "category", "model", "risk")


def store_answers(store: GraphStore) -> bool:
    """Whether the store evaluates a query (readiness); reads no data."""
    nothing = Dataset(default_graph=(), named_graphs=())
    return NamedQueries(store, directory=INTERNAL_QUERIES_DIR).ask("store-answers", nothing,
                                                                   timeout=5)


def count_batteries(store: GraphStore, layout: GraphLayout) -> int:
    """Batteries with a public identity. An index range over one predicate in one graph, so
    probes may ask often; counting the store's quads instead is a scan of the whole store
    (28 s at 10 000 batteries on disk)."""
    public = Dataset(default_graph=(layout.view(AccessGroup.PUBLIC),), named_graphs=())
    for row in NamedQueries(store).select("battery-count", public, timeout=10):
        return int(row["n"])  # type: ignore[call-overload]
    return 0


def _organisation(iri: Node | None, oid: Node | None = None, name: Node | None = None,
                  country: Node | None = None) -> Organisation | None:
    if not isinstance(iri, URIRef):
        return None
    return Organisation(iri=str(iri), id=text(oid), name=text(name), country=text(country))


class BatteryQueries:
    def __init__(self, reader: GraphReader) -> None:
        self.reader = reader

    # -- fleet list --------------------------------------------------------------------------
    def list(
        self,
        principal: Principal,
        *,
        limit: int = 50,
        offset: int = 0,
        chemistry: str | None = None,
        status: str | None = None,
        model: str | None = None,
        category: str | None = None,
        risk_level: str | None = None,
    ) -> BatteryPage:
        """One page of batteries ordered by id, narrowed by the given filters (a fleet-wide
        query by nature: ORDER BY over the matching batteries)."""
        limit = max(1, min(int(limit), MAX_PAGE))
        offset = max(0, int(offset))
        values: dict[str, Node] = {}
        for key, given, path, scheme, parameter in (
                ("chemistry", chemistry, "chemistry", DBP.ChemistryScheme, "chemistry"),
                ("status", status, "status", DBP.BatteryStatusScheme, "status"),
                ("category", category, "category", DBP.BatteryCategoryScheme, "category")):
            if given:
                values[key] = self.reader.require_concept(
                    vocab_iri(given, path, parameter), scheme, parameter, given)
        if model:
            values["model"] = Literal(model)
        if risk_level:
            self.reader.require_derived(principal, "the thermal-risk alert level (riskLevel)")
            values["risk"] = self.reader.require_concept(
                vocab_iri(risk_level, "alert", "risk level"), DBP.AlertLevelScheme, "riskLevel",
                risk_level)
        dataset = self.reader.dataset(principal)
        rows = self.reader.select("battery-list", dataset, limit=limit + 1, offset=offset,
                                  **values)
        page = rows[:limit]
        more = len(rows) > limit
        return BatteryPage(items=self._items(page, dataset), limit=limit, offset=offset,
                           hasMore=more, nextOffset=offset + limit if more else None)

    def _items(self, page: list[dict[str, Node]], dataset: Dataset) -> list[BatteryItem]:
        """The items of one page in a fixed number of queries, whatever its length: the
        batteries' properties, their alert levels, their manufacturers and the labels of the
        concepts shown are each read for the whole page at once."""
        batteries = [row["b"] for row in page]
        if not batteries:
            return []
        props = group_properties(self.reader.select("battery-items", dataset, b=batteries),
                                 subject="b")
        alerts: dict[Node, Node] = {}
        for row in self.reader.select("battery-alert-level", dataset, b=batteries):
            if row["b"] not in alerts or str(row["level"]) < str(alerts[row["b"]]):
                alerts[row["b"]] = row["level"]
        manufacturers = {first(props.get(b, {}), DBP.manufacturer) for b in batteries}
        organisations = self._organisations(manufacturers, dataset)
        reader = self.reader
        reader.load_labels([value for b in batteries for p in (
            DBP.chemistry, DBP.batteryCategory, DBP.batteryStatus)
            if (value := first(props.get(b, {}), p)) is not None] + list(alerts.values()))
        items = []
        for row in page:
            battery, battery_props = row["b"], props.get(row["b"], {})
            items.append(BatteryItem(
                id=str(row["id"]), iri=str(battery), model=text(first(battery_props, DBP.model)),
                chemistry=reader.concept(first(battery_props, DBP.chemistry)),
                category=reader.concept(first(battery_props, DBP.batteryCategory)),
                status=reader.concept(first(battery_props, DBP.batteryStatus)),
                manufacturer=organisations.get(first(battery_props, DBP.manufacturer)),
                alertLevel=reader.concept(alerts.get(battery)),
            ))
        return items

    # -- one battery -------------------------------------------------------------------------
    def summary(self, battery_id: str, principal: Principal) -> BatterySummary:
        battery = self.reader.require_battery(battery_id)
        dataset = self.reader.dataset(principal)
        reader = self.reader
        props = self.reader.properties(battery, dataset)

        def value(name: str) -> Node | None:
            return first(props, DBP[name])

        units = {row["q"]: row["unit"]
                 for row in reader.select("battery-quantity-units", dataset, s=battery)}
        quantities = sorted((
            Quantity(iri=str(row["q"]), type=reader.concept(row["type"]),  # type: ignore[arg-type]
                     value=number(row.get("value")), unit=reader.concept(units.get(row["q"])))
            for row in reader.select("battery-quantities", dataset, s=battery)
        ), key=lambda q: (q.iri, q.type.iri))
        alert = reader.select("battery-alert-level", dataset, b=battery)
        damage = reader.select("battery-damage-state", dataset, b=battery)
        records = self._usage_records(battery, dataset)
        latest = next((r for r in reversed(records) if r.stateOfHealth is not None), None)
        return BatterySummary(
            id=battery_id, iri=str(battery),
            passportIdentifier=text(value("passportIdentifier")),
            serialNumber=text(value("serialNumber")), model=text(value("model")),
            chemistry=reader.concept(value("chemistry")),
            category=reader.concept(value("batteryCategory")),
            status=reader.concept(value("batteryStatus")),
            cellFormat=reader.concept(value("cellFormat")),
            cellLayout=text(value("cellLayout")),
            moduleCount=integer(value("moduleCount")), cellCount=integer(value("cellCount")),
            manufacturer=self._organisation(value("manufacturer"), dataset),
            operator=self._organisation(value("operator"), dataset),
            manufacturingDate=text(value("manufacturingDate")),
            manufacturingPlace=text(value("manufacturingPlace")),
            putIntoServiceDate=text(value("putIntoServiceDate")),
            warrantyEndDate=text(value("warrantyEndDate")),
            carbonFootprintPerFunctionalUnit=number(value("carbonFootprintPerFunctionalUnit")),
            carbonFootprintPerformanceClass=text(value("carbonFootprintPerformanceClass")),
            quantities=quantities,
            latestStateOfHealth=latest.stateOfHealth if latest else None,
            latestStateOfHealthAt=latest.recordedAt if latest else None,
            alertLevel=reader.concept(alert[0]["level"]) if alert else None,
            damageState=reader.concept(damage[0]["state"]) if damage else None,
        )

    def material(self, battery_id: str, principal: Principal) -> MaterialChain:
        """Cathode active material batches of the battery's cells, back to the mines."""
        battery = self.reader.require_battery(battery_id)
        dataset = self.reader.dataset(principal)
        reader = self.reader
        cells: dict[Node, set[Node]] = {}
        designed: dict[Node, dict[Node, int]] = {}  # cam -> holder -> declared cell count
        for row in reader.select("cell-materials", dataset, b=battery):
            cells.setdefault(row["cam"], set()).add(row["cell"])
        for query in ("design-materials", "module-design-materials"):
            for row in reader.select(query, dataset, b=battery):
                holder = row.get("holder", battery)
                designed.setdefault(row["cam"], {})[holder] = integer(row.get("n")) or 0
                cells.setdefault(row["cam"], set())
        batches = []
        for cam in sorted(cells, key=str):
            props = self.reader.properties(cam, dataset)
            shares = {
                str(p)[len(str(DBP)):-len("MassShare")]: share
                for p, values in props.items()
                if str(p).startswith(str(DBP)) and str(p).endswith("MassShare")
                and (share := number(values[0])) is not None
            }
            types = [t for t in props.get(RDF.type, []) if t != DBP.CathodeActiveMaterialBatch]
            extractions = [self._extraction(row["x"], dataset) for row in
                           reader.select("material-extractions", dataset, cam=cam)]
            batches.append(MaterialBatch(
                iri=str(cam), camType=reader.concept(first(props, DBP.camType)),
                substances=reader.concepts(types),
                supplier=self._organisation(first(props, DBP.supplier), dataset),
                processingDate=text(first(props, DBP.processingDate)),
                massSharesPercent=dict(sorted(shares.items())),
                cellCount=len(cells[cam]) + sum(designed.get(cam, {}).values()),
                extractions=sorted(extractions, key=lambda x: x.iri),
            ))
        return MaterialChain(battery=battery_id, batches=batches)

    def modules(self, battery_id: str, principal: Principal) -> Modules:
        battery = self.reader.require_battery(battery_id)
        dataset = self.reader.dataset(principal)
        nodes = self._modules(battery, dataset)
        latest = self._latest_module_soh(battery, dataset, nodes)
        modules = [
            ModuleOut(
                iri=str(module), serialNumber=text(first(props, DBP.serialNumber)),
                position=integer(first(props, DBP.position)),
                cellCount=integer(first(props, DBP.cellCount)),
                replaceable=_bool(first(props, DBP.replaceable)),
                stateOfHealth=latest[module].stateOfHealth if module in latest else None,
                stateOfHealthAt=latest[module].recordedAt if module in latest else None,
            )
            for module, props in nodes.items()
        ]
        modules.sort(key=lambda m: (m.position is None, m.position or 0, m.iri))
        return Modules(battery=battery_id, modules=modules)

    def cells(self, battery_id: str, principal: Principal, *, limit: int = 100,
              offset: int = 0) -> CellPage:
        """One page of the battery's cells ordered by serial number (then IRI)."""
        battery = self.reader.require_battery(battery_id)
        dataset = self.reader.dataset(principal)
        limit = max(1, min(int(limit), MAX_PAGE))
        offset = max(0, int(offset))
        nodes = {node: props for node, props in
                 group_properties(self.reader.select("battery-cells", dataset, b=battery),
                                  subject="cell").items()
                 if BATTERY_CELL in props.get(RDF.type, [])}
        module_nodes = self._modules(battery, dataset)
        modules = {row["cell"]: row["module"]
                   for row in self.reader.select("cell-modules", dataset, b=battery)
                   if row["module"] in module_nodes}
        materials = {row["cell"]: row["cam"]
                     for row in self.reader.select("cell-materials", dataset, b=battery)}
        ordered = sorted(nodes.items(), key=lambda item: (
            text(first(item[1], DBP.serialNumber)) or "", str(item[0])))
        items = []
        for cell, props in ordered[offset:offset + limit]:
            types = [t for t in props.get(RDF.type, []) if t != BATTERY_CELL]
            items.append(CellOut(
                iri=str(cell), serialNumber=text(first(props, DBP.serialNumber)),
                module=text(modules.get(cell)),
                cellType=self.reader.concept(types[0]) if types else None,
                activeMaterial=text(materials.get(cell)),
            ))
        return CellPage(battery=battery_id, total=len(nodes), limit=limit, offset=offset,
                        items=items)

    def events(self, battery_id: str, principal: Principal) -> Events:
        battery = self.reader.require_battery(battery_id)
        dataset = self.reader.dataset(principal)
        events = []
        for row in self.reader.select("battery-events", dataset, b=battery):
            props = self.reader.properties(row["e"], dataset)
            events.append(EventOut(
                iri=str(row["e"]), type=self.reader.concept(first(props, DBP.eventType)),
                severity=self.reader.concept(first(props, DBP.severity)),
                occurredAt=text(first(props, DBP.occurredAt)),
                description=text(first(props, DBP.description))))
        return Events(battery=battery_id, events=sorted(
            events, key=lambda e: (e.occurredAt or "", e.iri)))

    def soh(self, battery_id: str, principal: Principal) -> SohSeries:
        """Pack-level usage records in time order, and each module's latest SoH."""
        battery = self.reader.require_battery(battery_id)
        dataset = self.reader.dataset(principal)
        latest = self._latest_module_soh(battery, dataset, self._modules(battery, dataset))
        return SohSeries(battery=battery_id, records=self._usage_records(battery, dataset),
                         modules=sorted(latest.values(), key=lambda m: (
                             m.position is None, m.position or 0, m.module)))

    # -- helpers -----------------------------------------------------------------------------
    def _modules(self, battery: URIRef, dataset) -> dict[Node, dict[Node, list[Node]]]:
        nodes = group_properties(self.reader.select("battery-constituents", dataset, b=battery))
        return {node: props for node, props in nodes.items()
                if BATTERY_MODULE in props.get(RDF.type, [])}

    def _organisations(self, iris: set[Node | None], dataset: Dataset
                       ) -> dict[Node, Organisation | None]:
        """Several organisations in one query (the manufacturers of a page)."""
        named = [iri for iri in iris if isinstance(iri, URIRef)]
        if not named:
            return {}
        props = self.reader.properties_of(named, dataset)
        return {iri: _organisation(iri, first(props.get(iri, {}), DBP.organisationId),
                                   first(props.get(iri, {}), DBP.name),
                                   first(props.get(iri, {}), DBP.country)) for iri in named}

    def _organisation(self, iri: Node | None, dataset) -> Organisation | None:
        if not isinstance(iri, URIRef):
            return None
        props = self.reader.properties(iri, dataset)
        return _organisation(iri, first(props, DBP.organisationId), first(props, DBP.name),
                             first(props, DBP.country))

    def _extraction(self, iri: Node, dataset) -> Extraction:
        props = self.reader.properties(iri, dataset)
        mine_iri = first(props, DBP.mine)
        mine = None
        if isinstance(mine_iri, URIRef):
            site = self.reader.properties(mine_iri, dataset)
            mine = Site(iri=str(mine_iri), name=text(first(site, DBP.name)),
                        country=text(first(site, DBP.country)),
                        latitude=number(first(site, GEO.lat)),
                        longitude=number(first(site, GEO.long)))
        return Extraction(
            iri=str(iri), material=self.reader.concept(first(props, DBP.extractedMaterial)),
            mine=mine, method=self.reader.concept(first(props, DBP.extractionMethod)),
            date=text(first(props, DBP.extractionDate)),
            supplier=self._organisation(first(props, DBP.supplier), dataset),
            dueDiligenceCertificate=text(first(props, DBP.dueDiligenceCertificate)),
            emissions=number(first(props, DBP.extractionEmissions)),
        )

    def _usage_records(self, battery: URIRef, dataset) -> list[UsageRecordOut]:
        records: dict[Node, UsageRecordOut] = {}
        for row in self.reader.select("usage-records", dataset, owner=battery):
            records.setdefault(row["r"], UsageRecordOut(iri=str(row["r"]),
                                                        recordedAt=text(row.get("at"))))
        for row in self.reader.select("usage-record-values", dataset, owner=battery):
            field = _SERIES.get(row["type"])  # type: ignore[arg-type]
            if field is not None and row["r"] in records:
                setattr(records[row["r"]], field, number(row["value"]))
        return sorted(records.values(), key=lambda r: (r.recordedAt or "", r.iri))

    def _latest_module_soh(self, battery: URIRef, dataset,
                           modules: dict[Node, dict[Node, list[Node]]]) -> dict[Node, ModuleSoh]:
        times = {row["r"]: text(row["at"])
                 for row in self.reader.select("module-record-times", dataset, b=battery)}
        latest: dict[Node, ModuleSoh] = {}
        for row in self.reader.select("module-soh", dataset, b=battery):
            module = row["module"]
            candidate = ModuleSoh(
                module=str(module),
                position=integer(first(modules.get(module, {}), DBP.position)),
                recordedAt=times.get(row["r"]), stateOfHealth=number(row["soh"]))
            current = latest.get(module)
            if current is None or (candidate.recordedAt or "") > (current.recordedAt or ""):
                latest[module] = candidate
        return latest


def _bool(term: Node | None) -> bool | None:
    value = py(term)
    return value if isinstance(value, bool) else None


__all__ = ["BatteryQueries"]
