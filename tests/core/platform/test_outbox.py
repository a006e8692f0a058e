"""The outbox's sweep, pruning and dead-letter retry, in-process (the worker tests are in
test_outbox_worker.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import ClassVar

import pytest
from django.utils import timezone

from apps.core.models import EventDelivery, OutboxEvent
from apps.core.platform import events, outbox
from tests.conftest import purge_queues


@dataclass(frozen=True, kw_only=True)
class LampLit(events.DomainEvent):
    name: ClassVar[str] = "testing.lamp_lit"
    aggregate: ClassVar[str] = "testing.lamp:{lamp_id}"
    lamp_id: int


@pytest.fixture
def queues():
    purge_queues()
    yield
    purge_queues()


def activity_delivery(event: LampLit) -> EventDelivery:
    return EventDelivery.objects.get(event__event_id=event.id, subscriber=events.ACTIVITY_SUBSCRIBER)


def test_the_sweep_relays_events_no_wake_relayed(db, queues):
    events.publish(LampLit(lamp_id=1))
    events.publish(LampLit(lamp_id=2))

    assert outbox.sweep() == {"relayed": 2, "resent": 0}  # two pairs got a task from the relay itself
    assert not OutboxEvent.objects.filter(relayed_at__isnull=True).exists()
    assert EventDelivery.objects.filter(status="pending").count() == 2


def test_the_sweep_resends_what_lost_its_task_or_its_worker_and_leaves_the_rest(db, settings, queues):
    lost, dead_worker, fresh, running = (LampLit(lamp_id=i) for i in range(4))
    for event in (lost, dead_worker, fresh, running):
        events.publish(event)
    outbox.relay_batch()
    now = timezone.now()
    long_ago = now - timedelta(seconds=settings.OUTBOX_RESEND_AFTER + 1)
    EventDelivery.objects.filter(pk=activity_delivery(lost).pk).update(enqueued_at=long_ago)
    EventDelivery.objects.filter(pk=activity_delivery(dead_worker).pk).update(
        enqueued_at=long_ago, lease_until=now - timedelta(seconds=1), attempts=1
    )
    EventDelivery.objects.filter(pk=activity_delivery(running).pk).update(
        enqueued_at=long_ago, lease_until=now + timedelta(seconds=60), attempts=1
    )

    assert outbox.sweep()["resent"] == 2
    assert activity_delivery(lost).enqueued_at > now
    assert activity_delivery(dead_worker).enqueued_at > now
    assert activity_delivery(fresh).enqueued_at < now  # its task was sent a moment ago
    assert activity_delivery(running).enqueued_at < now  # an attempt is under way
    assert outbox.sweep()["resent"] == 0  # a second sweep right after sends nothing again


def test_a_delivery_leased_by_another_attempt_is_not_taken(db, settings):
    event = LampLit(lamp_id=5)
    events.publish(event)
    outbox.relay_batch()
    EventDelivery.objects.filter(pk=activity_delivery(event).pk).update(
        lease_until=timezone.now() + timedelta(seconds=60), lease_token="other"
    )

    assert outbox.deliver_pair(events.ACTIVITY_SUBSCRIBER, "testing.lamp:5") == 0
    assert activity_delivery(event).status == "pending"


def test_pruning_forgets_delivered_events_past_the_retention_and_keeps_dead_letters(db, settings):
    settings.OUTBOX_RETENTION_DAYS = 7
    old, dead, recent = LampLit(lamp_id=1), LampLit(lamp_id=2), LampLit(lamp_id=3)
    for event in (old, dead, recent):
        events.publish(event)
    events.deliver_pending()
    long_ago = timezone.now() - timedelta(days=8)
    OutboxEvent.objects.filter(event_id__in=[old.id, dead.id]).update(relayed_at=long_ago)
    EventDelivery.objects.filter(event__event_id__in=[old.id, dead.id]).update(delivered_at=long_ago)
    EventDelivery.objects.filter(event__event_id=dead.id).update(status="dead", dead_at=long_ago)

    assert outbox.prune() == 2  # the old event's ledger row, then the event
    assert set(OutboxEvent.objects.values_list("event_id", flat=True)) == {dead.id, recent.id}
    assert EventDelivery.objects.filter(status="dead").count() == 1


def test_a_retried_dead_letter_starts_again_from_its_first_attempt(db, settings, queues):
    settings.OUTBOX_RETRY_BACKOFF = 0
    broken = [True]

    def flaky(event: LampLit) -> None:
        if broken[0]:
            raise RuntimeError("down")

    events.subscribe(LampLit, key="testing.flaky")(flaky)
    try:
        events.publish(LampLit(lamp_id=1))
        for _ in range(3):
            events.deliver_pending()
        letter = EventDelivery.objects.get(subscriber="testing.flaky")
        assert (letter.status, letter.attempts) == ("dead", 3)

        assert outbox.retry_dead([letter.pk]) == 1
        letter.refresh_from_db()
        assert (letter.status, letter.attempts, letter.dead_at) == ("pending", 0, None)
        assert outbox.retry_dead([letter.pk]) == 0  # not dead any more
        broken[0] = False
        assert events.deliver_pending() == 1
    finally:
        events.unsubscribe(LampLit, flaky)
    letter.refresh_from_db()
    assert (letter.status, letter.attempts, letter.last_error) == ("delivered", 1, "")


def test_staff_find_dead_letters_under_background_work_in_the_admin(db, client_for, settings):
    from apps.core.models import DeadLetter
    from tests.core.factories import UserFactory

    settings.OUTBOX_RETRY_BACKOFF = 0

    def broken(event: LampLit) -> None:
        raise ValueError("no lamp")

    events.subscribe(LampLit, key="testing.broken_lamp")(broken)
    try:
        events.publish(LampLit(lamp_id=7, actor_id=42))
        for _ in range(3):
            events.deliver_pending()
    finally:
        events.unsubscribe(LampLit, broken)
    letter = DeadLetter.objects.get()
    admin = client_for(UserFactory(roles=["admin"]))

    index = admin.get("/admin/")
    assert b"Background work" in index.content and b"/admin/core/deadletter/" in index.content
    detail = admin.get(f"/admin/core/deadletter/{letter.pk}/change/")
    assert detail.status_code == 200
    assert b"testing.lamp:7" in detail.content and b"&quot;lamp_id&quot;: 7" in detail.content
    assert b"&quot;actor_id&quot;: 42" in detail.content and b"ValueError: no lamp" in detail.content
    assert b'name="_save"' not in detail.content  # read-only
    assert admin.get("/admin/core/deadletter/add/").status_code == 403
