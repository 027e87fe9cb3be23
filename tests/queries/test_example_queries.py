"""The published researcher queries (queries/*.rq) against a deterministic demo fleet.

Every query runs over the dataset an admin's SPARQL request gets (all view graphs plus the
ontology graphs as the default graph). Each answer is checked against expectations rebuilt with
plain Python from the generator's own rdflib graphs (``demo_passport``), never against numbers
copied from a run.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from statistics import mean

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS
from rdflib.paths import Path as RdfPath
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Node

from graph_service.config import REPO_ROOT
from graph_service.container import Services, build_services
from graph_service.model.graphs import AccessGroup
from graph_service.model.iris import IriMinter
from graph_service.model.namespaces import BATTERY, CHEMSUB, DBP, DBP_VOCAB, ECHEM, EMMO, GEO, PROV
from graph_service.model.terms import (
    BATTERY_CELL,
    BATTERY_MODULE,
    BATTERY_PACK,
    HAS_CONSTITUENT,
    HAS_MEASUREMENT_UNIT,
    HAS_NUMBER_VALUE,
    HAS_NUMERICAL_PART,
    HAS_PROPERTY,
)
from graph_service.services.access import Principal, Role
from graph_service.services.fleet import demo
from graph_service.services.sparql import Dataset
from graph_service.store import open_memory_store
from graph_service.store.base import QueryKind

# The root tests/conftest.py, imported by pytest as the top-level module ``conftest``.
from conftest import make_settings, register_test_organisations  # isort: skip

QUERY_DIR = REPO_ROOT / "queries"
QUERY_FILES = sorted(QUERY_DIR.glob("*.rq"))
MIN_FLEET_SIZE = 30  # the fleet is this size, or grown until it shows every feature below
MAX_FLEET_SIZE = 150
SEED = 7

HEADER = re.compile(
    r"\A# title: (?P<title>\S[^\n]*)\n"
    r"# description: (?P<description>\S[^\n]*)\n(?:# (?!tags:)[^\n]*\n)?"
    r"# tags: (?P<tags>\S[^\n]*)\n"
)
THERMAL_EVENT = URIRef(f"{DBP_VOCAB}event/thermal-event")
CHECKED_NAMESPACES = (str(DBP), DBP_VOCAB, str(EMMO), str(ECHEM), str(BATTERY), str(CHEMSUB))


# ---------------------------------------------------------------------------------------------
# the fleet: services with the demo passports written, and the generator's own graphs
# ---------------------------------------------------------------------------------------------
@dataclass
class Passport:
    battery_id: str
    pack: URIRef
    graph: Graph


@dataclass
class Fleet:
    services: Services
    passports: dict[str, Passport]

    @property
    def size(self) -> int:
        return len(self.passports)

    @property
    def admin(self) -> Dataset:
        return self.services.sparql.full_dataset()

    def run(self, name: str, dataset: Dataset | None = None) -> list[dict[str, object]]:
        """Run ``queries/<name>`` and return its rows with literals as Python values."""
        result = self.services.sparql.run_query(query_text(name), dataset or self.admin)
        assert result.kind is QueryKind.SELECT
        return [{k: py(v) for k, v in row.items()} for row in result.rows()]


def _has_thermal_event(p: Passport) -> bool:
    return any((e, DBP.eventType, THERMAL_EVENT) in p.graph
               for e in p.graph.objects(p.pack, DBP.hasNegativeEvent))


def _has_service_record(p: Passport) -> bool:
    return (p.pack, DBP.hasServiceRecord, None) in p.graph


def _has_weak_module(p: Passport) -> bool:
    pack_soh = latest_soh(p.graph, p.pack)
    module_sohs = [latest_soh(p.graph, m) for m in modules_of(p)]
    return pack_soh is not None and any(s is not None and pack_soh - s > 10 for s in module_sohs)


# Rare features some example queries are about; the generator draws them for a few batteries only.
FEATURES = (_has_thermal_event, _has_service_record, _has_weak_module)


@pytest.fixture(scope="module")
def fleet() -> Iterator[Fleet]:
    """The first MIN_FLEET_SIZE demo batteries, extended until every FEATURE occurs."""
    services = build_services(make_settings(), open_memory_store())
    register_test_organisations(services)
    passports: dict[str, Passport] = {}
    missing = set(FEATURES)
    while len(passports) < MIN_FLEET_SIZE or missing:
        index = len(passports) + 1
        assert index <= MAX_FLEET_SIZE, f"no demo battery shows {missing}"
        bid = demo.battery_id(index)
        p = Passport(bid, services.minter.battery(bid),
                     demo.demo_passport(services.minter, index, SEED))
        passports[bid] = p
        missing = {feature for feature in missing if not feature(p)}
    demo.write_demo_fleet(services, len(passports), seed=SEED)
    yield Fleet(services, passports)
    services.sparql.shutdown()


def query_text(name: str) -> str:
    return (QUERY_DIR / name).read_text(encoding="utf-8")


def py(term: Node) -> object:
    return term.toPython() if isinstance(term, Literal) else term


def chosen_battery(name: str) -> str:
    """The battery id a single-battery query looks up (its VALUES clause)."""
    match = re.search(r'VALUES \?batteryId \{ "([^"]+)" \}', query_text(name))
    assert match, f"{name} has no VALUES ?batteryId clause"
    return match.group(1)


# ---------------------------------------------------------------------------------------------
# expectations computed from the generator's rdflib graphs
# ---------------------------------------------------------------------------------------------
def quantity(graph: Graph, owner: Node, cls: URIRef) -> tuple[float, URIRef] | None:
    """(value, unit) of ``owner``'s quantity of class ``cls`` (EMMO quantity pattern)."""
    for q in graph.objects(owner, HAS_PROPERTY):
        if (q, RDF.type, cls) in graph:
            number = graph.value(graph.value(q, HAS_NUMERICAL_PART), HAS_NUMBER_VALUE)
            return float(number), graph.value(q, HAS_MEASUREMENT_UNIT)
    return None


