"""Degraded operation: an optional service failed and the request went on without it.

Throttles, rate limits and cache drops treat the cache as an accelerator: when it cannot be
reached they allow, skip or fall back, and call ``degraded(name, exc)``. So do live broadcasts
with the channel layer down (the write stands; readers see it on their next load) and the
outbox's wake with the broker down (the sweep relays later). That counts the event
per name in this process (``counts()``: shown by ``/readyz``; each process has its own)
and logs one warning per name per ``DEGRADED_LOG_SECONDS``, with how many were skipped since,
so an outage under load writes a line every few seconds rather than one per request.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_counts: dict[str, int] = {}
_last_logged: dict[str, float] = {}
_unlogged: dict[str, int] = {}


def degraded(name: str, exc: BaseException, *, without: str = "the cache") -> None:
    """Count one degraded operation ``name`` (``"throttle"``, ``"rate_limit"``...) caused by ``exc``;
    ``without`` names the part it went on without (the log line says it)."""
    now = time.monotonic()
    with _lock:
        _counts[name] = _counts.get(name, 0) + 1
        last = _last_logged.get(name)
        if last is not None and now - last < settings.DEGRADED_LOG_SECONDS:
            _unlogged[name] = _unlogged.get(name, 0) + 1
            return
        _last_logged[name] = now
        skipped = _unlogged.pop(name, 0)
    more = f" (and {skipped} more since the last warning)" if skipped else ""
    logger.warning("degraded: %s went on without %s: %s: %s%s", name, without, type(exc).__name__, exc, more)


def counts() -> dict[str, int]:
    """Degraded operations by name since this process started."""
    with _lock:
        return dict(sorted(_counts.items()))


def reset() -> None:
    """Forget the counts and the log's rhythm (tests)."""
    with _lock:
        _counts.clear()
        _last_logged.clear()
        _unlogged.clear()
