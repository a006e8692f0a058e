"""The publishing engine's periodic work (listed in CELERY_IMPORTS, run by beat)."""

from __future__ import annotations

import logging

from celery import shared_task

from apps.core.publishing.services import publish_due as apply_due_schedules

logger = logging.getLogger(__name__)


@shared_task(name="core.publish_due", ignore_result=True)
def publish_due() -> dict[str, int]:
    """Publish what is scheduled and take down what has expired, every PUBLISH_CHECK_SECONDS.

    Safe to run twice at once: the engine claims due rows with SKIP LOCKED on PostgreSQL and
    takes SQLite's write lock before it reads them (IMMEDIATE transactions), and each
    publication clears its schedule in the same transaction."""
    counts = apply_due_schedules()
    if any(counts.values()):
        logger.info("schedules applied: published %(published)d, expired %(expired)d", counts)
    return counts