def latest_soh(graph: Graph, node: Node) -> float | None:
    readings = []
    for record in graph.objects(node, DBP.hasUsageRecord):
        soh = quantity(graph, record, demo.STATE_OF_HEALTH)
        if soh is not None:
            readings.append((graph.value(record, DBP.recordedAt).toPython(), soh[0]))
    return max(readings)[1] if readings else None


def concept(graph: Graph, subject: Node, predicate: URIRef) -> str:
    """Local name of a vocabulary concept, e.g. 'nmc811' for dbp:chemistry."""
    return str(graph.value(subject, predicate)).rsplit("/", 1)[-1]


def local(value: object) -> str:
    return str(value).rsplit("/", 1)[-1]


def modules_of(p: Passport) -> list[URIRef]:
    return [m for m in p.graph.objects(p.pack, HAS_CONSTITUENT)
            if (m, RDF.type, BATTERY_MODULE) in p.graph]


def current_status(graph: Graph, pack: URIRef) -> URIRef:
    services = [(graph.value(s, DBP.completedAt).toPython(), graph.value(s, DBP.resultingStatus))
                for s in graph.objects(pack, DBP.hasServiceRecord)
                if graph.value(s, DBP.resultingStatus) is not None]
    return max(services)[1] if services else graph.value(pack, DBP.batteryStatus)


def mine_table() -> dict[str, tuple[str, str, float, float, URIRef]]:
    """Mine name -> (country, lat, long, extracted substance) from the generator's MINES."""
    return {name: (country, lat, long, demo.SUBSTANCE[element])
            for element, mines in demo.MINES.items()
            for _, name, country, lat, long, _ in mines}


def cam_of(p: Passport) -> URIRef:
    cams = set(p.graph.subjects(RDF.type, DBP.CathodeActiveMaterialBatch))
    assert len(cams) == 1
    return cams.pop()


# ---------------------------------------------------------------------------------------------
# every query: header, dataset, IRIs, non-empty answer
# ---------------------------------------------------------------------------------------------
def _walk(node: object, iris: set[URIRef], names: set[str], seen: set[int]) -> None:
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, URIRef):
        iris.add(node)
    elif isinstance(node, CompValue):
        names.add(node.name)
        for value in node.values():
            _walk(value, iris, names, seen)
    elif isinstance(node, dict):
        for value in node.values():
            _walk(value, iris, names, seen)
    elif isinstance(node, list | tuple | set):
        for value in node:
            _walk(value, iris, names, seen)
    elif isinstance(node, RdfPath):
        for value in vars(node).values():
            _walk(value, iris, names, seen)


