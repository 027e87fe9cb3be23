"""Battery Pass consortium data model 1.2.x (DIN DKE SPEC 99100 attributes): the mapping as data.

* ``ASPECTS``: the seven SAMM aspects, their versions and model files (the official JSON schema
  where published; PerformanceAndDurability 1.2.1 has the aspect model only, its schema is made
  from it by ``interop/samm.py``).
* ``FIELDS``: per aspect and version, the JSON fields carried by EMMO / BattINFO / dbp terms;
  every other field keeps the SAMM property URN of its aspect model (``structure.py``).
* ``ACCESS``: per aspect, the access group (DIN DKE SPEC 99100 / Battery Pass long list v1.2,
  "access rights") and lifecycle stage of each part, with the attribute it follows; a field not
  listed inherits from the part containing it. ``annotations.py`` turns it into
  ontology/interop-batterypass.ttl.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from graph_service.model.graphs import AccessGroup as G
from graph_service.model.graphs import Stage as S
from graph_service.model.namespaces import DBP, EMMO
from graph_service.model.terms import (
    CYCLE_LIFE,
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
)
from graph_service.services.interop.batterypass.codecs import (
    DatePart,
    MaterialShare,
    MultiLanguage,
    OrganisationId,
    Value,
)
from graph_service.services.interop.codecs import Concept, Quantity, RecordTime, RecordValue, Text
from graph_service.services.interop.schema import parse_pattern

FORMAT = "batterypass"
NAMESPACE = "io.BatteryPass"


@dataclass(frozen=True)
class Aspect:
    name: str  # the aspect element (SAMM), the key of an aspect in a set of payloads
    module: str  # the model's namespace part: urn:samm:io.BatteryPass.<module>:<version>
    short: str  # node kind of its structure nodes ({battery}/bp-<short>/...)
    versions: tuple[str, ...]
    schema_versions: tuple[str, ...]  # versions published with a JSON schema

    def urn(self, version: str) -> str:
        return f"urn:samm:{NAMESPACE}.{self.module}:{version}#{self.name}"

    def term_prefix(self, version: str | None = None) -> str:
        return f"urn:samm:{NAMESPACE}.{self.module}:" + (f"{version}#" if version else "")

    def file(self, version: str) -> tuple[str, str]:
        """(folder, file name) in the passport-model folder: the schema or the aspect model."""
        suffix = "-schema.json" if version in self.schema_versions else ".ttl"
        return ("batterypass", f"{self.module}_{version}_{self.name}{suffix}")

    @property
    def latest(self) -> str:
        return self.versions[-1]


ASPECTS: dict[str, Aspect] = {a.name: a for a in (
    Aspect("GeneralProductInformation", "GeneralProductInformation", "gpi", ("1.2.0",),
           ("1.2.0",)),
    Aspect("CarbonFootprintForBatteries", "CarbonFootprint", "cf", ("1.2.0",), ("1.2.0",)),
    Aspect("Circularity", "Circularity", "circ", ("1.2.0",), ("1.2.0",)),
    Aspect("Labeling", "Labels", "labels", ("1.2.0",), ("1.2.0",)),
    Aspect("MaterialComposition", "MaterialComposition", "mc", ("1.2.0",), ("1.2.0",)),
    Aspect("PerformanceAndDurability", "Performance", "perf", ("1.2.0", "1.2.1"), ("1.2.0",)),
    Aspect("SupplyChainDueDiligence", "SupplyChainDueDiligence", "scdd", ("1.2.0",),
           ("1.2.0",)),
)}
# Other names a set of payloads may use for an aspect (the module names of the model).
ALIASES = {a.module: a.name for a in ASPECTS.values() if a.module != a.name}
SUPPORTED_VERSIONS = ("1.2.0", "1.2.1")


def _q(cls: object, slug: str, stored: object, received: object | None = None,
       label: str = "") -> Quantity:
    return Quantity(cls, slug, stored, received or stored,  # type: ignore[arg-type]
                    provided_by=f"the battery's {label} (EMMO / dbp quantity)" if label else "")


def _record(path: str, value_key: str, cls: object, slug: str, unit: object,
            label: str) -> dict[str, object]:
    value = RecordValue(cls, slug, unit, unit, time_key="lastUpdate",  # type: ignore[arg-type]
                        provided_by=f"a usage record (dbp:UsageRecord) with {label}")
    return {f"{path}.{value_key}": value,
            f"{path}.lastUpdate": RecordTime(value, value_key=value_key)}


CATEGORY = {"lmt": "lmt", "ev": "ev", "industrial": "industrial", "stationary": "stationary"}
STATUS_TO_CONCEPT = {"Original": "original", "Repurposed": "repurposed", "Reused": "reused",
                     "Remanufactured": "remanufactured", "Waste": "waste"}
STATUS_TO_JSON = {v: k for k, v in STATUS_TO_CONCEPT.items()}

_TECH = "$.batteryTechicalProperties"
_COND = "$.batteryCondition"

_PERFORMANCE_COMMON: dict[str, object] = {
    f"{_TECH}.ratedMaximumPower": _q(MAXIMUM_POWER, "maximum-power", EMMO.KiloWatt,
                                     EMMO.KiloWatt, "MaximumPower"),
    f"{_TECH}.ratedEnergy": _q(NOMINAL_ENERGY, "nominal-energy", EMMO.KiloWatthour,
                               label="NominalEnergy"),
    f"{_TECH}.expectedNumberOfCycles": _q(CYCLE_LIFE, "cycle-life", UNIT["1"],
                                          label="CycleLife"),
    f"{_TECH}.initialSelfDischarge": _q(DBP.InitialSelfDischargeRate, "self-discharge-rate",
                                        EMMO.Percent),
    f"{_TECH}.roundtripEfficiency": _q(ROUND_TRIP_EFFICIENCY, "round-trip-efficiency",
                                       EMMO.Percent, label="RoundTripEnergyEfficiency"),
    f"{_TECH}.ratedCapacity": _q(RATED_CAPACITY, "rated-capacity", EMMO.AmpereHour,
                                 label="RatedCapacity"),
    f"{_TECH}.expectedLifetime": _q(DBP.ExpectedLifetime, "expected-lifetime", EMMO.Year),
    f"{_TECH}.nominalVoltage": _q(NOMINAL_VOLTAGE, "nominal-voltage", EMMO.Volt,
                                  label="NominalVoltage"),
    f"{_TECH}.minimumVoltage": _q(LOWER_VOLTAGE_LIMIT, "minimum-voltage", EMMO.Volt,
                                  label="LowerVoltageLimit"),
    f"{_TECH}.maximumVoltage": _q(UPPER_VOLTAGE_LIMIT, "maximum-voltage", EMMO.Volt,
                                  label="UpperVoltageLimit"),
    f"{_TECH}.capacityThresholdForExhaustion": _q(
        EOL_CAPACITY_THRESHOLD, "eol-capacity-threshold", EMMO.Percent,
        label="EndOfLifeCapacityThreshold"),
    f"{_TECH}.cRateLifeCycleTest": _q(DBP.CycleLifeTestCRate, "cycle-life-c-rate", UNIT["1"]),
    **_record(f"{_COND}.stateOfCharge", "stateOfChargeValue", STATE_OF_CHARGE, "soc",
              EMMO.Percent, "the StateOfCharge (EMMO)"),
    **_record(f"{_COND}.numberOfFullCycles", "numberOfFullCyclesValue", TOTAL_CYCLES, "cycles",
              UNIT["1"], "the TotalNumberOfCycles (EMMO)"),
    **_record(f"{_COND}.stateOfCertifiedEnergy", "stateOfCertifiedEnergyValue",
              DBP.StateOfCertifiedEnergy, "soce", EMMO.Percent, "dbp:StateOfCertifiedEnergy"),
    **_record(f"{_COND}.capacityThroughput", "capacityThroughputValue", DBP.CapacityThroughput,
              "capacity-throughput", EMMO.AmpereHour, "dbp:CapacityThroughput"),
    **_record(f"{_COND}.capacityFade", "capacityFadeValue", DBP.CapacityFadeRatio,
              "capacity-fade", EMMO.Percent, "dbp:CapacityFadeRatio"),
    **_record(f"{_COND}.remainingRoundTripEnergyEfficiency",
              "remainingRoundTripEnergyEfficiencyValue", DBP.RemainingRoundTripEfficiency,
              "remaining-round-trip-efficiency", EMMO.Percent,
              "dbp:RemainingRoundTripEfficiency"),
}

FIELDS_BY_TEXT: dict[tuple[str, str], dict[str, object]] = {
    ("GeneralProductInformation", "1.2.0"): {
        "$.batteryPassportIdentifier": Text(DBP.passportIdentifier),
        "$.batteryCategory": Concept(DBP.batteryCategory, "category", CATEGORY, CATEGORY),
        "$.manufacturerInformation.identifier": OrganisationId(DBP.manufacturer),
        "$.operatorInformation.identifier": OrganisationId(DBP.operator),
        "$.manufacturingDate": DatePart(DBP.manufacturingDate),
        "$.puttingIntoService": DatePart(DBP.putIntoServiceDate),
        "$.batteryStatus": Concept(DBP.batteryStatus, "status", STATUS_TO_CONCEPT,
                                   STATUS_TO_JSON),
        "$.batteryMass": _q(MASS, "mass", EMMO.Kilogram, label="Mass"),
    },
    ("CarbonFootprintForBatteries", "1.2.0"): {
        "$.batteryCarbonFootprint": Value(DBP.carbonFootprintPerFunctionalUnit, "decimal"),
        "$.carbonFootprintPerformanceClass": Value(DBP.carbonFootprintPerformanceClass),
        "$.carbonFootprintStudy": Value(DBP.carbonFootprintStudy, "uri"),
        # The model gives kg CO2e; dbp:absoluteCarbonFootprint is in t CO2e (DIN 6.3.10).
        "$.absoluteCarbonFootprint": Value(DBP.absoluteCarbonFootprint, "decimal",
                                           Decimal("0.001")),
    },
    ("SupplyChainDueDiligence", "1.2.0"): {
        "$.supplyChainDueDiligenceReport": Value(DBP.dueDiligenceReport, "uri"),
        "$.thirdPartyAussurances": Value(DBP.thirdPartyAssurance, "uri"),
        "$.supplyChainIndicies": Value(DBP.supplyChainIndex, "decimal"),
    },
    ("Circularity", "1.2.0"): {
        "$.renewableContent": Value(DBP.renewableContentShare, "decimal"),
        "$.endOfLifeInformation.wastePrevention": Value(DBP.wastePreventionInfo, "uri"),
        "$.endOfLifeInformation.separateCollection": Value(DBP.separateCollectionInfo, "uri"),
        "$.endOfLifeInformation.informationOnCollection": Value(DBP.endOfLifeInfo, "uri"),
        "$.safetyMeasures.safetyInstructions": Value(DBP.safetyMeasures, "uri"),
        "$.recycledContent[].preConsumerShare": MaterialShare("pre"),
        "$.recycledContent[].postConsumerShare": MaterialShare("post"),
    },
    ("Labeling", "1.2.0"): {
        "$.declarationOfConformity": Value(DBP.declarationOfConformity, "uri"),
        "$.resultOfTestReport": Value(DBP.testReport, "uri"),
        "$.labels[].labelingMeaning": MultiLanguage(
            "urn:samm:io.BatteryPass.Labels:1.2.0#labelingMeaning"),
    },
    ("MaterialComposition", "1.2.0"): {},
    ("PerformanceAndDurability", "1.2.0"): {
        **_PERFORMANCE_COMMON,
        f"{_COND}.roundTripEfficiencyat50PerCentCycleLife": _q(
            DBP.RoundTripEfficiencyAtHalfCycleLife, "round-trip-efficiency-50", EMMO.Percent),
        **_record(f"{_COND}.remainingEnergy", "remainingEnergyalue", DBP.RemainingUsableEnergy,
                  "remaining-energy", EMMO.KiloWatthour, "dbp:RemainingUsableEnergy"),
    },
    ("PerformanceAndDurability", "1.2.1"): {
        **_PERFORMANCE_COMMON,
        f"{_TECH}.roundTripEfficiencyat50PerCentCycleLife": _q(
            DBP.RoundTripEfficiencyAtHalfCycleLife, "round-trip-efficiency-50", EMMO.Percent),
        f"{_TECH}.temperatureRangeIdleState.minimum": _q(
            DBP.IdleTemperatureLowerBoundary, "idle-temperature-min", EMMO.DegreeCelsius),
        f"{_TECH}.temperatureRangeIdleState.maximum": _q(
            DBP.IdleTemperatureUpperBoundary, "idle-temperature-max", EMMO.DegreeCelsius),
        **_record(f"{_COND}.remainingEnergy", "remainingEnergyValue", DBP.RemainingUsableEnergy,
                  "remaining-energy", EMMO.KiloWatthour, "dbp:RemainingUsableEnergy"),
        **_record(f"{_COND}.energyThroughput", "energyThroughputValue", DBP.EnergyThroughput,
                  "energy-throughput", EMMO.KiloWatthour, "dbp:EnergyThroughput"),
    },
}

_PLI, _PUB, _AUTH = G.LEGITIMATE_INTEREST, G.PUBLIC, G.AUTHORITY

# (access group, lifecycle stage or None to inherit, the attribute of the long list it follows)
ACCESS_BY_TEXT: dict[str, dict[str, tuple[G, S | None, str]]] = {
    "GeneralProductInformation": {
        "$.productIdentifier": (_PUB, S.IDENTITY, "#2 DIN 6.1.2.2 battery identifier: public"),
        "$.batteryPassportIdentifier": (_PUB, S.IDENTITY,
                                        "#1 DIN 6.1.2.1 passport identifier: public"),
        "$.batteryCategory": (_PUB, S.IDENTITY, "#9 DIN 6.1.3.5 category: public"),
        "$.manufacturerInformation": (_PUB, S.IDENTITY,
                                      "#4 DIN 6.1.2.4 manufacturer information: public"),
        "$.operatorInformation": (_PUB, S.IDENTITY,
                                  "#3 DIN 6.1.2.3 operator information: public"),
        "$.manufacturingDate": (_PUB, S.IDENTITY, "#6 DIN 6.1.3.2 manufacturing date: public"),
        "$.manufacturingPlace": (_PUB, S.IDENTITY,
                                 "#5 DIN 6.1.3.1 manufacturing place: public"),
        "$.batteryStatus": (_PLI, S.IDENTITY, "#11 DIN 6.1.3.7 battery status: PLI"),
        "$.batteryMass": (_PUB, S.IDENTITY, "#10 DIN 6.1.3.6 battery mass: public"),
        "$.puttingIntoService": (_PLI, S.USAGE,
                                 "#7 DIN 6.1.3.3 date of putting into service: PLI"),
        "$.warrentyPeriod": (_PUB, S.IDENTITY, "#8 DIN 6.1.3.4 warranty period: public"),
    },
    "CarbonFootprintForBatteries": {
        "$.batteryCarbonFootprint": (_PUB, S.MANUFACTURING,
                                     "#19 DIN 6.3.2 carbon footprint per FU: public"),
        "$.carbonFootprintPerLifecycleStage": (
            _PUB, S.MANUFACTURING, "#20-23 DIN 6.3.3-6.3.6 contributions of stages: public"),
        "$.carbonFootprintPerformanceClass": (_PUB, S.MANUFACTURING,
                                              "#24 DIN 6.3.7 performance class: public"),
        "$.carbonFootprintStudy": (_PUB, S.MANUFACTURING,
                                   "#25 DIN 6.3.8 carbon footprint study: public"),
        "$.absoluteCarbonFootprint": (_PUB, S.MANUFACTURING,
                                      "#27 DIN 6.3.10 absolute carbon footprint: public"),
    },
    "SupplyChainDueDiligence": {
        "$.supplyChainDueDiligenceReport": (_PUB, S.MANUFACTURING,
                                            "#28 DIN 6.4.2 due diligence report: public"),
        "$.thirdPartyAussurances": (_PUB, S.MANUFACTURING,
                                    "#29 DIN 6.4.3 third-party assurances: public"),
        "$.supplyChainIndicies": (_PUB, S.MANUFACTURING,
                                  "#30 DIN 6.4.4 supply chain indices: public"),
    },
    "MaterialComposition": {
        "$.batteryChemistry": (_PUB, S.DESIGN, "#31 DIN 6.5.2 battery chemistry: public"),
        "$.batteryMaterials": (_PLI, S.DESIGN, "#33 DIN 6.5.4 materials of cathode, anode, "
                                               "electrolyte: PLI and the Commission"),
        "$.batteryMaterials[].isCriticalRawMaterial": (
            _PLI, None, "#32 DIN 6.5.3 critical raw materials (public) given per material of "
                        "#33 (PLI): the stricter"),
        "$.hazardousSubstances": (_PUB, S.DESIGN, "#34-35 DIN 6.5.5-6.5.6 hazardous substances "
                                                  "and their impact: public"),
    },
    "Circularity": {
        "$.dismantlingAndRemovalInformation": (
            _PLI, S.DESIGN, "#36 DIN 6.6.1.2 dismantling and removal manuals: PLI"),
        "$.sparePartSources": (_PLI, S.DESIGN, "#37-38 DIN 6.6.1.3-6.6.1.4 part numbers and "
                                               "spare-part sources: PLI"),
        "$.recycledContent": (_PUB, S.MANUFACTURING,
                              "#40-47 DIN 6.6.2.3-6.6.2.10 recycled content: public"),
        # The part holds a public and a restricted attribute: each field has its own group.
        "$.safetyMeasures": (_PUB, S.DESIGN, "#15 DIN 6.2.5 extinguishing agent: public; "
                                             "#39 DIN 6.6.1.5 safety instructions: PLI"),
        "$.safetyMeasures.safetyInstructions": (_PLI, None,
                                                "#39 DIN 6.6.1.5 safety measures: PLI"),
        "$.safetyMeasures.extinguishingAgent": (_PUB, None,
                                                "#15 DIN 6.2.5 extinguishing agent: public"),
        "$.endOfLifeInformation": (_PUB, S.END_OF_LIFE, "#49-51 DIN 6.6.3.2-6.6.3.4 end-user "
                                                        "and end-of-life information: public"),
        "$.renewableContent": (_PUB, S.MANUFACTURING,
                               "#48 DIN 6.6.2.11 renewable content: public"),
    },
    "Labeling": {
        "$.declarationOfConformity": (_PUB, S.IDENTITY,
                                      "#17 DIN 6.2.7 EU declaration of conformity: public"),
        "$.resultOfTestReport": (_AUTH, S.RATED_PERFORMANCE, "#18 DIN 6.2.8 results of test "
                                                             "reports: notified bodies, market "
                                                             "surveillance, Commission"),
        "$.labels": (_PUB, S.IDENTITY, "#12-14, #16 DIN 6.2.2-6.2.4, 6.2.6 symbols and their "
                                       "meaning: public"),
    },
    "PerformanceAndDurability": {
        "$.batteryTechicalProperties": (_PUB, S.RATED_PERFORMANCE,
                                        "#52-86 DIN 6.7 rated (static) values: public"),
        f"{_TECH}.initialSelfDischarge": (_PLI, None, "#71 DIN 6.7.4.6 initial self-discharge "
                                                      "rate: PLI"),
        f"{_TECH}.expectedLifetime": (_PLI, None, "#76 DIN 6.7.6.2 expected lifetime in "
                                                  "calendar years: PLI"),
        f"{_TECH}.roundTripEfficiencyFade": (_PLI, None, "#70 DIN 6.7.4.5 energy round trip "
                                                         "efficiency fade: PLI"),
        f"{_TECH}.powerFade": (_PLI, None, "#64 DIN 6.7.3.4 power fade: PLI"),
        f"{_TECH}.powerCapabilityRatio": (_PUB, None, "DIN 6.7.3.2 power capability (ratio of "
                                                      "power and energy): public"),
        "$.batteryCondition": (_PLI, S.USAGE, "#53-93 DIN 6.7 dynamic (item) values, 6.7.8 "
                                              "negative events: PLI"),
    },
}

FIELDS = {key: {parse_pattern(k): v for k, v in fields.items()}
          for key, fields in FIELDS_BY_TEXT.items()}
ACCESS = {name: {parse_pattern(k): v for k, v in table.items()}
          for name, table in ACCESS_BY_TEXT.items()}

# Defects of the published schemas, corrected where the intention is evident and reported in
# docs/interop.md: (aspect, version) -> {component: (keyword, published, corrected)}.
# GeneralProductInformation 1.2.0: the e-mail pattern lost its backslashes in the aspect model
# ("^[w.-]+@..." accepts only the letter w, dots and dashes before the @); Circularity writes the
# same pattern with them.
SCHEMA_CORRECTIONS: dict[tuple[str, str], dict[str, tuple[str, str, str]]] = {
    ("GeneralProductInformation", "1.2.0"): {
        "EmailAddressTrait": ("pattern", "^[w.-]+@[w.-]+.[A-Za-z]{2,}$",
                              r"^[\w.-]+@[\w.-]+\.[A-Za-z]{2,}$"),
    },
}
