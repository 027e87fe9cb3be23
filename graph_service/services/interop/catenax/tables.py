"""Catena-X battery pass: the mapping as data.

* ``FIELDS``: the JSON fields carried by EMMO / BattINFO / dbp terms (and how); every field not
  listed keeps the SAMM term of the aspect model (``structure.py``). Fields marked "kept" in
  ``docs/interop.md`` are stored with their SAMM term *and* interpreted (``derive.py``).
* ``ACCESS``: the Annex XIII / DIN DKE SPEC 99100 access group and lifecycle stage of each part
  of the document, with the attribute it follows; a field not listed inherits from the part that
  contains it, a part the standard does not name is the most restricted group (authority).
  ``annotations.py`` turns this table into the SAMM-term annotations of
  ontology/interop-catenax.ttl, which ingest's classification uses.
* ``DATES`` / ``DATE_ORDER``: semantic checks the JSON schema cannot express.
"""

from __future__ import annotations

import re

from graph_service.model.graphs import AccessGroup as G
from graph_service.model.graphs import Stage as S
from graph_service.model.namespaces import DBP, EMMO
from graph_service.model.terms import (
    CYCLE_LIFE,
    DC_INTERNAL_RESISTANCE,
    EOL_CAPACITY_THRESHOLD,
    LOWER_VOLTAGE_LIMIT,
    MASS,
    MAXIMUM_POWER,
    NOMINAL_ENERGY,
    NOMINAL_VOLTAGE,
    RATED_CAPACITY,
    ROUND_TRIP_EFFICIENCY,
    STATE_OF_CHARGE,
    TOTAL_CYCLES,
    UNIT,
    UPPER_VOLTAGE_LIMIT,
    vocab_name,
)
from graph_service.services.interop.codecs import (
    Concept,
    DateField,
    ExportContext,
    Fallback,
    OrganisationLink,
    Quantity,
    RecordTime,
    RecordValue,
    Text,
    UnitOf,
)
from graph_service.services.interop.schema import parse_pattern
from graph_service.services.interop.structure import MISSING

FORMAT = "catenax"
ASPECT = "io.catenax.battery.battery_pass"
SPEC_VERSION_PREFIX = f"urn:{ASPECT}:"
SUPPORTED_VERSIONS = ("6.1.0",)
LATEST = "6.1.0"
# Versions we recognise and refuse (no official schema in the model folder, or no mapping).
KNOWN_VERSIONS = ("2.0.0", "3.0.0", "3.0.1", "4.0.0", "5.0.0", "6.0.0", "6.1.0")


def schema_file(version: str) -> tuple[str, ...]:
    """Path of a version's generated JSON schema inside the passport-model folder (the layout
    of eclipse-tractusx/sldt-semantic-models)."""
    return ("catenax", ASPECT, version, "gen", "BatteryPass-schema.json")


BPNL = re.compile(r"^BPNL[a-zA-Z0-9]{12}$")
BPNA = re.compile(r"^BPNA[a-zA-Z0-9]{12}$")

CATEGORY_TO_CONCEPT = {"SLI": "sli", "LMT": "lmt", "EV": "ev", "industrial": "industrial",
                       "portable": "portable"}
# Stationary energy storage is an industrial battery in the Regulation (Art. 3(1)(13)).
CATEGORY_TO_JSON = {"sli": "SLI", "lmt": "LMT", "ev": "EV", "industrial": "industrial",
                    "portable": "portable", "stationary": "industrial"}
STATUS_TO_CONCEPT = {"original": "original", "repurposed": "repurposed", "re-used": "reused",
                     "remanufactured": "remanufactured", "waste": "waste"}
STATUS_TO_JSON = {v: k for k, v in STATUS_TO_CONCEPT.items()}
MASS_UNITS = {"unit:gram": EMMO.Gram, "unit:kilogram": EMMO.Kilogram}

_DYN = "$.performance.dynamic"


def _record(path: str, cls: object, slug: str, stored: object, received: object,
            what: str) -> dict[str, object]:
    value = RecordValue(cls, slug, stored, received,  # type: ignore[arg-type]
                        provided_by=f"a usage record (dbp:UsageRecord) with {what}")
    return {f"{path}.value": value, f"{path}.time": RecordTime(value)}


