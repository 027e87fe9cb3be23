"""Regression: who may describe a shared node was decided from its first 64 describers only.

A mine or a plant is described by the passports of every battery sourced from it - a whole
fleet. The check read the statements of at most 64 other batteries' passports, so at fleet scale
its answers depended on which 64 the engine returned first: an organisation holding a battery
whose passport describes the node could be refused, and what the other passports say (which a
stranger may restate) or what a battery's own passport said first was judged on a sample. Every
question is now answered by the engine over all describers (statement look-ups, one join with
the custody graph). Run in-process over the real store with a 150-battery demo fleet, in which
every mine is described by more than 64 passports.
"""

from __future__ import annotations

from collections import Counter

import pytest
from rdflib import Graph, Literal, URIRef

from graph_service.container import Services, build_services
from graph_service.model.graphs import Stage
from graph_service.model.namespaces import DBP
from graph_service.services.access import Principal, Role
from graph_service.services.fleet.demo import demo_passport, write_demo_fleet
from graph_service.services.passports.classify import classify
from graph_service.services.passports.ingest import PassportRejected
from graph_service.store import open_memory_store
from tests.conftest import make_settings, register_test_organisations
from tests.security.support import fresh_identifiers, renamed

FLEET = 150
STRANGER = "stranger-cells"
# Organisations each holding one battery whose passport describes the mine (several: where
# one battery's graphs come in the engine's order of 140 describers is what decided before).
SINGLE_HOLDERS = [f"single-holder-{n}" for n in range(1, 6)]


@pytest.fixture(scope="module")
def services() -> Services:
    services = build_services(make_settings(), open_memory_store())
    register_test_organisations(services)
    for organisation in (STRANGER, *SINGLE_HOLDERS):
        record = Graph()
        iri = services.minter.organisation(organisation)
        record.add((iri, DBP.name, Literal(f"{organisation} GmbH")))
        record.add((iri, DBP.country, Literal("DE")))
        services.store.apply(services.organisations.changes(
            organisation, services.organisations.checked(organisation, record)))
    # Each single holder's battery describes the mine before the fleet does (an admin writes
    # it): the engine returned the newest describers first, so these came after the first 64
    # the old check read.
    mine, _ = _mine_and_holders(services)
    for position, holder in enumerate(SINGLE_HOLDERS):
        first_id = f"BP-9001{position}0"
        first, _ = _identity_document(services, 3, first_id, holder)
        _with_mine(first, services, mine, _stored_name(services, mine))
        assert _submit(services, first, first_id, "admin-org", role=Role.ADMIN).committed
    write_demo_fleet(services, FLEET, validate=False, derive=False)
    return services


def _mine_and_holders(services: Services) -> tuple[URIRef, Counter[str]]:
    """The mine most passports describe, and how many of them each manufacturer holds."""
    mines: dict[URIRef, Counter[str]] = {}
    for index in range(1, FLEET + 1):
        passport = demo_passport(services.minter, index)
        battery = services.minter.battery(f"BP-{index:06d}")
        manufacturer = str(passport.value(battery, DBP.manufacturer)).rsplit("/", 1)[-1]
        for site in set(passport.subjects(DBP.name, None)):
            if "/id/site/" in str(site) and not str(site).endswith(("-plant", "-depot")):
                mines.setdefault(site, Counter())[manufacturer] += 1
    mine = max(mines, key=lambda site: sum(mines[site].values()))
    return mine, mines[mine]


def _identity_document(services: Services, index: int, new_id: str,
                       manufacturer: str) -> tuple[Graph, URIRef]:
    """The identity-stage part of demo passport ``index`` as a new battery of ``manufacturer``."""
    passport = demo_passport(services.minter, index)
    classes = classify(passport, services.ingest._annotations())
    identity = Graph()
    for triple in passport:
        if classes[triple].stage is Stage.IDENTITY:
            identity.add(triple)
    old, new = services.minter.battery(f"BP-{index:06d}"), services.minter.battery(new_id)
    document = renamed(identity, old, new)
    document.set((new, DBP.batteryId, Literal(new_id)))
    fresh_identifiers(document, new, new_id)
    document.remove((new, DBP.operator, None))
    document.set((new, DBP.manufacturer, services.minter.organisation(manufacturer)))
    return document, new


def _with_mine(document: Graph, services: Services, mine: URIRef, name: str) -> Graph:
    """``document`` describing ``mine`` as the stored passports do, but with ``name``."""
    stored = next(passport for i in range(1, FLEET + 1)
                  if (mine, DBP.name, None) in (passport := demo_passport(services.minter, i)))
    document.remove((mine, None, None))
    for p, o in stored.predicate_objects(mine):
        document.add((mine, p, o))
    document.set((mine, DBP.name, Literal(name)))
    return document


def _submit(services: Services, document: Graph, battery_id: str, organisation: str, *,
            role: Role = Role.OEM):
    return services.ingest.submit_graph(
        document, principal=Principal(id=f"{role.value}-{organisation}", role=role,
                                      organisation=organisation),
        battery_id=battery_id)


def _stored_name(services: Services, mine: URIRef) -> str:
    return str(next(o for i in range(1, FLEET + 1)
                    for o in demo_passport(services.minter, i).objects(mine, DBP.name)))


def test_the_holder_of_few_of_many_describers_may_describe_the_mine(services: Services) -> None:
    mine, holders = _mine_and_holders(services)
    assert sum(holders.values()) > 64, "the mine must be described by more than 64 passports"
    fewest = min(holders, key=holders.__getitem__)
    document, _ = _identity_document(services, 1, "BP-900001", fewest)
    _with_mine(document, services, mine, "Mine renamed by a holder")
    assert _submit(services, document, "BP-900001", fewest).committed


def test_a_stranger_may_restate_the_mine_but_never_rename_it(services: Services) -> None:
    mine, holders = _mine_and_holders(services)
    assert STRANGER not in holders
    document, _ = _identity_document(services, 2, "BP-900002", STRANGER)
    _with_mine(document, services, mine, _stored_name(services, mine))
    assert _submit(services, document, "BP-900002", STRANGER).committed  # word for word
    # Having restated it, the stranger's battery is no describer of its own: a new name is
    # refused, naming the mine.
    _with_mine(document, services, mine, "Mine renamed by a stranger")
    before = services.store.count()
    with pytest.raises(PassportRejected) as refused:
        _submit(services, document, "BP-900002", STRANGER)
    # The describing batteries are their passports' data, which the stranger does not read.
    assert str(mine) in str(refused.value) and "may not read" in str(refused.value)
    assert "BP-0" not in str(refused.value)
    assert services.store.count() == before


@pytest.mark.parametrize("position", range(len(SINGLE_HOLDERS)))
def test_the_holder_of_one_of_many_describers_may_describe_the_mine(services: Services,
                                                                   position: int) -> None:
    """An organisation whose one battery's passport (written by an admin) describes the mine
    among 140 others: which describers the engine returns first must not decide."""
    holder = SINGLE_HOLDERS[position]
    mine, _ = _mine_and_holders(services)
    renaming_id = f"BP-9001{position}1"
    renaming, _ = _identity_document(services, 4, renaming_id, holder)
    _with_mine(renaming, services, mine, f"Mine renamed by {holder}")
    assert _submit(services, renaming, renaming_id, holder).committed