def test_there_are_enough_queries() -> None:
    assert len(QUERY_FILES) >= 10


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.name)
def test_query_is_well_formed_and_answers(fleet: Fleet, path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    header = HEADER.match(text)
    assert header, f"{path.name}: header must be '# title:', '# description:', '# tags:'"
    tags = [t.strip() for t in header["tags"].split(",")]
    assert tags and all(re.fullmatch(r"[a-z0-9][a-z0-9-]*", t) for t in tags), tags
    body = text[header.end():]
    assert body.lstrip().startswith("PREFIX"), "PREFIX declarations follow the header"

    parsed = translateQuery(parseQuery(text))
    iris: set[URIRef] = set()
    names: set[str] = set()
    _walk(parsed.algebra, iris, names, set())
    # The caller's dataset is the endpoint's business: no FROM, FROM NAMED or GRAPH.
    assert "Graph" not in names
    assert not parsed.algebra.get("datasetClause")
    assert not re.search(r"^\s*(FROM|GRAPH)\b", body, re.IGNORECASE | re.MULTILINE)

    # Never an invented IRI: every term of the EMMO stack, dbp: or our vocabularies is
    # declared in the project ontology or the EMMO reference stack.
    layout = fleet.services.layout
    if fleet.services.store.contains_graph(layout.reference):
        ontology = Dataset(default_graph=(layout.ontology, layout.reference), named_graphs=())
        for iri in sorted(iris):
            if str(iri).startswith(CHECKED_NAMESPACES):
                declared = fleet.services.sparql.run_query(
                    f"ASK {{ <{iri}> ?p ?o }}", ontology).boolean
                assert declared, f"{path.name} uses {iri}, which no ontology declares"

    result = fleet.services.sparql.run_query(text, fleet.admin)
    assert len(result) > 0, f"{path.name} returned nothing over the demo fleet"


def _answer(fleet: Fleet, text: str, dataset: Dataset) -> list[str]:
    result = fleet.services.sparql.run_query(text, dataset)
    items = result.triples() if result.kind is QueryKind.GRAPH else result.rows()
    return sorted(str(item) for item in items)


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.name)
def test_researchers_get_the_admin_answer(fleet: Fleet, path: Path) -> None:
    """The examples are for researchers (legitimate interest): no authority-only data needed.
    Queries tagged ``public`` need nothing beyond the public view either."""
    text = path.read_text(encoding="utf-8")
    admin = _answer(fleet, text, fleet.admin)
    sparql = fleet.services.sparql
    assert _answer(fleet, text, sparql.dataset_for(Principal("test", Role.RESEARCHER))) == admin
    header = HEADER.match(text)
    assert header
    if "public" in {tag.strip() for tag in header["tags"].split(",")}:
        assert _answer(fleet, text, sparql.dataset_for(Principal("test", Role.PUBLIC))) == admin


ORGANISATION_MINTER = IriMinter("http://127.0.0.1:8000/")


def _org_name(organisation) -> str:
    """An organisation's name: from its record (organisations are not passport data)."""
    records = demo.demo_organisation_records(ORGANISATION_MINTER)
    return str(records.value(organisation, DBP.name))


def test_every_query_has_a_specific_check() -> None:
    checked = {name.removeprefix("test_").replace("_", "-") + ".rq"
               for name in globals() if name.startswith("test_")}
    missing = [p.name for p in QUERY_FILES if p.name not in checked]
    assert not missing, f"add a test asserting what these queries return: {missing}"


@pytest.fixture(scope="module")
def reference_loaded(fleet: Fleet) -> None:
    if not fleet.services.store.contains_graph(fleet.services.layout.reference):
        pytest.skip("the EMMO reference ontology (DBP_ONTOLOGY_DIR) is not available")


# ---------------------------------------------------------------------------------------------
# one test per query: what a researcher relies on
# ---------------------------------------------------------------------------------------------
def test_battery_public_identity(fleet: Fleet) -> None:
    name = "battery-public-identity.rq"
    p = fleet.passports[chosen_battery(name)]
    g, pack = p.graph, p.pack
    rows = fleet.run(name)
    assert len(rows) == 1
    row = rows[0]
    assert row["battery"] == pack
    assert row["passportIdentifier"] == str(g.value(pack, DBP.passportIdentifier))
    assert row["serialNumber"] == str(g.value(pack, DBP.serialNumber))
    assert row["model"] == str(g.value(pack, DBP.model))
    assert row["manufacturerName"] == _org_name(g.value(pack, DBP.manufacturer))
    assert row["manufacturingDate"] == g.value(pack, DBP.manufacturingDate).toPython()
    assert row["category"] == g.value(pack, DBP.batteryCategory)
    assert row["chemistry"] == g.value(pack, DBP.chemistry)
    assert row["carbonFootprintClass"] == str(g.value(pack, DBP.carbonFootprintPerformanceClass))
    # Public identity: an anonymous caller (public view only) gets the same answer.
    public = fleet.services.sparql.dataset_for(Principal("test", Role.PUBLIC))
    assert fleet.run(name, public) == rows


