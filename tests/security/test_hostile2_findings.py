"""Hostile probe, second round: findings and the regressions named after them.

* An invalid IRI in JSON-LD (an ``@id`` with a space, an ``@type``, a property, an object
  node, a datatype) was dropped without a word by the JSON-LD parser: the passport lost the node,
  or was refused as "the document holds no triples". Now a 400 that names the IRI and its JSON
  path (Turtle already said so, with its line).
* The Graph Store Protocol refused the service's own JSON-LD answer back (its context is the one
  the service serves at ``/context.jsonld``); POST /passports and /validate accepted it.
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import LiveServer
from tests.security.support import stored_demo_battery

JSONLD = {"Content-Type": "application/ld+json"}
BATTERY = "http://127.0.0.1:8000/id/battery/HOSTILE2-IRI"
DBP = "https://w3id.org/dbp#"


@pytest.fixture(scope="module")
def live(server_factory_module) -> LiveServer:
    return server_factory_module(load_reference_ontologies=False)


def _document(**changes: object) -> dict:
    node = {"@id": BATTERY, "@type": f"{DBP}BatteryPack", f"{DBP}batteryId": "HOSTILE2-IRI"}
    node.update(changes)
    return node


@pytest.mark.parametrize(("document", "iri", "path"), [
    ({"@id": "http://127.0.0.1:8000/id/battery/A B", f"{DBP}batteryId": "A"},
     "http://127.0.0.1:8000/id/battery/A B", '$["@id"]'),
    ({"@id": "id/battery/A B", f"{DBP}batteryId": "A"},
     "http://127.0.0.1:8000/id/battery/A B", '$["@id"]'),
    ({"@graph": [_document(**{"@type": [f"{DBP}BatteryPack", f"{DBP}Battery Pack"]})]},
     f"{DBP}Battery Pack", '$["@graph"][0]["@type"][1]'),
    (_document(**{f"{DBP}manufacturer": {"@id": "http://127.0.0.1:8000/id/org/a<b>"}}),
     "http://127.0.0.1:8000/id/org/a<b>", f'$["{DBP}manufacturer"]["@id"]'),
    (_document(**{f"{DBP}serial number": "S-1"}),
     f"{DBP}serial number", f'$["{DBP}serial number"]'),
    (_document(**{f"{DBP}serialNumber": {"@value": "S-1", "@type": "http://x/my type"}}),
     None, f'$["{DBP}serialNumber"]["@type"]'),
])
def test_json_ld_invalid_iri_is_named_with_its_json_path(
        live: LiveServer, document: dict, iri: str | None, path: str) -> None:
    with live.client(live.token()) as admin:
        for route in ("/validate", "/passports"):
            answer = admin.post(route, content=json.dumps(document).encode(), headers=JSONLD)
            assert answer.status_code == 400, answer.text
            detail = answer.json()["detail"]
            assert path in detail, detail
            if iri is not None:
                assert iri in detail, detail
            assert "holds no triples" not in detail


def test_json_ld_literal_with_spaces_is_still_accepted(live: LiveServer) -> None:
    """The check reads IRIs only: text values may hold any character."""
    document = {"@context": {"dbp": DBP, "ex": "http://example.org/a%20b/"},
                "@id": "ex:x", "dbp:batteryId": "has spaces and <angles>"}
    with live.client(live.token()) as admin:
        answer = admin.post("/validate", content=json.dumps(document).encode(), headers=JSONLD)
    assert answer.status_code != 400 or "IRI" not in answer.json()["detail"], answer.text
    assert answer.status_code < 500


def test_turtle_invalid_iri_is_named_with_its_line(live: LiveServer) -> None:
    body = (b"@prefix dbp: <https://w3id.org/dbp#> .\n"
            b"<http://127.0.0.1:8000/id/battery/A B> dbp:batteryId \"A\" .\n")
    with live.client(live.token()) as admin:
        answer = admin.post("/validate", content=body, headers={"Content-Type": "text/turtle"})
    assert answer.status_code == 400, answer.text
    assert "line 2" in answer.json()["detail"] or answer.json().get("line") == 2, answer.text


def test_graph_store_accepts_the_served_context_back(live: LiveServer) -> None:
    fleet = stored_demo_battery(live)
    graph = f"http://127.0.0.1:8000/graph/battery/{fleet.battery_id}/design"
    with live.client(live.token()) as admin:
        read = admin.get("/store", params={"graph": graph},
                         headers={"Accept": "application/ld+json"})
        assert read.status_code == 200, read.text
        assert f"{live.url}/context.jsonld" in read.text
        again = admin.put("/store", params={"graph": graph}, content=read.content,
                          headers=JSONLD)
    assert again.status_code in (201, 204), again.text


@pytest.mark.parametrize(("iri", "named"), [
    ("http://127.0.0.1:8000/id/battery/BP%2D000013", "http://127.0.0.1:8000/id/battery/BP-000013"),
    ("HTTP://127.0.0.1:8000/id/battery/BP-000013", "http://127.0.0.1:8000/id/battery/BP-000013"),
    ("http://127.0.0.1:8000/id/battery/HOSTILE2-IRI/../BP-000013", "'..'"),
    ("http://127.0.0.1:8000/id/battery/BP%E2%82%AC", "battery IRI's id"),
    ("http://127.0.0.1:8000/id/%6Frg/acme", "http://127.0.0.1:8000/id/org/acme"),
])
def test_another_spelling_of_one_of_our_iris_is_refused(live: LiveServer, iri: str,
                                                        named: str) -> None:
    """Which battery or record a node belongs to is read from its IRI: a spelling the service
    never mints (a percent-encoded unreserved character, another case of the scheme, a dot
    segment) escaped the check that a passport describes no other battery's nodes."""
    body = (f"@prefix dbp: <{DBP}> .\n<{BATTERY}> a dbp:BatteryPack ; "
            f"dbp:batteryId \"HOSTILE2-IRI\" .\n<{iri}> dbp:model \"forged\" .\n").encode()
    with live.client(live.token()) as admin:
        answer = admin.post("/validate", content=body, headers={"Content-Type": "text/turtle"})
    assert answer.status_code == 422, answer.text
    detail = answer.json()["detail"]
    assert "never mints" in detail and named in detail, detail


