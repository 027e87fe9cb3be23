"""Partner documents written by hand from the published specifications (the Battery Pass 1.2.x
aspect models / JSON schemas under DBP_PASSPORT_MODELS_DIR/batterypass and DIN DKE SPEC 99100),
not from our generator or test fixtures: the independent partner check imports documents like
these, and the tests of its findings use them.

``battery_pass_set(pid)`` is one full set of all seven aspects (PerformanceAndDurability 1.2.1)
for a product identifier ``pid``; every call gives a fresh copy to change.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

from rdflib import Graph, Literal

from graph_service.model.namespaces import DBP

MANUFACTURER = "DE-NORDZELL-01"
OPERATOR = "NL-GRIDSTORE-02"


def register(services: Any, *ids: str) -> None:
    """Register organisations by id (a partner registers them before naming them)."""
    from graph_service.services.access import Principal, Role

    for org in ids or (MANUFACTURER, OPERATOR):
        if services.organisations.exists(org):
            continue
        record = Graph()
        record.add((services.minter.organisation(org), DBP.name, Literal(f"Partner {org}")))
        services.organisations.put(org, record, Principal("test-admin", Role.ADMIN))


_ADDRESS = {"addressCountry": "DE", "postalCode": "01067", "streetAddress": "Zellweg 4, Dresden"}

_SET: dict[str, Any] = {
    "GeneralProductInformation": {
        "productIdentifier": "PID",
        "batteryPassportIdentifier": "urn:nordzell:pass0001",
        "batteryCategory": "stationary",
        "manufacturerInformation": {
            "contactName": "Nordzell Batteriewerk GmbH", "postalAddress": _ADDRESS,
            "identifier": MANUFACTURER, "emailAddress": "pass@nordzell.example",
            "webAddress": "https://nordzell.example/"},
        "manufacturingDate": "2025-03-14T09:30:00+01:00",
        "batteryStatus": "Original",
        "batteryMass": 2150.5,
        "manufacturingPlace": _ADDRESS,
        "operatorInformation": {
            "contactName": "GridStore B.V.",
            "postalAddress": {"addressCountry": "NL", "postalCode": "3011",
                              "streetAddress": "Haven 9, Rotterdam"},
            "identifier": OPERATOR},
        "puttingIntoService": "2025-05-02T08:00:00Z",
        "warrentyPeriod": "--10",
    },
    "CarbonFootprintForBatteries": {
        "batteryCarbonFootprint": 61.2,
        "carbonFootprintPerLifecycleStage": [
            {"lifecycleStage": "RawMaterialExtraction", "carbonFootprint": 30.1},
            {"lifecycleStage": "MainProduction", "carbonFootprint": 24.0},
            {"lifecycleStage": "Distribution", "carbonFootprint": 2.1},
            {"lifecycleStage": "Recycling", "carbonFootprint": 5.0}],
        "carbonFootprintPerformanceClass": "B",
        "carbonFootprintStudy": "https://nordzell.example/cf-study.pdf",
        "absoluteCarbonFootprint": 12240.0,
    },
    "Circularity": {
        "dismantlingAndRemovalInformation": [
            {"documentType": "DismantlingManual", "mimeType": "application/pdf",
             "documentURL": "https://nordzell.example/dismantling.pdf"}],
        "sparePartSources": [
            {"nameOfSupplier": "Nordzell Service", "addressOfSupplier": _ADDRESS,
             "emailAddressOfSupplier": "parts@nordzell.example",
             "supplierWebAddress": "https://nordzell.example/parts",
             "components": [{"partName": "Module M48", "partNumber": "M48-2"}]}],
        "recycledContent": [
            {"preConsumerShare": 4.0, "recycledMaterial": "Lithium", "postConsumerShare": 2.5},
            {"preConsumerShare": 10.0, "recycledMaterial": "Lead", "postConsumerShare": 80.0}],
        "safetyMeasures": {"safetyInstructions": "https://nordzell.example/safety.pdf",
                           "extinguishingAgent": ["Water", "Class D powder"]},
        "endOfLifeInformation": {
            "wastePrevention": "https://nordzell.example/eol/prevention",
            "separateCollection": "https://nordzell.example/eol/collection",
            "informationOnCollection": "https://nordzell.example/eol/info"},
        "renewableContent": 7.5,
    },
    "Labeling": {
        "declarationOfConformity": "https://nordzell.example/doc.pdf",
        "resultOfTestReport": "https://nordzell.example/tests.pdf",
        "labels": [{"labelingSymbol": "https://nordzell.example/labels/bin.svg",
                    "labelingMeaning": {"en": "Collect separately", "de": "Getrennt sammeln"},
                    "labelingSubject": "SeparateCollection"}],
    },
    "MaterialComposition": {
        "batteryChemistry": {"shortName": "LFP", "clearName": "Lithium iron phosphate"},
        "batteryMaterials": [
            {"batteryMaterialLocation": {"componentName": "Cathode"},
             "batteryMaterialIdentifier": "7439-93-2", "batteryMaterialName": "Lithium",
             "batteryMaterialMass": 41.0, "isCriticalRawMaterial": True}],
        "hazardousSubstances": [
            {"hazardousSubstanceClass": "AcuteToxicity",
             "hazardousSubstanceName": "Lithium hexafluorophosphate",
             "hazardousSubstanceConcentration": 1.2,
             "hazardousSubstanceImpact": ["Toxic if swallowed"],
             "hazardousSubstanceLocation": {"componentName": "Electrolyte"},
             "hazardousSubstanceIdentifier": "21324-40-3"}],
    },
    "PerformanceAndDurability": {
        "batteryTechicalProperties": {
            "originalPowerCapability": [{"atSoC": 80.0, "powerCapabilityAt": 100.0}],
            "ratedMaximumPower": 250.0,
            "powerCapabilityRatio": 50.0,
            "ratedEnergy": 500.0,
            "expectedNumberOfCycles": 6000,
            "initialSelfDischarge": 1.5,
            "roundtripEfficiency": 94.0,
            "ratedCapacity": 680.0,
            "initialInternalResistance": [{"ohmicResistance": 0.021,
                                           "batteryComponent": "pack"}],
            "expectedLifetime": 15,
            "nominalVoltage": 768.0,
            "minimumVoltage": 600.0,
            "maximumVoltage": 864.0,
            "capacityThresholdForExhaustion": 70.0,
            "lifetimeReferenceTest": "https://nordzell.example/cycle-test.pdf",
            "cRateLifeCycleTest": 0.5,
            "temperatureRangeIdleState": {"minimum": -20.0, "maximum": 45.0},
            "roundTripEfficiencyat50PerCentCycleLife": 91.0,
            "roundTripEfficiencyFade": 3.0,
            "powerFade": 4.0,
        },
        "batteryCondition": {
            "energyThroughput": {"energyThroughputValue": 120000.0,
                                 "lastUpdate": "2025-11-02T12:00:00Z"},
            "capacityThroughput": {"capacityThroughputValue": 156000.0,
                                   "lastUpdate": "2025-11-02T12:00:00Z"},
            "numberOfFullCycles": {"numberOfFullCyclesValue": 240,
                                   "lastUpdate": "2025-11-02T12:00:00Z"},
            "stateOfCertifiedEnergy": {"stateOfCertifiedEnergyValue": 97.0,
                                       "lastUpdate": "2025-11-02T12:00:00Z"},
            "capacityFade": {"capacityFadeValue": 2.0, "lastUpdate": "2025-11-02T12:00:00Z"},
            "remainingEnergy": {"remainingEnergyValue": 485.0,
                                "lastUpdate": "2025-11-02T12:00:00Z"},
            "remainingCapacity": {"remainingCapacityValue": 485.0,
                                  "lastUpdate": "2025-11-02T12:00:00Z"},
            "negativeEvents": [],
            "temperatureInformation": {
                "timeExtremeHighTemp": 0.0, "timeExtremeLowTemp": 12.0,
                "timeExtremeHighTempCharging": 0.0, "timeExtremeLowTempCharging": 0.0,
                "lastUpdate": "2025-11-02T12:00:00Z"},
            "remainingPowerCapability": {
                "remainingPowerCapabilityValue": {"atSoC": 80.0, "powerCapabilityAt": 97.0,
                                                  "rPCLastUpdated": "2025-11-02T12:00:00Z"},
                "lastUpdate": "2025-11-02T12:00:00Z"},
            "evolutionOfSelfDischarge": {"evolutionOfSelfDischargeValue": 0.1,
                                         "lastUpdate": "2025-11-02T12:00:00Z"},
            "currentSelfDischargingRate": {"currentSelfDischargingRateValue": 1.6,
                                           "lastUpdate": "2025-11-02T12:00:00Z"},
            "internalResistanceIncrease": [{"internalResistanceIncreaseValue": 3.0,
                                            "lastUpdate": "2025-11-02T12:00:00Z",
                                            "batteryComponent": "pack"}],
            "remainingRoundTripEnergyEfficiency": {
                "remainingRoundTripEnergyEfficiencyValue": 93.0,
                "lastUpdate": "2025-11-02T12:00:00Z"},
            "stateOfCharge": {"stateOfChargeValue": 55.0,
                              "lastUpdate": "2025-11-02T12:00:00Z"},
        },
    },
    "SupplyChainDueDiligence": {
        "supplyChainDueDiligenceReport": "https://nordzell.example/due-diligence.pdf",
        "thirdPartyAussurances": "https://nordzell.example/assurance.pdf",
        "supplyChainIndicies": 0.82,
    },
}


def battery_pass_set(pid: str) -> dict[str, Any]:
    """All seven Battery Pass aspects of one stationary LFP battery (a fresh copy)."""
    document = copy.deepcopy(_SET)
    general = document["GeneralProductInformation"]
    general["productIdentifier"] = pid
    general["batteryPassportIdentifier"] = "urn:nordzell:" + "".join(
        c for c in pid.lower() if c.isalnum())
    return document


def _docs(header: str) -> list[dict[str, str]]:
    return [{"header": header, "contentType": "URL",
             "content": f"https://nordzell.example/docs/{header.lower().replace(' ', '-')}"}]


_BPNL_MAKER = "BPNL0000000NZ001"
_BPNL_OPERATOR = "BPNL0000000GS002"
_BPNA_PLANT = "BPNA0000000DD003"

_CATENAX: dict[str, Any] = {
    "specVersion": "urn:io.catenax.battery.battery_pass:6.1.0",
    "identification": {
        "category": "EV",
        "idDmc": "PID",
        "chemistry": "NMC 811",
        "identification": {
            "type": {"manufacturerPartId": "NZ-EV-96", "nameAtManufacturer": "Nordzell EV96"},
            "codes": [{"key": "GTIN", "value": "04012345678901"}],
            "dataCarrier": {"carrierType": "QR", "carrierLayout": "upper-left side"},
            "classification": [{"classificationStandard": "GIN 20510-21513",
                                "classificationID": "1004712",
                                "classificationDescription": "Traction battery"}]},
    },
    "operation": {
        "manufacturer": {"facility": [{"facility": _BPNA_PLANT}],
                         "manufacturer": _BPNL_MAKER,
                         "manufacturingDate": "2025-01-20"},
        "intoServiceDate": "2025-03-01",
    },
    "characteristics": {
        "warranty": {"lifeValue": 8, "lifeUnit": "unit:year"},
        "physicalDimension": {"weight": {"value": 512000, "unit": "unit:gram"}},
    },
    "sustainability": {
        "documents": {"separateCollection": _docs("Separate collection"),
                      "wastePrevention": _docs("Waste prevention")},
        "carbonFootprint": [{"value": 72.4, "rulebook": _docs("PEFCR batteries"),
                             "lifecycle": "Main Product Production", "unit": "kg CO2 / kWh",
                             "type": "Climate Change Total",
                             "manufacturingPlant": [{"facility": _BPNA_PLANT}],
                             "declaration": _docs("CF declaration")}],
        "status": "original",
    },
    "materials": {
        "active": {
            "nickel": {"location": "Cathode", "recycled": 6.0, "critical": False,
                       "documentation": _docs("Nickel")},
            "lithium": {"location": "Cathode", "recycled": 4.0, "critical": True,
                        "documentation": _docs("Lithium")},
            "cobalt": {"location": "Cathode", "recycled": 12.0, "critical": True,
                       "documentation": _docs("Cobalt")},
            "lead": {"impactOfSubstances": _docs("Lead impact"), "critical": False,
                     "documentation": _docs("Lead"), "recycled": 0.0, "location": "none",
                     "concentration": 0.0, "materialUnit": "unit:partPerMillion"}},
        "hazardous": {
            name: {"impactOfSubstances": _docs(f"{name} impact"), "concentration": 0.0,
                   "location": "none", "materialUnit": "unit:partPerMillion",
                   "critical": False, "documentation": _docs(name)}
            for name in ("cadmium", "mercury", "lead")},
        "composition": [{"id": [{"id": "7440-02-0", "type": "CAS", "name": "Nickel"}],
                         "concentration": 38.5, "unit": "unit:percent", "critical": False,
                         "documentation": _docs("Composition"), "recycled": 6.0,
                         "location": "Cathode", "renewable": 0.0}],
    },
    "performance": {
        "rated": {
            "voltage": {"min": 280.0, "max": 403.2, "nominal": 355.2},
            "roundTripEfficiency": {"depthOfDischarge": 90.0, "initial": 95.0,
                                    "50PercentLife": 92.0},
            "resistance": {"cell": 0.0009, "pack": 0.096},
            "power": {"value": 180000.0, "at20SoC": 90000.0, "at80SoC": 175000.0},
            "capacity": {"value": 270.0, "thresholdExhaustion": 70.0},
            "temperature": {"lower": -30.0, "upper": 55.0},
            "selfDischargingRate": 2.0,
            "lifetime": {"expectedYears": 10, "report": _docs("Cycle life report"),
                         "cycleLifeTesting": {"temperature": 25.0, "cycles": 2000,
                                              "depthOfDischarge": 80.0,
                                              "appliedChargeRate": 0.5,
                                              "appliedDischargeRate": 1.0}}},
        "dynamic": {
            "stateOfCharge": {"value": 64.0, "time": "2025-10-01T06:00:00Z"},
            "fullCycles": {"time": "2025-10-01T06:00:00Z", "value": 212},
            "selfDischargingRate": 2.1,
            "power": {"fade": {"value": 2.5, "time": "2025-10-01T06:00:00Z"},
                      "remaining": {"time": "2025-10-01T06:00:00Z", "value": 171000.0}},
            "capacity": {"fade": {"value": 3.0, "time": "2025-10-01T06:00:00Z"},
                         "throughput": {"time": "2025-10-01T06:00:00Z", "value": 57240.0},
                         "capacity": {"time": "2025-10-01T06:00:00Z", "value": 261.9}},
            "roundTripEfficiency": {"fade": {"value": 1.5, "time": "2025-10-01T06:00:00Z"},
                                    "remaining": {"value": 93.6,
                                                  "time": "2025-10-01T06:00:00Z"}},
            "resistance": {
                "increase": {"pack": {"value": 4.0, "time": "2025-10-01T06:00:00Z"},
                             "cell": {"value": 3.5, "time": "2025-10-01T06:00:00Z"}},
                "remaining": {"pack": {"time": "2025-10-01T06:00:00Z", "value": 0.0998},
                              "cell": {"time": "2025-10-01T06:00:00Z", "value": 0.00093}}},
            "energy": {"soce": {"value": 97.0, "time": "2025-10-01T06:00:00Z"},
                       "remaining": {"time": "2025-10-01T06:00:00Z", "value": 88.5}}},
    },
    "conformity": {"declarationOfConformity": _docs("Declaration of conformity"),
                   "resultOfTestReport": _docs("Test report"),
                   "thirdPartyAssurance": _docs("Assurance"),
                   "dueDiligencePolicy": _docs("Due diligence")},
    "safety": {"usableExtinguishAgent": [{"media": "Water", "fireClass": "A"}],
               "safetyMeasures": _docs("Safety measures"),
               "meaningOfLabels": _docs("Labels"),
               "dismantling": _docs("Dismantling")},
    "metadata": {"version": "1.0.0", "expirationDate": "2035-01-20", "issueDate": "2025-01-20",
                 "economicOperatorId": _BPNL_OPERATOR,
                 "passportIdentifier": "3f6c9a52-1b7e-4d2a-9c0f-5e8b7a6d4c21",
                 "predecessor": "8d1e2f34-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
                 "backupReference": "https://nordzell.example/backup"},
    "commercial": {"purpose": ["automotive"]},
    "handling": {"content": {"producer": [{"id": _BPNL_MAKER}],
                             "sparePart": [{"manufacturerPartId": "M12-3",
                                            "nameAtManufacturer": "Module M12"}]},
                 "applicable": True},
}


def catenax_document(pid: str) -> dict[str, Any]:
    """A full Catena-X 6.1.0 battery pass of one EV battery (a fresh copy)."""
    document = copy.deepcopy(_CATENAX)
    document["identification"]["idDmc"] = pid
    document["materials"]["hazardous"]["lead"]["recycled"] = 0.0
    document["metadata"]["passportIdentifier"] = str(uuid.uuid5(uuid.NAMESPACE_URL, pid))
    return document


__all__ = ["MANUFACTURER", "OPERATOR", "battery_pass_set", "catenax_document", "register"]
