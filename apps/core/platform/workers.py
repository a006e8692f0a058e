"""Workers report that they are alive: a heartbeat row per worker, in SQL.

The embedded cache is local memory in each process, so a heartbeat there would be seen only by
the worker itself; the database is shared by every process on every machine. A worker beats from
a thread of its own while its consumer runs and is connected to the broker, so a worker that is
killed, whose event loop hangs or which loses the broker stops beating, and readiness (health.py) calls it down once no
beat is newer than WORKER_STALE_SECONDS. A worker that stops cleanly removes its row.

Nothing here imports a model at module level: config/celery.py adds ``HeartbeatStep`` to the
worker before Django's apps are loaded.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from datetime import timedelta
from typing import Any

from celery import bootsteps
from django.conf import settings
from django.db import connection
from django.utils import timezone

logger = logging.getLogger(__name__)

FORGET_AFTER = timedelta(days=1)


def record_heartbeat(*, hostname: str, queues: list[str], started_at: Any = None) -> None:
    """Upsert ``hostname``'s row with the time now (one UPDATE, an INSERT the first time)."""
    from apps.core.models import WorkerHeartbeat

    now = timezone.now()
    values = {"queues": ",".join(queues)[:255], "pid": os.getpid(), "seen_at": now}
    if not WorkerHeartbeat.objects.filter(hostname=hostname).update(**values):
        WorkerHeartbeat.objects.update_or_create(
            hostname=hostname, defaults=values, create_defaults={**values, "started_at": started_at or now}
        )


def forget(*, hostname: str) -> None:
    from apps.core.models import WorkerHeartbeat

    WorkerHeartbeat.objects.filter(hostname=hostname).delete()


def forget_stale() -> int:
    """Delete rows of workers not seen for a day (gone for good); returns how many."""
    from apps.core.models import WorkerHeartbeat

    removed, _ = WorkerHeartbeat.objects.filter(seen_at__lt=timezone.now() - FORGET_AFTER).delete()
    return removed


def live_workers() -> list[str]:
    """Hostnames of the workers that beat within WORKER_STALE_SECONDS."""
    from apps.core.models import WorkerHeartbeat

    since = timezone.now() - timedelta(seconds=settings.WORKER_STALE_SECONDS)
    return list(WorkerHeartbeat.objects.filter(seen_at__gte=since).values_list("hostname", flat=True))


def _consuming(worker: Any) -> bool:
    consumer = getattr(worker, "consumer", None)
    if consumer is None or consumer.blueprint is None or consumer.blueprint.state != bootsteps.RUN:
        return False
    broker = getattr(consumer, "connection", None)
    return broker is not None and broker.connected


class HeartbeatStep(bootsteps.StartStopStep):
    """A worker bootstep: beats from a daemon thread while the worker consumes and its event
    loop turns (a timer in the loop marks each turn; the database write stays off the loop)."""

    label = "heartbeat"
    requires = ("celery.worker.components:Timer",)

    def __init__(self, worker: Any, **kwargs: Any) -> None:
        super().__init__(worker, **kwargs)
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None
        self.started_at = timezone.now()
        self.last_turn = time.monotonic()
        self.turns: Any = None

    def _turn(self) -> None:
        self.last_turn = time.monotonic()

    def _loop_turning(self) -> bool:
        return time.monotonic() - self.last_turn < settings.WORKER_STALE_SECONDS

    def _queues(self, worker: Any) -> list[str]:
        consumer = getattr(worker, "consumer", None)
        task_consumer = getattr(consumer, "task_consumer", None)
        return sorted(queue.name for queue in getattr(task_consumer, "queues", []) or [])

    def _beat(self, worker: Any) -> None:
        try:
            if _consuming(worker) and self._loop_turning():
                record_heartbeat(hostname=worker.hostname, queues=self._queues(worker), started_at=self.started_at)
        except Exception as exc:  # the database is away: readiness will say so; keep trying
            logger.warning("worker heartbeat not recorded: %s", exc)
        finally:
            connection.close()  # this thread's own connection; a pool takes it back

    def _run(self, worker: Any) -> None:
        # The consumer connects after this step starts: beat soon at first, then at the interval.
        interval = settings.WORKER_HEARTBEAT_SECONDS
        wait = min(0.2, interval)
        while not self.stopping.wait(wait):
            self._beat(worker)
            wait = interval if _consuming(worker) else min(0.2, interval)

    def start(self, worker: Any) -> None:
        self.stopping.clear()
        self.last_turn = time.monotonic()
        self.turns = worker.timer.call_repeatedly(1.0, self._turn)
        self.thread = threading.Thread(target=self._run, args=(worker,), name="worker-heartbeat", daemon=True)
        self.thread.start()

    def stop(self, worker: Any) -> None:
        self.stopping.set()
        if self.turns is not None:
            self.turns.cancel()
        if self.thread is not None:
            self.thread.join(timeout=5)
        try:
            forget(hostname=worker.hostname)  # a clean stop: down at once, not after the threshold
        except Exception as exc:
            logger.warning("worker heartbeat not removed: %s", exc)
        finally:
            connection.close()

    terminate = stop
