"""Putting work on the queue: after the transaction that asked for it commits, never before.

A task sent before commit could run before its rows exist (or for rows that roll back). A broker
that cannot be reached is logged, not raised: the request that asked has already committed, and
what must not be lost (domain events) is kept in the outbox and swept again by beat.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from celery import Task
from django.db import DEFAULT_DB_ALIAS, transaction

logger = logging.getLogger(__name__)


def enqueue(task: Task, *args: Any, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """Send ``task(*args, **kwargs)`` once the current transaction on ``using`` commits."""
    transaction.on_commit(partial(send_now, task, *args, **kwargs), using=using)


def send_now(task: Task, *args: Any, **kwargs: Any) -> bool:
    """Send ``task`` at once; False (and a logged error) when the broker cannot be reached."""
    return send_after(task, None, *args, **kwargs)


def send_after(task: Task, seconds: float | None, *args: Any, **kwargs: Any) -> bool:
    """Send ``task`` to start ``seconds`` from now (None: at once); False (and a logged error)
    when the broker cannot be reached."""
    try:
        task.apply_async(args=args, kwargs=kwargs, countdown=seconds)
    except Exception as exc:  # kombu's OperationalError, a refused socket, a DNS failure
        logger.error("could not enqueue %s: %s", task.name, exc)
        return False
    return True
