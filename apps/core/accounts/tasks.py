"""Accounts' background work (listed in CELERY_IMPORTS): emails looked up and sent by a worker,
and the sweeps of expired sessions and API tokens that beat runs. Each task is thin and calls a
service; each is safe to run twice."""

from __future__ import annotations

import logging

from celery import shared_task

from apps.core.accounts import services

logger = logging.getLogger(__name__)


@shared_task(name="core.password_reset_email", ignore_result=True)
def password_reset_email(*, email: str) -> None:
    """Mail a reset link if ``email`` names an account that may reset its password."""
    services.password_reset_send(email=email)


@shared_task(name="core.verification_email", ignore_result=True)
def verification_email(*, email: str) -> None:
    """Mail a new confirmation link if ``email`` names an active, unconfirmed account."""
    services.verification_resend_send(email=email)


@shared_task(name="core.clear_expired_sessions", ignore_result=True)
def clear_expired_sessions() -> int:
    removed = services.sessions_clear_expired()
    if removed:
        logger.info("expired sessions removed: %d", removed)
    return removed


@shared_task(name="core.flush_expired_tokens", ignore_result=True)
def flush_expired_tokens() -> int:
    removed = services.tokens_flush_expired()
    if removed:
        logger.info("expired API refresh tokens removed: %d", removed)
    return removed
