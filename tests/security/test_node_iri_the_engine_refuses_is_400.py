"""Fourth hostile probe, finding 5: ``GET /explain?node=<base>id/battery/BP-000013/derived/x%F0%9F``
was a 500. The URL's undecodable ``%F0%9F`` becomes U+FFFD, which the facade's IRI pattern let
through and the engine's term conversion refused ("Invalid IRI code point"), as it refuses a
noncharacter (U+FFFF) or an encoded surrogate. A caller's node or vocabulary IRI is now checked
by the store's own IRI parser as well: a 400 naming the parameter's value, on the API and the
dashboard, for every caller."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.conftest import LiveServer
from tests.security.support import Fleet, stored_demo_battery

UNDECODABLE = ["%F0%9F", "%EF%BF%BF", "%ED%A0%80"]


@pytest.fixture(scope="module")
def fleet(server_factory_module: Callable[..., LiveServer]) -> Fleet:
    return stored_demo_battery(server_factory_module())


@pytest.mark.parametrize("bad", UNDECODABLE)
@pytest.mark.parametrize("role", ["public", "researcher"])
def test_explain_of_an_iri_the_engine_refuses_is_400(fleet: Fleet, bad: str, role: str) -> None:
    with fleet.client(role) as client:
        response = client.get(f"/explain?node={fleet.battery}/derived/x{bad}")
    assert response.status_code == 400, response.text
    assert response.json()["title"] == "Invalid node IRI"


@pytest.mark.parametrize("bad", UNDECODABLE)
def test_a_vocabulary_filter_iri_the_engine_refuses_is_400(fleet: Fleet, bad: str) -> None:
    with fleet.client("researcher") as client:
        response = client.get(f"/batteries?chemistry=https://w3id.org/dbp/vocab/chemistry/x{bad}")
    assert response.status_code == 400, response.text


def test_the_dashboard_explain_page_answers_a_client_error(fleet: Fleet) -> None:
    with fleet.client("public") as client:
        response = client.get(f"/ui/explain?node={fleet.battery}/derived/x%F0%9F")
    assert 400 <= response.status_code < 500, response.text
