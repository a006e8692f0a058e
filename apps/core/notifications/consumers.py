"""The bell's socket: core's notification stream, plus the unread count kept fresh.

With Redis as the channel layer, ``services.push_unread`` reaches every process's sockets at once
(``group_send``). The in-memory layer (the embedded default) lives in one process, while
notifications are written on a Celery worker, another process: a push from there reaches no
browser. So on that layer each socket also reads its user's unread state every
NOTIFICATIONS_POLL_SECONDS (one query on the unread index) and sends the count when it moved.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.layers import InMemoryChannelLayer
from django.conf import settings

from apps.core.notifications import selectors
from apps.core.notifications.services import UNREAD_MESSAGE
from apps.core.platform.consumers import NotificationConsumer


def _shown_count(query_string: bytes) -> int | None:
    values = parse_qs(query_string.decode("latin-1")).get("unread", [])
    raw = values[0] if values else ""
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None


class BellConsumer(NotificationConsumer):
    """``ws/notifications/``: everything NotificationConsumer sends, and the unread count (on
    connect, on every change pushed, and polled when pushes cannot cross processes)."""

    poller: asyncio.Task[None] | None = None
    state: tuple[int, datetime | None] | None = None

    async def connect(self) -> None:
        await super().connect()
        if self.group is None:  # refused
            return
        # The page says what count it shows (``?unread=3``): one that changed between the page's
        # render and this socket is sent at once; without it, only later changes are.
        self.state = await database_sync_to_async(selectors.notification_unread_state)(self.scope["user"].pk)
        shown = _shown_count(self.scope.get("query_string", b""))
        if shown is not None and shown != self.state[0]:
            await self.send_unread(self.state[0])
        if isinstance(self.channel_layer, InMemoryChannelLayer):
            self.poller = asyncio.ensure_future(self.poll())

    async def disconnect(self, code: int) -> None:
        if self.poller is not None:
            self.poller.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.poller
        await super().disconnect(code)

    async def poll(self) -> None:
        while True:
            await asyncio.sleep(settings.NOTIFICATIONS_POLL_SECONDS)
            await self.send_unread_if_changed()

    async def send_unread_if_changed(self) -> None:
        state = await database_sync_to_async(selectors.notification_unread_state)(self.scope["user"].pk)
        if state != self.state:
            self.state = state
            await self.send_unread(state[0])

    async def send_unread(self, count: int) -> None:
        await self.send_json({"type": "notification", "kind": UNREAD_MESSAGE, "data": {"unread": count}})

    async def notification_message(self, event: dict[str, Any]) -> None:
        if self.poller is not None and event.get("kind") == UNREAD_MESSAGE:
            # A pushed count: remember it so the poll does not send it again.
            self.state = await database_sync_to_async(selectors.notification_unread_state)(self.scope["user"].pk)
        await super().notification_message(event)
