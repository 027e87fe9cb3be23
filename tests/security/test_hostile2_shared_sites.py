"""Hostile probe, second round: shared supply-chain nodes.

The demo (and partners) name sites under ``{base}id/site/...`` in every passport that ships from
or to them; their description is part of those passports. Any OEM's passport that named a site
could describe it too: another manufacturer gave the stored battery's plant a second name, which
every reader of the site then saw beside the real one. Who may state facts about a shared node
is now decided from stored facts: once other batteries' passports describe it, only an
organisation holding custody of one of those batteries (or an admin) may; anyone else may name
it as an object, or restate word for word what those passports say, only (422, naming the site
and the batteries describing it, nothing stored).
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef

from graph_service.model.graphs import Stage
from graph_service.model.namespaces import DBP
from graph_service.services.fleet.demo import demo_passport
from tests.security.support import BASE, MINTER, TURTLE, Fleet, fresh_identifiers, renamed

RECORD = """@prefix dbp: <https://w3id.org/dbp#> .
<{base}id/org/{id}> dbp:name "{id} GmbH" ; dbp:country "DE" ."""


def _new_battery(fleet: Fleet, battery_id: str, manufacturer: str) -> tuple[Graph, URIRef]:
    new = MINTER.battery(battery_id)
    document = renamed(fleet.document(Stage.IDENTITY), fleet.battery, new)
    document.set((new, DBP.batteryId, Literal(battery_id)))
    fresh_identifiers(document, new, battery_id)
    document.remove((new, DBP.operator, None))
    document.set((new, DBP.manufacturer, MINTER.organisation(manufacturer)))
    return document, new


def _plant(fleet: Fleet) -> URIRef:
    return URIRef(f"{BASE}id/site/{fleet.manufacturer}-plant")


def _post(fleet: Fleet, organisation: str, battery_id: str, document: Graph):
    with fleet.client("oem", organisation) as oem:
        return oem.post(f"/passports?battery={battery_id}", headers=TURTLE,
                        content=document.serialize(format="turtle").encode())


def test_shared_site_of_another_organisations_batteries_cannot_be_described(
        fleet: Fleet) -> None:
    intruder = fleet.other_manufacturer()
    with fleet.client("admin", "admin-org") as admin:
        registered = admin.put(f"/organisations/{intruder}", headers=TURTLE,
                               content=RECORD.format(base=BASE, id=intruder).encode())
        assert registered.status_code in (200, 201), registered.text
    document, _ = _new_battery(fleet, "BP-000557", intruder)
    document.add((_plant(fleet), DBP.name, Literal("Forged plant")))
    before = fleet.dump()
    answer = _post(fleet, intruder, "BP-000557", document)
    assert answer.status_code == 422, answer.text
    detail = answer.json()["detail"]
    assert str(_plant(fleet)) in detail, detail
    # which batteries describe the site is their passports' data, which the intruder does not
    # read (tests/security/test_shared_node_describers_stay_unnamed.py)
    assert fleet.battery_id not in detail and "may not read" in detail, detail
    assert fleet.dump() == before
    # naming the site as an object is still fine
    document.remove((_plant(fleet), None, None))
    document.add((MINTER.battery("BP-000557"), DBP.manufacturingSite, _plant(fleet)))
    named = _post(fleet, intruder, "BP-000557", document)
    assert named.status_code in (201, 422), named.text
    assert str(_plant(fleet)) not in named.json().get("detail", ""), named.text


def test_shared_site_restated_word_for_word_by_another_manufacturer_is_accepted(
        fleet: Fleet) -> None:
    """Two manufacturers buying from one mine (or shipping through one depot) both describe it
    in their passports: the second one adding nothing the stored passports do not already say is
    no forgery, so it is not refused; a second name is (the test above)."""
    intruder = fleet.other_manufacturer()
    with fleet.client("admin", "admin-org") as admin:
        admin.put(f"/organisations/{intruder}", headers=TURTLE,
                  content=RECORD.format(base=BASE, id=intruder).encode())
    stored = demo_passport(MINTER, 13)
    document, _ = _new_battery(fleet, "BP-000559", intruder)
    document.remove((_plant(fleet), None, None))
    facts = list(stored.predicate_objects(_plant(fleet)))
    assert facts
    for p, o in facts:
        document.add((_plant(fleet), p, o))
    answer = _post(fleet, intruder, "BP-000559", document)
    assert answer.status_code == 201, answer.text
    # one fact more than the stored passports state, and the restatement is refused again
    document.add((_plant(fleet), DBP.name, Literal("Second name")))
    again = _post(fleet, intruder, "BP-000559", document)
    assert again.status_code == 422, again.text
    assert str(_plant(fleet)) in again.json()["detail"]


def test_shared_site_of_its_own_batteries_is_described_by_their_manufacturer(
        fleet: Fleet) -> None:
    document, _ = _new_battery(fleet, "BP-000558", fleet.manufacturer)
    name = demo_passport(MINTER, 13).value(_plant(fleet), DBP.name)
    assert name is not None
    document.add((_plant(fleet), DBP.name, name))
    answer = _post(fleet, fleet.manufacturer, "BP-000558", document)
    assert answer.status_code == 201, answer.text


def test_shared_external_node_is_decided_like_a_minted_site(fleet: Fleet) -> None:
    """The same for a node under another authority (a partner's own IRI for its plant): the
    first battery's passport describes it, another manufacturer's may only name it."""
    site = URIRef("https://plants.example.com/site/7")
    owner = fleet.document(Stage.IDENTITY)
    owner.add((site, DBP.name, Literal("Plant 7")))
    owner.add((fleet.battery, DBP.manufacturingSite, site))
    with fleet.client("oem", fleet.manufacturer) as oem:
        first = fleet.post(oem, owner)
    assert first.status_code in (200, 201), first.text
    intruder = fleet.other_manufacturer()
    with fleet.client("admin", "admin-org") as admin:
        admin.put(f"/organisations/{intruder}", headers=TURTLE,
                  content=RECORD.format(base=BASE, id=intruder).encode())
    document, _ = _new_battery(fleet, "BP-000559", intruder)
    document.add((site, DBP.name, Literal("Not plant 7")))
    before = fleet.dump()
    answer = _post(fleet, intruder, "BP-000559", document)
    assert answer.status_code == 422, answer.text
    assert str(site) in answer.json()["detail"]
    assert fleet.dump() == before
