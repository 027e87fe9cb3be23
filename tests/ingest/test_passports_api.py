"""POST /passports and /validate over HTTP: formats, idempotency, malformed input, BattINFO input.

Every test runs its own real server (``live_server``) so stored data never leaks between tests.
Nothing here is timed (benchmarks live in bench/).
"""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from graph_service.config import Settings
from graph_service.model.graphs import Stage
from graph_service.services.access import Role
from graph_service.store.base import RdfFormat

DATA = Path(__file__).resolve().parent.parent / "data" / "valid"
BASE = "http://127.0.0.1:8000/"
DBP = "https://w3id.org/dbp#"
EMMO = "https://w3id.org/emmo#"
ECHEM = "https://w3id.org/emmo/domain/electrochemistry#"
OUR_CONTEXT = "https://w3id.org/dbp/context.jsonld"
BATTERY_CONTEXT = "https://w3id.org/emmo/domain/battery/context"
# LithiumIonNickelManganeseCobaltOxideBattery: owl:deprecated in domain-battery 0.20.1
DEPRECATED_NMC = "https://w3id.org/emmo/domain/battery#battery_834095fa_f684_4368_a7ce_853579a1362a"
XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"
TURTLE = {"Content-Type": "text/turtle"}


def admin(live):
    return live.client(live.token(Role.ADMIN))


def test_valid_turtle_is_created_and_resubmitting_it_changes_nothing(live_server) -> None:
    body = (DATA / "minimal.ttl").read_bytes()
    store = live_server.services.store
    with admin(live_server) as client:
        first = client.post("/passports", content=body, headers=TURTLE)
        assert first.status_code == 201, first.text
        iri = f"{BASE}id/battery/BP-000001"
        assert first.headers["location"] == iri
        answer = first.json()
        assert answer["iri"] == iri and answer["battery"] == "BP-000001"
        assert answer["committed"] is True and answer["created"] is True
        assert answer["version"] == 1
        count, dump = store.count(), store.dump(RdfFormat.N_QUADS)

        again = client.post("/passports", content=body, headers=TURTLE)
        assert again.status_code == 200, again.text
        assert again.headers["location"] == iri
        assert again.json()["created"] is False
        assert again.json()["version"] == 1
        assert store.count() == count
        assert store.dump(RdfFormat.N_QUADS) == dump
    source = live_server.services.layout.source("BP-000001", Stage.IDENTITY)
    assert (URIRef(iri), URIRef(DBP + "batteryId"), Literal("BP-000001")) in store.graph(source)