def _battery_id(ctx: ExportContext) -> object:
    value = ctx.graph.value(ctx.battery, DBP.batteryId)
    return str(value) if value is not None else MISSING


def _chemistry(ctx: ExportContext) -> object:
    from graph_service.services.interop.catenax.derive import CHEMISTRY_LABELS

    name = vocab_name(ctx.graph.value(ctx.battery, DBP.chemistry), "chemistry")
    return CHEMISTRY_LABELS.get(name, MISSING) if name else MISSING


_WEIGHT = Quantity(MASS, "mass", EMMO.Kilogram, unit_key="unit", units=MASS_UNITS,
                   provided_by="the battery's Mass (EMMO quantity)")

# JSON field -> codec. Units: Catena-X fixes V, Ah, kWh, W, ohm, %, degC; we store power in kW
# and resistance in mOhm (the SHACL ranges of shapes/quantities.ttl are written in those).
FIELDS_BY_TEXT: dict[str, object] = {
    # The version of the document written (a fact about the export, not about the battery).
    "$.specVersion": Fallback(lambda ctx: f"{SPEC_VERSION_PREFIX}{ctx.schema.version}",
                              "the version of the document written"),
    "$.identification.idDmc": Fallback(_battery_id, "dbp:batteryId of the battery"),
    "$.identification.chemistry": Fallback(
        _chemistry, "dbp:chemistry of the battery (written as the concept's label)"),
    "$.identification.category": Concept(
        DBP.batteryCategory, "category", CATEGORY_TO_CONCEPT, CATEGORY_TO_JSON),
    "$.identification.identification.type.manufacturerPartId": Text(DBP.partNumber),
    "$.identification.identification.type.nameAtManufacturer": Text(DBP.model),
    "$.operation.manufacturer.manufacturer": OrganisationLink(DBP.manufacturer, BPNL),
    "$.operation.manufacturer.manufacturingDate": DateField(DBP.manufacturingDate),
    "$.operation.intoServiceDate": DateField(DBP.putIntoServiceDate),
    "$.metadata.passportIdentifier": Text(DBP.passportIdentifier),
    "$.metadata.economicOperatorId": OrganisationLink(DBP.operator, BPNL),
    "$.sustainability.status": Concept(
        DBP.batteryStatus, "status", STATUS_TO_CONCEPT, STATUS_TO_JSON),
    "$.characteristics.physicalDimension.weight.value": _WEIGHT,
    "$.characteristics.physicalDimension.weight.unit": UnitOf(_WEIGHT),
    "$.performance.rated.voltage.nominal": Quantity(
        NOMINAL_VOLTAGE, "nominal-voltage", EMMO.Volt, EMMO.Volt,
        provided_by="the battery's NominalVoltage (EMMO quantity)"),
    "$.performance.rated.voltage.min": Quantity(
        LOWER_VOLTAGE_LIMIT, "minimum-voltage", EMMO.Volt, EMMO.Volt,
        provided_by="the battery's LowerVoltageLimit (EMMO quantity)"),
    "$.performance.rated.voltage.max": Quantity(
        UPPER_VOLTAGE_LIMIT, "maximum-voltage", EMMO.Volt, EMMO.Volt,
        provided_by="the battery's UpperVoltageLimit (EMMO quantity)"),
    "$.performance.rated.capacity.value": Quantity(
        RATED_CAPACITY, "rated-capacity", EMMO.AmpereHour, EMMO.AmpereHour,
        provided_by="the battery's RatedCapacity (EMMO quantity)"),
    "$.performance.rated.capacity.thresholdExhaustion": Quantity(
        EOL_CAPACITY_THRESHOLD, "eol-capacity-threshold", EMMO.Percent, EMMO.Percent,
        provided_by="the battery's EndOfLifeCapacityThreshold (EMMO quantity)"),
    "$.performance.rated.energy.value": Quantity(
        NOMINAL_ENERGY, "nominal-energy", EMMO.KiloWatthour, EMMO.KiloWatthour,
        provided_by="the battery's NominalEnergy (EMMO quantity)"),
    "$.performance.rated.roundTripEfficiency.initial": Quantity(
        ROUND_TRIP_EFFICIENCY, "round-trip-efficiency", EMMO.Percent, EMMO.Percent,
        provided_by="the battery's RoundTripEnergyEfficiency (EMMO quantity)"),
    "$.performance.rated.roundTripEfficiency.50PercentLife": Quantity(
        DBP.RoundTripEfficiencyAtHalfCycleLife, "round-trip-efficiency-50", EMMO.Percent,
        EMMO.Percent),
    "$.performance.rated.resistance.pack": Quantity(
        DBP.InitialInternalResistance, "internal-resistance", EMMO.MilliOhm, EMMO.Ohm),
    "$.performance.rated.power.value": Quantity(
        MAXIMUM_POWER, "maximum-power", EMMO.KiloWatt, EMMO.Watt,
        provided_by="the battery's MaximumPower (EMMO quantity)"),
    "$.performance.rated.temperature.lower": Quantity(
        DBP.IdleTemperatureLowerBoundary, "idle-temperature-min", EMMO.DegreeCelsius,
        EMMO.DegreeCelsius),
    "$.performance.rated.temperature.upper": Quantity(
        DBP.IdleTemperatureUpperBoundary, "idle-temperature-max", EMMO.DegreeCelsius,
        EMMO.DegreeCelsius),
    "$.performance.rated.selfDischargingRate": Quantity(
        DBP.InitialSelfDischargeRate, "self-discharge-rate", EMMO.Percent, EMMO.Percent),
    "$.performance.rated.lifetime.expectedYears": Quantity(
        DBP.ExpectedLifetime, "expected-lifetime", EMMO.Year, EMMO.Year),
    "$.performance.rated.lifetime.cycleLifeTesting.cycles": Quantity(
        CYCLE_LIFE, "cycle-life", UNIT["1"], UNIT["1"],
        provided_by="the battery's CycleLife (EMMO quantity)"),
    "$.performance.rated.lifetime.cycleLifeTesting.appliedDischargeRate": Quantity(
        DBP.CycleLifeTestCRate, "cycle-life-c-rate", UNIT["1"], UNIT["1"]),
    **_record(f"{_DYN}.stateOfCharge", STATE_OF_CHARGE, "soc", EMMO.Percent, EMMO.Percent,
              "the StateOfCharge (EMMO)"),
    **_record(f"{_DYN}.fullCycles", TOTAL_CYCLES, "cycles", UNIT["1"], UNIT["1"],
              "the TotalNumberOfCycles (EMMO)"),
    **_record(f"{_DYN}.energy.soce", DBP.StateOfCertifiedEnergy, "soce", EMMO.Percent,
              EMMO.Percent, "dbp:StateOfCertifiedEnergy"),
    **_record(f"{_DYN}.energy.remaining", DBP.RemainingUsableEnergy, "remaining-energy",
              EMMO.KiloWatthour, EMMO.KiloWatthour, "dbp:RemainingUsableEnergy"),
    **_record(f"{_DYN}.energy.throughput", DBP.EnergyThroughput, "energy-throughput",
              EMMO.KiloWatthour, EMMO.KiloWatthour, "dbp:EnergyThroughput"),
    **_record(f"{_DYN}.capacity.capacity", DBP.RemainingCapacity, "remaining-capacity",
              EMMO.AmpereHour, EMMO.AmpereHour, "dbp:RemainingCapacity"),
    **_record(f"{_DYN}.capacity.fade", DBP.CapacityFadeRatio, "capacity-fade", EMMO.Percent,
              EMMO.Percent, "dbp:CapacityFadeRatio"),
    **_record(f"{_DYN}.capacity.throughput", DBP.CapacityThroughput, "capacity-throughput",
              EMMO.AmpereHour, EMMO.AmpereHour, "dbp:CapacityThroughput"),
    **_record(f"{_DYN}.power.fade", DBP.PowerFade, "power-fade", EMMO.Percent, EMMO.Percent,
              "dbp:PowerFade"),
    **_record(f"{_DYN}.power.remaining", DBP.RemainingPowerCapability, "remaining-power",
              EMMO.KiloWatt, EMMO.Watt, "dbp:RemainingPowerCapability"),
    **_record(f"{_DYN}.roundTripEfficiency.remaining", DBP.RemainingRoundTripEfficiency,
              "remaining-round-trip-efficiency", EMMO.Percent, EMMO.Percent,
              "dbp:RemainingRoundTripEfficiency"),
    **_record(f"{_DYN}.roundTripEfficiency.fade", DBP.RoundTripEfficiencyFade,
              "round-trip-efficiency-fade", EMMO.Percent, EMMO.Percent,
              "dbp:RoundTripEfficiencyFade"),
    **_record(f"{_DYN}.resistance.increase.pack", DBP.InternalResistanceIncrease,
              "resistance-increase", EMMO.Percent, EMMO.Percent, "dbp:InternalResistanceIncrease"),
    **_record(f"{_DYN}.resistance.remaining.pack", DC_INTERNAL_RESISTANCE, "dcir",
              EMMO.MilliOhm, EMMO.Ohm, "the DCInternalResistance (EMMO)"),
}

