"""Putting work on the queue: after the transaction that asked for it commits, never before.

A task sent before commit could run before its rows exist (or for rows that roll back). A broker
that cannot be reached is logged, not raised: the request that asked has already committed, and
what must not be lost (domain events) is kept in the outbox and swept again by beat.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from celery import Task
from django.db import DEFAULT_DB_ALIAS, transaction

from apps.core.platform.degraded import degraded

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

    def refused(exc: Exception) -> None:
        logger.error("could not enqueue %s: %s", task.name, exc)

    return _send(task, seconds, args, kwargs, refused=refused)


def nudge(task: Task) -> bool:
    """Send ``task`` at once when something else covers its loss (the outbox's sweep relays what
    a lost wake would have): a refused send is counted as degraded, not logged as an error for
    every write while the broker is down."""
    return _send(task, None, (), {}, refused=lambda exc: degraded(task.name, exc, without="the broker"))


def _send(
    task: Task,
    seconds: float | None,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    *,
    refused: Callable[[Exception], None],
) -> bool:
    try:
        task.apply_async(args=args, kwargs=kwargs, countdown=seconds)
    except Exception as exc:  # kombu's OperationalError, a refused socket, a DNS failure
        refused(exc)
        return False
    return True