def _json_passport() -> dict:
    return json.loads((DATA / "minimal.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("media_type", "context"),
    [("application/json", None), ("application/ld+json", OUR_CONTEXT)],
    ids=["plain-json", "json-ld-with-our-context-url"],
)
def test_json_passports_are_read_through_our_context(live_server, media_type, context) -> None:
    document = _json_passport()
    if context is not None:
        document = {"@context": context, **document}
    with admin(live_server) as client:
        answer = client.post("/passports", content=json.dumps(document),
                             headers={"Content-Type": media_type})
    assert answer.status_code == 201, answer.text
    iri = URIRef(f"{BASE}id/battery/BP-000002")
    assert answer.headers["location"] == str(iri)
    assert answer.json()["conforms"] is True
    stored = live_server.services.repository
    graph = live_server.services.store.graph(
        live_server.services.layout.source("BP-000002", Stage.IDENTITY))
    assert stored.exists("BP-000002")
    assert (iri, URIRef(DBP + "batteryCategory"),
            URIRef("https://w3id.org/dbp/vocab/category/ev")) in graph
    assert (iri, URIRef(DBP + "manufacturingDate"),
            Literal("2022-03-10", datatype=XSD_DATE)) in graph


def test_malformed_turtle_is_400_with_line_and_column(live_server) -> None:
    body = (b"@prefix dbp: <https://w3id.org/dbp#> .\n"
            b"<http://127.0.0.1:8000/id/battery/X1> dbp:batteryId \"X1\" ;\n"
            b"    dbp:model \"unterminated .\n")
    store = live_server.services.store
    with admin(live_server) as client:
        before = store.dump(RdfFormat.N_QUADS)
        answer = client.post("/passports", content=body, headers=TURTLE)
    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    problem = answer.json()
    assert problem["status"] == 400
    assert isinstance(problem["line"], int) and isinstance(problem["column"], int)
    assert problem["line"] == 3
    assert store.dump(RdfFormat.N_QUADS) == before


def test_malformed_json_is_400_with_line_and_column(live_server) -> None:
    body = b'{\n  "batteryId": "BP-000009",\n  "type" "BatteryPack"\n}\n'
    with admin(live_server) as client:
        answer = client.post("/passports", content=body,
                             headers={"Content-Type": "application/json"})
    assert answer.status_code == 400, answer.text
    problem = answer.json()
    assert "malformed JSON" in problem["detail"]
    assert (problem["line"], problem["column"]) == (3, 10)


def test_unsupported_content_type_is_415(live_server) -> None:
    with admin(live_server) as client:
        answer = client.post("/passports", content=b"batteryId,category\nBP-1,ev\n",
                             headers={"Content-Type": "text/csv"})
    assert answer.status_code == 415, answer.text
    assert "text/turtle" in answer.json()["detail"]


def test_two_separate_packs_in_one_document_are_rejected(live_server) -> None:
    one = (DATA / "minimal.ttl").read_text(encoding="utf-8")
    two = one.replace("BP-000001", "BP-000002").split("@prefix xsd:", 1)[1].split("\n", 1)[1]
    store = live_server.services.store
    with admin(live_server) as client:
        before = store.dump(RdfFormat.N_QUADS)
        answer = client.post("/passports", content=(one + two).encode(), headers=TURTLE)
    assert 400 <= answer.status_code < 500, answer.text
    detail = answer.json()["detail"]
    assert "2 separate batteries" in detail and "one passport per request" in detail
    assert f"{BASE}id/battery/BP-000001" in detail and f"{BASE}id/battery/BP-000002" in detail
    assert store.dump(RdfFormat.N_QUADS) == before


def test_unknown_remote_context_is_400_without_network_access(live_server, monkeypatch) -> None:
    """The context is neither fetched nor even looked up: only loopback sockets are allowed."""
    attempts: list[object] = []
    real_connect = socket.socket.connect
    real_getaddrinfo = socket.getaddrinfo

    def loopback_only(address: object) -> bool:
        host = address[0] if isinstance(address, tuple) else address
        return host in {"127.0.0.1", "::1", "localhost"}

    def connect(sock: socket.socket, address: object) -> object:
        if not loopback_only(address):
            attempts.append(address)
            raise OSError("network access is not allowed in this test")
        return real_connect(sock, address)

    def getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
        if not loopback_only((host,)):
            attempts.append(host)
            raise OSError("name resolution is not allowed in this test")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    url = "https://contexts.example.org/battery-passport/v9/context.jsonld"
    document = {"@context": url, **_json_passport()}
    with admin(live_server) as client:
        answer = client.post("/passports", content=json.dumps(document),
                             headers={"Content-Type": "application/ld+json"})
    assert answer.status_code == 400, answer.text
    assert url in answer.json()["detail"]
    assert "never fetched" in answer.json()["detail"]
    assert attempts == []


def _battinfo_coin_cell() -> dict:
    """A coin cell written the way upstream domain-battery publishes its examples
    (docs/assets/jsonld/varta_cr2032.json): the published context, labels as terms, units as
    "emmo:..." strings the context cannot expand, plus our identifying and required fields as
    full IRIs (the upstream context has no dbp: prefix)."""
    return {
        "@context": BATTERY_CONTEXT,
        "@graph": [{
            "@type": ["BatteryCell", "CoinCell", "LithiumIonBattery",
                      "LithiumIonNickelManganeseCobaltOxideBattery"],
            DBP + "batteryId": "BATTINFO-COIN-0001",
            DBP + "batteryCategory": {"@id": "https://w3id.org/dbp/vocab/category/portable"},
            DBP + "manufacturingDate": {"@value": "2024-05-01", "@type": XSD_DATE},
            # A registered organisation (tests/data/organisations.ttl): a passport names it.
            DBP + "manufacturer": {"@id": f"{BASE}id/org/varta"},
            "schema:manufacturer": {
                "@id": "https://www.wikidata.org/wiki/Q695251",
                "@type": "schema:Corporation",
                "schema:name": "VARTA AG",
            },
            "hasProperty": [
                {"@type": "NominalVoltage",
                 "hasNumericalPart": {"@type": "RealData", "hasNumberValue": 3.7},
                 "hasMeasurementUnit": "emmo:Volt"},
                {"@type": "Mass",
                 "hasNumericalPart": {"@type": "RealData", "hasNumberValue": 3.0},
                 "hasMeasurementUnit": "emmo:Gram"},
                {"@type": "RatedCapacity",
                 "hasNumericalPart": {"@type": "RealData", "hasNumberValue": 230,
                                      "dc:source": "https://www.nkon.nl/novat/varta-cr2032.html"},
                 "hasMeasurementUnit": "emmo:MilliAmpereHour"},
            ],
        }],
    }


def test_battinfo_style_json_ld_is_accepted_with_warnings(live_server) -> None:
    settings: Settings = live_server.services.settings
    if not (settings.ontology_dir / "domain-battery" / "context" / "context.json").is_file():
        pytest.skip(f"reference ontologies not installed under {settings.ontology_dir} "
                    "(the upstream battery context is read from there; `dbp fetch-ontologies`)")
    document = _battinfo_coin_cell()
    with admin(live_server) as client:
        answer = client.post("/passports", content=json.dumps(document),
                             headers={"Content-Type": "application/ld+json"})
        assert answer.status_code == 201, answer.text
        result = answer.json()
        assert result["battery"] == "BATTINFO-COIN-0001"
        warnings = result["warnings"]
        assert any("'emmo:' prefix" in w and f"<{EMMO}>" in w for w in warnings), warnings
        assert any(DEPRECATED_NMC in w and "deprecated" in w for w in warnings), warnings

        query = f"""
            PREFIX emmo: <{EMMO}>
            PREFIX echem: <{ECHEM}>
            SELECT ?battery ?value WHERE {{
              ?battery emmo:EMMO_e1097637_70d2_4895_973f_2396f04fa204 ?q .
              ?q a echem:electrochemistry_639b844a_e801_436b_985d_28926129ead6 ;
                 emmo:EMMO_8ef3cd6d_ae58_4a8d_9fc0_ad8f49015cd0
                     / emmo:EMMO_faf79f53_749d_40b2_807c_d34244c192f4 ?value ;
                 emmo:EMMO_bed1d005_b04e_4a90_94cf_02bc678a8569 emmo:Volt .
            }}"""
        found = client.post("/sparql", data={"query": query},
                            headers={"Accept": "application/sparql-results+json"})
    assert found.status_code == 200, found.text
    rows = found.json()["results"]["bindings"]
    assert [(r["battery"]["value"], float(r["value"]["value"])) for r in rows] == [
        (f"{BASE}id/battery/BATTINFO-COIN-0001", 3.7)]
