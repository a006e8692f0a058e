"""The shop's background tasks: thin, idempotent, each calling a service."""

from __future__ import annotations

from celery import shared_task

from apps.commerce.services.payments import checkouts_release_expired


@shared_task(name="commerce.release_expired", ignore_result=True)
def release_expired() -> int:
    """Beat, every minute: give back the stock of checkouts whose reservation ran out."""
    return checkouts_release_expired()
