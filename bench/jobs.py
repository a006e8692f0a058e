"""The queue's figures for `make bench` (`python -m bench.jobs`, in the bench's environment).

ONE real worker process (`celery -A config worker`, solo pool: one task at a time) on the
configured broker, pinned like the server. Two measurements:

- **enqueue-to-start latency**: ``core.bench_probe`` tasks sent one every ``--probe-gap`` ms
  from this process (the worker otherwise idle); each records when it started beside when it
  was sent, and the figure is the difference (p50, p99).
- **outbox throughput**: ``--events`` events published in transactions of 100 over 50
  aggregates (each commit wakes the relay); events per second from the first publish until
  every delivery is marked done. Each event has one delivery, to the activity log (the one
  durable subscriber every event has), so this is the relay, the claim, the document write and
  the ledger mark, per event.

Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


_worker: subprocess.Popen[bytes] | None = None


def wait_for(predicate, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        if _worker is not None and _worker.poll() is not None:
            sys.exit(f"bench.jobs: the worker exited with {_worker.returncode} before {what}; see its log")
        if time.monotonic() > deadline:
            sys.exit(f"bench.jobs: {what} did not happen within {timeout:.0f} s")
        time.sleep(0.02)


def probes_seen(path: Path) -> list[tuple[float, float]]:
    if not path.exists():
        return []
    return [tuple(map(float, line.split())) for line in path.read_text().splitlines() if line.strip()]  # type: ignore[misc]


def measure_latency(count: int, gap_ms: float) -> dict[str, Any]:
    from apps.core.platform.bench_tasks import bench_probe, probe_log

    log = probe_log()
    log.unlink(missing_ok=True)
    for _ in range(count):
        bench_probe.delay(time.time())
        time.sleep(gap_ms / 1000)
    wait_for(lambda: len(probes_seen(log)) >= count, 120, f"{count} probes")
    latencies = [(started - sent) * 1000 for sent, started in probes_seen(log)]
    return {
        "probes": count,
        "gap_ms": gap_ms,
        "p50_ms": percentile(latencies, 0.5),
        "p99_ms": percentile(latencies, 0.99),
        "mean_ms": statistics.fmean(latencies),
        "max_ms": max(latencies),
    }


def measure_outbox(count: int) -> dict[str, Any]:
    from django.db import transaction

    from apps.core.models import EventDelivery, OutboxEvent
    from apps.core.platform import events
    from apps.core.platform.bench_tasks import BenchTicked

    OutboxEvent.objects.filter(name=BenchTicked.name).delete()
    started = time.monotonic()
    for first in range(0, count, 100):
        with transaction.atomic():
            for tick in range(first, min(first + 100, count)):
                events.publish(BenchTicked(series=tick % 50, tick=tick))
    published = time.monotonic()
    mine = EventDelivery.objects.filter(event__name=BenchTicked.name)
    wait_for(lambda: mine.filter(status="delivered").count() >= count, 600, f"{count} deliveries")
    done = time.monotonic()
    deliveries = mine.count()
    return {
        "events": count,
        "deliveries": deliveries,
        "publish_seconds": published - started,
        "seconds": done - started,
        "events_per_second": count / (done - started),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="the queue's figures for make bench")
    parser.add_argument("--worker-prefix", default="", help="command prefix for the worker, e.g. 'taskset -c 1'")
    parser.add_argument("--probes", type=int, default=200)
    parser.add_argument("--probe-gap", type=float, default=20.0, help="milliseconds between probes")
    parser.add_argument("--events", type=int, default=2000)
    args = parser.parse_args(argv)

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.conf import settings

    from config.celery import app

    with app.connection_for_write() as connection:
        for queue in settings.CELERY_WORKER_QUEUES:
            connection.default_channel.queue_purge(queue)
    worker_args = [
        *(["-m", "celery", "-A", "config", "worker", "-P", "solo", "-c", "1", "-l", "WARNING"]),
        *(["--without-gossip", "--without-mingle", "--without-heartbeat"]),
        *(["-Q", ",".join(settings.CELERY_WORKER_QUEUES)]),
    ]
    prefix = shlex.split(args.worker_prefix)
    command = shlex.join([*prefix, "python", *worker_args])
    log_path = Path(settings.VAR_DIR) / "worker.log"
    global _worker
    with open(log_path, "wb") as log:
        worker = subprocess.Popen([*prefix, sys.executable, *worker_args], cwd=ROOT, stdout=log, stderr=log)
    _worker = worker
    try:
        from apps.core.platform.bench_tasks import bench_probe, probe_log

        probe_log().unlink(missing_ok=True)
        bench_probe.delay(time.time())
        wait_for(lambda: bool(probes_seen(probe_log())), 60, "the worker's first task")
        latency = measure_latency(args.probes, args.probe_gap)
        throughput = measure_outbox(args.events)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    broker = settings.CELERY_BROKER_URL.split("://", 1)[0]
    print(json.dumps({"broker": broker, "worker": command, "latency": latency, "outbox": throughput}))


if __name__ == "__main__":
    main()
