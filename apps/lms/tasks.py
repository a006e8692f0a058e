"""The LMS's background tasks: thin, idempotent, each calling a service."""

from __future__ import annotations

from celery import shared_task

from apps.lms.services.learning import openings_tell


@shared_task(name="lms.tell_opened_lessons", ignore_result=True)
def tell_opened_lessons() -> int:
    """Beat, every few minutes (the hook's ``periodic``): learners hear of lessons that opened."""
    return openings_tell()
