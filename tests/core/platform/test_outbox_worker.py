"""The outbox on real workers and the real broker: a killed worker, a document-store outage, dead
letters retried from the admin, and concurrent sweeps on PostgreSQL."""

from __future__ import annotations

import multiprocessing
import os
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

import pytest
from django.conf import settings as django_settings
from django.contrib.admin.models import ADDITION, LogEntry
from django.db import connection, connections, transaction

from apps.core.models import DeadLetter, EventDelivery
from apps.core.platform import documents, events, outbox, tasks
from tests.conftest import purge_queues
from tests.core.factories import UserFactory
from tests.utils import free_port, race, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


@dataclass(frozen=True, kw_only=True)
class JobRequested(events.DomainEvent):
    name: ClassVar[str] = "testing.job_requested"
    aggregate: ClassVar[str] = "testing.job:{job_id}"
    job_id: int
    step: int = 0


@pytest.fixture
def subscribed():
    """``subscribed(key, handler)``: a durable subscriber to JobRequested for this test only."""
    added: list[Callable[[JobRequested], None]] = []

    def add(key: str, handler: Callable[[JobRequested], None]) -> None:
        events.subscribe(JobRequested, key=key)(handler)
        added.append(handler)

    yield add
    for handler in added:
        events.unsubscribe(JobRequested, handler)


def effects(event_id: str) -> int:
    """Rows a subscriber wrote for this event (the admin's log table: no unique key to hide a repeat)."""
    return LogEntry.objects.filter(object_repr=event_id).count()


def delivery(key: str) -> EventDelivery:
    return EventDelivery.objects.get(subscriber=key)


# --- 1. A worker process killed mid-task ---------------------------------------------------


def _forget_inherited_connections() -> None:
    # As the browser tests' forked server does: the parent's sockets and pool threads stay the
    # parent's; the child opens its own connections.
    for conn in connections.all(initialized_only=True):
        conn.connection = None
    pools = getattr(type(connections["default"]), "_connection_pools", None)
    if pools is not None:
        pools.clear()


def _run_worker_process() -> None:
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    _forget_inherited_connections()
    app._after_fork()  # the parent's broker connections stay the parent's
    with start_worker(
        app,
        pool="solo",
        concurrency=1,
        perform_ping_check=False,
        loglevel="WARNING",
        queues=django_settings.CELERY_WORKER_QUEUES,
    ):
        while True:
            time.sleep(1)


def test_a_delivery_whose_worker_process_is_killed_runs_again_on_another_worker_and_happens_once(
    settings, tmp_path, subscribed, request
):
    settings.OUTBOX_LEASE_SECONDS = 1
    started, release = tmp_path / "started", tmp_path / "release"
    writer = UserFactory()

    def record_then_wait(event: JobRequested) -> None:
        LogEntry.objects.create(user_id=writer.pk, action_flag=ADDITION, object_repr=event.id)
        started.write_text(str(os.getpid()))
        while not release.exists():  # the test kills this worker here, its write not committed
            time.sleep(0.02)

    subscribed("testing.record_then_wait", record_then_wait)
    purge_queues()
    event = JobRequested(job_id=1)
    with transaction.atomic():
        events.publish(event)  # the commit wakes the relay: a task on the broker

    worker = multiprocessing.get_context("fork").Process(target=_run_worker_process, daemon=True)
    worker.start()
    try:
        assert wait_until(started.exists, timeout=30), "the worker process never reached the handler"
        assert int(started.read_text()) == worker.pid
    finally:
        worker.kill()  # SIGKILL: no cleanup, no acknowledgement, the transaction cut off
        worker.join(10)
    assert worker.exitcode == -9

    assert effects(event.id) == 0
    killed = delivery("testing.record_then_wait")
    assert (killed.status, killed.attempts) == ("pending", 1)
    release.touch()

    request.getfixturevalue("celery_worker")  # another worker: a thread of this process
    time.sleep(settings.OUTBOX_LEASE_SECONDS)  # the killed attempt's lease runs out
    tasks.outbox_sweep.delay()  # what beat sends every few seconds

    assert wait_until(lambda: delivery("testing.record_then_wait").status == "delivered")
    assert effects(event.id) == 1
    assert delivery("testing.record_then_wait").attempts == 2
    assert events.activity_query(name="testing.job_requested").count() == 1


# --- 2. The document store stops -----------------------------------------------------------


def test_events_published_while_the_document_store_is_down_all_reach_the_activity_log_once_it_is_back(
    celery_worker, settings
):
    settings.OUTBOX_RETRY_BACKOFF = 0.2
    settings.OUTBOX_RETRY_BACKOFF_MAX = 0.5
    settings.MONGODB_TIMEOUT_MS = 200
    configured_url = settings.MONGODB_URL
    documents.reset()
    if configured_url:
        settings.MONGODB_URL = f"mongodb://127.0.0.1:{free_port()}/"
    else:
        documents.ping()
        documents.embedded_server().stop()
    # 100 events on 10 aggregates, ten transactions.
    published = []
    for job in range(10):
        with transaction.atomic():
            for step in range(10):
                event = JobRequested(job_id=job, step=step)
                events.publish(event)
                published.append(event.id)

    activity = EventDelivery.objects.filter(subscriber=events.ACTIVITY_SUBSCRIBER)
    assert wait_until(lambda: activity.filter(attempts__gte=2).values("aggregate").distinct().count() == 10, 30)
    assert not activity.filter(status="delivered").exists()

    settings.MONGODB_URL = configured_url
    documents.reset()  # the store comes back (the embedded one restarts on its data)

    assert wait_until(lambda: events.activity_query(name="testing.job_requested").count() == 100, 60)
    ids = [entry["_id"] for entry in events.activity_query(name="testing.job_requested")]
    assert sorted(ids) == sorted(published)  # all of them, none twice
    assert activity.count() == 100
    assert wait_until(lambda: activity.filter(status="delivered").count() == 100)
    assert not activity.filter(status="dead").exists()


