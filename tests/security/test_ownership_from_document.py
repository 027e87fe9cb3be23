"""Issue 14, finding 2: ownership was read from the submitted document.

* An OEM submitted the identity stage of another OEM's battery naming itself ``dbp:manufacturer``:
  it was accepted and the real manufacturer was locked out.
* A quieter variant kept the manufacturer IRI and declared ``<org/OTHER> dbp:organisationId
  "mine"``: accepted, and the shared organisation record changed in the public view.

Who manufactures a battery is now the stored custody record; a document can neither change it
nor describe an organisation.
"""

from __future__ import annotations

from rdflib import Literal

from graph_service.model.graphs import Stage
from graph_service.model.namespaces import DBP
from tests.security.support import MINTER, Fleet


def _renamed(graph, old, new):
    out = type(graph)()
    for s, p, o in graph:
        out.add((new if s == old else s, p, new if o == old else o))
    return out


def test_oem_naming_itself_manufacturer_of_another_oems_battery_is_refused(fleet: Fleet) -> None:
    intruder = fleet.other_manufacturer()
    real, fake = MINTER.organisation(fleet.manufacturer), MINTER.organisation(intruder)
    document = _renamed(fleet.document(Stage.IDENTITY), real, fake)
    assert (fleet.battery, DBP.manufacturer, fake) in document
    before = fleet.dump()

    with fleet.client("oem", intruder) as client:
        answer = fleet.post(client, document)

    assert answer.status_code == 403, answer.text
    assert "transfer" in answer.json()["detail"]
    assert fleet.dump() == before
    record = fleet.last_audit()
    assert record["outcome"] == "denied" and record["org"] == intruder
    # The real manufacturer is not locked out.
    with fleet.client("oem", fleet.manufacturer) as client:
        again = fleet.post(client, fleet.document(Stage.IDENTITY))
    assert again.status_code in (200, 201), again.text


def test_document_cannot_declare_another_organisations_identifier(fleet: Fleet) -> None:
    """``<org/OTHER> dbp:organisationId "mine"``: refused, and the organisation record as the
    public reads it is unchanged."""
    intruder = fleet.other_manufacturer()
    real = MINTER.organisation(fleet.manufacturer)
    document = fleet.document(Stage.IDENTITY)
    document.remove((real, DBP.organisationId, None))
    document.add((real, DBP.organisationId, Literal(intruder)))
    before = fleet.dump()

    with fleet.client("oem", intruder) as client:
        answer = fleet.post(client, document)

    assert answer.status_code == 422, answer.text
    assert str(real) in answer.text and "organisationId" in answer.text
    assert fleet.dump() == before
    with fleet.server.client() as anonymous:
        shown = anonymous.get(f"/id/org/{fleet.manufacturer}",
                              headers={"Accept": "application/n-triples"})
    assert shown.status_code == 200
    assert f'"{intruder}"' not in shown.text
    assert f'"{fleet.manufacturer}"' in shown.text


def test_the_manufacturer_itself_cannot_edit_its_organisation_record_through_a_passport(
        fleet: Fleet) -> None:
    document = fleet.document(Stage.IDENTITY)
    real = MINTER.organisation(fleet.manufacturer)
    document.add((real, DBP.name, Literal("Renamed through a passport")))
    before = fleet.dump()
    with fleet.client("oem", fleet.manufacturer) as client:
        answer = fleet.post(client, document)
    assert answer.status_code == 422, answer.text
    assert "organisations" in answer.json()["detail"]
    assert fleet.dump() == before


def test_an_oem_cannot_create_a_battery_in_another_manufacturers_name(fleet: Fleet) -> None:
    """Creation by an OEM makes that OEM the manufacturer; naming another one is refused."""
    from tests.security.support import renamed

    intruder = fleet.other_manufacturer()
    new = MINTER.battery("BP-000556")
    document = renamed(fleet.document(Stage.IDENTITY), fleet.battery, new)
    document.set((new, DBP.batteryId, Literal("BP-000556")))
    document.remove((new, DBP.operator, None))
    assert (new, DBP.manufacturer, MINTER.organisation(fleet.manufacturer)) in document
    before = fleet.dump()
    with fleet.client("oem", intruder) as client:
        answer = client.post("/passports?battery=BP-000556",
                             headers={"Content-Type": "text/turtle"},
                             content=document.serialize(format="turtle").encode())
    assert answer.status_code == 403, answer.text
    assert "transfer" in answer.json()["detail"]
    assert fleet.server.services.custody.record("BP-000556") is None
    record = fleet.last_audit()
    assert record["outcome"] == "denied" and record["org"] == intruder
    assert fleet.dump() == before
