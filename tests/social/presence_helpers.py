"""Counting the presence service's batch reads in a test (pages that show badges promise one a page)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from django.conf import settings

from apps.core.platform.presence import PresenceService


@contextlib.contextmanager
def presence_lookups() -> Iterator[dict[str, int]]:
    """Count the presence store's batch reads during the block and, with Redis, the round trips
    those reads make (the rest of the request's Redis traffic, sessions and cache, is not counted)."""
    counted = {"reads": 0, "round_trips": 0}
    original = PresenceService.raw_statuses
    patches = contextlib.ExitStack()
    sending = {"on": False}
    if settings.REDIS_URL:
        import redis.connection

        send = redis.connection.AbstractConnection.send_packed_command

        def counting(self, command, check_health=True):  # type: ignore[no-untyped-def]
            if sending["on"]:
                counted["round_trips"] += 1
            return send(self, command, check_health)

        redis.connection.AbstractConnection.send_packed_command = counting  # type: ignore[method-assign]
        patches.callback(setattr, redis.connection.AbstractConnection, "send_packed_command", send)

    def reading(self, user_ids):  # type: ignore[no-untyped-def]
        counted["reads"] += 1
        sending["on"] = True
        try:
            return original(self, user_ids)
        finally:
            sending["on"] = False

    PresenceService.raw_statuses = reading  # type: ignore[method-assign]
    patches.callback(setattr, PresenceService, "raw_statuses", original)
    with patches:
        yield counted
