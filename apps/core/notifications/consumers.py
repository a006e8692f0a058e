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

from channels.db import database_sync_to_async
from channels.layers import InMemoryChannelLayer
from django.conf import settings

from apps.core.notifications import selectors
from apps.core.notifications.services import UNREAD_MESSAGE
from apps.core.platform.consumers import NotificationConsumer


class BellConsumer(NotificationConsumer):
    """``ws/notifications/``: everything NotificationConsumer sends, and the unread count (on
    connect, on every change pushed, and polled when pushes cannot cross processes)."""

    poller: asyncio.Task[None] | None = None
    state: tuple[int, datetime | None] | None = None

    async def connect(self) -> None:
        await super().connect()
        if self.group is None:  # refused
            return
        await self.send_unread_if_changed()
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
            await self.send_json({"type": "notification", "kind": UNREAD_MESSAGE, "data": {"unread": state[0]}})

    async def notification_message(self, event: dict[str, Any]) -> None:
        if self.poller is not None and event.get("kind") == UNREAD_MESSAGE:
            # A pushed count: remember it so the poll does not send it again.
            self.state = await database_sync_to_async(selectors.notification_unread_state)(self.scope["user"].pk)
        await super().notification_message(event)