def test_pack_modules_and_cells(fleet: Fleet) -> None:
    name = "pack-modules-and-cells.rq"
    p = fleet.passports[chosen_battery(name)]
    rows = fleet.run(name)
    modules = modules_of(p)
    assert {row["module"] for row in rows} == set(modules)
    assert [row["position"] for row in rows] == sorted(row["position"] for row in rows)
    for row in rows:
        cells = [c for c in p.graph.objects(row["module"], HAS_CONSTITUENT)
                 if (c, RDF.type, BATTERY_CELL) in p.graph]
        assert row["recordedCells"] == len(cells) == row["declaredCellCount"]
    declared_cells = p.graph.value(p.pack, DBP.cellCount).toPython()
    assert sum(row["recordedCells"] for row in rows) == declared_cells
    assert len(rows) == p.graph.value(p.pack, DBP.moduleCount).toPython()


def test_packs_with_nmc_cathode(fleet: Fleet) -> None:
    rows = fleet.run("packs-with-nmc-cathode.rq")
    expected = {bid for bid, p in fleet.passports.items()
                if concept(p.graph, p.pack, DBP.chemistry).startswith("nmc")}
    assert expected, "the demo fleet should contain NMC batteries"
    assert {row["batteryId"] for row in rows} == expected
    assert len(rows) == len(expected)
    for row in rows:
        p = fleet.passports[row["batteryId"]]
        assert row["cam"] == cam_of(p)
        assert local(row["chemistry"]).startswith("nmc")
        capacity, unit = quantity(p.graph, p.pack, demo.RATED_CAPACITY)
        assert row["ratedCapacity"] == pytest.approx(capacity)
        assert row["capacityUnit"] == unit == EMMO.AmpereHour
        assert row["latestSoh"] == pytest.approx(latest_soh(p.graph, p.pack))
    sohs = [row["latestSoh"] for row in rows]
    assert sohs == sorted(sohs)


def test_mine_to_pack_chain(fleet: Fleet) -> None:
    rows = fleet.run("mine-to-pack-chain.rq")
    mines = mine_table()
    suppliers = {name for _, name, _ in demo.CAM_SUPPLIERS}
    for row in rows:
        assert row["mineName"] in mines, f"unknown mine {row['mineName']}"
        country, lat, long, substance = mines[row["mineName"]]
        assert (row["mineCountry"], row["material"]) == (country, substance)
        assert float(row["latitude"]) == pytest.approx(lat)
        assert float(row["longitude"]) == pytest.approx(long)
        assert row["supplierName"] in suppliers
        p = fleet.passports[row["batteryId"]]
        assert row["camType"] == p.graph.value(p.pack, DBP.chemistry)
    expected = set()
    for bid, p in fleet.passports.items():
        for extraction in p.graph.objects(cam_of(p), DBP.sourcedFrom):
            mine = p.graph.value(extraction, DBP.mine)
            expected.add((bid, str(p.graph.value(mine, DBP.name)),
                          p.graph.value(extraction, DBP.extractedMaterial)))
    assert {(r["batteryId"], r["mineName"], r["material"]) for r in rows} == expected
    assert len(rows) == len(expected)


def _soh_groups(fleet: Fleet, key: Callable[[Passport], object]) -> dict[object, list[float]]:
    groups: dict[object, list[float]] = defaultdict(list)
    for p in fleet.passports.values():
        soh = latest_soh(p.graph, p.pack)
        if soh is not None:
            groups[key(p)].append(soh)
    return groups


def test_fleet_soh_by_chemistry(fleet: Fleet) -> None:
    rows = fleet.run("fleet-soh-by-chemistry.rq")
    expected = _soh_groups(fleet, lambda p: p.graph.value(p.pack, DBP.chemistry))
    assert sum(row["batteries"] for row in rows) == fleet.size
    assert {row["chemistry"] for row in rows} == set(expected)
    for row in rows:
        values = expected[row["chemistry"]]
        assert row["batteries"] == len(values)
        assert float(row["averageSoh"]) == pytest.approx(mean(values))
        assert row["minimumSoh"] == pytest.approx(min(values))
        assert row["maximumSoh"] == pytest.approx(max(values))
        assert row["minimumSoh"] <= float(row["averageSoh"]) <= row["maximumSoh"]
    averages = [float(row["averageSoh"]) for row in rows]
    assert averages == sorted(averages)


