from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pytest
from django.db import transaction

from apps.core.platform import events


@dataclass(frozen=True, kw_only=True)
class ThingPublished(events.DomainEvent):
    name: ClassVar[str] = "testing.thing_published"
    thing_id: int
    title: str


@pytest.fixture
def received():
    seen: list[events.DomainEvent] = []

    def handler(event: ThingPublished) -> None:
        seen.append(event)

    events.subscribe(ThingPublished)(handler)
    yield seen
    events.unsubscribe(ThingPublished, handler)


def test_event_is_delivered_and_logged_only_after_the_transaction_commits(db, received):
    with transaction.atomic():
        events.publish(ThingPublished(thing_id=7, title="Hello", actor_id=3))
        assert received == []  # not yet: the transaction could still roll back
        assert events.activity_query().count() == 0

    # pytest-django's outer test transaction never commits; run what a commit would run.
    from django.db import connection

    for _sid, callback, _robust in connection.run_on_commit:
        callback()

    assert [e.thing_id for e in received] == [7]
    entry = events.activity_query(name="testing.thing_published")[0]
    assert entry["payload"] == {"thing_id": 7, "title": "Hello"}
    assert entry["actor_id"] == 3


@pytest.mark.django_db(transaction=True)
def test_event_raised_in_a_rolled_back_transaction_is_never_delivered(received):
    with pytest.raises(RuntimeError), transaction.atomic():
        events.publish(ThingPublished(thing_id=1, title="Doomed"))
        raise RuntimeError("boom")

    assert received == []
    assert events.activity_query().count() == 0


@pytest.mark.django_db(transaction=True)
def test_event_published_outside_a_transaction_is_delivered_at_once(received):
    events.publish(ThingPublished(thing_id=2, title="Now"))

    assert [e.title for e in received] == ["Now"]
    assert events.activity_query(name="testing.thing_published").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_failing_handler_does_not_stop_the_others_or_the_log(received, caplog):
    def broken(event: ThingPublished) -> None:
        raise ValueError("handler bug")

    events.subscribe(ThingPublished)(broken)
    try:
        with transaction.atomic():
            events.publish(ThingPublished(thing_id=3, title="Still"))
    finally:
        events.unsubscribe(ThingPublished, broken)

    assert [e.thing_id for e in received] == [3]
    assert events.activity_query().count() == 1
    assert "handler bug" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_activity_log_is_newest_first_and_filters_by_actor(received):
    for i in range(3):
        events.publish(ThingPublished(thing_id=i, title=f"t{i}", actor_id=10 + i % 2))

    assert [d["payload"]["thing_id"] for d in events.activity_query()] == [2, 1, 0]
    assert [d["payload"]["thing_id"] for d in events.activity_query(actor_id=11)] == [1]


def test_event_names_must_be_app_dot_noun_verb():
    with pytest.raises(TypeError, match="must look like"):

        @dataclass(frozen=True, kw_only=True)
        class Bad(events.DomainEvent):
            name: ClassVar[str] = "NoDot"


def test_an_event_name_cannot_be_taken_twice():
    with pytest.raises(TypeError, match="already used"):

        @dataclass(frozen=True, kw_only=True)
        class Impostor(events.DomainEvent):
            name: ClassVar[str] = "testing.thing_published"


def test_event_types_lists_defined_events():
    assert events.event_types()["testing.thing_published"] is ThingPublished
