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


def _paused_first_commit(services: Services, committing: threading.Event,
                         release: threading.Event) -> None:
    """Make the next commit wait inside the write lock until ``release`` is set."""
    original = services.ingest.follow_ups
    used = threading.Event()

    def pause(*_args: object) -> None:
        if not used.is_set():
            used.set()
            committing.set()
            release.wait(10)

    services.ingest.follow_ups = (pause, *original)


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


def test_feedback_during_an_aspect_write_keeps_the_aspects_data(services: Services) -> None:
    write_demo_fleet(services, 1)
    bid = battery_id(1)
    battery = services.minter.battery(bid)
    committing, release = threading.Event(), threading.Event()
    _paused_first_commit(services, committing, release)
    errors: list[BaseException] = []

    def aspect_write() -> None:
        try:
            services.ingest.submit_graph(_end_of_life_record(services, bid, 1),
                                         principal=ADMIN, battery_id=bid, replaces=_nothing)
        except BaseException as error:
            errors.append(error)

    first = threading.Thread(target=aspect_write)
    first.start()
    assert committing.wait(60), "the first write never reached its commit"

    def feedback() -> None:
        try:
            services.feedback.record(bid, [StepOutcomeIn(stepType="remove-cover",
                                                         actualMinutes=12)], ADMIN)
        except BaseException as error:
            errors.append(error)

    second = threading.Thread(target=feedback)
    second.start()
    time.sleep(0.5)  # the old code read the stage here, before the lock
    release.set()
    first.join(60)
    second.join(120)
    assert not errors, errors
    stage = services.store.graph(services.layout.source(bid, Stage.END_OF_LIFE))
    assert _records(services, bid) == {"concurrent-1"}, "the aspect's record was lost"
    assert any(stage.objects(battery, DBP.hasStepOutcome)), "the feedback was lost"


def test_two_partial_writes_at_once_keep_both(services: Services) -> None:
    write_demo_fleet(services, 1)
    bid = battery_id(1)
    committing, release = threading.Event(), threading.Event()
    _paused_first_commit(services, committing, release)
    errors: list[BaseException] = []

    def write(number: int) -> None:
        try:
            services.ingest.submit_graph(_end_of_life_record(services, bid, number),
                                         principal=ADMIN, battery_id=bid, replaces=_nothing)
        except BaseException as error:
            errors.append(error)

    first = threading.Thread(target=write, args=(1,))
    first.start()
    assert committing.wait(60)
    second = threading.Thread(target=write, args=(2,))
    second.start()
    time.sleep(0.5)
    release.set()
    first.join(60)
    second.join(60)
    assert not errors, errors
    assert _records(services, bid) == {"concurrent-1", "concurrent-2"}


def test_a_graph_store_post_during_another_write_keeps_both(services: Services) -> None:
    write_demo_fleet(services, 1)
    bid = battery_id(1)
    committing, release = threading.Event(), threading.Event()
    _paused_first_commit(services, committing, release)
    errors: list[BaseException] = []

    def aspect_write() -> None:
        try:
            services.ingest.submit_graph(_end_of_life_record(services, bid, 1),
                                         principal=ADMIN, battery_id=bid, replaces=_nothing)
        except BaseException as error:
            errors.append(error)

    def graph_store_post() -> None:
        try:
            services.graph_store.post(services.layout.source(bid, Stage.END_OF_LIFE),
                                      _end_of_life_record(services, bid, 2), ADMIN)
        except BaseException as error:
            errors.append(error)

    first = threading.Thread(target=aspect_write)
    first.start()
    assert committing.wait(60)
    second = threading.Thread(target=graph_store_post)
    second.start()
    time.sleep(0.5)
    release.set()
    first.join(60)
    second.join(60)
    assert not errors, errors
    assert _records(services, bid) == {"concurrent-1", "concurrent-2"}
