"""Core's background tasks (listed in CELERY_IMPORTS)."""

from __future__ import annotations

import smtplib

from celery import shared_task
from django.core.mail import EmailMultiAlternatives


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
