"""Namespace constants. External IRIs are the real EMMO/BattINFO terms (see ontology/README.md)."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS, XSD

DBP = Namespace("https://w3id.org/dbp#")
DBP_VOCAB = "https://w3id.org/dbp/vocab/"
EMMO = Namespace("https://w3id.org/emmo#")
ECHEM = Namespace("https://w3id.org/emmo/domain/electrochemistry#")
BATTERY = Namespace("https://w3id.org/emmo/domain/battery#")
CHEMSUB = Namespace("https://w3id.org/emmo/domain/chemical-substance#")
CHAMEO = Namespace("https://w3id.org/emmo/domain/characterisation-methodology/chameo#")
SCHEMA = Namespace("https://schema.org/")
GEO = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")

# EMMO quantity pattern (opaque IRIs; labels in comments).
HAS_PROPERTY = EMMO["EMMO_e1097637_70d2_4895_973f_2396f04fa204"]  # hasProperty
HAS_NUMERICAL_PART = EMMO["EMMO_8ef3cd6d_ae58_4a8d_9fc0_ad8f49015cd0"]  # hasNumericalPart
HAS_NUMBER_VALUE = EMMO["EMMO_faf79f53_749d_40b2_807c_d34244c192f4"]  # hasNumberValue
HAS_MEASUREMENT_UNIT = EMMO["EMMO_bed1d005_b04e_4a90_94cf_02bc678a8569"]  # hasMeasurementUnit
REAL_DATA = EMMO["EMMO_18d180e4_5e3e_42f7_820c_e08951223486"]  # RealData
HAS_CONSTITUENT = EMMO["EMMO_dba27ca1_33c9_4443_a912_1519ce4c39ec"]  # hasConstituent

BATTERY_CLASS = BATTERY["battery_74ed2670_657d_4f0b_b0a6_3f13bc2e9c17"]  # Battery
BATTERY_CELL = BATTERY["battery_68ed592a_7924_45d0_a108_94d6275d57f0"]  # BatteryCell
BATTERY_MODULE = BATTERY["battery_9acfeea6_ca7f_4b97_9844_c38edf6387ec"]  # BatteryModule
BATTERY_PACK = BATTERY["battery_be3b35a7_75a3_4be0_9265_beb178ea7b00"]  # BatteryPack

PREFIXES: dict[str, str] = {
    "dbp": str(DBP),
    "emmo": str(EMMO),
    "echem": str(ECHEM),
    "battery": str(BATTERY),
    "chemsub": str(CHEMSUB),
    "chameo": str(CHAMEO),
    "schema": str(SCHEMA),
    "geo": str(GEO),
    "prov": str(PROV),
    "skos": str(SKOS),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "sh": str(SH),
    "dcterms": str(DCTERMS),
}

__all__ = [
    "BATTERY",
    "CHAMEO",
    "CHEMSUB",
    "DBP",
    "DCAT",
    "DCTERMS",
    "ECHEM",
    "EMMO",
    "GEO",
    "OWL",
    "PREFIXES",
    "PROV",
    "RDF",
    "RDFS",
    "SCHEMA",
    "SD",
    "SH",
    "SKOS",
    "VOID",
    "XSD",
]
