from __future__ import annotations

import logging
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from apps.core.comments.realtime import CLOSE_NOT_FOUND, thread_group
from apps.core.comments.selectors import thread_is_open

logger = logging.getLogger(__name__)

# The socket could not join its group (the channel layer is down): "try again later".
CLOSE_TRY_AGAIN = 1013


class ThreadConsumer(AsyncJsonWebsocketConsumer):
    """An object's readers, signed in or not, hear of each newly published comment in its thread
    ("comment.created" with its id) and fetch it themselves, as they are allowed to see it."""

    group: str | None = None

    async def connect(self) -> None:
        route = self.scope["url_route"]["kwargs"]
        kind, target_id = str(route["kind"]), int(route["target_id"])
        viewer = self.scope.get("user")
        if not await database_sync_to_async(thread_is_open)(kind=kind, target_id=target_id, viewer=viewer):
            await self.close(code=CLOSE_NOT_FOUND)
            return
        group = thread_group(kind, target_id)
        try:
            await self.channel_layer.group_add(group, self.channel_name)
        except Exception as exc:  # Redis away: the page works, only without live updates
            logger.warning("comment socket for %s could not join its group: %r", group, exc)
            await self.close(code=CLOSE_TRY_AGAIN)
            return
        self.group = group
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.group is not None:
            try:
                await self.channel_layer.group_discard(self.group, self.channel_name)
            except Exception as exc:  # the group entry expires on its own
                logger.warning("comment socket could not leave %s: %r", self.group, exc)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        # Readers only listen; a ping keeps proxies from closing an idle socket.
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def comment_created(self, event: dict[str, Any]) -> None:
        await self.send_json(
            {"type": "comment.created", "comment_id": event["comment_id"], "parent_id": event["parent_id"]}
        )
