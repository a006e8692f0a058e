"""``manage.py jobs``: what background work is waiting, for an operator at a terminal."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.core.platform import outbox


def queue_depths() -> tuple[str, dict[str, int | None], str]:
    """The broker's address (no password), the messages waiting per worker queue, and an error
    (empty when the broker answered). A queue the broker has never seen counts as None."""
    from config.celery import app

    depths: dict[str, int | None] = {}
    with app.connection_for_read() as connection:
        uri = connection.as_uri()  # the password masked
        if settings.CELERY_BROKER_URL.startswith("filesystem://"):
            uri = f"filesystem://{settings.CELERY_BROKER_TRANSPORT_OPTIONS['data_folder_in']}"
        try:
            connection.ensure_connection(max_retries=1, timeout=settings.CELERY_BROKER_CONNECTION_TIMEOUT)
        except Exception as exc:
            return uri, dict.fromkeys(settings.CELERY_WORKER_QUEUES), f"{type(exc).__name__}: {exc}"
        for name in settings.CELERY_WORKER_QUEUES:
            channel = connection.channel()
            try:
                # passive: count without creating (RabbitMQ refuses an unknown queue; the others say 0)
                depths[name] = channel.queue_declare(name, passive=True).message_count
            except Exception:
                depths[name] = None
            finally:
                with contextlib.suppress(Exception):  # a channel the broker closed after refusing
                    channel.close()
    return uri, depths, ""


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


class Command(BaseCommand):
    help = "Show queue depths per queue, the outbox backlog and the latest dead letters."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="one JSON object instead of tables")
        parser.add_argument("--dead", type=int, default=5, help="how many of the latest dead letters to list")

    def handle(self, *args: Any, **options: Any) -> None:
        uri, depths, error = queue_depths()
        backlog = outbox.backlog(latest=max(options["dead"], 0))
        if options["json"]:
            report = {"broker": {"url": uri, "error": error or None}, "queues": depths, "outbox": backlog}
            self.stdout.write(json.dumps(report, indent=2))
        else:
            self._print(uri, depths, error, backlog)
        if error:
            raise CommandError(f"the broker did not answer: {error}")

    def _print(self, uri: str, depths: dict[str, int | None], error: str, backlog: dict[str, Any]) -> None:
        heading = self.style.MIGRATE_HEADING
        self.stdout.write(heading(f"Queues on {uri}"))
        if error:
            self.stdout.write(self.style.ERROR(f"  unreachable: {error}"))
        else:
            for name, depth in depths.items():
                self.stdout.write(f"  {name:<10} {'-' if depth is None else depth:>8} waiting")
        self.stdout.write(heading("Outbox"))
        self.stdout.write(
            f"  unrelayed events    {backlog['unrelayed_events']:>8}"
            f"   oldest {_age(backlog['oldest_unrelayed_age_seconds'])}"
        )
        self.stdout.write(
            f"  pending deliveries  {backlog['pending_deliveries']:>8}"
            f"   oldest {_age(backlog['oldest_pending_age_seconds'])}"
            f"   retrying {backlog['retrying_deliveries']}"
        )
        dead = backlog["dead_letters"]
        self.stdout.write(heading(f"Dead letters: {dead}"))
        style = self.style.WARNING
        for letter in backlog["latest_dead_letters"]:
            self.stdout.write(
                style(
                    f"  #{letter['id']} {letter['event']} -> {letter['subscriber']}"
                    f"  {letter['attempts']} attempts  {letter['dead_at'] or ''}"
                )
            )
            if letter["last_error"]:
                self.stdout.write(f"      {letter['last_error'][:160]}")
        if dead:
            self.stdout.write("  Retry them in the admin: Background work > Dead letters.")
