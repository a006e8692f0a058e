"""``ws/presence/``: a signed-in tab's heartbeat, and the live status of the people its page shows.

The client (static/js/presence.js) sends
- ``{"type": "heartbeat", "away": false}`` every ~25 s (``away`` when the tab is hidden or idle);
- ``{"type": "watch", "ids": [1, 2, 3]}`` with the people whose badges the page shows (it replaces
  the previous list).
The socket answers a watch with ``{"type": "presence", "statuses": {"<id>": {"state": ...,
"last_seen": ...}}}`` for the permitted ids only, then sends the same shape for each change.
While the socket is open the server also renews its heartbeat on each poll (a hidden tab's timers
may be throttled to once a minute), keeping the state the client last reported. Changes come
pushed on the channel layer (``presence.<id>`` groups); every ``PRESENCE_WATCH_POLL_SECONDS`` the
socket also reads its watch list again (one round trip), which catches what no push announces:
connections that aged out (heartbeats stopped, or their process crashed) and a policy that changed
(someone now shows their status to nobody).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from apps.core.accounts import permissions
from apps.core.platform import presence
from apps.core.platform.realtime import CLOSE_UNAUTHENTICATED

# A page shows a few dozen badges at most; a longer list is cut rather than refused.
WATCH_MAX = 200
WATCH_POLL_SECONDS = 20.0
BEAT_MIN_SECONDS = 5.0


def _ids(raw: Any) -> list[int]:
    if not isinstance(raw, list):
        return []
    ids = [value for value in raw if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63]
    return list(dict.fromkeys(ids))[:WATCH_MAX]


class PresenceConsumer(AsyncJsonWebsocketConsumer):
    user_id: int | None = None
    watched: frozenset[int] = frozenset()
    sent: dict[int, dict[str, Any]]
    poller: asyncio.Task[None] | None = None
    away = False
    beaten_at = 0.0

    async def connect(self) -> None:
        user = self.scope.get("user")
        if not permissions.can_receive_notifications(user):  # signed in and active
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.user_id = user.pk
        self.sent = {}
        await self.accept()
        await self._beat(away=False)
        self.poller = asyncio.ensure_future(self._poll())

    async def disconnect(self, code: int) -> None:
        if self.poller is not None:
            self.poller.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.poller
        for user_id in self.watched:
            await self.channel_layer.group_discard(presence.presence_group(user_id), self.channel_name)
        if self.user_id is not None:
            await sync_to_async(presence.service().disconnect, thread_sensitive=False)(self.user_id, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        if kind == "heartbeat":
            away = content.get("away") is True
            # A client beating faster than it should costs the store nothing more: the same state
            # within BEAT_MIN_SECONDS of the last beat changes nothing worth a write.
            if away != self.away or time.monotonic() - self.beaten_at >= BEAT_MIN_SECONDS:
                await self._beat(away=away)
        elif kind == "watch":
            await self._watch(_ids(content.get("ids")))

    async def _beat(self, *, away: bool) -> None:
        self.away = away
        self.beaten_at = time.monotonic()
        # The store's I/O is blocking; off the event loop, and off the database's one thread.
        await sync_to_async(presence.service().heartbeat, thread_sensitive=False)(
            self.user_id, self.channel_name, away=away
        )

    async def _watch(self, ids: list[int]) -> None:
        allowed = await database_sync_to_async(presence.visible_ids)(self.scope["user"], ids)
        await self._set_watched(frozenset(allowed))
        await self._send_changes(only_changed=False)

    async def _set_watched(self, allowed: frozenset[int]) -> None:
        for user_id in self.watched - allowed:
            await self.channel_layer.group_discard(presence.presence_group(user_id), self.channel_name)
            self.sent.pop(user_id, None)
        for user_id in allowed - self.watched:
            await self.channel_layer.group_add(presence.presence_group(user_id), self.channel_name)
        self.watched = allowed

    async def _send_changes(self, *, only_changed: bool) -> None:
        if not self.watched:
            if not only_changed:
                await self.send_json({"type": "presence", "statuses": {}})
            return
        read = sync_to_async(presence.service().raw_statuses, thread_sensitive=False)
        found = {uid: status.as_json() for uid, status in (await read(self.watched)).items()}
        changed = {uid: value for uid, value in found.items() if not only_changed or self.sent.get(uid) != value}
        self.sent.update(changed)
        if changed or not only_changed:
            await self.send_json({"type": "presence", "statuses": {str(uid): value for uid, value in changed.items()}})

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(getattr(settings, "PRESENCE_WATCH_POLL_SECONDS", WATCH_POLL_SECONDS))
            # An open socket is a live tab even when the browser throttles a hidden tab's timers
            # past the client's heartbeat; a process that dies stops this, and its entries age out.
            await self._beat(away=self.away)
            if self.watched:
                # The policy may have narrowed since the watch (a privacy setting changed).
                allowed = await database_sync_to_async(presence.visible_ids)(self.scope["user"], self.watched)
                await self._set_watched(frozenset(allowed))
            await self._send_changes(only_changed=True)

    async def presence_changed(self, event: dict[str, Any]) -> None:
        user_id = event.get("user_id")
        # Only permitted subjects were ever subscribed; the check guards a late message after an unwatch.
        if user_id not in self.watched or self.sent.get(user_id) == event["status"]:
            return
        self.sent[user_id] = event["status"]
        await self.send_json({"type": "presence", "statuses": {str(user_id): event["status"]}})
