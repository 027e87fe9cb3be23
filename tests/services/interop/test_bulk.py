"""The bulk import pipeline (services/interop/bulk.py): worker processes parse, validate and
derive; the parent commits in batches; atomic per passport."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rdflib import Literal, URIRef

from graph_service.container import Services, build_services
from graph_service.model.graphs import AccessGroup, Stage
from graph_service.model.namespaces import DBP
from graph_service.services.access import Principal, Role
from graph_service.services.fleet import demo
from graph_service.services.interop.bulk import BulkDocument, BulkImporter, prepare_rdf
from graph_service.store import open_memory_store
from graph_service.store.base import RdfFormat

from conftest import make_settings  # isort: skip

ADMIN = Principal(id="bulk-admin", role=Role.ADMIN)


@pytest.fixture()
def services() -> Iterator[Services]:
    services = build_services(make_settings(), open_memory_store())
    demo.write_demo_organisations(services)  # the demo passports name registered organisations
    yield services
    services.sparql.shutdown()


def turtle(services: Services, index: int) -> bytes:
    return demo.demo_passport(services.minter, index).serialize(format="turtle").encode()


def invalid(services: Services, index: int) -> bytes:
    graph = demo.demo_passport(services.minter, index)
    battery = services.minter.battery(demo.battery_id(index))
    graph.remove((battery, DBP.manufacturingDate, None))
    graph.add((battery, DBP.manufacturingDate, Literal("not a date")))
    return graph.serialize(format="turtle").encode()


@pytest.mark.parametrize("workers", [0, 1])
def test_bad_passports_are_rejected_with_their_report_and_the_others_commit(
        services: Services, workers: int) -> None:
    documents = [BulkDocument(f"p{i}.ttl", turtle(services, i)) for i in (1, 2)]
    documents.append(BulkDocument("broken.ttl", b"@prefix x: <http://x/"))
    documents.append(BulkDocument("invalid.ttl", invalid(services, 3)))
    documents.append(BulkDocument("p4.ttl", turtle(services, 4)))
    seen = []
    report = BulkImporter(services).run(documents, prepare_rdf("text/turtle"), ADMIN,
                                        workers=workers, batch=2, on_done=seen.append)
    assert [o.name for o in seen] == [d.name for d in documents]
    outcome = {o.name: o for o in report.outcomes}
    assert [o.name for o in report.outcomes if o.committed] == ["p1.ttl", "p2.ttl", "p4.ttl"]
    assert "line 1" in (outcome["broken.ttl"].error or "")
    assert outcome["invalid.ttl"].violations
    assert any("manufacturingDate" in str(v) for v in outcome["invalid.ttl"].violations)
    # Nothing of the rejected passport is stored, not even an audit record.
    assert not services.repository.exists(demo.battery_id(3))
    battery = str(services.minter.battery(demo.battery_id(3)))
    assert all(r.get("battery") != battery for r in services.ingest.audit.records())
    for index in (1, 2, 4):
        bid = demo.battery_id(index)
        assert services.repository.exists(bid)
        assert services.ingest.history.next_number(bid) == 2
        battery = str(services.minter.battery(bid))
        assert [r["outcome"] for r in services.ingest.audit.records()
                if r.get("battery") == battery] == ["accepted"]


def test_bulk_writes_what_ingest_writes(services: Services) -> None:
    """Same source graphs, views, derived facts (with summaries in their views) and lineage as
    POST /passports would write; only the audit record ids and times differ."""
    other = build_services(make_settings(), open_memory_store())
    demo.write_demo_organisations(other)
    try:
        bid = demo.battery_id(5)
        other.ingest.submit_graph(demo.demo_passport(other.minter, 5), principal=ADMIN)
        report = BulkImporter(services).run([BulkDocument("p5", turtle(services, 5))],
                                            prepare_rdf("text/turtle"), ADMIN, workers=0)
        assert report.committed == 1
        layout = services.layout
        graphs = [*(layout.source(bid, s) for s in Stage), *(layout.view(g) for g in AccessGroup),
                  layout.lineage]
        for graph in graphs:
            assert set(services.store.graph(graph)) == set(other.store.graph(graph)), graph
        ended = "http://www.w3.org/ns/prov#endedAtTime"
        derived = {t for t in services.store.graph(layout.derived(bid)) if str(t[1]) != ended}
        expected = {t for t in other.store.graph(layout.derived(bid)) if str(t[1]) != ended}
        assert derived == expected
    finally:
        other.sparql.shutdown()


def test_a_stored_battery_is_updated_through_ingest(services: Services) -> None:
    """A passport of a stored battery (or the same battery twice) keeps its stored stages: it
    is validated with them and becomes a new version."""
    first = demo.demo_passport(services.minter, 6)
    services.ingest.submit_graph(first, principal=ADMIN)
    battery = services.minter.battery(demo.battery_id(6))
    changed = demo.demo_passport(services.minter, 6)
    changed.remove((battery, DBP.model, None))
    changed.add((battery, DBP.model, Literal("renamed model")))
    documents = [BulkDocument("again", changed.serialize(format="turtle").encode()),
                 BulkDocument("new", turtle(services, 7)),
                 BulkDocument("new-again", turtle(services, 7))]
    report = BulkImporter(services).run(documents, prepare_rdf("text/turtle"), ADMIN,
                                        workers=0)
    versions = {o.name: o.version for o in report.outcomes}
    assert versions["again"] == 2 and versions["new"] == 1
    # Identical data: nothing new to write, and not an error.
    assert report.outcomes[2].error is None and report.outcomes[2].version == 1
    assert report.rejected == []
    dump = services.store.dump(RdfFormat.N_TRIPLES,
                               graph=services.layout.source(demo.battery_id(6), Stage.IDENTITY))
    assert b"renamed model" in dump


def test_writes_outside_the_principals_stages_are_refused(services: Services) -> None:
    operator = Principal(id="op", role=Role.OPERATOR, organisation="someone")
    report = BulkImporter(services).run([BulkDocument("p8", turtle(services, 8))],
                                        prepare_rdf("text/turtle"), operator, workers=0)
    assert report.committed == 0
    assert "may not write" in (report.outcomes[0].error or "")
    assert not services.repository.exists(demo.battery_id(8))


def _prepare_with_a_bad_iri(services: Services, document: BulkDocument):
    """A prepare function (the pipeline's extension point) whose graph for one document holds
    an IRI that is not an IRI (rdflib accepts it with a warning; serialising it fails)."""
    graph, warnings = services.ingest.parse(document.body, "text/turtle")
    if document.name == "bad-iri":
        battery = next(iter(graph.subjects(DBP.batteryId, None)))
        graph.add((battery, DBP.dismantlingManual, URIRef("http://example.org/a manual")))
    return graph, warnings, None


def test_a_document_that_breaks_validation_is_rejected_and_the_others_commit(
        services: Services) -> None:
    documents = [BulkDocument("p9", turtle(services, 9)),
                 BulkDocument("bad-iri", turtle(services, 10)),
                 BulkDocument("p11", turtle(services, 11))]
    report = BulkImporter(services).run(documents, _prepare_with_a_bad_iri, ADMIN, workers=0,
                                        batch=3)
    outcome = {o.name: o for o in report.outcomes}
    assert outcome["p9"].committed and outcome["p11"].committed
    assert not outcome["bad-iri"].committed
    assert "nothing was stored" in (outcome["bad-iri"].error or "")
    assert not services.repository.exists(demo.battery_id(10))
