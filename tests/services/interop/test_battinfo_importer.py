"""BattINFO JSON-LD (the published domain-battery context) imported into our model."""

from __future__ import annotations

import json

import pytest
from rdflib import Literal, URIRef

from graph_service.container import Services
from graph_service.model.namespaces import DBP, SCHEMA
from graph_service.services.access import Principal, Role
from graph_service.services.interop import InteropService
from graph_service.services.interop.battinfo.importer import BATTERY_CONTEXT, BattInfoError
from tests.conftest import make_settings
from tests.services.interop.support import services_reading

ADMIN = Principal("t", Role.ADMIN)
BASE = "http://127.0.0.1:8000/"
EMMO = "https://w3id.org/emmo#"
ECHEM = "https://w3id.org/emmo/domain/electrochemistry#"
DBP_NS = "https://w3id.org/dbp#"


@pytest.fixture(scope="module")
def services() -> Services:
    context = make_settings().ontology_dir / "domain-battery" / "context" / "context.json"
    return services_reading(context, f"reference ontologies not installed: the BattINFO context "
                                     f"{BATTERY_CONTEXT} is read from {context}")


@pytest.fixture(scope="module")
def service(services: Services) -> InteropService:
    return services.imports


def quantity(kind: str, value: float, unit: str) -> dict:
    return {"@type": kind, "hasNumericalPart": {"@type": "RealData", "hasNumberValue": value},
            "hasMeasurementUnit": unit}


def coin_cell() -> dict:
    """A CR2032 coin cell as BattINFO describes products: classes and EMMO quantities from the
    published context, schema.org identification; nothing of our own vocabulary."""
    return {
        "@context": BATTERY_CONTEXT,
        "@id": "https://example.org/products/cr2032-lot-7",
        "@type": ["BatteryCell", "CoinCell"],
        "schema:productID": "CR2032 / 6032-7",
        "schema:serialNumber": "LOT7-000123",
        "schema:manufacturer": {"@id": "https://www.wikidata.org/wiki/Q695251",
                                "@type": "schema:Organization", "schema:name": "VARTA AG"},
        "schema:productionDate": "2024-05-01",
        "hasProperty": [
            quantity("NominalVoltage", 3.0, "emmo:Volt"),
            quantity("RatedCapacity", 230, "emmo:MilliAmpereHour"),
            quantity("Mass", 3.0, "emmo:Gram"),
        ],
    }


def pack() -> dict:
    """A BattINFO pack that states its passport category with our IRI."""
    return {
        "@context": [BATTERY_CONTEXT, {"dbp": DBP_NS}],
        "@type": "BatteryPack",
        "schema:serialNumber": "BI-PACK-400-0001",
        "schema:manufacturer": {"schema:name": "Rheinvolt Energy GmbH",
                                "schema:identifier": "rheinvolt"},
        "schema:productionDate": "2024-02-01",
        "dbp:batteryCategory": {"@id": "https://w3id.org/dbp/vocab/category/ev"},
        "hasProperty": [
            quantity("NominalVoltage", 400.0, "emmo:Volt"),
            quantity("RatedCapacity", 180.0, "emmo:AmpereHour"),
        ],
    }


