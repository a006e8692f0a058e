"""The live "N new posts" bar: a socket per open timeline page.

``ws/social/timeline/home/?since=<id>`` (signed-in people) and ``ws/social/timeline/public/``
(anyone). The page says the newest id it shows; whenever a push arrives (fan-out tells the
followers' groups, realtime_timelines.py) the socket recounts what its viewer may see above that
id, with the same filter a page read uses, and sends ``{"type": "timeline.new", "count": n}``
when the number moved. A push carries only an id, so no one learns of a post they may not read.
The in-memory channel layer (the embedded default) cannot carry a worker process's push to the
web process, so there each socket also recounts every ``SOCIAL_TIMELINE_POLL_SECONDS`` (5), as
the notification bell does.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import InMemoryChannelLayer
from django.conf import settings

from apps.social import realtime_timelines, timelines

CLOSE_UNAUTHENTICATED = 4401
HOME, PUBLIC = "home", "public"


def _since(query_string: bytes) -> int:
    values = parse_qs(query_string.decode("latin-1")).get("since", [])
    raw = values[0] if values else ""
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 19 else 0


class TimelineConsumer(AsyncJsonWebsocketConsumer):
    group: str | None = None
    poller: asyncio.Task[None] | None = None
    since: int = 0
    count: int = 0

    async def connect(self) -> None:
        self.stream = self.scope["url_route"]["kwargs"]["stream"]
        user = self.scope.get("user")
        if self.stream == HOME:
            if not getattr(user, "is_authenticated", False):
                await self.close(code=CLOSE_UNAUTHENTICATED)
                return
            self.group = realtime_timelines.home_group(user.pk)
        else:
            self.group = realtime_timelines.PUBLIC_GROUP
        self.since = _since(self.scope.get("query_string", b""))
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        if self.since:
            await self.recount()  # posts that arrived between the page's render and this socket
        if isinstance(self.channel_layer, InMemoryChannelLayer):
            self.poller = asyncio.ensure_future(self.poll())

    async def disconnect(self, code: int) -> None:
        if self.poller is not None:
            self.poller.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.poller
        if self.group is not None:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def poll(self) -> None:
        while True:
            await asyncio.sleep(getattr(settings, "SOCIAL_TIMELINE_POLL_SECONDS", 5))
            await self.recount()

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict):
            return
        if content.get("type") == "ping":
            await self.send_json({"type": "pong"})
        elif content.get("type") == "timeline.seen":
            # The page loaded the new posts: count from its new top.
            since = content.get("since")
            if isinstance(since, int) and since >= 0:
                self.since, self.count = since, 0

    async def timeline_post(self, event: dict[str, Any]) -> None:
        await self.recount()

    async def recount(self) -> None:
        count = await database_sync_to_async(self._count)()
        if count != self.count:
            self.count = count
            await self.send_json({"type": "timeline.new", "count": count})

    def _count(self) -> int:
        user = self.scope["user"]
        if self.stream == HOME:
            return timelines.home_new_count(user, since_id=self.since)
        return timelines.public_new_count(user, since_id=self.since)
