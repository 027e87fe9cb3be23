"""Finding (third hostile probe): ``POST /validate`` (a dry run, open to anonymous callers)
validated a one-triple document together with everything stored of the battery and sent the
report back - naming nodes and values of another organisation's legitimate-interest and
authority-only stages (its shipments and their origin site, its fillings and joints). A dry
run now validates against the stored data the caller reads and says what it left out; a
refused write shows only what the caller reads (docs/access.md, "Validation reports")."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from rdflib import URIRef

from graph_service.model.graphs import AccessGroup
from tests.conftest import LiveServer
from tests.security.support import TURTLE, Fleet, stored_demo_battery


@pytest.fixture(scope="module")
def stored(server_factory_module: Callable[..., LiveServer]) -> Iterator[Fleet]:
    yield stored_demo_battery(server_factory_module())


def _terms_of(fleet: Fleet, group: AccessGroup) -> set[str]:
    graph = fleet.server.services.store.graph(fleet.server.services.layout.view(group))
    return {str(t) for triple in graph for t in triple if isinstance(t, URIRef)}


def _battery_iris(fleet: Fleet, text: str) -> set[str]:
    return set(re.findall(re.escape(str(fleet.battery)) + r"/[^\"\s<>]*", text))


@pytest.mark.parametrize("role", ["public", "oem"])
def test_a_dry_run_names_only_stored_data_the_caller_reads(stored: Fleet, role: str) -> None:
    public = _terms_of(stored, AccessGroup.PUBLIC)
    hidden = (_terms_of(stored, AccessGroup.LEGITIMATE_INTEREST)
              | _terms_of(stored, AccessGroup.AUTHORITY)) - public
    assert _battery_iris(stored, " ".join(hidden)), "the battery must have non-public nodes"
    # Anonymous, and an OEM of another organisation: neither reads this battery's
    # legitimate-interest or authority data.
    client = stored.client(role, stored.other_manufacturer() if role == "oem" else None)
    document = f'<{stored.battery}> <https://w3id.org/dbp#model> "probe" .'.encode()
    response = client.post("/validate", content=document, headers=TURTLE)
    assert response.status_code in (200, 422), response.text
    named = _battery_iris(stored, response.text)
    assert not named & hidden, sorted(named & hidden)
    assert "that this caller reads (public)" in response.text


def test_a_dry_run_by_a_reader_of_everything_is_unchanged(stored: Fleet) -> None:
    client = stored.client("admin", "admin-org")
    document = f'<{stored.battery}> <https://w3id.org/dbp#model> "probe" .'.encode()
    response = client.post("/validate", content=document, headers=TURTLE)
    assert response.status_code in (200, 422), response.text
    assert "that this caller reads" not in response.text
