"""Generate ``ontology/context.jsonld``: the JSON-LD context partners use for passports.

Terms: every dbp: class and property (object properties as ``@id``, datatype properties with
their range datatype), the EMMO/BattINFO terms a passport needs under their preferred labels,
and prefixes for the EMMO namespaces and our SKOS vocabularies (``dbpv:``, e.g.
``"dbpv:chemistry/nmc811"``). Run after changing the
ontology; ``tests/ontology/test_context.py`` fails when the file is stale.

    python scripts/gen_context.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

ROOT = Path(__file__).resolve().parent.parent
DBP = "https://w3id.org/dbp#"

# EMMO-stack terms by their preferred label (IRIs from docs/ontology research; checked by the
# IRI-existence test like every other external IRI in ontology/).
EXTERNAL_TERMS: dict[str, tuple[str, bool]] = {  # label -> (CURIE, is object property)
    "hasProperty": ("emmo:EMMO_e1097637_70d2_4895_973f_2396f04fa204", True),
    "hasNumericalPart": ("emmo:EMMO_8ef3cd6d_ae58_4a8d_9fc0_ad8f49015cd0", True),
    "hasNumberValue": ("emmo:EMMO_faf79f53_749d_40b2_807c_d34244c192f4", False),
    "hasMeasurementUnit": ("emmo:EMMO_bed1d005_b04e_4a90_94cf_02bc678a8569",
                           True),
    "hasConstituent": ("emmo:EMMO_dba27ca1_33c9_4443_a912_1519ce4c39ec", True),
    "hasPositiveElectrode": ("echem:electrochemistry_8e9cf965_9f92_46e8_b678_b50410ce3616", True),
    "hasNegativeElectrode": ("echem:electrochemistry_5d299271_3f68_494f_ab96_3db9acdd3138", True),
    "hasActiveMaterial": ("echem:electrochemistry_860aa941_5ff9_4452_8a16_7856fad07bee", True),
    "RealData": ("emmo:EMMO_18d180e4_5e3e_42f7_820c_e08951223486", False),
    "ConventionalProperty": ("emmo:EMMO_d8aa8e1f_b650_416d_88a0_5118de945456",
                             False),
    "MeasuredProperty": ("emmo:EMMO_873b0ab3_88e6_4054_b901_5531e01f14a4", False),
    "Battery": ("battery:battery_74ed2670_657d_4f0b_b0a6_3f13bc2e9c17",
                False),
    "BatteryPack": ("battery:battery_be3b35a7_75a3_4be0_9265_beb178ea7b00", False),
    "BatteryModule": ("battery:battery_9acfeea6_ca7f_4b97_9844_c38edf6387ec", False),
    "BatteryCell": ("battery:battery_68ed592a_7924_45d0_a108_94d6275d57f0", False),
    "BatteryCellSpecification": ("battery:battery_1cfbba6c_8824_4932_a23e_2141483acef7", False),
    "hasDescription": ("emmo:EMMO_c58c799e_cc6c_4310_a3f1_78da70705b2a", True),
    "MaximumOperatingTemperature": (
        "echem:electrochemistry_e999bd7d_93ad_47fb_8d8d_dd667e4ef553", False),
    "CylindricalBattery": ("battery:battery_ac604ecd_cc60_4b98_b57c_74cd5d3ccd40", False),
    "PrismaticBattery": ("battery:battery_86c9ca80-de6f-417f-afdc-a7e52fa6322d", False),
    "PouchCell": ("battery:battery_392b3f47_d62a_4bd4_a819_b58b09b8843a", False),
    "PositiveElectrode": ("echem:electrochemistry_aff732a9_238a_4734_977c_b2ba202af126", False),
    "NegativeElectrode": ("echem:electrochemistry_c94c041b_8ea6_43e7_85cc_d2bce7785b4c", False),
    "Mass": ("emmo:EMMO_ed4af7ae_63a2_497e_bb88_2309619ea405", False),
    "CelsiusTemperature": ("emmo:EMMO_66bc9029_f473_45ff_bab9_c3509ff37a22",
                           False),
    "RatedCapacity": ("echem:electrochemistry_9b3b4668_0795_4a35_9965_2af383497a26", False),
    "NominalVoltage": ("echem:electrochemistry_639b844a_e801_436b_985d_28926129ead6", False),
    "LowerVoltageLimit": ("echem:electrochemistry_534dd59c_904c_45d9_8550_ae9d2eb6bbc9", False),
    "UpperVoltageLimit": ("echem:electrochemistry_6dcd5baf_58cd_43f5_a692_51508e036c88", False),
    "NominalEnergy": ("echem:electrochemistry_19e27aa3_0970_43a6_86d3_e3cdd956134d", False),
    "MaximumPower": ("echem:electrochemistry_4e6c4e9d_64cb_4c24_a0f3_5b4146ebbeb0", False),
    "RoundTripEnergyEfficiency": (
        "echem:electrochemistry_c413d29a_b814_4d88_8db0_0fd0171cff11", False),
    "CycleLife": ("echem:electrochemistry_ae782b14_88ce_4cdd_9418_12aca00be937", False),
    "EndOfLifeCapacityThreshold": (
        "echem:electrochemistry_02dc55b3_18a1_438e_bee0_ab77670cb2d5", False),
    "StateOfHealth": ("echem:electrochemistry_a7a4614f_2426_46f3_8475_cda4a9fabfce", False),
    "StateOfCharge": ("echem:electrochemistry_8b2aaa50_bbe1_45da_8778_8898326246a2", False),
    "DepthOfDischarge": ("echem:electrochemistry_1acab8af_9798_45df_a64b_a7030c57a4de", False),
    "TotalNumberOfCycles": ("echem:electrochemistry_6d981c04_3ace_4f1b_b0f8_770776cceb6f", False),
    "InternalResistance": ("echem:electrochemistry_9bf40017_3f58_4030_ada7_cb37a3dfda2d", False),
    "DCInternalResistance": ("echem:electrochemistry_7b3eb826_b968_493a_8396_cc3a5f09ecb3", False),
}
PREFIXES = {
    "dbp": DBP,
    "emmo": "https://w3id.org/emmo#",
    "echem": "https://w3id.org/emmo/domain/electrochemistry#",
    "battery": "https://w3id.org/emmo/domain/battery#",
    "chemsub": "https://w3id.org/emmo/domain/chemical-substance#",
    "schema": "https://schema.org/",
    "geo": "http://www.w3.org/2003/01/geo/wgs84_pos#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
}
VOCAB = "https://w3id.org/dbp/vocab/"


def build_context() -> dict:
    graph = Graph()
    for path in sorted((ROOT / "ontology").glob("*.ttl")):
        graph.parse(path)
    context: dict[str, object] = {"@version": 1.1, **PREFIXES}
    # Enumeration values as compact IRIs, e.g. "batteryCategory": "dbpv:category/ev".
    context["dbpv"] = VOCAB
    context["id"] = "@id"
    context["type"] = "@type"
    for label, (curie, is_object) in EXTERNAL_TERMS.items():
        prefix, local = curie.split(":", 1)
        iri = PREFIXES[prefix] + local
        context[label] = {"@id": iri, "@type": "@id"} if is_object else iri
    context["lat"] = {"@id": PREFIXES["geo"] + "lat", "@type": PREFIXES["xsd"] + "decimal"}
    context["long"] = {"@id": PREFIXES["geo"] + "long", "@type": PREFIXES["xsd"] + "decimal"}
    terms = sorted({s for s in graph.subjects() if isinstance(s, URIRef)
                    and str(s).startswith(DBP)}, key=str)
    for term in terms:
        name = str(term)[len(DBP):]
        if (term, RDF.type, OWL.ObjectProperty) in graph:
            context[name] = {"@id": str(term), "@type": "@id"}
        elif (term, RDF.type, OWL.DatatypeProperty) in graph:
            datatype = graph.value(term, RDFS.range)
            context[name] = ({"@id": str(term), "@type": str(datatype)}
                             if datatype is not None and str(datatype) != PREFIXES["xsd"] + "string"
                             else str(term))
        else:
            context[name] = str(term)
    return {"@context": context}


def render() -> str:
    return json.dumps(build_context(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    target = ROOT / "ontology" / "context.jsonld"
    target.write_text(render(), encoding="utf-8")
    sys.stdout.write(f"wrote {target.relative_to(ROOT)}\n")