@pytest.mark.parametrize(("name", "named"), [
    ("Rhein\u200bvolt GmbH", "U+200B"), ("Rheinvolt\u202e GmbH", "U+202E"),
    ("Cafe\u0301 Cells", "normal form C"), ("Rheinvolt\x07", "U+0007"),
])
def test_organisation_name_with_invisible_or_unnormalised_characters_is_refused(
        live: LiveServer, name: str, named: str) -> None:
    """An organisation's name is what readers tell it apart by: a zero-width space, a bidi
    override or a decomposed accent made a name that looks like another one but is stored
    differently."""
    record = (f'<http://127.0.0.1:8000/id/org/look-alike> <{DBP}name> '
              f'{json.dumps(name)} .').encode()
    with live.client(live.token()) as admin:
        answer = admin.put("/organisations/look-alike", content=record,
                           headers={"Content-Type": "application/n-triples"})
    assert answer.status_code == 422, answer.text
    assert named in answer.json()["detail"]


@pytest.mark.parametrize(("number", "said"), [
    ("1e400", "beyond the range of a double"), ("-1e99999", "beyond the range of a double"),
    ("NaN", "not a JSON number"), ("-Infinity", "not a JSON number"),
])
def test_json_ld_number_beyond_a_double_or_nan_is_named_with_its_path(
        live: LiveServer, number: str, said: str) -> None:
    """Python's JSON reader reads 1e400 as infinity and accepts NaN; the document written back
    for the engine then failed at a column of that re-written text ("Unexpected char: 'I'")."""
    body = (f'{{"@id": "{BATTERY}", "{DBP}batteryId": "HOSTILE2-IRI", '
            f'"{DBP}ratedCapacity": [{number}]}}').encode()
    with live.client(live.token()) as admin:
        answer = admin.post("/validate", content=body, headers=JSONLD)
    assert answer.status_code == 400, answer.text
    detail = answer.json()["detail"]
    assert said in detail and f'$["{DBP}ratedCapacity"][0]' in detail, detail