def test_fleet_soh_by_manufacturing_year(fleet: Fleet) -> None:
    rows = fleet.run("fleet-soh-by-manufacturing-year.rq")
    expected = _soh_groups(
        fleet, lambda p: p.graph.value(p.pack, DBP.manufacturingDate).toPython().year)
    assert sum(row["batteries"] for row in rows) == fleet.size
    assert [row["manufacturingYear"] for row in rows] == sorted(expected)
    for row in rows:
        values = expected[row["manufacturingYear"]]
        assert row["batteries"] == len(values)
        assert float(row["averageSoh"]) == pytest.approx(mean(values))
        assert row["minimumSoh"] == pytest.approx(min(values))


def test_thermal_events_and_current_status(fleet: Fleet) -> None:
    rows = fleet.run("thermal-events-and-current-status.rq")
    expected_events = {(bid, event) for bid, p in fleet.passports.items()
                       for event in p.graph.objects(p.pack, DBP.hasNegativeEvent)
                       if (event, DBP.eventType, THERMAL_EVENT) in p.graph}
    assert {(row["batteryId"], row["event"]) for row in rows} == expected_events
    assert len(rows) == len(expected_events)
    for row in rows:
        p = fleet.passports[row["batteryId"]]
        assert row["initialStatus"] == p.graph.value(p.pack, DBP.batteryStatus)
        assert row["currentStatus"] == current_status(p.graph, p.pack)
        assert row["severity"] == p.graph.value(row["event"], DBP.severity)


def test_thermal_event_status_follows_the_latest_service_record(fleet: Fleet) -> None:
    """The demo fleet may hold no service record for a thermal battery: add two, then remove."""
    rows = fleet.run("thermal-events-and-current-status.rq")
    pack = next(iter({fleet.passports[row["batteryId"]].pack for row in rows}))
    status = f"{DBP_VOCAB}status/"
    when = "<http://www.w3.org/2001/XMLSchema#dateTime>"
    view = fleet.services.layout.view(AccessGroup.LEGITIMATE_INTEREST)
    data = f"""
        <{pack}> <{DBP.hasServiceRecord}> <{pack}/service/test-a>, <{pack}/service/test-b> .
        <{pack}/service/test-a> a <{DBP.ServiceRecord}> ;
            <{DBP.resultingStatus}> <{status}reused> ;
            <{DBP.completedAt}> "2031-01-01T00:00:00Z"^^{when} .
        <{pack}/service/test-b> a <{DBP.ServiceRecord}> ;
            <{DBP.resultingStatus}> <{status}repurposed> ;
            <{DBP.completedAt}> "2032-06-01T00:00:00Z"^^{when} .
    """
    store = fleet.services.store
    store.update(f"INSERT DATA {{ GRAPH <{view}> {{ {data} }} }}")
    try:
        after = fleet.run("thermal-events-and-current-status.rq")
    finally:
        store.update(f"DELETE DATA {{ GRAPH <{view}> {{ {data} }} }}")
    assert len(after) == len(rows)
    for row in after:
        p = fleet.passports[row["batteryId"]]
        if p.pack == pack:
            assert row["initialStatus"] == p.graph.value(pack, DBP.batteryStatus)
            assert row["currentStatus"] == URIRef(f"{status}repurposed")
        else:
            assert row["currentStatus"] == current_status(p.graph, p.pack)
    assert fleet.run("thermal-events-and-current-status.rq") == rows


def test_passport_overview(fleet: Fleet) -> None:
    rows = fleet.run("passport-overview.rq")
    assert [row["batteryId"] for row in rows] == sorted(fleet.passports)
    for row in rows:
        p = fleet.passports[row["batteryId"]]
        g, pack = p.graph, p.pack
        assert row["model"] == str(g.value(pack, DBP.model))
        assert row["operatorName"] == _org_name(g.value(pack, DBP.operator))
        assert row["chemistry"] == g.value(pack, DBP.chemistry)
        assert row["cellFormat"] == g.value(pack, DBP.cellFormat)
        assert row["moduleCount"] == len(modules_of(p))
        assert row["putIntoServiceDate"] == g.value(pack, DBP.putIntoServiceDate).toPython()
        energy, unit = quantity(g, pack, demo.NOMINAL_ENERGY)
        assert unit == EMMO.KiloWatthour and row["nominalEnergyKWh"] == pytest.approx(energy)
        assert row["cycleLife"] == pytest.approx(quantity(g, pack, demo.CYCLE_LIFE)[0])
        assert row["usageRecords"] == len(set(g.objects(pack, DBP.hasUsageRecord)))
        assert row["negativeEvents"] == len(set(g.objects(pack, DBP.hasNegativeEvent)))
        eol = g.value(pack, DBP.hasEndOfLifeRecord)
        assert ("endOfLifePathway" in row) == (eol is not None)
        if eol is not None:
            assert row["endOfLifePathway"] == g.value(eol, DBP.pathway)
            assert row["recyclerName"] == _org_name(g.value(eol, DBP.treatedBy))
        service = g.value(pack, DBP.hasServiceRecord)
        assert ("serviceType" in row) == (service is not None)


