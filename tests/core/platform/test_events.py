"""Domain events: publishing writes the outbox in the publisher's transaction; durable subscribers
and the activity log get the event once it commits; after-commit handlers run in this process."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import ClassVar

import pytest
from django.db import transaction

from apps.core.models import EventDelivery, OutboxEvent
from apps.core.platform import events, outbox


@dataclass(frozen=True, kw_only=True)
class ThingPublished(events.DomainEvent):
    name: ClassVar[str] = "testing.thing_published"
    aggregate: ClassVar[str] = "testing.thing:{thing_id}"
    thing_id: int
    title: str


@dataclass(frozen=True, kw_only=True)
class PriceChanged(events.DomainEvent):
    name: ClassVar[str] = "testing.price_changed"
    price: Decimal
    starts: datetime
    on: date
    ref: uuid.UUID
    lasts: timedelta
    tags: tuple[str, ...]
    previous: Decimal | None = None


@pytest.fixture
def received():
    seen: list[events.DomainEvent] = []

    def handler(event: events.DomainEvent) -> None:
        seen.append(event)

    events.subscribe(ThingPublished, key="testing.received")(handler)
    events.subscribe(PriceChanged, key="testing.received")(handler)
    yield seen
    events.unsubscribe(ThingPublished, handler)
    events.unsubscribe(PriceChanged, handler)


def test_publish_writes_the_event_to_the_outbox_in_the_same_transaction(db, received):
    with transaction.atomic():
        events.publish(ThingPublished(thing_id=7, title="Hello", actor_id=3))
        row = OutboxEvent.objects.get()
        assert (row.name, row.aggregate, row.actor_id) == ("testing.thing_published", "testing.thing:7", 3)
        assert row.payload == {"thing_id": 7, "title": "Hello"}
        assert received == []  # not yet: the transaction could still roll back

    assert events.deliver_pending() == 2  # the subscriber and the activity log
    assert [e.thing_id for e in received] == [7]
    entry = events.activity_query(name="testing.thing_published")[0]
    assert entry["payload"] == {"thing_id": 7, "title": "Hello"}
    assert entry["actor_id"] == 3
    assert events.deliver_pending() == 0  # delivered once


def test_an_event_raised_in_a_rolled_back_transaction_leaves_no_row_and_is_never_delivered(db, received):
    with pytest.raises(RuntimeError), transaction.atomic():
        events.publish(ThingPublished(thing_id=1, title="Doomed"))
        raise RuntimeError("boom")

    assert not OutboxEvent.objects.exists()
    assert events.deliver_pending() == 0
    assert received == []
    assert events.activity_query().count() == 0


def test_a_transaction_wakes_the_relay_once_however_many_events_it_publishes(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        for i in range(3):
            events.publish(ThingPublished(thing_id=i, title="x"))
        with pytest.raises(RuntimeError), transaction.atomic():
            events.publish(ThingPublished(thing_id=9, title="rolled back"))
            raise RuntimeError

    assert [callback for callback in callbacks if callback is outbox.wake] == [outbox.wake]
    assert OutboxEvent.objects.count() == 3


def test_a_wake_discarded_with_its_savepoint_is_registered_again(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            events.publish(ThingPublished(thing_id=1, title="rolled back"))
            raise RuntimeError
        events.publish(ThingPublished(thing_id=2, title="kept"))

    assert [callback for callback in callbacks if callback is outbox.wake] == [outbox.wake]


def test_a_wake_the_broker_refuses_is_logged_and_the_sweep_delivers_later(db, received, caplog, monkeypatch):
    from kombu.exceptions import OperationalError

    from apps.core.platform import tasks

    def refused(*args, **kwargs):  # the broker, down: what kombu raises then
        raise OperationalError("[Errno 111] Connection refused")

    monkeypatch.setattr(tasks.outbox_relay, "apply_async", refused)
    with transaction.atomic():
        events.publish(ThingPublished(thing_id=5, title="Later"))
    outbox.wake()  # what commit runs: must not raise into the request

    assert "degraded: core.outbox_relay went on without the broker" in caplog.text
    monkeypatch.undo()
    assert events.deliver_pending() == 2
    assert [e.thing_id for e in received] == [5]


def test_a_subscriber_gets_the_event_rebuilt_with_the_publishers_types(db, received):
    sent = PriceChanged(
        price=Decimal("19.90"),
        starts=datetime(2026, 12, 1, 9, 30, 15, 123456, tzinfo=UTC),
        on=date(2026, 12, 24),
        ref=uuid.UUID("12345678-1234-5678-1234-567812345678"),
        lasts=timedelta(hours=2, microseconds=5),
        tags=("a", "b"),
        actor_id=4,
    )
    events.publish(sent)
    events.deliver_pending()

    [got] = received
    assert got == sent
    assert type(got.price) is Decimal and type(got.starts) is datetime and type(got.ref) is uuid.UUID
    assert got.previous is None and got.tags == ("a", "b")
    assert got.aggregate_key == "testing.price_changed"  # no aggregate named: the event's type


def test_events_of_one_aggregate_reach_a_subscriber_in_order_and_a_failure_holds_back_only_its_own(db, settings):
    settings.OUTBOX_RETRY_BACKOFF = 60
    seen: list[tuple[int, str]] = []

    def handler(event: ThingPublished) -> None:
        if event.title == "bad":
            raise ValueError("not this one")
        seen.append((event.thing_id, event.title))

    events.subscribe(ThingPublished, key="testing.ordered")(handler)
    try:
        for title in ("1", "2", "bad", "3"):
            events.publish(ThingPublished(thing_id=1, title=title))
            events.publish(ThingPublished(thing_id=2, title=title if title != "bad" else "2b"))
        events.deliver_pending()
    finally:
        events.unsubscribe(ThingPublished, handler)

    assert [title for thing, title in seen if thing == 1] == ["1", "2"]  # "3" waits behind "bad"
    assert [title for thing, title in seen if thing == 2] == ["1", "2", "2b", "3"]
    failed = EventDelivery.objects.get(subscriber="testing.ordered", status="pending", attempts=1)
    assert "ValueError: not this one" in failed.last_error
    assert failed.next_attempt_at > failed.created_at + timedelta(seconds=59)


def test_a_subscriber_that_keeps_failing_becomes_a_dead_letter_and_its_aggregate_moves_on(db, settings):
    settings.OUTBOX_RETRY_BACKOFF = 0
    seen: list[str] = []

    def handler(event: ThingPublished) -> None:
        if event.title == "poison":
            raise ValueError("cannot")
        seen.append(event.title)

    events.subscribe(ThingPublished, key="testing.poisoned")(handler)
    try:
        events.publish(ThingPublished(thing_id=1, title="poison"))
        events.publish(ThingPublished(thing_id=1, title="after"))
        for _ in range(3):
            events.deliver_pending()
    finally:
        events.unsubscribe(ThingPublished, handler)

    dead = EventDelivery.objects.get(subscriber="testing.poisoned", status="dead")
    assert dead.attempts == 3 and dead.dead_at is not None
    assert seen == ["after"]


def test_a_subscribers_sql_effect_and_its_ledger_mark_roll_back_together(db, settings, admin_user):
    from django.contrib.admin.models import ADDITION, LogEntry

    settings.OUTBOX_RETRY_BACKOFF = 0
    calls: list[int] = []

    def handler(event: ThingPublished) -> None:
        calls.append(1)
        LogEntry.objects.create(user=admin_user, action_flag=ADDITION, object_repr=event.id)
        if len(calls) == 1:
            raise RuntimeError("crash after the write")

    events.subscribe(ThingPublished, key="testing.effect")(handler)
    try:
        event = ThingPublished(thing_id=1, title="x")
        events.publish(event)
        events.deliver_pending()  # the first attempt writes and crashes; the retry (no backoff) writes
        events.deliver_pending()
    finally:
        events.unsubscribe(ThingPublished, handler)

    assert len(calls) == 2
    assert LogEntry.objects.filter(object_repr=event.id).count() == 1  # the crashed attempt's row is gone
    assert EventDelivery.objects.get(subscriber="testing.effect").status == "delivered"


def test_the_activity_log_counts_a_document_already_there_as_delivered(db):
    event = ThingPublished(thing_id=3, title="Twice")
    events.publish(event)
    events.append_to_activity_log(event)  # an earlier attempt wrote it, then died before its mark

    events.deliver_pending()

    assert events.activity_query().count() == 1
    assert EventDelivery.objects.get(subscriber=events.ACTIVITY_SUBSCRIBER).status == "delivered"


def test_activity_log_is_newest_first_and_filters_by_actor(db):
    for i in range(3):
        events.publish(ThingPublished(thing_id=i, title=f"t{i}", actor_id=10 + i % 2))
    events.deliver_pending()

    assert [d["payload"]["thing_id"] for d in events.activity_query()] == [2, 1, 0]
    assert [d["payload"]["thing_id"] for d in events.activity_query(actor_id=11)] == [1]


def test_an_after_commit_handler_runs_once_the_transaction_commits_and_a_failure_is_only_logged(
    db, caplog, django_capture_on_commit_callbacks
):
    seen: list[int] = []

    def broken(event: ThingPublished) -> None:
        raise ValueError("handler bug")

    def handler(event: ThingPublished) -> None:
        seen.append(event.thing_id)

    events.after_commit(ThingPublished)(broken)
    events.after_commit(ThingPublished)(handler)
    try:
        with pytest.raises(RuntimeError), transaction.atomic():
            events.publish(ThingPublished(thing_id=1, title="Doomed"))
            raise RuntimeError
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            events.publish(ThingPublished(thing_id=2, title="Kept"))
            assert seen == []
    finally:
        events.unsubscribe(ThingPublished, broken)
        events.unsubscribe(ThingPublished, handler)

    assert seen == [2]
    assert "handler bug" in caplog.text


def test_event_names_must_be_app_dot_noun_verb():
    with pytest.raises(TypeError, match="must look like"):

        @dataclass(frozen=True, kw_only=True)
        class Bad(events.DomainEvent):
            name: ClassVar[str] = "NoDot"


def test_an_aggregate_must_name_fields_of_the_event():
    with pytest.raises(TypeError, match="must name fields"):

        @dataclass(frozen=True, kw_only=True)
        class Vague(events.DomainEvent):
            name: ClassVar[str] = "testing.vague_thing"
            aggregate: ClassVar[str] = "testing.thing:{missing_id}"
            thing_id: int


def test_an_event_name_cannot_be_taken_twice():
    with pytest.raises(TypeError, match="already used"):

        @dataclass(frozen=True, kw_only=True)
        class Impostor(events.DomainEvent):
            name: ClassVar[str] = "testing.thing_published"


def test_a_subscriber_is_named_by_its_module_and_qualname_and_a_key_is_taken_once():
    def handler(event: ThingPublished) -> None: ...

    def other(event: ThingPublished) -> None: ...

    events.subscribe(ThingPublished)(handler)
    try:
        key = f"{__name__}.{handler.__qualname__}"
        assert events.subscriber(key).handler is handler
        with pytest.raises(ValueError, match="already taken"):
            events.subscribe(ThingPublished, key=key)(other)
    finally:
        events.unsubscribe(ThingPublished, handler)
    assert events.subscriber(key) is None


def test_event_types_lists_defined_events():
    assert events.event_types()["testing.thing_published"] is ThingPublished


def test_the_existing_events_name_their_aggregates():
    from apps.blog.services import PostSubmitted
    from apps.core.accounts.services import RoleGranted
    from apps.core.comments.services import CommentCreated
    from apps.core.publishing.services import ContentPublished

    post = 12
    assert PostSubmitted(post_id=post, revision=1).aggregate_key == "blog.post:12"
    assert ContentPublished(model="blog.post", object_id=str(post)).aggregate_key == "blog.post:12"
    assert RoleGranted(user_id=3, role="admin").aggregate_key == "core.user:3"
    created = CommentCreated(comment_id=5, target_kind="blog.post", target_id=post, parent_id=None, status="published")
    assert created.aggregate_key == "comments.comment:5"
