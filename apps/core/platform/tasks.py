"""Core's background tasks (listed in CELERY_IMPORTS)."""

from __future__ import annotations

import smtplib

from celery import shared_task
from django.core.mail import EmailMultiAlternatives
from django.db import OperationalError


@shared_task(
    name="core.send_email",
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=5,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
)
def send_email(
    *, to: str, subject: str, body: str, html: str | None = None, headers: dict[str, str] | None = None
) -> None:
    message = EmailMultiAlternatives(subject, body, None, [to], headers=headers or None)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()


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
