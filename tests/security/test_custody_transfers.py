"""Custody transfers (issue 14, finding 2): the manufacturer or operator of a battery changes only
by an explicit, audited transfer by its current holder or an admin - with its effect on writes,
reads and the passport itself."""

from __future__ import annotations

import httpx
import pytest

from graph_service.model.graphs import Stage
from graph_service.model.namespaces import DBP
from tests.security.support import MINTER, Fleet, fresh_identifiers, renamed

JSON = {"Accept": "application/sparql-results+json"}


def _transfer(client: httpx.Client, fleet: Fleet, role: str, organisation: str) -> httpx.Response:
    return client.post(f"/batteries/{fleet.battery_id}/custody",
                       json={"role": role, "organisation": organisation})


def _reads_design(client: httpx.Client, fleet: Fleet) -> bool:
    answer = client.get("/sparql", headers=JSON, params={
        "query": f"ASK {{ <{fleet.battery}> <{DBP.cellCount}> ?n }}"})
    assert answer.status_code == 200, answer.text
    return answer.json()["boolean"]


def test_the_manufacturer_hands_the_battery_to_the_next_operator(fleet: Fleet) -> None:
    old, new = fleet.operator, fleet.other_operator()
    oem = fleet.client("oem", fleet.manufacturer)
    old_operator, new_operator = fleet.client("operator", old), fleet.client("operator", new)
    assert _reads_design(old_operator, fleet) and not _reads_design(new_operator, fleet)

    answer = _transfer(oem, fleet, "operator", new)

    assert answer.status_code == 200, answer.text
    assert answer.json() == {"battery": fleet.battery_id, "role": "operator", "from": old,
                             "to": new, "changed": True, "version": 2}
    with fleet.client("public") as public:
        assert public.get(f"/batteries/{fleet.battery_id}/custody").json()["operator"] == new
    # The passport itself says so (a version by the manufacturer) ...
    identity = fleet.server.services.store.graph(
        fleet.server.services.layout.source(fleet.battery_id, Stage.IDENTITY))
    assert set(identity.objects(fleet.battery, DBP.operator)) == {MINTER.organisation(new)}
    history = oem.get(f"/batteries/{fleet.battery_id}/history").json()
    assert history["versions"][-1]["stages"] == ["identity"]
    assert history["versions"][-1]["organisation"] == fleet.manufacturer
    # ... the audit trail names both sides ...
    record = fleet.last_audit()
    assert record["operation"] == "transfer-custody" and record["outcome"] == "accepted"
    assert record["detail"] == f"operator: from {old} to {new}"
    # ... and reading and writing follow the record at once.
    assert _reads_design(new_operator, fleet) and not _reads_design(old_operator, fleet)
    assert fleet.post(old_operator, fleet.document(Stage.USAGE)).status_code == 403
    assert fleet.post(new_operator, fleet.document(Stage.USAGE)).status_code == 200


def test_the_operator_hands_over_to_the_next_one_and_loses_the_battery(fleet: Fleet) -> None:
    old, new = fleet.operator, fleet.other_operator()
    operator = fleet.client("operator", old)
    assert _transfer(operator, fleet, "operator", new).status_code == 200
    assert fleet.post(operator, fleet.document(Stage.LOGISTICS)).status_code == 403
    assert _transfer(operator, fleet, "operator", old).status_code == 403


def test_a_change_of_manufacturer_is_a_transfer_by_the_manufacturer(fleet: Fleet) -> None:
    old, new = fleet.manufacturer, fleet.other_manufacturer()
    old_oem, new_oem = fleet.client("oem", old), fleet.client("oem", new)
    identity = fleet.document(Stage.IDENTITY)
    assert fleet.post(new_oem, identity).status_code == 403

    assert _transfer(old_oem, fleet, "manufacturer", new).status_code == 200

    renamed = fleet.document(Stage.IDENTITY)
    renamed.set((fleet.battery, DBP.manufacturer, MINTER.organisation(new)))
    assert fleet.post(new_oem, renamed).status_code == 200
    assert fleet.post(old_oem, identity).status_code == 403
    assert _reads_design(new_oem, fleet) and not _reads_design(old_oem, fleet)
    # The operator may not change the manufacturer.
    with fleet.client("operator", fleet.operator) as operator:
        assert _transfer(operator, fleet, "manufacturer", old).status_code == 403