def test_packs_by_voltage_and_energy(fleet: Fleet) -> None:
    rows = fleet.run("packs-by-voltage-and-energy.rq")
    for row in rows:
        assert row["nominalVoltageV"] > 60
        assert 20 <= row["nominalEnergyKWh"] <= 80
    expected = set()
    for bid, p in fleet.passports.items():
        voltage, _ = quantity(p.graph, p.pack, demo.NOMINAL_VOLTAGE)
        energy, _ = quantity(p.graph, p.pack, demo.NOMINAL_ENERGY)
        if voltage > 60 and 20 <= energy <= 80:
            expected.add(bid)
    assert {row["batteryId"] for row in rows} == expected
    assert len(rows) == len(expected)
    energies = [row["nominalEnergyKWh"] for row in rows]
    assert energies == sorted(energies, reverse=True)


def _instances(fleet: Fleet, cls: URIRef) -> set[Node]:
    return {s for p in fleet.passports.values() for s in p.graph.subjects(RDF.type, cls)}


@pytest.mark.usefixtures("reference_loaded")
def test_battery_nodes_by_battinfo_class(fleet: Fleet) -> None:
    rows = fleet.run("battery-nodes-by-battinfo-class.rq")
    counts = {row["class"]: row["instances"] for row in rows}
    formats = {cls for cls in demo.CELL_FORMAT_CLASS.values() if _instances(fleet, cls)}
    # Pack, module, cell and the cell-format classes are all Battery subclasses in BattINFO.
    assert {BATTERY_PACK, BATTERY_MODULE, BATTERY_CELL} | formats <= set(counts)
    used_types = {o for p in fleet.passports.values() for o in p.graph.objects(None, RDF.type)}
    assert set(counts) <= used_types
    for cls, count in counts.items():
        assert count == len(_instances(fleet, cls)), cls
    assert counts[BATTERY_PACK] == fleet.size
    # The CAM batch and the electrode are not batteries.
    assert DBP.CathodeActiveMaterialBatch not in counts
    assert demo.POSITIVE_ELECTRODE not in counts
    assert all(row.get("label") for row in rows)


@pytest.mark.usefixtures("reference_loaded")
def test_electrochemical_quantities_by_class(fleet: Fleet) -> None:
    rows = {row["class"]: row for row in fleet.run("electrochemical-quantities-by-class.rq")}
    # EMMO/echem classes and dbp: extensions reach ElectrochemicalQuantity through the union
    # of the project ontology and the reference stack.
    for cls in (demo.STATE_OF_HEALTH, demo.RATED_CAPACITY, demo.NOMINAL_ENERGY,
                DBP.RemainingCapacity):
        assert cls in rows, cls
    # Plain physical quantities are not electrochemical.
    for cls in (demo.MASS, DBP.TighteningTorque, demo.CELSIUS_TEMPERATURE):
        assert cls not in rows, cls
    for cls, row in rows.items():
        nodes = _instances(fleet, cls)
        assert row["quantities"] == len(nodes), cls
        units = {str(p.graph.value(q, HAS_MEASUREMENT_UNIT))
                 for p in fleet.passports.values() for q in nodes if (q, None, None) in p.graph}
        assert set(str(row["units"]).split()) == units, cls


def test_pack_joints_and_fasteners(fleet: Fleet) -> None:
    name = "pack-joints-and-fasteners.rq"
    p = fleet.passports[chosen_battery(name)]
    g = p.graph
    rows = fleet.run(name)
    assert {row["joint"] for row in rows} == set(g.objects(p.pack, DBP.hasJoint))
    assert len(rows) == len(set(g.objects(p.pack, DBP.hasJoint)))
    vocabulary = Graph().parse(REPO_ROOT / "ontology" / "vocabularies.ttl")
    for row in rows:
        joint = row["joint"]
        assert row["jointType"] == g.value(joint, DBP.jointType)
        assert row["jointTypeLabel"] == str(vocabulary.value(row["jointType"], SKOS.prefLabel))
        assert row["reversible"] == vocabulary.value(row["jointType"], DBP.reversible).toPython()
        assert row["fastenerType"] == g.value(joint, DBP.fastenerType)
        count = g.value(joint, DBP.fastenerCount)
        assert row.get("fastenerCount") == (count.toPython() if count is not None else None)
        torque = quantity(g, joint, DBP.TighteningTorque)
        # A fastened joint states the torque to undo it, in newton metres.
        assert (torque is not None) == (count is not None)
        if torque is not None:
            assert row["tighteningTorque"] == pytest.approx(torque[0])
            assert row["torqueUnit"] == torque[1] == EMMO.NewtonMetre
        force = quantity(g, joint, DBP.SeparationForce)
        if force is not None:
            assert row["separationForce"] == pytest.approx(force[0])
        assert row["joinedParts"] == len(set(g.objects(joint, DBP.joins)))


