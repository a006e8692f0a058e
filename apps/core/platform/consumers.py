from __future__ import annotations

from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from apps.core.accounts import permissions
from apps.core.platform.realtime import CLOSE_UNAUTHENTICATED, user_group


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    """A signed-in user's notification stream: one socket per tab, one group per user."""

    group: str | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if not permissions.can_receive_notifications(user):
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.group = user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.group is not None:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        # Clients only listen; a ping keeps proxies from closing an idle socket.
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def notification_message(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "notification", "kind": event["kind"], "data": event["data"]})
