"""A deterministic synthetic fleet of battery passports (demo, tests, benchmarks).

Same ``(index, seed)`` -> the same passport, triple for triple. Every passport uses the real
EMMO/BattINFO terms and the dbp: terms of ``ontology/``, covers every data domain (identity,
traceability mine -> CAM -> cell -> module -> pack, design for disassembly, manufacturing,
rated performance, usage/SoX time series, negative events, service, logistics, end of life) and
is valid against ``shapes/``. The generator only builds graphs; writing goes through the same
classification and repository code as ingest.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from graph_service.model.iris import IriMinter, quantity_iris
from graph_service.model.namespaces import DBP, GEO
from graph_service.model.terms import (
    BATTERY_CELL,
    BATTERY_MODULE,
    BATTERY_PACK,
    CELL_FORMAT_CLASS,
    CELSIUS_TEMPERATURE,
    CONVENTIONAL,
    CYCLE_LIFE,
    DC_INTERNAL_RESISTANCE,
    DEPTH_OF_DISCHARGE,
    EOL_CAPACITY_THRESHOLD,
    HAS_ACTIVE_MATERIAL,
    HAS_CONSTITUENT,
    HAS_MEASUREMENT_UNIT,
    HAS_NUMBER_VALUE,
    HAS_NUMERICAL_PART,
    HAS_POSITIVE_ELECTRODE,
    HAS_PROPERTY,
    LOWER_VOLTAGE_LIMIT,
    MASS,
    MAX_OPERATING_TEMPERATURE,
    MAXIMUM_POWER,
    MEASURED,
    MIN_OPERATING_TEMPERATURE,
    NOMINAL_ENERGY,
    NOMINAL_VOLTAGE,
    POSITIVE_ELECTRODE,
    PROCESS_CLASSES,
    RATED_CAPACITY,
    REAL_DATA,
    ROUND_TRIP_EFFICIENCY,
    STATE_OF_CHARGE,
    STATE_OF_HEALTH,
    SUBSTANCE,
    TOTAL_CYCLES,
    UNIT,
    UPPER_VOLTAGE_LIMIT,
    vocab,
)
from graph_service.services.linked_data.gs1 import gs1_check_digit


# -- fleet parameters -----------------------------------------------------------------------
@dataclass(frozen=True)
class Chemistry:
    key: str  # vocab chemistry concept
    family: str  # SUBSTANCE key of the CAM
    cell_nominal_v: float
    cell_min_v: float
    cell_max_v: float
    shares: dict[str, float]  # element -> mass share of CAM in %
    cycle_life: int


CHEMISTRIES = [
    Chemistry("nmc811", "nmc", 3.65, 2.5, 4.2,
              {"lithium": 7.2, "nickel": 48.5, "manganese": 5.7, "cobalt": 6.1}, 1500),
    Chemistry("nmc622", "nmc", 3.65, 2.5, 4.2,
              {"lithium": 7.1, "nickel": 36.2, "manganese": 11.3, "cobalt": 12.1}, 2000),
    Chemistry("nmc532", "nmc", 3.6, 2.7, 4.2,
              {"lithium": 7.1, "nickel": 30.2, "manganese": 16.9, "cobalt": 12.2}, 2200),
    Chemistry("nca", "nca", 3.6, 2.5, 4.2,
              {"lithium": 7.2, "nickel": 48.9, "cobalt": 9.2}, 1200),
    Chemistry("lfp", "lfp", 3.2, 2.5, 3.65, {"lithium": 4.4}, 4000),
]

MANUFACTURERS = [
    ("nordcell", "Nordcell Batteries AB", "Skellefteå, SE", "SE", 64.75, 20.95),
    ("rheinvolt", "Rheinvolt Energy GmbH", "Salzgitter, DE", "DE", 52.15, 10.33),
    ("iberpack", "Iberpack Baterías S.L.", "Sagunto, ES", "ES", 39.68, -0.27),
    ("danubecell", "Danube Cell Kft.", "Debrecen, HU", "HU", 47.53, 21.63),
    ("seine-energy", "Seine Energy Storage SAS", "Douvrin, FR", "FR", 50.51, 2.83),
]
OPERATORS = [
    ("citybus", "CityBus Transit Operator", "NL"), ("eurofleet", "EuroFleet Leasing SE", "DE"),
    ("gridstore", "GridStore Utilities", "AT"), ("cargo-e", "Cargo-E Logistics", "BE"),
    ("alpine-ride", "Alpine Ride Mobility", "CH"), ("nordic-taxi", "Nordic Taxi Cooperative", "DK"),
]
CAM_SUPPLIERS = [("camtech", "CAMtech Materials Oy", "FI"), ("precursor-ag", "Precursor AG", "DE"),
                 ("cathodia", "Cathodia Advanced Materials", "PL")]
MINES = {  # element -> [(id, name, country, lat, long, method)]
    "lithium": [("greenbushes", "Greenbushes lithium mine", "AU", -33.86, 116.06, "hard-rock"),
                ("atacama", "Salar de Atacama", "CL", -23.5, -68.25, "brine")],
    "nickel": [("sudbury", "Sudbury basin nickel mine", "CA", 46.6, -81.0, "sulfide-ore"),
               ("sulawesi", "Sulawesi laterite nickel project", "ID", -2.5, 121.4,
                "laterite-hpal")],
    "cobalt": [("kolwezi", "Kolwezi copper-cobalt mine", "CD", -10.72, 25.47, "sulfide-ore")],
    "manganese": [("moanda", "Moanda manganese mine", "GA", -1.55, 13.2, "hard-rock")],
}
RECYCLERS = [("circular-metals", "Circular Metals Recycling NV", "BE"),
             ("blackmass-nord", "Blackmass Nord AS", "NO")]
CATEGORIES = ["ev"] * 7 + ["stationary", "industrial", "lmt"]
EVENT_TYPES = ["deep-discharge", "overcharge", "thermal-event", "accident", "physical-damage",
               "water-ingress", "short-circuit", "swelling", "electrolyte-leakage"]
SEVERITIES = ["minor", "minor", "moderate", "moderate", "severe", "critical"]
REFERENCE_DATE = datetime(2026, 10, 1, tzinfo=UTC)


def battery_id(index: int) -> str:
    return f"BP-{index:06d}"


class _Builder:
    """Accumulates one passport's triples with helpers for the EMMO quantity pattern."""

    def __init__(self) -> None:
        self.graph = Graph()

    def add(self, s: Node, p: Node, o: Node) -> None:
        self.graph.add((s, p, o))

    def literal(self, s: Node, p: Node, value: object, datatype: URIRef | None = None) -> None:
        self.graph.add((s, p, Literal(value, datatype=datatype)))

    def quantity(self, owner: URIRef, slug: str, cls: URIRef, value: float, unit: str,
                 measured: bool = False) -> URIRef:
        q, number = quantity_iris(owner, slug)
        self.add(owner, HAS_PROPERTY, q)
        self.add(q, RDF.type, cls)
        self.add(q, RDF.type, MEASURED if measured else CONVENTIONAL)
        self.add(q, HAS_NUMERICAL_PART, number)
        self.add(number, RDF.type, REAL_DATA)
        self.add(number, HAS_NUMBER_VALUE, Literal(round(float(value), 4)))
        self.add(q, HAS_MEASUREMENT_UNIT, UNIT[unit])
        return q

    def organisation(self, minter: IriMinter, org_id: str, name: str, country: str) -> URIRef:
        """A passport names an organisation; its record (name, country) is not passport data:
        ``demo_organisations`` holds it, written through the organisation records."""
        return minter.organisation(org_id)

    def site(self, iri: URIRef, name: str, country: str, lat: float, long: float,
             cls: URIRef = DBP.Site) -> URIRef:
        self.add(iri, RDF.type, cls)
        self.literal(iri, DBP.name, name)
        self.literal(iri, DBP.country, country)
        self.literal(iri, GEO.lat, round(lat, 5), XSD.decimal)
        self.literal(iri, GEO.long, round(long, 5), XSD.decimal)
        return iri


