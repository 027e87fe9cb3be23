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