# (access group, lifecycle stage or None to inherit, the standard's attribute it follows)
ACCESS_BY_TEXT: dict[str, tuple[G, S | None, str]] = {
    "$.specVersion": (G.PUBLIC, S.IDENTITY, "passport metadata (model version)"),
    "$.identification": (G.PUBLIC, S.IDENTITY, "DIN 6.1.2.2 battery identifier, 6.1.3.5 "
                                               "category, 6.5.2 chemistry: public"),
    "$.operation": (G.PUBLIC, S.IDENTITY, "DIN 6.1.2.4 manufacturer, 6.1.3.1 place, 6.1.3.2 "
                                          "date: public"),
    "$.operation.intoServiceDate": (G.LEGITIMATE_INTEREST, S.USAGE,
                                    "DIN 6.1.3.3 putting into service: PLI"),
    "$.characteristics": (G.PUBLIC, S.IDENTITY, "DIN 6.1.3.4 warranty, 6.1.3.6 mass: public"),
    "$.sustainability": (G.PUBLIC, S.MANUFACTURING, "DIN 6.3 carbon footprint: public"),
    "$.sustainability.status": (G.LEGITIMATE_INTEREST, S.IDENTITY,
                                "DIN 6.1.3.7 battery status: PLI"),
    "$.sustainability.documents": (G.PUBLIC, S.IDENTITY,
                                   "DIN 6.6.3.2-6.6.3.4 end-of-life information: public"),
    "$.sustainability.documents.euTaxonomyDisclosureStatement": (
        G.AUTHORITY, None, "not an attribute of DIN DKE SPEC 99100: most restricted"),
    "$.sustainability.documents.sustainabilityReport": (
        G.AUTHORITY, None, "not an attribute of DIN DKE SPEC 99100: most restricted"),
    "$.materials": (G.PUBLIC, S.DESIGN, "DIN 6.5.3 critical raw materials, 6.5.5-6.5.6 "
                                        "hazardous substances, 6.6.2 recycled content: public"),
    "$.materials.composition": (G.LEGITIMATE_INTEREST, S.DESIGN,
                                "DIN 6.5.4 materials of cathode, anode, electrolyte: PLI"),
    "$.performance": (G.PUBLIC, S.RATED_PERFORMANCE, "DIN 6.7 rated values: public"),
    "$.performance.rated.selfDischargingRate": (G.LEGITIMATE_INTEREST, None,
                                                "DIN 6.7.4.6 initial self-discharge: PLI"),
    "$.performance.rated.lifetime.expectedYears": (G.LEGITIMATE_INTEREST, None,
                                                   "DIN 6.7.6.2 expected lifetime: PLI"),
    "$.performance.rated.testReport": (G.AUTHORITY, None,
                                       "DIN 6.2.8 results of test reports: authorities"),
    "$.performance.rated.performanceDocument": (
        G.AUTHORITY, None, "not an attribute of DIN DKE SPEC 99100: most restricted"),
    "$.performance.dynamic": (G.LEGITIMATE_INTEREST, S.USAGE,
                              "DIN 6.7 dynamic values, 6.7.8 negative events: PLI"),
    "$.conformity": (G.PUBLIC, S.IDENTITY, "DIN 6.2.7 EU declaration of conformity: public"),
    "$.conformity.resultOfTestReport": (G.AUTHORITY, S.RATED_PERFORMANCE,
                                        "DIN 6.2.8 results of test reports: authorities"),
    "$.conformity.thirdPartyAssurance": (G.PUBLIC, S.MANUFACTURING,
                                         "DIN 6.4.3 third-party assurances: public"),
    "$.conformity.dueDiligencePolicy": (G.PUBLIC, S.MANUFACTURING,
                                        "DIN 6.4.2 due diligence report: public"),
    "$.safety": (G.PUBLIC, S.DESIGN, "DIN 6.2.5 extinguishing agent: public"),
    "$.safety.meaningOfLabels": (G.PUBLIC, S.IDENTITY, "DIN 6.2.6 meaning of labels: public"),
    "$.safety.safetyMeasures": (G.LEGITIMATE_INTEREST, None, "DIN 6.6.1.5 safety measures: PLI"),
    "$.safety.dismantling": (G.LEGITIMATE_INTEREST, None,
                             "DIN 6.6.1.2 dismantling information: PLI"),
    "$.safety.removalFromAppliance": (G.LEGITIMATE_INTEREST, None,
                                      "DIN 6.6.1.2 removal manual: PLI"),
    "$.safety.safeDischarging": (G.LEGITIMATE_INTEREST, None,
                                 "DIN 6.6.1.2 / 6.6.1.5 dismantling and safety: PLI"),
    "$.sources": (G.AUTHORITY, S.IDENTITY,
                  "general documents, not an attribute of DIN DKE SPEC 99100: most restricted"),
    "$.metadata": (G.PUBLIC, S.IDENTITY, "DIN 6.1.2.1 passport identifier, 6.1.2.3 operator: "
                                         "public; other metadata most restricted"),
    "$.metadata.version": (G.AUTHORITY, None, "not in DIN DKE SPEC 99100: most restricted"),
    "$.metadata.status": (G.AUTHORITY, None, "not in DIN DKE SPEC 99100: most restricted"),
    "$.metadata.issueDate": (G.AUTHORITY, None, "not in DIN DKE SPEC 99100: most restricted"),
    "$.metadata.expirationDate": (G.AUTHORITY, None,
                                  "not in DIN DKE SPEC 99100: most restricted"),
    "$.metadata.predecessor": (G.AUTHORITY, None, "not in DIN DKE SPEC 99100: most restricted"),
    "$.metadata.backupReference": (G.AUTHORITY, None,
                                   "not in DIN DKE SPEC 99100: most restricted"),
    "$.metadata.registrationIdentifier": (G.AUTHORITY, None,
                                          "not in DIN DKE SPEC 99100: most restricted"),
    "$.metadata.lastModification": (G.AUTHORITY, None,
                                    "not in DIN DKE SPEC 99100: most restricted"),
    "$.commercial": (G.AUTHORITY, S.IDENTITY,
                     "placing on the market, purpose: not in DIN DKE SPEC 99100"),
    "$.handling": (G.LEGITIMATE_INTEREST, S.DESIGN,
                   "DIN 6.6.1.3-6.6.1.4 part numbers and spare-part sources: PLI"),
}

# Text leaves that must be real calendar dates (the schema's pattern accepts 2024-13-45).
DATES = ("$.operation.manufacturer.manufacturingDate", "$.operation.intoServiceDate",
         "$.metadata.issueDate", "$.metadata.expirationDate", "$.metadata.lastModification",
         "$.commercial.placedOnMarket")
# (earlier, later): both given -> the first may not be after the second. (Manufacturing and
# putting into service are dbp dates: shapes/crossfield.ttl checks their order.)
DATE_ORDER = (("$.metadata.issueDate", "$.metadata.expirationDate"),)

FIELDS = {parse_pattern(k): v for k, v in FIELDS_BY_TEXT.items()}
ACCESS = {parse_pattern(k): v for k, v in ACCESS_BY_TEXT.items()}
