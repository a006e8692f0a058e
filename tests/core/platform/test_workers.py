"""Readiness sees the broker and the workers: a real worker's heartbeat makes it "up", and a
worker that stopped answering (no beat, or only old ones) is "down" with a 503."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from apps.core.models import WorkerHeartbeat
from apps.core.platform import workers
from tests.core.platform.test_worker_smoke import wait_until
from tests.utils import free_port


def ready(client) -> tuple[int, dict]:  # type: ignore[no-untyped-def]
    response = client.get("/readyz")
    return response.status_code, response.json()["parts"]


def test_a_running_worker_beats_and_readiness_calls_it_up_then_down_once_it_stops(celery_worker, client):
    assert wait_until(lambda: WorkerHeartbeat.objects.filter(hostname=celery_worker.hostname).exists())
    beat = WorkerHeartbeat.objects.get(hostname=celery_worker.hostname)
    assert "default" in beat.queues.split(",")

    status, parts = ready(client)
    assert status == 200, parts
    assert parts["worker"] == {**parts["worker"], "status": "ok", "backend": "celery"}
    assert parts["broker"]["status"] == "ok"

    celery_worker.stop()  # a clean stop takes its heartbeat with it

    status, parts = ready(client)
    assert status == 503 and parts["worker"]["status"] == "down" and parts["worker"]["error"] == "NoWorker"


def test_readiness_calls_the_workers_down_when_no_worker_has_ever_beaten(client, db):
    status, parts = ready(client)

    assert status == 503
    assert parts["worker"]["status"] == "down"
    assert all(part["status"] == "ok" for name, part in parts.items() if name != "worker"), parts


def test_a_worker_whose_last_beat_is_older_than_the_threshold_is_down(client, db, settings, time_machine):
    time_machine.move_to(timezone.now())
    workers.record_heartbeat(hostname="celery@gone", queues=["default"])
    time_machine.shift(timedelta(seconds=settings.WORKER_STALE_SECONDS - 1))
    assert ready(client)[0] == 200

    time_machine.shift(timedelta(seconds=2))  # it stopped answering: no beat since

    status, parts = ready(client)
    assert status == 503 and parts["worker"]["status"] == "down"


def test_rows_of_workers_gone_for_a_day_are_forgotten_and_live_ones_kept(db, time_machine):
    time_machine.move_to(timezone.now())
    workers.record_heartbeat(hostname="celery@old", queues=["default"])
    time_machine.shift(timedelta(days=1, minutes=1))
    workers.record_heartbeat(hostname="celery@live", queues=["default"])

    assert workers.forget_stale() == 1
    assert workers.forget_stale() == 0  # a second sweep finds nothing
    assert list(WorkerHeartbeat.objects.values_list("hostname", flat=True)) == ["celery@live"]


def test_a_heartbeat_updates_its_row_and_keeps_when_the_worker_started(db, time_machine):
    time_machine.move_to(timezone.now())
    workers.record_heartbeat(hostname="celery@one", queues=["default", "media"])
    first = WorkerHeartbeat.objects.get()
    time_machine.shift(timedelta(seconds=10))

    workers.record_heartbeat(hostname="celery@one", queues=["default", "media"])

    row = WorkerHeartbeat.objects.get()
    assert row.started_at == first.started_at and row.seen_at - first.seen_at >= timedelta(seconds=10)
    assert row.queues == "default,media" and row.seen_at <= timezone.now()


def test_readiness_answers_503_naming_the_broker_when_it_is_unreachable(client, worker_alive, settings):
    port = free_port()
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{port}/0"

    response = client.get("/readyz")

    assert response.status_code == 503
    parts = response.json()["parts"]
    assert parts["broker"] == {**parts["broker"], "status": "down", "backend": "redis"}
    assert str(port) not in response.content.decode()
    assert parts["worker"]["status"] == "ok"


def test_check_services_names_the_broker_and_the_workers(db, capsys, worker_alive):
    call_command("check_services")

    out = capsys.readouterr().out
    assert "broker" in out and "worker" in out and "all parts ok" in out


def test_check_services_fails_when_no_worker_answers(db, capsys):
    with pytest.raises(CommandError, match="down: worker"):
        call_command("check_services")

    assert "NoWorker" in capsys.readouterr().out