def test_carbon_footprint_and_recycled_content_ranking(fleet: Fleet) -> None:
    rows = fleet.run("carbon-footprint-and-recycled-content-ranking.rq")
    assert sorted(row["batteryId"] for row in rows) == sorted(fleet.passports)
    keys = [(row["carbonFootprintClass"], float(row["carbonFootprint"])) for row in rows]
    assert keys == sorted(keys)
    # Declared classes are consistent with the footprints: a better class never has a
    # higher footprint than a worse one.
    by_class: dict[str, list[float]] = defaultdict(list)
    for cls, footprint in keys:
        by_class[cls].append(footprint)
    classes = sorted(by_class)
    for better, worse in itertools.pairwise(classes):
        assert max(by_class[better]) < min(by_class[worse])
    for row in rows:
        p = fleet.passports[row["batteryId"]]
        g, pack = p.graph, p.pack
        declared_class = str(g.value(pack, DBP.carbonFootprintPerformanceClass))
        assert row["carbonFootprintClass"] == declared_class
        assert float(row["carbonFootprint"]) == float(
            g.value(pack, DBP.carbonFootprintPerFunctionalUnit).toPython())
        for element in ("Cobalt", "Nickel", "Lithium"):
            total = sum(float(g.value(pack, DBP[f"{phase}ConsumerRecycled{element}Share"]))
                        for phase in ("pre", "post"))
            assert float(row[f"recycled{element}Share"]) == pytest.approx(total)


def test_supply_chain_provenance_graph(fleet: Fleet) -> None:
    result = fleet.services.sparql.run_query(
        query_text("supply-chain-provenance-graph.rq"), fleet.admin)
    assert result.kind is QueryKind.GRAPH
    graph = Graph()
    for triple in result.triples():
        graph.add(triple)
    mines = mine_table()
    mine_nodes = set(graph.subjects(RDF.type, DBP.Mine))
    assert mine_nodes
    for mine in mine_nodes:
        name = str(graph.value(mine, DBP.name))
        assert name in mines
        country, lat, long, _ = mines[name]
        assert str(graph.value(mine, DBP.country)) == country
        assert float(graph.value(mine, GEO.lat)) == pytest.approx(lat)
        assert float(graph.value(mine, GEO.long)) == pytest.approx(long)
    packs = {p.pack: p for p in fleet.passports.values()}
    derived = Counter()
    for pack, cam in graph.subject_objects(PROV.wasDerivedFrom):
        if pack in packs:
            derived[pack] += 1
            p = packs[pack]
            assert cam == cam_of(p)
            reached = {graph.value(x, DBP.mine) for x in graph.objects(cam, PROV.wasDerivedFrom)}
            assert reached == {p.graph.value(x, DBP.mine)
                               for x in p.graph.objects(cam, DBP.sourcedFrom)}
    assert set(derived) == set(packs) and set(derived.values()) == {1}


def test_weak_modules(fleet: Fleet) -> None:
    rows = fleet.run("weak-modules.rq")
    expected = {}
    for bid, p in fleet.passports.items():
        pack_soh = latest_soh(p.graph, p.pack)
        for module in modules_of(p):
            module_soh = latest_soh(p.graph, module)
            if pack_soh is not None and module_soh is not None and pack_soh - module_soh > 10:
                expected[(bid, module)] = pack_soh - module_soh
    assert {(row["batteryId"], row["module"]) for row in rows} == set(expected)
    for row in rows:
        assert row["gap"] > 10
        assert row["gap"] == pytest.approx(expected[(row["batteryId"], row["module"])])
    gaps = [row["gap"] for row in rows]
    assert gaps == sorted(gaps, reverse=True)


