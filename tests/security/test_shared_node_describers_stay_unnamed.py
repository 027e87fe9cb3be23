"""Finding (third hostile probe): the shared-node rule (docs/access.md, "Shared nodes") answered
any caller - anonymous included, through ``POST /validate`` - with the batteries whose passports
describe a site: "<{base}id/site/...> (described by the passports of BP-..., BP-...)". Site
descriptions are legitimate-interest data (an anonymous SPARQL query finds none), so a stranger
learnt which batteries come from which mine or plant. Who may describe a shared node is a
permission, decided for writes only (a dry run decides no permission), and a refused write names
only the describing batteries whose data the caller reads."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDFS

from tests.conftest import LiveServer
from tests.security.support import BASE, MINTER, TURTLE, Fleet, stored_demo_battery


@pytest.fixture(scope="module")
def stored(server_factory_module: Callable[..., LiveServer]) -> Iterator[Fleet]:
    yield stored_demo_battery(server_factory_module())


def _site_document(fleet: Fleet, battery_id: str) -> bytes:
    plant = URIRef(f"{BASE}id/site/{fleet.manufacturer}-plant")
    battery = MINTER.battery(battery_id)
    return (f'<{battery}> <https://w3id.org/dbp#model> "probe" .\n'
            f"<{plant}> <{RDFS.label}> {Literal('probe').n3()} .\n").encode()


def test_site_descriptions_are_not_public(stored: Fleet) -> None:
    query = f"ASK {{ <{BASE}id/site/{stored.manufacturer}-plant> ?p ?o }}"
    with stored.client("public") as anonymous:
        answer = anonymous.get("/sparql", params={"query": query},
                               headers={"Accept": "application/sparql-results+json"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["boolean"] is False


@pytest.mark.parametrize("role", ["public", "oem"])
def test_a_dry_run_does_not_say_which_batteries_describe_a_site(stored: Fleet,
                                                                role: str) -> None:
    client = stored.client(role, stored.other_manufacturer() if role == "oem" else None)
    answer = client.post("/validate", content=_site_document(stored, "BP-000901"),
                         headers=TURTLE)
    assert answer.status_code in (200, 422), answer.text
    assert stored.battery_id not in answer.text, answer.text
    assert "described by" not in answer.text, answer.text


def test_a_refused_write_names_only_describers_the_caller_reads(stored: Fleet) -> None:
    intruder = stored.other_manufacturer()
    before = stored.dump()
    with stored.client("oem", intruder) as oem:
        answer = oem.post("/passports?battery=BP-000902",
                          content=_site_document(stored, "BP-000902"), headers=TURTLE)
    assert answer.status_code == 422, answer.text
    detail = answer.json()["detail"]
    assert stored.battery_id not in detail, detail
    assert "passports this caller may not read" in detail, detail
    assert stored.dump() == before
