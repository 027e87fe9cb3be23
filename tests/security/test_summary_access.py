"""Per-battery summary facts are stored in the access view of the data they summarise.

The summary rules (rules/*.rq with ``# output: access-views``) run once per access level over
the battery's data as the views hold it; a fact goes to the view of the lowest level whose data
derives it, never below the group its predicate declares. These tests write passports through
ingest (the real write path) and read the views and the role datasets.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from graph_service.container import Services, build_services
from graph_service.model.graphs import AccessGroup, Stage
from graph_service.model.namespaces import DBP
from graph_service.model.terms import BATTERY_PACK, HAS_NUMBER_VALUE
from graph_service.services.access import Principal, Role
from graph_service.services.fleet import demo
from graph_service.services.passports.classify import classify
from graph_service.store import open_memory_store

from conftest import make_settings  # isort: skip

ADMIN = Principal(id="test-admin", role=Role.ADMIN)
LI_SUMMARY = (DBP.latestSohPercent, DBP.latestSocPercent, DBP.usageRecordCount,
              DBP.summaryStatus)


@pytest.fixture()
def services() -> Iterator[Services]:
    services = build_services(make_settings(), open_memory_store())
    demo.write_demo_organisations(services)  # the demo passports name registered organisations
    yield services
    services.sparql.shutdown()


def _summary_facts(services: Services, view: URIRef, battery: URIRef) -> Graph:
    graph = services.store.graph(view)
    out = Graph()
    for s, p, o in graph:
        if str(s).startswith(f"{battery}/derived/") or p == DBP.hasBatterySummary:
            out.add((s, p, o))
    return out


def test_summaries_of_legitimate_interest_data_are_never_public(services: Services) -> None:
    graph = demo.demo_passport(services.minter, 1)
    result = services.ingest.submit_graph(graph, principal=ADMIN)
    assert result.committed
    battery = services.minter.battery(demo.battery_id(1))
    public = _summary_facts(services, services.layout.view(AccessGroup.PUBLIC), battery)
    legitimate = _summary_facts(
        services, services.layout.view(AccessGroup.LEGITIMATE_INTEREST), battery)
    for predicate in LI_SUMMARY:
        assert (None, predicate, None) in legitimate, predicate
        assert (None, predicate, None) not in public, predicate
    # Public summaries are those of public data; their provenance is derived data.
    assert (None, DBP.nominalVoltageV, None) in public
    assert (None, DBP.derivedByRule, None) not in public
    derived = services.store.graph(services.layout.derived_view)
    summary = URIRef(f"{battery}/derived/summary")
    assert (summary, DBP.derivedByRule, None) in derived
    # The public dataset answers no state-of-health question from summaries either.
    rows = services.sparql.run_query(
        "SELECT ?soh WHERE { ?s <https://w3id.org/dbp#latestSohPercent> ?soh }",
        services.sparql.dataset_for(Principal("test", Role.PUBLIC)))
    assert len(rows) == 0


def test_summary_of_a_stage_stored_as_legitimate_interest_is_not_public(
        services: Services) -> None:
    """Regression: rated performance is public when the pack is typed in the same document,
    but a rated-performance document on its own (no pack type) is classified, and stored, as
    legitimate interest. Its summary (nominal voltage, declared public) must follow the
    stored group, not the predicate's declaration."""
    bid = demo.battery_id(2)
    battery = services.minter.battery(bid)
    graph = demo.demo_passport(services.minter, 2)
    annotations = services.ingest._annotations()
    classes = classify(graph, annotations)
    rated = Graph()
    rest = Graph()
    for triple in graph:
        (rated if classes[triple].stage is Stage.RATED_PERFORMANCE else rest).add(triple)
    rated.remove((battery, RDF.type, BATTERY_PACK))
    assert services.ingest.submit_graph(rest, principal=ADMIN).committed
    assert services.ingest.submit_graph(rated, principal=ADMIN, battery_id=bid).committed

    views = {g: services.store.graph(services.layout.view(g)) for g in AccessGroup}
    number = URIRef(f"{battery}/q/nominal-voltage/value")
    # Precondition: the voltage's number value is stored in the legitimate-interest view only.
    assert (number, HAS_NUMBER_VALUE, None) in rated
    assert (number, HAS_NUMBER_VALUE, None) in views[AccessGroup.LEGITIMATE_INTEREST]
    assert (number, HAS_NUMBER_VALUE, None) not in views[AccessGroup.PUBLIC]
    summary = URIRef(f"{battery}/derived/summary")
    assert (summary, DBP.nominalVoltageV, None) not in views[AccessGroup.PUBLIC]
    assert (summary, DBP.nominalVoltageV, None) in views[AccessGroup.LEGITIMATE_INTEREST]
    # The chemistry came with the typed pack: public, as its source.
    assert (summary, DBP.summaryChemistry, None) in views[AccessGroup.PUBLIC]


def test_a_new_derivation_retracts_the_old_summary_from_the_views(services: Services) -> None:
    bid = demo.battery_id(3)
    battery = services.minter.battery(bid)
    graph = demo.demo_passport(services.minter, 3)
    assert services.ingest.submit_graph(graph, principal=ADMIN).committed
    view = services.layout.view(AccessGroup.LEGITIMATE_INTEREST)
    summary = URIRef(f"{battery}/derived/summary")
    before = set(services.store.graph(view).objects(summary, DBP.usageRecordCount))
    assert before == {Literal(len(set(graph.objects(battery, DBP.hasUsageRecord))))}
    # One usage record fewer: the count changes, and only the new count is stored.
    record = sorted(graph.objects(battery, DBP.hasUsageRecord))[0]
    usage = Graph()
    annotations = services.ingest._annotations()
    for triple, cls in classify(graph, annotations).items():
        if cls.stage is Stage.USAGE and record not in (triple[0], triple[2]) \
                and not str(triple[0]).startswith(f"{record}/"):
            usage.add(triple)
    assert services.ingest.submit_graph(usage, principal=ADMIN, battery_id=bid).committed
    after = set(services.store.graph(view).objects(summary, DBP.usageRecordCount))
    assert after == {Literal(len(before and set(usage.objects(battery, DBP.hasUsageRecord))))}
    assert after != before
    # Re-deriving the stored data gives the same placement as the write did.
    stored = {g: set(_summary_facts(services, services.layout.view(g), battery))
              for g in AccessGroup}
    services.rules.rederive(bid)
    assert stored == {g: set(_summary_facts(services, services.layout.view(g), battery))
                      for g in AccessGroup}
