"""A partial write (a Battery Pass aspect, step-outcome feedback, a Graph Store POST into a
stage graph) keeps what another write committed while it was being prepared.

Finding (stop 33): a partial document is merged with the stored passport and the merged stages
are written back. The merge read the store before the ingest's write lock, so a write that
committed between that read and the partial write's commit was overwritten by the older read:
a recycler's feedback could erase an end-of-life fact an aspect import had just stored, and
vice versa; a Graph Store POST merged into the stage as it was read. The merge now runs under the
same lock as the commit.

The interleaving is made certain with the ingest's follow-up hook (the steps that join every
write's atomic update): the first write pauses inside its commit until the second has had time
to read the store.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from graph_service.container import Services
from graph_service.model.graphs import Stage
from graph_service.model.namespaces import DBP
from graph_service.services.access import Principal, Role
from graph_service.services.derivation.feedback import StepOutcomeIn
from graph_service.services.fleet.demo import battery_id, write_demo_fleet

ADMIN = Principal("test-admin", Role.ADMIN)


def _nothing(_triple: object) -> bool:
    return False


def _interleaved(services: Services, first: Callable[[], object],
                 second: Callable[[], object]) -> None:
    """Run ``first`` until it is inside its commit (the write lock held), start ``second``,
    give it time to read the store, then let ``first`` commit and both finish."""
    committing, release, used = threading.Event(), threading.Event(), threading.Event()
    original = services.ingest.follow_ups

    def pause(*_args: object) -> None:
        if not used.is_set():
            used.set()
            committing.set()
            release.wait(10)

    services.ingest.follow_ups = (pause, *original)
    errors: list[BaseException] = []

    def run(write: Callable[[], object]) -> None:
        try:
            write()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(first,))]
    threads[0].start()
    assert committing.wait(60), "the first write never reached its commit"
    threads.append(threading.Thread(target=run, args=(second,)))
    threads[1].start()
    time.sleep(0.5)  # the old code read the stored stage here, before the lock
    release.set()
    for thread in threads:
        thread.join(120)
    assert not errors, errors


def _end_of_life_record(services: Services, bid: str, number: int) -> Graph:
    """One end-of-life record (a recycler's aspect data), number ``number``."""
    battery = services.minter.battery(bid)
    record = URIRef(f"{battery}/end-of-life/concurrent-{number}")
    graph = Graph()
    graph.add((battery, DBP.hasEndOfLifeRecord, record))
    graph.add((record, RDF.type, DBP.EndOfLifeRecord))
    graph.add((record, DBP.pathway, URIRef("https://w3id.org/dbp/vocab/pathway/recycling")))
    graph.add((record, DBP.completedAt,
               Literal("2026-11-30T10:00:00+00:00", datatype=XSD.dateTime)))
    return graph


def _records(services: Services, bid: str) -> set[str]:
    battery = services.minter.battery(bid)
    stage = services.store.graph(services.layout.source(bid, Stage.END_OF_LIFE))
    return {str(o).rsplit("/", 1)[1] for o in stage.objects(battery, DBP.hasEndOfLifeRecord)
            if "concurrent-" in str(o)}


def _aspect_write(services: Services, bid: str, number: int) -> Callable[[], object]:
    return lambda: services.ingest.submit_graph(_end_of_life_record(services, bid, number),
                                                principal=ADMIN, battery_id=bid,
                                                replaces=_nothing)


def test_feedback_during_an_aspect_write_keeps_the_aspects_data(services: Services) -> None:
    write_demo_fleet(services, 1)
    bid = battery_id(1)
    outcome = StepOutcomeIn(stepType="remove-cover", actualMinutes=12)
    _interleaved(services, _aspect_write(services, bid, 1),
                 lambda: services.feedback.record(bid, [outcome], ADMIN))
    stage = services.store.graph(services.layout.source(bid, Stage.END_OF_LIFE))
    assert _records(services, bid) == {"concurrent-1"}, "the aspect's record was lost"
    battery = services.minter.battery(bid)
    assert any(stage.objects(battery, DBP.hasStepOutcome)), "the feedback was lost"


def test_two_partial_writes_at_once_keep_both(services: Services) -> None:
    write_demo_fleet(services, 1)
    bid = battery_id(1)
    _interleaved(services, _aspect_write(services, bid, 1), _aspect_write(services, bid, 2))
    assert _records(services, bid) == {"concurrent-1", "concurrent-2"}


def test_a_graph_store_post_during_another_write_keeps_both(services: Services) -> None:
    write_demo_fleet(services, 1)
    bid = battery_id(1)
    _interleaved(services, _aspect_write(services, bid, 1),
                 lambda: services.graph_store.post(
                     services.layout.source(bid, Stage.END_OF_LIFE),
                     _end_of_life_record(services, bid, 2), ADMIN))
    assert _records(services, bid) == {"concurrent-1", "concurrent-2"}
