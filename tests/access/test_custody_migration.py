"""A store written before custody records (issue 14) is migrated once, by SPARQL over the whole
store: the result is exactly what writing the same fleet today produces, and running it again
changes nothing."""

from __future__ import annotations

from graph_service.container import build_services
from graph_service.model.namespaces import DBP
from graph_service.services.access.migration import (
    as_before_custody,
    layout_version,
    migrate_custody,
)
from graph_service.services.fleet.demo import write_demo_fleet
from graph_service.store import open_memory_store
from graph_service.store.base import RdfFormat
from tests.conftest import make_settings


def test_migration_rebuilds_what_writes_produce_and_is_idempotent() -> None:
    services = build_services(make_settings(), open_memory_store())
    write_demo_fleet(services, 12)
    expected = services.store.dump(RdfFormat.N_QUADS)
    assert services.custody.record("BP-000009") is not None

    as_before_custody(services)
    assert layout_version(services.store, services.layout) == 0
    assert services.custody.record("BP-000009") is None
    assert services.store.dump(RdfFormat.N_QUADS) != expected

    lineage = services.lineage.restricted_predicates()
    assert DBP.currentStatus in lineage and DBP.closedAt in lineage
    assert migrate_custody(services.store, services.layout, services.minter, lineage)
    assert sorted(services.store.dump(RdfFormat.N_QUADS).splitlines()) == \
        sorted(expected.splitlines())
    assert not migrate_custody(services.store, services.layout, services.minter, lineage)


def test_organisation_descriptions_of_old_passports_stay_until_their_stage_is_written(
        services) -> None:
    """Before organisation records, a passport could describe the organisations it named. The
    migration leaves such triples where they are (they are passport data of their stage); the
    next write of that stage, which can no longer describe organisations, removes them from the
    stage graph and the public view."""
    from rdflib import Literal

    from graph_service.model.graphs import AccessGroup, Stage
    from graph_service.services.access import Principal, Role
    from graph_service.services.fleet.demo import demo_passport
    from graph_service.store.base import ChangeSet

    admin = Principal("admin", Role.ADMIN, "ops")
    passport = demo_passport(services.minter, 1)
    body = passport.serialize(format="turtle").encode()
    assert services.ingest.submit(body, "text/turtle", principal=admin).committed
    manufacturer = passport.value(services.minter.battery("BP-000001"), DBP.manufacturer)
    identity = services.layout.source("BP-000001", Stage.IDENTITY)
    public = services.layout.view(AccessGroup.PUBLIC)
    old = (manufacturer, DBP.postalAddress, Literal("Written by an old passport"))
    services.store.apply(ChangeSet(insert=[(*old, identity), (*old, public)]))

    as_before_custody(services)
    assert migrate_custody(services.store, services.layout, services.minter,
                           services.lineage.restricted_predicates())
    assert old in services.store.graph(identity) and old in services.store.graph(public)

    result = services.ingest.submit(body, "text/turtle", principal=admin)
    assert result.committed and result.version == 2
    assert old not in services.store.graph(identity)
    assert old not in services.store.graph(public)


def test_a_battery_naming_several_manufacturers_is_held_by_nobody_after_migration(
        services) -> None:
    """An old identity stage that names two of our organisations as manufacturer decides
    nothing: the migrated custody record has no manufacturer (an admin transfers it)."""
    from graph_service.model.graphs import Stage
    from graph_service.services.access import Principal, Role
    from graph_service.services.fleet.demo import demo_passport
    from graph_service.store.base import ChangeSet

    admin = Principal("admin", Role.ADMIN, "ops")
    passport = demo_passport(services.minter, 1)
    assert services.ingest.submit(passport.serialize(format="turtle").encode(), "text/turtle",
                                  principal=admin).committed
    battery = services.minter.battery("BP-000001")
    identity = services.layout.source("BP-000001", Stage.IDENTITY)
    second = services.minter.organisation("nordcell")
    assert passport.value(battery, DBP.manufacturer) != second
    services.store.apply(ChangeSet(insert=[(battery, DBP.manufacturer, second, identity)]))

    as_before_custody(services)
    migrate_custody(services.store, services.layout, services.minter,
                    services.lineage.restricted_predicates())
    record = services.custody.record("BP-000001")
    assert record is not None and record.manufacturer is None
    assert record.operator == services.custody.organisation_id(
        passport.value(battery, DBP.operator))
