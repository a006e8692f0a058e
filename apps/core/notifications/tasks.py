"""The notification digests (daily and weekly) and the retention sweep, run by beat (CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

from celery import shared_task

from apps.core.notifications import services


@shared_task(name="core.notifications_digest")
def notifications_digest(*, frequency: str) -> int:
    """Send every waiting ``frequency`` digest, a batch at a time; safe to run twice at once
    (each batch locks its rows with SKIP LOCKED and marks them emailed as it queues them)."""
    sent = 0
    while batch := services.digest_send(frequency=frequency):
        sent += batch
    return sent


@shared_task(name="core.notifications_prune")
def notifications_prune() -> int:
    """Forget notifications read more than NOTIFICATIONS_RETENTION_DAYS ago (beat, daily)."""
    return services.notifications_prune()