def demo_passport(minter: IriMinter, index: int, seed: int = 7) -> Graph:
    """The passport of demo battery ``index`` (deterministic for a given seed)."""
    rng = random.Random(f"{seed}:{index}")
    b = _Builder()
    bid = battery_id(index)
    pack = minter.battery(bid)
    base = str(minter.base)

    chem = CHEMISTRIES[rng.randrange(len(CHEMISTRIES))]
    category = rng.choice(CATEGORIES)
    cell_format = rng.choice(["cylindrical", "prismatic", "pouch"] if chem.key != "lfp"
                             else ["prismatic", "prismatic", "pouch"])
    if category == "lmt":
        modules, cells_per_module, parallel = 1, rng.choice([10, 13, 14]), 1
    elif category == "stationary":
        modules, cells_per_module, parallel = rng.choice([4, 6, 8]), 16, 1
    else:
        modules, cells_per_module, parallel = rng.choice([4, 6, 8, 12]), rng.choice([8, 12]), 1
    series = modules * cells_per_module // parallel
    cell_count = modules * cells_per_module
    cell_capacity = {"cylindrical": 5.0, "prismatic": 120.0, "pouch": 60.0}[cell_format]
    if category == "lmt":
        cell_capacity = 20.0
    nominal_v = round(series * chem.cell_nominal_v, 1)
    capacity_ah = round(cell_capacity * parallel * rng.uniform(0.97, 1.03), 1)
    energy_kwh = round(nominal_v * capacity_ah / 1000, 2)
    mass_kg = round(energy_kwh * 1000 / rng.uniform(140, 180 if chem.family != "lfp" else 150), 1)
    manufactured = date(2019, 1, 1) + timedelta(days=rng.randrange(0, 6 * 365))
    in_service = manufactured + timedelta(days=rng.randrange(20, 120))

    # -- identity ------------------------------------------------------------------------
    mid, mname, mplace, mcountry, mlat, mlong = rng.choice(MANUFACTURERS)
    manufacturer = b.organisation(minter, mid, mname, mcountry)
    oid, oname, ocountry = rng.choice(OPERATORS)
    operator = b.organisation(minter, oid, oname, ocountry)
    plant = b.site(URIRef(f"{base}id/site/{mid}-plant"), f"{mname} plant", mcountry, mlat, mlong)
    b.add(pack, RDF.type, BATTERY_PACK)
    b.literal(pack, DBP.batteryId, bid)
    b.literal(pack, DBP.passportIdentifier,
              f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{base}{bid}:{seed}')}")
    b.literal(pack, DBP.serialNumber, f"{mid[:3].upper()}-{seed:02d}{index:07d}")
    model = f"{mname.split()[0]} {chem.key.upper()} {energy_kwh:.0f} kWh"
    b.literal(pack, DBP.model, model)
    b.literal(pack, DBP.gtin, demo_gtin(mid, model))
    b.add(pack, DBP.manufacturer, manufacturer)
    b.add(pack, DBP.operator, operator)
    b.add(pack, DBP.batteryCategory, vocab("category", category))
    b.add(pack, DBP.batteryStatus, vocab("status", "original"))
    b.literal(pack, DBP.manufacturingPlace, mplace)
    b.add(pack, DBP.manufacturingSite, plant)
    b.literal(pack, DBP.manufacturingDate, manufactured)
    b.literal(pack, DBP.warrantyEndDate, manufactured.replace(year=manufactured.year + 8))
    b.literal(pack, DBP.putIntoServiceDate, in_service)
    b.quantity(pack, "mass", MASS, mass_kg, "kg")
    doc = f"https://docs.example.org/{mid}/{chem.key}"
    b.literal(pack, DBP.declarationOfConformity, f"{doc}/declaration-of-conformity.pdf",
              XSD.anyURI)
    b.literal(pack, DBP.separateCollectionSymbol, f"{doc}/symbols/separate-collection.svg",
              XSD.anyURI)
    b.literal(pack, DBP.labelMeaning, "Crossed-out wheeled bin: collect separately; do not "
              "dispose of with household waste.")
    b.literal(pack, DBP.testReport, f"{doc}/test-reports/{bid}.pdf", XSD.anyURI)
    b.literal(pack, DBP.endOfLifeInfo, f"{doc}/end-of-life.pdf", XSD.anyURI)

    # -- carbon footprint, due diligence, content ------------------------------------------
    cf = round(rng.uniform(55, 110), 1)
    b.literal(pack, DBP.carbonFootprintPerFunctionalUnit, cf, XSD.decimal)
    raw = round(rng.uniform(55, 65), 1)
    prod = round(rng.uniform(20, 30), 1)
    dist = round(rng.uniform(1, 3), 1)
    b.literal(pack, DBP.carbonFootprintShareRawMaterial, raw, XSD.decimal)
    b.literal(pack, DBP.carbonFootprintShareProduction, prod, XSD.decimal)
    b.literal(pack, DBP.carbonFootprintShareDistribution, dist, XSD.decimal)
    b.literal(pack, DBP.carbonFootprintShareEndOfLife, round(100 - raw - prod - dist, 1),
              XSD.decimal)
    b.literal(pack, DBP.carbonFootprintPerformanceClass, "ABCDE"[min(4, int((cf - 55) // 12))])
    b.literal(pack, DBP.carbonFootprintStudy, f"{doc}/carbon-footprint-study.pdf", XSD.anyURI)
    b.literal(pack, DBP.dueDiligenceReport, f"{doc}/due-diligence-report.pdf", XSD.anyURI)
    for element in ("Nickel", "Cobalt", "Lithium", "Lead"):
        for phase in ("pre", "post"):
            share = 0.0 if element == "Lead" else round(rng.uniform(0, 8), 1)
            b.literal(pack, DBP[f"{phase}ConsumerRecycled{element}Share"], share, XSD.decimal)
    b.literal(pack, DBP.renewableContentShare, round(rng.uniform(0, 5), 1), XSD.decimal)
    b.add(pack, DBP.chemistry, vocab("chemistry", chem.key))
    for element in (*chem.shares, "graphite"):
        if element != "manganese" or chem.family == "nmc":
            b.add(pack, DBP.criticalRawMaterial, SUBSTANCE[element])
    b.literal(pack, DBP.hazardousSubstance, "Lithium hexafluorophosphate (LiPF6), CAS 21324-40-3")
    b.literal(pack, DBP.extinguishingAgent, "Water in large quantities (fire class A/B per "
              "EN 2); do not use for a pack in thermal runaway without cooling access.")

    # -- rated performance -------------------------------------------------------------
    b.quantity(pack, "rated-capacity", RATED_CAPACITY, capacity_ah, "Ah")
    b.quantity(pack, "nominal-voltage", NOMINAL_VOLTAGE, nominal_v, "V")
    b.quantity(pack, "minimum-voltage", LOWER_VOLTAGE_LIMIT, round(series * chem.cell_min_v, 1),
               "V")
    b.quantity(pack, "maximum-voltage", UPPER_VOLTAGE_LIMIT, round(series * chem.cell_max_v, 1),
               "V")
    b.quantity(pack, "nominal-energy", NOMINAL_ENERGY, energy_kwh, "kWh")
    power_kw = round(energy_kwh * rng.uniform(1.5, 3.0), 1)
    b.quantity(pack, "maximum-power", MAXIMUM_POWER, power_kw, "kW")
    b.quantity(pack, "original-power", DBP.OriginalPowerCapability, power_kw * 0.9, "kW")
    b.quantity(pack, "round-trip-efficiency", ROUND_TRIP_EFFICIENCY, rng.uniform(92, 97), "%")
    b.quantity(pack, "internal-resistance", DBP.InitialInternalResistance,
               series / parallel * rng.uniform(0.5, 1.2), "mOhm")
    b.quantity(pack, "cycle-life", CYCLE_LIFE, chem.cycle_life, "1")
    b.quantity(pack, "expected-lifetime", DBP.ExpectedLifetime, rng.choice([8, 10, 12, 15]), "a")
    b.quantity(pack, "eol-capacity-threshold", EOL_CAPACITY_THRESHOLD, 70 if category == "ev"
               else 60, "%")
    b.quantity(pack, "min-operating-temperature", MIN_OPERATING_TEMPERATURE, -20, "degC")
    b.quantity(pack, "max-operating-temperature", MAX_OPERATING_TEMPERATURE, 55, "degC")
    b.quantity(pack, "idle-temperature-min", DBP.IdleTemperatureLowerBoundary, -30, "degC")
    b.quantity(pack, "idle-temperature-max", DBP.IdleTemperatureUpperBoundary, 60, "degC")
    b.literal(pack, DBP.cycleLifeReferenceTest, "IEC 62660-1:2018 cycle life test, 25 degC")

    # -- design for disassembly --------------------------------------------------------
    b.add(pack, DBP.cellFormat, vocab("format", cell_format))
    b.literal(pack, DBP.cellCount, cell_count)
    b.literal(pack, DBP.moduleCount, modules)
    b.literal(pack, DBP.cellLayout, f"{series}s{parallel}p")
    b.literal(pack, DBP.dismantlingManual, f"{doc}/dismantling-manual.pdf", XSD.anyURI)
    b.literal(pack, DBP.safetyMeasures, f"{doc}/safety-instructions.pdf", XSD.anyURI)
    b.literal(pack, DBP.sparePartSource, f"https://parts.example.org/{mid}")
    glued_lid = rng.random() < 0.2
    housing = URIRef(f"{pack}/component/housing")
    b.add(pack, DBP.hasComponent, housing)
    b.add(housing, RDF.type, DBP.PackHousing)
    b.add(housing, DBP.casingType, vocab("casing", "glued-lid" if glued_lid else "bolted-lid"))
    b.literal(housing, DBP.material, rng.choice(["aluminium", "steel", "composite"]))
    b.quantity(housing, "mass", MASS, round(mass_kg * 0.12, 1), "kg")
    components = {
        "bms": (DBP.BatteryManagementSystem, True),
        "service-disconnect": (DBP.ServiceDisconnect, True),
        "hv-interlock": (DBP.HighVoltageInterlock, False),
        "cooling": (DBP.CoolingSystem, False),
        "busbars": (DBP.Busbar, False),
        "hv-connector": (DBP.HighVoltageConnector, True),
    }
    for slug, (cls, replaceable) in components.items():
        part = URIRef(f"{pack}/component/{slug}")
        b.add(pack, DBP.hasComponent, part)
        b.add(part, RDF.type, cls)
        number = f"{mid[:3].upper()}-{slug.upper()}-{rng.randrange(1000):03d}"
        b.literal(part, DBP.partNumber, number)
        b.literal(part, DBP.replaceable, replaceable)
    b.add(URIRef(f"{pack}/component/cooling"), DBP.coolantType,
          vocab("coolant", "air" if category == "lmt" else "water-glycol"))
    welded = cell_format == "cylindrical" or rng.random() < 0.5
    b.add(URIRef(f"{pack}/component/busbars"), DBP.connectorType,
          vocab("connector", "welded-busbar" if welded else "bolted-busbar"))
    if glued_lid or rng.random() < 0.3:
        filling = URIRef(f"{pack}/component/filling")
        b.add(pack, DBP.hasComponent, filling)
        b.add(filling, RDF.type, DBP.Filling)
        b.add(filling, DBP.fillingType, vocab("filling", rng.choice(
            ["structural-adhesive", "thermal-interface-material", "pu-foam"])))
    joints = [
        ("lid", "glued" if glued_lid else "bolted", "none" if glued_lid else "hex-bolt", "M6",
         0 if glued_lid else rng.choice([24, 32, 40]), (8.0, 10.0), housing),
        ("module-mounting", "bolted", "hex-bolt", "M8", modules * 4, (20.0, 25.0), "modules"),
        ("busbar", "laser-welded" if welded else "bolted", "none" if welded else "flange-nut",
         "M6", 0 if welded else series, (6.0, 9.0), URIRef(f"{pack}/component/busbars")),
        ("hv-connector", "screwed", "torx-screw", "T30", 4, (4.0, 6.0),
         URIRef(f"{pack}/component/hv-connector")),
    ]
    for slug, jtype, fastener, size, count, torque, joined in joints:
        joint = URIRef(f"{pack}/joint/{slug}")
        b.add(pack, DBP.hasJoint, joint)
        b.add(joint, RDF.type, DBP.Joint)
        b.add(joint, DBP.jointType, vocab("joint", jtype))
        b.add(joint, DBP.fastenerType, vocab("fastener", fastener))
        if joined == "modules":
            for m in range(1, modules + 1):
                b.add(joint, DBP.joins, URIRef(f"{pack}/module/{m}"))
        elif joined is not None:
            b.add(joint, DBP.joins, joined)
        if count:
            b.literal(joint, DBP.fastenerSize, size)
            b.literal(joint, DBP.fastenerCount, count)
            b.literal(joint, DBP.material, "steel 8.8")
            b.quantity(joint, "torque", DBP.TighteningTorque, rng.uniform(*torque), "Nm")
        elif jtype == "glued":
            b.quantity(joint, "separation-force", DBP.SeparationForce, rng.uniform(800, 1500),
                       "N")

    # -- traceability: mines -> extraction -> CAM batch -> cells -> modules -> pack ------
    sid, sname, scountry = rng.choice(CAM_SUPPLIERS)
    supplier = b.organisation(minter, sid, sname, scountry)
    cam = URIRef(f"{pack}/cam/1")
    b.add(cam, RDF.type, DBP.CathodeActiveMaterialBatch)
    b.add(cam, RDF.type, SUBSTANCE[chem.family])
    b.add(cam, DBP.camType, vocab("chemistry", chem.key))
    b.add(cam, DBP.supplier, supplier)
    b.literal(cam, DBP.processingDate, manufactured - timedelta(days=rng.randrange(30, 90)))
    for element, share in chem.shares.items():
        b.literal(cam, DBP[f"{element}MassShare"], share, XSD.decimal)
        mine_id, mine_name, mine_country, lat, long, method = rng.choice(MINES[element])
        mine = b.site(URIRef(f"{base}id/site/{mine_id}"), mine_name, mine_country, lat, long,
                      DBP.Mine)
        extraction = URIRef(f"{pack}/extraction/{element}")
        b.add(cam, DBP.sourcedFrom, extraction)
        b.add(extraction, RDF.type, DBP.MaterialExtraction)
        b.add(extraction, DBP.extractedMaterial, SUBSTANCE[element])
        b.add(extraction, DBP.mine, mine)
        b.add(extraction, DBP.extractionMethod, vocab("extraction", method))
        b.add(extraction, DBP.supplier, supplier)
        b.literal(extraction, DBP.extractionDate,
                  manufactured - timedelta(days=rng.randrange(120, 400)))
        b.literal(extraction, DBP.dueDiligenceCertificate,
                  f"https://certificates.example.org/{mine_id}/{manufactured.year}", XSD.anyURI)
        b.literal(extraction, DBP.extractionEmissions, round(rng.uniform(2, 20), 2), XSD.decimal)
    for order, (process, label) in enumerate(PROCESS_CLASSES, start=1):
        step = URIRef(f"{pack}/manufacturing/{order}")
        b.add(pack, DBP.hasManufacturingStep, step)
        b.add(step, RDF.type, DBP.ManufacturingStep)
        b.add(step, RDF.type, process)
        b.literal(step, DBP.stepOrder, order)
        b.literal(step, DBP.startedAt, datetime.combine(
            manufactured - timedelta(days=10 - order * 3), datetime.min.time(), tzinfo=UTC))
        b.literal(step, DBP.result, "pass")
        b.literal(step, DBP.description, label)
        b.add(step, DBP.performedAt, plant)

    cell_class = CELL_FORMAT_CLASS[cell_format]
    for m in range(1, modules + 1):
        module = URIRef(f"{pack}/module/{m}")
        b.add(pack, HAS_CONSTITUENT, module)
        b.add(module, RDF.type, BATTERY_MODULE)
        b.literal(module, DBP.serialNumber, f"{bid}-M{m:02d}")
        b.literal(module, DBP.position, m)
        b.literal(module, DBP.cellCount, cells_per_module)
        b.literal(module, DBP.replaceable, category != "lmt")
        for c in range(1, cells_per_module + 1):
            cell = URIRef(f"{module}/cell/{c}")
            electrode = URIRef(f"{cell}/positive-electrode")
            b.add(module, HAS_CONSTITUENT, cell)
            b.add(cell, RDF.type, BATTERY_CELL)
            b.add(cell, RDF.type, cell_class)
            b.literal(cell, DBP.serialNumber, f"{bid}-M{m:02d}-C{c:02d}")
            b.add(cell, HAS_POSITIVE_ELECTRODE, electrode)
            b.add(electrode, RDF.type, POSITIVE_ELECTRODE)
            b.add(electrode, HAS_ACTIVE_MATERIAL, cam)

    # -- usage / SoX time series -------------------------------------------------------
    age_days = max(30, (REFERENCE_DATE.date() - in_service).days)
    fade_per_year = rng.uniform(1.2, 4.5) if chem.family != "lfp" else rng.uniform(0.8, 2.5)
    records = rng.randint(2, 4)
    deep = over = 0
    for r in range(1, records + 1):
        days = age_days * r // records
        when = datetime.combine(in_service, datetime.min.time(), tzinfo=UTC) + timedelta(
            days=days, hours=rng.randrange(24))
        when = min(when, REFERENCE_DATE)
        soh = max(55.0, 100 - fade_per_year * days / 365 - rng.uniform(0, 1.5))
        cycles = int(days * rng.uniform(0.3, 0.9))
        record = URIRef(f"{pack}/usage/{r}")
        b.add(pack, DBP.hasUsageRecord, record)
        b.add(record, RDF.type, DBP.UsageRecord)
        b.literal(record, DBP.recordedAt, when)
        b.quantity(record, "soh", STATE_OF_HEALTH, soh, "%", measured=True)
        b.quantity(record, "soc", STATE_OF_CHARGE, rng.uniform(15, 95), "%", measured=True)
        b.quantity(record, "dod", DEPTH_OF_DISCHARGE, rng.uniform(30, 85), "%", measured=True)
        b.quantity(record, "cycles", TOTAL_CYCLES, cycles, "1", measured=True)
        b.quantity(record, "energy-throughput", DBP.EnergyThroughput, cycles * energy_kwh * 0.7,
                   "kWh", measured=True)
        b.quantity(record, "max-temperature", CELSIUS_TEMPERATURE, rng.uniform(28, 52), "degC",
                   measured=True)
        if r == records:
            b.quantity(record, "remaining-capacity", DBP.RemainingCapacity,
                       capacity_ah * soh / 100, "Ah", measured=True)
            b.quantity(record, "dcir", DC_INTERNAL_RESISTANCE,
                       series / parallel * rng.uniform(0.6, 1.6), "mOhm", measured=True)
        if r == records and modules > 1:
            weak = rng.randint(1, modules) if rng.random() < 0.15 else 0
            for m in range(1, modules + 1):
                module_record = URIRef(f"{pack}/module/{m}/usage/{r}")
                penalty = rng.uniform(12, 20) if m == weak else 0.0
                module_soh = soh + rng.uniform(-1.2, 1.2) - penalty
                b.add(URIRef(f"{pack}/module/{m}"), DBP.hasUsageRecord, module_record)
                b.add(module_record, RDF.type, DBP.UsageRecord)
                b.literal(module_record, DBP.recordedAt, when)
                b.quantity(module_record, "soh", STATE_OF_HEALTH, max(40.0, min(100.0, module_soh)),
                           "%", measured=True)
        deep += rng.random() < 0.1
        over += rng.random() < 0.05
        b.literal(record, DBP.deepDischargeEventCount, deep)
        b.literal(record, DBP.overchargeEventCount, over)
        b.literal(record, DBP.minutesAboveTemperatureBoundary, rng.randrange(0, 120))
        b.literal(record, DBP.minutesBelowTemperatureBoundary, rng.randrange(0, 240))
        b.literal(record, DBP.minutesChargingAboveTemperatureBoundary, rng.randrange(0, 30))
        b.literal(record, DBP.minutesChargingBelowTemperatureBoundary, rng.randrange(0, 30))

    # -- negative events (about one battery in six) ------------------------------------
    worst = 0
    if rng.random() < 0.17:
        for e in range(1, rng.randint(1, 2) + 1):
            event = URIRef(f"{pack}/event/{e}")
            etype = rng.choice(EVENT_TYPES)
            severity = rng.choice(SEVERITIES)
            worst = max(worst, SEVERITIES.index(severity))
            b.add(pack, DBP.hasNegativeEvent, event)
            b.add(event, RDF.type, DBP.NegativeEvent)
            b.add(event, DBP.eventType, vocab("event", etype))
            b.add(event, DBP.severity, vocab("severity", severity))
            b.literal(event, DBP.occurredAt, datetime.combine(
                in_service, datetime.min.time(), tzinfo=UTC)
                + timedelta(days=rng.randrange(1, age_days)))
            b.literal(event, DBP.description, f"{etype.replace('-', ' ')} reported by the BMS")

    # -- service (about one in ten) -----------------------------------------------------
    if rng.random() < 0.1 and modules > 1:
        service = URIRef(f"{pack}/service/1")
        b.add(pack, DBP.hasServiceRecord, service)
        b.add(service, RDF.type, DBP.ServiceRecord)
        b.add(service, DBP.serviceType, vocab("service", "module-replacement"))
        b.add(service, DBP.replacedPart, URIRef(f"{pack}/module/{rng.randint(1, modules)}"))
        b.add(service, DBP.resultingStatus, vocab("status", "reused"))
        b.add(service, DBP.performedBy, operator)
        b.literal(service, DBP.completedAt, min(REFERENCE_DATE, datetime.combine(
            in_service, datetime.min.time(), tzinfo=UTC) + timedelta(days=age_days // 2)))

    # -- logistics ----------------------------------------------------------------------
    depot = b.site(URIRef(f"{base}id/site/{oid}-depot"), f"{oname} depot", ocountry,
                   mlat + rng.uniform(-3, 3), mlong + rng.uniform(-3, 3))
    shipment = URIRef(f"{pack}/shipment/1")
    b.add(pack, DBP.hasShipment, shipment)
    b.add(shipment, RDF.type, DBP.Shipment)
    b.add(shipment, DBP.origin, plant)
    b.add(shipment, DBP.destination, depot)
    b.add(shipment, DBP.carrier, operator)
    b.add(shipment, DBP.custodian, operator)
    b.add(shipment, DBP.transportClassification, vocab("transport", "normal"))
    b.literal(shipment, DBP.completedAt, datetime.combine(
        manufactured + timedelta(days=10), datetime.min.time(), tzinfo=UTC))

    # -- end of life (about one in twenty, more after severe events) ---------------------
    if rng.random() < 0.05 or (worst >= SEVERITIES.index("severe") and rng.random() < 0.5):
        rid, rname, rcountry = rng.choice(RECYCLERS)
        recycler = b.organisation(minter, rid, rname, rcountry)
        eol = URIRef(f"{pack}/end-of-life/1")
        b.add(pack, DBP.hasEndOfLifeRecord, eol)
        b.add(eol, RDF.type, DBP.EndOfLifeRecord)
        b.add(eol, DBP.pathway, vocab("pathway", "recycling"))
        b.add(eol, DBP.treatmentProcess, vocab("treatment", rng.choice(
            ["hydrometallurgical", "pyrometallurgical", "mechanical"])))
        b.add(eol, DBP.treatedBy, recycler)
        b.literal(eol, DBP.completedAt, REFERENCE_DATE - timedelta(days=rng.randrange(1, 60)))
        b.literal(eol, DBP.actualDurationMinutes, round(rng.uniform(90, 240)), XSD.decimal)
        b.literal(eol, DBP.actualCostEur, round(rng.uniform(300, 900), 2), XSD.decimal)
        cam_mass = mass_kg * 0.25
        for element, share in chem.shares.items():
            recovered = URIRef(f"{eol}/recovered/{element}")
            b.add(eol, DBP.hasRecoveredMaterial, recovered)
            b.add(recovered, RDF.type, DBP.RecoveredMaterial)
            b.add(recovered, DBP.recoveredSubstance, SUBSTANCE[element])
            b.quantity(recovered, "mass", MASS,
                       cam_mass * share / 100 * rng.uniform(0.8, 0.95), "kg", measured=True)
    return b.graph


def demo_gtin(manufacturer_id: str, model: str) -> str:
    """A GTIN-13 per battery model from GS1 prefix 952, which GS1 reserves for demonstrations
    and examples (never a real trade item): 952, a 5-digit manufacturer code, a 4-digit item
    code, the check digit. Derived from the names, so it draws nothing from the fleet's RNG."""
    manufacturer = int(hashlib.sha256(manufacturer_id.encode()).hexdigest(), 16) % 100_000
    item = int(hashlib.sha256(model.encode()).hexdigest(), 16) % 10_000
    body = f"952{manufacturer:05d}{item:04d}"
    return body + str(gs1_check_digit(body))


def demo_organisations() -> list[tuple[str, str, str]]:
    """(id, name, country) of every organisation the demo passports name."""
    return ([(m[0], m[1], m[3]) for m in MANUFACTURERS] + list(OPERATORS)
            + list(CAM_SUPPLIERS) + list(RECYCLERS))


def organisation_record(minter: IriMinter, org_id: str, name: str, country: str) -> Graph:
    graph = Graph()
    org = minter.organisation(org_id)
    graph.add((org, RDF.type, DBP.Organisation))
    graph.add((org, DBP.organisationId, Literal(org_id)))
    graph.add((org, DBP.name, Literal(name)))
    graph.add((org, DBP.country, Literal(country)))
    return graph


def demo_organisation_records(minter: IriMinter) -> Graph:
    """The records of every demo organisation, as one graph (the validation context a demo
    passport needs, whose organisations are stored apart from it)."""
    graph = Graph()
    for org_id, name, country in demo_organisations():
        graph += organisation_record(minter, org_id, name, country)
    return graph


def write_demo_organisations(services: object) -> int:
    """Store the records of the demo organisations (checked like any record; bootstrap data,
    so not audited, like the demo passports)."""
    records = services.organisations  # type: ignore[attr-defined]
    minter: IriMinter = services.minter  # type: ignore[attr-defined]
    for org_id, name, country in demo_organisations():
        record = records.checked(org_id, organisation_record(minter, org_id, name, country))
        services.store.apply(records.changes(org_id, record))  # type: ignore[attr-defined]
    return len(demo_organisations())


def write_demo_fleet(services: object, count: int, *, seed: int = 7,
                     on_battery: Callable[[], None] | None = None, validate: bool = True,
                     chunk: int = 200, derive: bool = True, lineage: bool = True,
                     rules: object | None = None) -> int:
    """Write ``count`` demo passports; returns the number of passport triples written.

    Each passport is classified by stage and access group exactly like ingest; new batteries
    are bulk-loaded in chunks, batteries already stored are replaced stage by stage. With
    ``validate`` every passport is checked against the shapes first (a generator bug must
    never put invalid data into the store). ``derive=False`` skips the rule runner and
    ``lineage=False`` the passport lineage nodes (bulk fills for benchmarks: derive or
    validate only the batteries being measured afterwards). ``rules``: another rule runner
    than the services' (e.g. the summary rules only, for benchmark fleets).
    """
    from graph_service.services.access.custody import Custody
    from graph_service.services.passports import group_by_classification
    from graph_service.services.passports.classify import classify

    minter: IriMinter = services.minter  # type: ignore[attr-defined]
    repository = services.repository  # type: ignore[attr-defined]
    store = services.store  # type: ignore[attr-defined]
    annotations = services.ingest._annotations()  # type: ignore[attr-defined]
    validator = services.validator  # type: ignore[attr-defined]
    rules = rules or services.rules  # type: ignore[attr-defined]
    lineages = services.lineage  # type: ignore[attr-defined]
    custody_records = services.custody  # type: ignore[attr-defined]
    organisations = services.organisations  # type: ignore[attr-defined]
    write_demo_organisations(services)
    pending: list = []
    total = 0
    for index in range(1, count + 1):
        graph = demo_passport(minter, index, seed)
        battery = minter.battery(battery_id(index))
        custody = Custody(custody_records.organisation_id(graph.value(battery, DBP.manufacturer)),
                          custody_records.organisation_id(graph.value(battery, DBP.operator)))
        if validate:
            context = graph + organisations.records(graph.objects())
            report = validator.validate(context, keep_report_graph=False)
            if not report.conforms:
                first = report.errors[0]
                raise ValueError(f"demo passport {battery_id(index)} is invalid: "
                                 f"{first.focus_node} {first.path}: {first.message}")
        classes = classify(graph, annotations)
        staged = group_by_classification(graph, lambda t, c=classes: (c[t].stage, c[t].group))
        bid = battery_id(index)
        derivation = rules.derive(bid, staged=staged) if derive else None
        if repository.exists(bid):
            changes = repository.stage_changes(bid, staged, custody)
            more = [custody_records.changes(bid, custody)]
            if derivation is not None:
                more.append(repository.derived_changes(bid, derivation.triples,
                                                       derivation.placement, custody))
            if lineage:
                more.append(lineages.lineage_changes(bid, graph, custody))
            for extra in more:
                _merge(changes, extra)
            store.apply(changes)
        else:
            pending.extend(repository.bulk_quads(bid, staged, custody))
            pending.extend(custody_records.changes(bid, custody).insert)
            if derivation is not None:
                pending.extend(repository.bulk_derived_quads(bid, derivation.triples,
                                                             derivation.placement, custody))
            if lineage:
                pending.extend(lineages.lineage_changes(bid, graph, custody).insert)
        total += len(graph)
        if len(pending) >= chunk * 1000:
            store.bulk_load(pending)
            pending = []
        if on_battery is not None:
            on_battery()
    if pending:
        store.bulk_load(pending)
    custody_records.applied()
    return total


def _merge(target: object, more: object) -> None:
    for part in ("retract", "sparql_before", "drop_graphs", "delete", "insert", "sparql_after"):
        getattr(target, part).extend(getattr(more, part))