# --- 3. Dead letters, retried from the admin ------------------------------------------------


def test_a_subscriber_that_fails_three_times_is_a_dead_letter_and_a_retry_from_the_admin_succeeds_once(
    celery_worker, settings, subscribed, client_for
):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    settings.OUTBOX_RETRY_BACKOFF = 0.1
    writer = UserFactory()
    partner_down = threading.Event()
    partner_down.set()
    calls: list[str] = []

    def notify_partner(event: JobRequested) -> None:
        calls.append(event.id)
        if partner_down.is_set():
            raise ConnectionError("the partner's API is down")
        LogEntry.objects.create(user_id=writer.pk, action_flag=ADDITION, object_repr=event.id)

    subscribed("testing.notify_partner", notify_partner)
    event = JobRequested(job_id=3)
    with transaction.atomic():
        events.publish(event)

    assert wait_until(lambda: DeadLetter.objects.filter(subscriber="testing.notify_partner").exists())
    letter = DeadLetter.objects.get()
    assert letter.attempts == 3 and len(calls) == 3
    assert "ConnectionError: the partner's API is down" in letter.last_error

    admin = client_for(UserFactory(roles=["admin"]))
    listing = admin.get("/admin/core/deadletter/")
    assert listing.status_code == 200
    assert b"testing.job_requested" in listing.content and b"testing.notify_partner" in listing.content
    detail = admin.get(f"/admin/core/deadletter/{letter.pk}/change/")
    assert detail.status_code == 200
    assert event.id.encode() in detail.content and b"the partner&#x27;s API is down" in detail.content

    partner_down.clear()
    answer = admin.post("/admin/core/deadletter/", {"action": "retry", "_selected_action": [letter.pk]})
    assert answer.status_code == 302

    assert wait_until(lambda: delivery("testing.notify_partner").status == "delivered")
    assert effects(event.id) == 1 and len(calls) == 4
    assert not DeadLetter.objects.exists()
    # A second retry of the same row finds nothing dead: nothing runs again.
    admin.post("/admin/core/deadletter/", {"action": "retry", "_selected_action": [letter.pk]})
    time.sleep(0.5)
    assert effects(event.id) == 1 and len(calls) == 4


def test_a_member_may_not_see_dead_letters(client_for):
    assert client_for(UserFactory()).get("/admin/core/deadletter/").status_code == 302  # to the sign-in


# --- End to end, and concurrency ------------------------------------------------------------


def test_a_committed_event_reaches_its_subscriber_and_the_activity_log_on_the_worker(celery_worker, subscribed):
    seen: list[int] = []
    subscribed("testing.seen", lambda event: seen.append(event.step))
    with transaction.atomic():
        for step in range(5):
            events.publish(JobRequested(job_id=9, step=step))
    with pytest.raises(RuntimeError), transaction.atomic():
        events.publish(JobRequested(job_id=9, step=99))
        raise RuntimeError("rolled back")

    assert wait_until(lambda: events.activity_query(name="testing.job_requested").count() == 5)
    assert wait_until(lambda: len(seen) == 5)
    assert seen == [0, 1, 2, 3, 4]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks and SKIP LOCKED are PostgreSQL's")
def test_concurrent_sweeps_and_deliveries_deliver_each_event_once_in_order(subscribed):
    writer = UserFactory()
    order: list[tuple[int, int]] = []

    def record(event: JobRequested) -> None:
        time.sleep(random.random() / 200)  # widen the windows between claim, effect and mark
        LogEntry.objects.create(user_id=writer.pk, action_flag=ADDITION, object_repr=event.id)
        order.append((event.job_id, event.step))

    subscribed("testing.raced", record)
    published = []
    for step in range(10):
        with transaction.atomic():
            for job in range(6):
                event = JobRequested(job_id=job, step=step)
                events.publish(event)
                published.append(event.id)
    purge_queues()

    def work(index: int) -> int:
        done = 0
        for _ in range(3):
            if index % 2:
                outbox.sweep()
            else:
                outbox.relay_batch()
            pairs = [("testing.raced", f"testing.job:{job}") for job in range(6)]
            random.shuffle(pairs)
            done += sum(outbox.deliver_pair(key, aggregate) for key, aggregate in pairs)
        return done

    results = race(work, times=6)
    assert all(isinstance(result, int) for result in results), results
    purge_queues()

    assert sum(results) == 60  # each delivery made once, by one of the racers
    assert all(effects(event_id) == 1 for event_id in published)
    for job in range(6):
        assert [step for j, step in order if j == job] == list(range(10))
    assert EventDelivery.objects.filter(subscriber="testing.raced", status="delivered").count() == 60