def test_dates_come_back_typed(fleet: Fleet) -> None:
    """Dates are xsd:date / xsd:dateTime literals, so researchers can compare them directly."""
    rows = fleet.run("passport-overview.rq")
    assert all(isinstance(row["manufacturingDate"], date) for row in rows)
    thermal = fleet.run("thermal-events-and-current-status.rq")
    assert all(isinstance(row["occurredAt"], datetime) for row in thermal)


# ---------------------------------------------------------------------------------------------
# summary-style queries: the same answers as their detailed versions, for every role
# ---------------------------------------------------------------------------------------------
SUMMARY_QUERIES = sorted(p for p in QUERY_FILES if p.name.endswith("-summary.rq"))
ROLES_READING = (Role.PUBLIC, Role.RESEARCHER, Role.AUTHORITY, Role.ADMIN)


def detailed_version(path: Path) -> Path:
    return path.with_name(path.name.removesuffix("-summary.rq") + ".rq")


def test_every_summary_query_has_a_detailed_version_and_says_so() -> None:
    assert len(SUMMARY_QUERIES) >= 5
    for path in SUMMARY_QUERIES:
        detailed = detailed_version(path)
        assert detailed.exists(), f"{path.name}: no {detailed.name}"
        assert f"detailed version: {detailed.name}" in path.read_text(encoding="utf-8")


def _comparable(row: dict[str, Node]) -> list[tuple[str, object]]:
    # Averages of doubles may differ in the last digit (summation order): compare at 12 digits.
    return sorted((k, round(v, 9) if isinstance(v := py(term), float) else str(v))
                  for k, term in row.items())


def _same_as_detailed(fleet: Fleet, name: str) -> dict[Role, list[list[tuple[str, object]]]]:
    """Summary and detailed answers are identical (rows, order, values) for every role; the
    answers per role are returned so a test can check what each role sees."""
    path = QUERY_DIR / name
    text = path.read_text(encoding="utf-8")
    answers = {}
    for role in ROLES_READING:
        dataset = fleet.admin if role is Role.ADMIN else fleet.services.sparql.dataset_for(
            Principal("test", role))
        summary = fleet.services.sparql.run_query(text, dataset)
        detailed = fleet.services.sparql.run_query(
            detailed_version(path).read_text(encoding="utf-8"), dataset)
        assert summary.variables == detailed.variables, name
        rows = [_comparable(row) for row in summary.rows()]
        expected = [_comparable(row) for row in detailed.rows()]
        # Ties in ORDER BY keys may come in any order: compare as multisets, then the order of
        # the sort keys by the query's own ordering (checked per query by the tests above).
        assert sorted(map(str, rows)) == sorted(map(str, expected)), (name, role)
        answers[role] = rows
    return answers


def test_fleet_soh_by_chemistry_summary(fleet: Fleet) -> None:
    answers = _same_as_detailed(fleet, "fleet-soh-by-chemistry-summary.rq")
    # State of health is legitimate-interest data: the public gets no summary of it either.
    assert answers[Role.PUBLIC] == []
    assert len(answers[Role.RESEARCHER]) == len({
        p.graph.value(p.pack, DBP.chemistry) for p in fleet.passports.values()})


def test_fleet_soh_by_manufacturing_year_summary(fleet: Fleet) -> None:
    answers = _same_as_detailed(fleet, "fleet-soh-by-manufacturing-year-summary.rq")
    assert answers[Role.PUBLIC] == []
    assert answers[Role.RESEARCHER]


def test_packs_by_voltage_and_energy_summary(fleet: Fleet) -> None:
    answers = _same_as_detailed(fleet, "packs-by-voltage-and-energy-summary.rq")
    # Rated performance is public: the public answer is the researcher's.
    assert answers[Role.PUBLIC] == answers[Role.RESEARCHER] != []


def test_passport_overview_summary(fleet: Fleet) -> None:
    answers = _same_as_detailed(fleet, "passport-overview-summary.rq")
    assert len(answers[Role.PUBLIC]) == fleet.size
    assert all("usageRecords" not in dict(row) for row in answers[Role.PUBLIC])
    assert all("usageRecords" in dict(row) for row in answers[Role.RESEARCHER])


@pytest.mark.usefixtures("reference_loaded")
def test_battery_nodes_by_battinfo_class_summary(fleet: Fleet) -> None:
    answers = _same_as_detailed(fleet, "battery-nodes-by-battinfo-class-summary.rq")
    # The public sees packs only (modules and cells are dismantling information).
    assert len(answers[Role.PUBLIC]) == 1
    assert len(answers[Role.RESEARCHER]) > 1
