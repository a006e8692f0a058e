"""The queue's yardsticks for `make bench` (listed in CELERY_IMPORTS only with BENCH=true).

``core.bench_probe`` records when it started next to when it was sent, for the enqueue-to-start
latency; ``BenchTicked`` is an event with no subscriber of its own, so the outbox throughput
measures the machinery (relay, claim, ledger) plus the one subscriber every event has, the
activity log.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from celery import shared_task
from django.conf import settings

from apps.core.platform import events


def probe_log() -> Path:
    return Path(settings.VAR_DIR) / "bench-probes.log"


@shared_task(name="core.bench_probe")
def bench_probe(sent_at: float) -> None:
    started = time.time()
    with probe_log().open("a") as log:
        log.write(f"{sent_at} {started}\n")


@dataclass(frozen=True, kw_only=True)
class BenchTicked(events.DomainEvent):
    name: ClassVar[str] = "core.bench_ticked"
    aggregate: ClassVar[str] = "core.bench:{series}"
    series: int
    tick: int
