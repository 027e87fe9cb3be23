"""Organisation records are written only by an admin or that organisation, through their own
endpoint, never as a side effect of a passport (issue 14, finding 2)."""

from __future__ import annotations

import pytest

from tests.conftest import LiveServer

TURTLE = {"Content-Type": "text/turtle"}
RECORD = """@prefix dbp: <https://w3id.org/dbp#> .
<http://127.0.0.1:8000/id/org/{id}> dbp:name "{name}" ; dbp:country "DE" ."""


@pytest.fixture
def server(server_factory) -> LiveServer:
    return server_factory()


def _put(server: LiveServer, token: str | None, org: str, body: str):
    return server.client(token).put(f"/organisations/{org}", content=body.encode(),
                                    headers=TURTLE)


def _shown(server: LiveServer, org: str) -> str:
    return server.client().get(f"/id/org/{org}", headers={"Accept": "application/n-triples"}).text


def test_an_admin_creates_and_replaces_a_record(server: LiveServer) -> None:
    admin = server.token("admin", "admin-org")
    created = _put(server, admin, "new-cells", RECORD.format(id="new-cells", name="New Cells"))
    assert created.status_code == 201, created.text
    assert '"New Cells"' in _shown(server, "new-cells")
    assert '"new-cells"' in _shown(server, "new-cells")  # the id is always the path's
    replaced = _put(server, admin, "new-cells", RECORD.format(id="new-cells", name="Renamed"))
    assert replaced.status_code == 200
    assert '"Renamed"' in _shown(server, "new-cells") and "New Cells" not in _shown(
        server, "new-cells")
    record = server.services.ingest.audit.records(None, limit=1)[0]
    assert record["operation"] == "write-organisation" and record["outcome"] == "accepted"


@pytest.mark.parametrize("role", ["oem", "operator", "recycler", "researcher"])
def test_an_organisation_writes_its_own_record(server: LiveServer, role: str) -> None:
    own = server.token(role, "rheinvolt")
    answer = _put(server, own, "rheinvolt", RECORD.format(id="rheinvolt", name="Rheinvolt AG"))
    assert answer.status_code == 200, answer.text
    assert '"Rheinvolt AG"' in _shown(server, "rheinvolt")


@pytest.mark.parametrize("role", ["public", "oem", "operator", "authority"])
def test_nobody_else_writes_it(server: LiveServer, role: str) -> None:
    token = None if role == "public" else server.token(role, "nordcell")
    before = _shown(server, "rheinvolt")
    answer = _put(server, token, "rheinvolt", RECORD.format(id="rheinvolt", name="Hijacked"))
    assert answer.status_code == 403, answer.text
    assert _shown(server, "rheinvolt") == before
    if token is not None:
        record = server.services.ingest.audit.records(None, limit=1)[0]
        assert record["operation"] == "write-organisation" and record["outcome"] == "denied"


@pytest.mark.parametrize(("body", "says"), [
    ("<http://127.0.0.1:8000/id/org/nordcell> dbp:name \"Other\" .", "not about"),
    ("<http://127.0.0.1:8000/id/org/rheinvolt> dbp:name \"R\" ; dbp:locatedAt "
     "<http://127.0.0.1:8000/id/site/x> .", "not a public organisation term"),
    ("<http://127.0.0.1:8000/id/org/rheinvolt> dbp:name \"R\" ; dbp:organisationId \"mine\" .",
     "the id is"),
    ("<http://127.0.0.1:8000/id/org/rheinvolt> dbp:country \"DE\" .", "needs a name"),
    ("<http://127.0.0.1:8000/id/org/rheinvolt> dbp:name \"R\" ; dbp:webAddress [ "
     "dbp:name \"x\" ] .", "blank node"),
    ("<http://127.0.0.1:8000/id/org/rheinvolt> a dbp:Site ; dbp:name \"R\" .",
     "only dbp:Organisation"),
    # (was the invalid passport pattern-country.ttl: organisations are no passport data)
    ("<http://127.0.0.1:8000/id/org/rheinvolt> dbp:name \"R\" ; dbp:country \"Germany\" .",
     "Country must be an ISO 3166-1 alpha-2 code"),
])
def test_a_record_holds_public_facts_about_that_organisation_only(server: LiveServer, body: str,
                                                                  says: str) -> None:
    admin = server.token("admin", "admin-org")
    before = _shown(server, "rheinvolt")
    answer = _put(server, admin, "rheinvolt", "@prefix dbp: <https://w3id.org/dbp#> . " + body)
    assert answer.status_code == 422, answer.text
    assert says in answer.json()["detail"]
    assert _shown(server, "rheinvolt") == before


def test_a_passport_names_registered_organisations_only(server: LiveServer) -> None:
    admin = server.client(server.token("admin", "admin-org"))
    document = """@prefix dbp: <https://w3id.org/dbp#> .
    @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
    <http://127.0.0.1:8000/id/battery/BP-000777>
        a <https://w3id.org/emmo/domain/battery#battery_be3b35a7_75a3_4be0_9265_beb178ea7b00> ;
        dbp:batteryId "BP-000777" ;
        dbp:batteryCategory <https://w3id.org/dbp/vocab/category/ev> ;
        dbp:manufacturer <http://127.0.0.1:8000/id/org/unregistered> ;
        dbp:manufacturingDate "2022-03-10"^^xsd:date ."""
    answer = admin.post("/passports", content=document.encode(), headers=TURTLE)
    assert answer.status_code == 422, answer.text
    # refused before validation, naming the record that is missing and how to write it
    assert "organisation unregistered is not registered" in answer.json()["detail"]
    assert "PUT /organisations/unregistered" in answer.json()["detail"]
    registered = admin.put("/organisations/unregistered", headers=TURTLE, content=RECORD.format(
        id="unregistered", name="Now Registered").encode())
    assert registered.status_code == 201
    answer = admin.post("/passports", content=document.encode(), headers=TURTLE)
    assert answer.status_code == 201, answer.text
    assert admin.get("/batteries/BP-000777/custody").json()["manufacturer"] == "unregistered"
