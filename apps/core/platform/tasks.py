"""Core's background tasks (listed in CELERY_IMPORTS)."""

from __future__ import annotations

import logging
import random
import smtplib

from celery import Task, shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import OperationalError

from apps.core.platform import workers

logger = logging.getLogger(__name__)

# What a later try may cure: the mail server refused for now, or could not be reached.
TRANSIENT_MAIL_ERRORS = (smtplib.SMTPException, OSError)
MAIL_RETRY_CAP_SECONDS = 600


def mail_retry_delay(retries: int) -> float:
    """Seconds before try ``retries + 2``: EMAIL_RETRY_SECONDS doubled per earlier retry, capped
    at ten minutes, half of it random so a mail server that comes back is not hit by every
    waiting email at once."""
    delay = min(MAIL_RETRY_CAP_SECONDS, settings.EMAIL_RETRY_SECONDS * 2**retries)
    return delay / 2 + random.uniform(0, delay / 2)  # noqa: S311 (spreading retries, not a secret)


@shared_task(bind=True, name="core.send_email", ignore_result=True)
def send_email(
    self: Task,
    *,
    to: str,
    subject: str,
    body: str,
    html: str | None = None,
    headers: dict[str, str] | None = None,
) -> None:
    """Send one email; a transient failure is retried with backoff, a lost one is logged."""
    message = EmailMultiAlternatives(subject, body, None, [to], headers=headers or None)
    if html:
        message.attach_alternative(html, "text/html")
    attempt = self.request.retries + 1
    try:
        message.send()
    except TRANSIENT_MAIL_ERRORS as exc:
        if self.request.retries >= settings.EMAIL_MAX_RETRIES:
            logger.error("email %r to %s is lost after %d tries: %s", subject, to, attempt, exc)
            raise
        logger.warning("email %r to %s failed (try %d), retrying: %s", subject, to, attempt, exc)
        raise self.retry(
            exc=exc, countdown=mail_retry_delay(self.request.retries), max_retries=settings.EMAIL_MAX_RETRIES
        ) from exc
    except Exception as exc:  # not curable by waiting (a malformed header): lost at once
        logger.exception("email %r to %s is lost (not retried): %s", subject, to, exc)
        raise


# --- The outbox of domain events (apps/core/platform/outbox.py) ---------------------------
# Each is safe to run twice at once, and a lost one is made good by the next sweep. A database
# that is busy (SQLite's writer lock past its timeout) or away is tried again shortly.
_RETRY_DATABASE = {"autoretry_for": (OperationalError,), "retry_backoff": 1, "retry_backoff_max": 30, "max_retries": 5}


@shared_task(name="core.outbox_relay", **_RETRY_DATABASE)
def outbox_relay() -> int:
    """Turn committed events into deliveries and send their tasks (woken by each commit)."""
    from apps.core.platform import outbox

    return outbox.relay()


@shared_task(name="core.outbox_deliver", **_RETRY_DATABASE)
def outbox_deliver(subscriber: str, aggregate: str) -> int:
    """Deliver one subscriber's due events of one aggregate, in order."""
    from apps.core.platform import outbox

    return outbox.deliver_pair(subscriber, aggregate)


@shared_task(name="core.outbox_sweep", **_RETRY_DATABASE)
def outbox_sweep() -> dict[str, int]:
    """Beat, every few seconds: relay what no wake did, resend what is due and has no task."""
    from apps.core.platform import outbox

    return outbox.sweep()


@shared_task(name="core.outbox_prune")
def outbox_prune() -> int:
    """Beat, hourly: forget delivered events past OUTBOX_RETENTION_DAYS."""
    from apps.core.platform import outbox

    return outbox.prune()


@shared_task(name="core.forget_stale_workers", ignore_result=True)
def forget_stale_workers() -> int:
    """Drop heartbeat rows of workers gone for a day (beat, hourly; safe to run twice)."""
    return workers.forget_stale()


@shared_task(name="core.idempotency_prune", ignore_result=True)
def idempotency_prune() -> int:
    """Forget idempotency keys older than IDEMPOTENCY_KEY_HOURS (safe to run twice at once)."""
    from apps.core.platform import idempotency

    return idempotency.prune()