def test_coin_cell_imports_and_is_queryable_by_emmo_iris(services: Services,
                                                         service: InteropService) -> None:
    # The manufacturer is registered first: a passport only names organisations.
    register_organisation(services, "VARTA-AG", "VARTA AG")
    result = service.import_document(json.dumps(coin_cell()).encode(), "battinfo", ADMIN)
    assert result.ingest.committed and result.ingest.report.conforms
    bid = result.battery_id
    # The serial number names this cell; the product id names every cell of the product.
    assert bid == "LOT7-000123"
    warnings = "\n".join(w.message for w in result.warnings)
    assert "battery id 'LOT7-000123' taken from schema:serialNumber" in warnings
    assert "portable battery" in warnings and "'emmo:' prefix" in warnings

    battery = services.minter.battery(bid)
    stored = service.stored_graph(bid)
    assert (battery, DBP.serialNumber, Literal("LOT7-000123")) in stored
    assert (battery, DBP.batteryCategory,
            URIRef("https://w3id.org/dbp/vocab/category/portable")) in stored
    maker = services.minter.organisation("VARTA-AG")
    assert (battery, DBP.manufacturer, maker) in stored
    # The partner's description of the organisation is its record's, not the passport's.
    assert (maker, None, None) not in stored
    # The partner's own IRIs are kept as owl:sameAs, the rest as sent.
    assert (battery, URIRef("http://www.w3.org/2002/07/owl#sameAs"),
            URIRef("https://example.org/products/cr2032-lot-7")) in stored
    assert (battery, SCHEMA.productID, Literal("CR2032 / 6032-7")) in stored

    rows = list(services.store.query(
        f"""PREFIX emmo: <{EMMO}>
            PREFIX echem: <{ECHEM}>
            SELECT ?battery ?value ?unit WHERE {{
              ?battery emmo:EMMO_e1097637_70d2_4895_973f_2396f04fa204 ?q .
              ?q a echem:electrochemistry_9b3b4668_0795_4a35_9965_2af383497a26 ;
                 emmo:EMMO_8ef3cd6d_ae58_4a8d_9fc0_ad8f49015cd0
                     / emmo:EMMO_faf79f53_749d_40b2_807c_d34244c192f4 ?value ;
                 emmo:EMMO_bed1d005_b04e_4a90_94cf_02bc678a8569 ?unit .
            }}""", default_graph=services.layout.all_data_views()).rows())
    assert [(r["battery"], float(r["value"]), r["unit"]) for r in rows] == [
        (battery, 230.0, URIRef(f"{EMMO}MilliAmpereHour"))]


def test_pack_imports_and_gets_a_derived_procedure(services: Services,
                                                   service: InteropService) -> None:
    result = service.import_document(json.dumps(pack()).encode(), "battinfo", ADMIN)
    assert result.ingest.committed
    assert result.battery_id == "BI-PACK-400-0001"
    battery = services.minter.battery(result.battery_id)
    derived = services.store.graph(services.layout.derived(result.battery_id))
    steps = {str(s).rsplit("/", 1)[-1] for s in derived.objects(battery, DBP.hasIsolationStep)}
    assert "lock-out-tag-system" in steps  # 400 V: high-voltage isolation


def test_supplied_battery_id_wins(service: InteropService) -> None:
    graph = service.to_graph(json.dumps(coin_cell()).encode(), "battinfo",
                             battery_id="COIN-X").graph
    assert {str(v) for v in graph.objects(None, DBP.batteryId)} == {"COIN-X"}


@pytest.mark.parametrize(("document", "message"), [
    ({"@type": "BatteryCell", "schema:productID": "X"}, "has none"),
    ({"@context": BATTERY_CONTEXT, "@type": "BatteryCell"}, "has no identifier"),
    ({"@context": BATTERY_CONTEXT, "@type": "Electrode", "schema:productID": "X"},
     "describes no battery"),
    ({"@context": "https://contexts.example.org/other.jsonld", "@type": "BatteryCell"},
     "never fetched"),
])
def test_unusable_battinfo_documents(document: dict, message: str, services: Services,
                                     service: InteropService) -> None:
    before = services.store.count()
    with pytest.raises(BattInfoError) as caught:
        service.import_document(json.dumps(document).encode(), "battinfo", ADMIN)
    assert message in str(caught.value)
    assert services.store.count() == before


def register_organisation(services: Services, org_id: str, name: str) -> None:
    from rdflib import Graph

    record = Graph()
    org = services.minter.organisation(org_id)
    record.add((org, DBP.name, Literal(name)))
    services.organisations.put(org_id, record, ADMIN)
