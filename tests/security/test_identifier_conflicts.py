"""Hostile and partner probes of stop 30: identifiers that name one battery were not unique.

* An OEM gave its own new battery the GTIN and serial number of another manufacturer's battery:
  accepted, and that battery's GS1 Digital Link (the QR code on the pack) answered "names 2
  batteries" instead of resolving.
* The same passport identifier (Art. 77(3)) was accepted on seven different batteries.

A write (and a dry run) giving a battery a passport identifier, or a GTIN and serial number, that
another stored battery holds is refused with 409, decided from the stored public view; a bulk
import also refuses two passports of one batch that claim the same identifier.
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef

from graph_service.model.graphs import Stage
from graph_service.model.namespaces import DBP
from graph_service.services.access import Principal, Role
from graph_service.services.fleet.demo import demo_passport
from graph_service.services.interop.bulk import BulkDocument, BulkImporter, prepare_rdf
from tests.security.support import MINTER, TURTLE, Fleet, renamed

NEW = "BP-900013"


def _copy_as_new_battery(fleet: Fleet, keep: set[URIRef]) -> Graph:
    """Another demo passport renamed to a new battery, carrying ``keep`` identifiers of the
    stored battery and fresh values for the others."""
    other = renamed(demo_passport(MINTER, 14), MINTER.battery("BP-000014"), MINTER.battery(NEW))
    new = MINTER.battery(NEW)
    stored = demo_passport(MINTER, 13)
    for predicate in (DBP.gtin, DBP.serialNumber, DBP.passportIdentifier):
        if predicate in keep:
            other.set((new, predicate, stored.value(fleet.battery, predicate)))
    other.set((new, DBP.batteryId, Literal(NEW)))
    return other


def _post_as_admin(fleet: Fleet, document: Graph, path: str = "/passports"):
    with fleet.server.client(fleet.server.token("admin", "admin-org")) as admin:
        return admin.post(f"{path}?battery={NEW}",
                          content=document.serialize(format="turtle").encode(), headers=TURTLE)


def test_the_gtin_and_serial_number_of_another_battery_are_refused(fleet: Fleet) -> None:
    before = fleet.dump()
    answer = _post_as_admin(fleet, _copy_as_new_battery(fleet, {DBP.gtin, DBP.serialNumber}))
    assert answer.status_code == 409, answer.text
    assert fleet.battery_id in answer.json()["detail"]
    assert "serial number" in answer.json()["detail"]
    assert fleet.dump() == before
    stored = demo_passport(MINTER, 13)
    gtin, serial = (stored.value(fleet.battery, p) for p in (DBP.gtin, DBP.serialNumber))
    with fleet.server.client() as anonymous:
        resolved = anonymous.get(f"/01/{gtin}/21/{serial}", follow_redirects=False)
        # the same GTIN written with its leading zero (GTIN-14) is the same identifier
        padded = _post_as_admin(fleet, _with_gtin(
            _copy_as_new_battery(fleet, {DBP.serialNumber}), "0" + str(gtin)))
    assert resolved.status_code == 307 and resolved.headers["location"].endswith(
        f"/id/battery/{fleet.battery_id}")
    assert padded.status_code == 409, padded.text


def _with_gtin(document: Graph, gtin: str) -> Graph:
    document.set((MINTER.battery(NEW), DBP.gtin, Literal(gtin)))
    return document


def test_the_passport_identifier_of_another_battery_is_refused_also_in_a_dry_run(
        fleet: Fleet) -> None:
    document = _copy_as_new_battery(fleet, {DBP.passportIdentifier})
    answer = _post_as_admin(fleet, document, "/validate")
    assert answer.status_code == 409, answer.text
    assert "passport identifier" in answer.json()["detail"]
    assert _post_as_admin(fleet, document).status_code == 409


def test_fresh_identifiers_and_rewriting_the_same_battery_are_accepted(fleet: Fleet) -> None:
    assert _post_as_admin(fleet, _copy_as_new_battery(fleet, set())).status_code == 201
    with fleet.client("oem", fleet.manufacturer) as client:
        again = fleet.post(client, fleet.document(Stage.IDENTITY))
    assert again.status_code in (200, 201), again.text


def test_a_bulk_import_refuses_a_second_passport_with_the_same_identifier(fleet: Fleet) -> None:
    services = fleet.server.services
    first = _copy_as_new_battery(fleet, set())
    second = renamed(first, MINTER.battery(NEW), MINTER.battery("BP-900014"))
    second.set((MINTER.battery("BP-900014"), DBP.batteryId, Literal("BP-900014")))
    documents = [BulkDocument(f"{i}.ttl", g.serialize(format="turtle").encode())
                 for i, g in enumerate((first, second))]
    report = BulkImporter(services).run(documents, prepare_rdf("text/turtle"),
                                        Principal("bulk", Role.ADMIN), workers=0, batch=2)
    by_battery = {o.battery_id: o for o in report.outcomes}
    assert by_battery[NEW].committed
    assert not by_battery["BP-900014"].committed
    assert "identifier" in (by_battery["BP-900014"].error or "")
