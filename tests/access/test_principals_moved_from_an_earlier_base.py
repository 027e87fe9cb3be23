"""Principals written under another base IRI (``{base}graph/principals``, before they had a
base-independent graph) are moved at start-up, so their tokens keep working on another port."""

from __future__ import annotations

from graph_service.model.graphs import GraphLayout
from graph_service.model.iris import IriMinter
from graph_service.services.access import PrincipalRegistry, Role
from graph_service.store import open_memory_store
from graph_service.store.base import ChangeSet


def test_principals_of_an_earlier_base_iri_are_moved_and_their_tokens_work() -> None:
    store = open_memory_store()
    earlier = GraphLayout("http://127.0.0.1:8001/")
    issued = PrincipalRegistry(store, earlier, IriMinter(earlier.base)).create(
        Role.ADMIN, None, "ops")
    # As stored before the move: in the earlier base's graph.
    quads = [(s, p, o, earlier.legacy_principals()) for s, p, o in store.graph(earlier.principals)]
    store.apply(ChangeSet(drop_graphs=[earlier.principals], insert=quads))

    now = GraphLayout("http://127.0.0.1:8000/")
    registry = PrincipalRegistry(store, now, IriMinter(now.base))

    assert registry.authenticate(issued.token) == issued.principal
    assert not store.contains_graph(earlier.legacy_principals())
    assert len(store.graph(now.principals)) == len(quads)
