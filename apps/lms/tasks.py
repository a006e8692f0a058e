"""The LMS's background tasks: thin, idempotent, each calling a service."""

from __future__ import annotations

from celery import shared_task

from apps.lms.services.learning import openings_tell


@shared_task(name="lms.tell_opened_lessons", ignore_result=True)
def tell_opened_lessons() -> int:
    """Beat, every few minutes (the hook's ``periodic``): learners hear of lessons that opened."""
    return openings_tell()


@shared_task(name="lms.close_expired_attempts", ignore_result=True)
def close_expired_attempts() -> int:
    """Beat, every minute: quiz attempts past their deadline are graded with what was saved in time."""
    from apps.lms.services.quizzes import attempts_close_expired

    return attempts_close_expired()
