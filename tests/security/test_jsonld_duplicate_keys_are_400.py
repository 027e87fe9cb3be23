"""Fourth hostile probe, finding 6: a JSON-LD passport with a key given twice in one object was
read with the last value winning. ``{"@id": "<battery 13>", "@id": "<battery 14>", ...}`` was
validated (and would be written) as battery 14's, while another JSON-LD processor - an auditor's,
a gateway's, the partner's own - reading the same bytes may take the first and see battery 13
(RFC 8259 section 4: the names of an object SHOULD be unique; processors differ). The partner
formats refused duplicate keys already; a JSON-LD document (passports, /validate, organisation
records) now gets a 400 naming the key and its JSON path, before any permission or validation
work, and nothing is stored."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.conftest import LiveServer
from tests.security.support import Fleet, stored_demo_battery

JSONLD = {"Content-Type": "application/ld+json"}


@pytest.fixture(scope="module")
def fleet(server_factory_module: Callable[..., LiveServer]) -> Fleet:
    return stored_demo_battery(server_factory_module())


def _two_ids(fleet: Fleet) -> bytes:
    other = str(fleet.battery).replace(fleet.battery_id, "BP-000014")
    return (f'{{"@id": "{fleet.battery}", "@id": "{other}", '
            '"https://w3id.org/dbp#serialNumber": "SN-1"}').encode()


@pytest.mark.parametrize("path", ["/validate", "/passports"])
def test_a_jsonld_document_giving_a_key_twice_is_400(fleet: Fleet, path: str) -> None:
    before = fleet.dump()
    with fleet.client("admin", "admin-org") as client:
        response = client.post(path, content=_two_ids(fleet), headers=JSONLD)
    assert response.status_code == 400, response.text
    detail = response.json()["detail"]
    assert '$["@id"]' in detail and "more than once" in detail
    assert fleet.dump() == before


def test_a_nested_duplicate_is_named_at_its_path(fleet: Fleet) -> None:
    body = (f'{{"@id": "{fleet.battery}", "https://w3id.org/dbp#hasUsageRecord": '
            f'[{{"@id": "{fleet.battery}/usage/9", '
            '"https://w3id.org/dbp#overchargeEventCount": 1, '
            '"https://w3id.org/dbp#overchargeEventCount": 2}]}').encode()
    with fleet.client("researcher") as client:
        response = client.post("/validate", content=body, headers=JSONLD)
    assert response.status_code == 400, response.text
    assert ('$["https://w3id.org/dbp#hasUsageRecord"][0]["https://w3id.org/dbp#overchargeEventCount"]'
            in response.json()["detail"])


def test_an_organisation_record_giving_a_key_twice_is_400(fleet: Fleet) -> None:
    base = fleet.server.services.layout.base
    body = (f'{{"@id": "{base}id/org/dup-org", "@type": "https://w3id.org/dbp#Organisation", '
            '"https://w3id.org/dbp#name": "Good Name", "https://w3id.org/dbp#name": "Other", '
            '"https://w3id.org/dbp#country": "DE"}').encode()
    before = fleet.dump()
    with fleet.client("admin", "admin-org") as client:
        response = client.put("/organisations/dup-org", content=body, headers=JSONLD)
    assert response.status_code == 400, response.text
    assert fleet.dump() == before
