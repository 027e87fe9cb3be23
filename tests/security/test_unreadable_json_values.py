"""Hostile and partner probes of stop 30: JSON values no RDF term can hold answered 500.

* A string with an unpaired surrogate escape ("a\\ud800") decoded fine and failed when the
  document was written back out (UTF-8 cannot encode it): 500 on /validate (anonymous),
  POST /passports, POST /import and PUT /organisations.
* An integer of more than 4 300 digits made Python's decoder raise mid-document: 500 on
  POST /import for every format.

Both are now refused as the caller's mistake (4xx), with the JSON path of the value, by the two
JSON readers every way in goes through; nothing is stored.
"""

from __future__ import annotations

import pytest

from tests.conftest import LiveServer

LONE = '"a\\ud800"'
HUGE = "1" + "0" * 5000
BATTERY = "http://127.0.0.1:8000/id/battery/X1"


@pytest.fixture(scope="module")
def live(server_factory_module) -> LiveServer:
    return server_factory_module(load_reference_ontologies=False)


def _refused(response, where: str) -> str:
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    text = response.text
    assert where in text, text
    assert "Traceback" not in text
    return text


@pytest.mark.parametrize("media_type", ["application/ld+json", "application/json"])
def test_a_lone_surrogate_is_refused_with_its_path(live: LiveServer, media_type: str) -> None:
    body = ('{"@id": "' + BATTERY + '", "https://w3id.org/dbp#batteryId": ' + LONE + "}"
            if media_type == "application/ld+json" else '{"batteryId": ' + LONE + "}")
    key = "https://w3id.org/dbp#batteryId" if media_type == "application/ld+json" \
        else "batteryId"
    token = live.token()
    before = live.services.store.count()
    with live.client() as anonymous:
        text = _refused(anonymous.post("/validate", content=body.encode(),
                                       headers={"Content-Type": media_type}), key)
    assert "surrogate" in text
    with live.client(token) as admin:
        _refused(admin.post("/passports", content=body.encode(),
                            headers={"Content-Type": media_type}), key)
        _refused(admin.put("/organisations/test-org", content=(
            '{"name": ' + LONE + "}").encode(), headers={"Content-Type": "application/json"}),
            "surrogate")
    assert live.services.store.count() == before


@pytest.mark.parametrize("format", ["catenax", "batterypass", "battinfo"])
def test_an_integer_of_thousands_of_digits_is_refused_with_its_path(
        live: LiveServer, format: str) -> None:
    body = ('{"characteristics": {"warranty": {"lifeValue": ' + HUGE + "}}}").encode()
    token = live.token()
    before = live.services.store.count()
    with live.client(token) as admin:
        text = _refused(admin.post(f"/import?format={format}", content=body,
                                   headers={"Content-Type": "application/json"}),
                        "lifeValue")
    assert "5001 digits" in text
    assert live.services.store.count() == before
