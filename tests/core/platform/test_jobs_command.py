"""``manage.py jobs``: queue depths, the outbox backlog and the dead letters, as text and JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass
from io import StringIO
from typing import ClassVar

import pytest
from django.core.management import CommandError, call_command

from apps.core.platform import events, outbox
from tests.conftest import purge_queues
from tests.utils import free_port


@dataclass(frozen=True, kw_only=True)
class ParcelSent(events.DomainEvent):
    name: ClassVar[str] = "testing.parcel_sent"
    aggregate: ClassVar[str] = "testing.parcel:{parcel_id}"
    parcel_id: int


def jobs(*args: str) -> str:
    out = StringIO()
    call_command("jobs", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def courier(settings):
    settings.OUTBOX_RETRY_BACKOFF = 0

    def courier_api(event: ParcelSent) -> None:
        if event.parcel_id == 13:
            raise TimeoutError("the courier's API timed out")

    events.subscribe(ParcelSent, key="testing.courier")(courier_api)
    yield
    events.unsubscribe(ParcelSent, courier_api)


def test_jobs_reports_the_outbox_backlog_and_dead_letters_as_json(db, courier):
    events.publish(ParcelSent(parcel_id=1))
    events.publish(ParcelSent(parcel_id=2))

    report = json.loads(jobs("--json"))
    assert report["outbox"]["unrelayed_events"] == 2
    assert report["outbox"]["oldest_unrelayed_age_seconds"] >= 0
    assert report["outbox"]["dead_letters"] == 0

    events.publish(ParcelSent(parcel_id=13))
    for _ in range(3):
        events.deliver_pending()
    report = json.loads(jobs("--json", "--dead", "1"))
    assert report["outbox"]["unrelayed_events"] == 0
    assert report["outbox"]["pending_deliveries"] == 0
    assert report["outbox"]["dead_letters"] == 1
    [letter] = report["outbox"]["latest_dead_letters"]
    assert letter["event"] == "testing.parcel_sent" and letter["subscriber"] == "testing.courier"
    assert letter["attempts"] == 3
    assert letter["last_error"] == "TimeoutError: the courier's API timed out"


def test_jobs_counts_the_messages_waiting_in_each_queue(db, settings):
    purge_queues()
    outbox.wake()
    outbox.wake()
    try:
        report = json.loads(jobs("--json"))
    finally:
        purge_queues()
    assert report["broker"]["error"] is None
    assert report["queues"]["default"] == 2
    assert set(report["queues"]) == set(settings.CELERY_WORKER_QUEUES)


def test_jobs_prints_tables_an_operator_reads(db, courier):
    events.publish(ParcelSent(parcel_id=13))
    for _ in range(3):
        events.deliver_pending()

    text = jobs()

    assert "Queues on" in text and "default" in text
    assert "unrelayed events" in text and "pending deliveries" in text
    assert "Dead letters: 1" in text
    assert "testing.parcel_sent -> testing.courier  3 attempts" in text
    assert "TimeoutError: the courier's API timed out" in text


def test_jobs_fails_naming_the_broker_when_it_does_not_answer(db, monkeypatch):
    from config.celery import app

    monkeypatch.setitem(app.conf, "broker_read_url", f"redis://127.0.0.1:{free_port()}/0")
    monkeypatch.setitem(app.conf, "broker_transport", None)
    with pytest.raises(CommandError, match="the broker did not answer"):
        jobs()