@pytest.mark.parametrize(("role", "organisation"), [
    ("public", None), ("repairer", None), ("recycler", None), ("researcher", None),
    ("oem", "other-manufacturer"), ("operator", "other-operator"),
])
def test_only_the_holder_or_an_admin_transfers(fleet: Fleet, role: str,
                                               organisation: str | None) -> None:
    org = {"other-manufacturer": fleet.other_manufacturer(),
           "other-operator": fleet.other_operator()}.get(organisation or "")
    before = fleet.dump()
    with fleet.client(role, org) as client:
        for custody_role in ("operator", "manufacturer"):
            answer = _transfer(client, fleet, custody_role, fleet.other_operator())
            assert answer.status_code == 403, answer.text
            if role != "public":
                record = fleet.last_audit()
                assert record["operation"] == "transfer-custody"
                assert record["outcome"] == "denied"
    assert fleet.dump() == before


def test_an_admin_transfers_and_bad_requests_are_refused_clearly(fleet: Fleet) -> None:
    admin = fleet.client("admin", "admin-org")
    assert _transfer(admin, fleet, "operator", "no-such-org").status_code == 422
    assert _transfer(admin, fleet, "owner", fleet.other_operator()).status_code == 422
    assert admin.post("/batteries/BP-999999/custody",
                      json={"role": "operator", "organisation": fleet.operator}).status_code == 404
    same = _transfer(admin, fleet, "operator", fleet.operator)
    assert same.status_code == 200 and same.json()["changed"] is False
    assert _transfer(admin, fleet, "operator", fleet.other_operator()).status_code == 200


def test_a_document_must_agree_with_the_custody_record(fleet: Fleet) -> None:
    """After a transfer the manufacturer cannot undo it by re-sending the old identity."""
    oem = fleet.client("oem", fleet.manufacturer)
    stale = fleet.document(Stage.IDENTITY)  # names the old operator
    assert _transfer(oem, fleet, "operator", fleet.other_operator()).status_code == 200
    before = fleet.dump()
    answer = fleet.post(oem, stale)
    assert answer.status_code == 403, answer.text
    assert "transfer" in answer.json()["detail"]
    assert fleet.dump() == before


def test_an_oem_cannot_create_a_battery_with_an_operator(fleet: Fleet) -> None:
    """An operator comes by a transfer, also on a battery the OEM creates itself."""
    new = MINTER.battery("BP-000555")
    document = renamed(fleet.document(Stage.IDENTITY), fleet.battery, new)
    document.set((new, DBP.batteryId, type(document.value(new, DBP.batteryId))("BP-000555")))
    fresh_identifiers(document, new, "BP-000555")  # another battery's are refused (409)
    assert (new, DBP.operator, None) in document
    with fleet.client("oem", fleet.manufacturer) as oem:
        answer = oem.post("/passports?battery=BP-000555", headers={"Content-Type": "text/turtle"},
                          content=document.serialize(format="turtle").encode())
        assert answer.status_code == 403, answer.text
        assert "transfer" in answer.json()["detail"]
        assert fleet.server.services.custody.record("BP-000555") is None
        document.remove((new, DBP.operator, None))
        created = oem.post("/passports?battery=BP-000555",
                           headers={"Content-Type": "text/turtle"},
                           content=document.serialize(format="turtle").encode())
        assert created.status_code == 201, created.text


def test_documents_do_not_change_custody_even_for_an_admin(fleet: Fleet) -> None:
    document = fleet.document(Stage.IDENTITY)
    document.set((fleet.battery, DBP.operator, MINTER.organisation(fleet.other_operator())))
    before = fleet.dump()
    with fleet.client("admin", "admin-org") as admin:
        answer = fleet.post(admin, document)
    assert answer.status_code == 403, answer.text
    assert "transfer" in answer.json()["detail"]
    assert fleet.dump() == before
