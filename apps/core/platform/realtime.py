"""Channel-layer group names and broadcasts for core. Group names live only here."""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from apps.core.platform.degraded import degraded

# Close codes sent to websocket clients (4000-4999 are the application's own).
CLOSE_UNAUTHENTICATED = 4401


def user_group(user_id: int) -> str:
    """Every open socket of one user, on any process."""
    return f"user.{user_id}"


def notify_user(user_id: int, *, kind: str, data: dict[str, Any]) -> None:
    """Push a notification to a user's open sockets once the current transaction commits."""
    message = {"type": "notification.message", "kind": kind, "data": data}

    def send() -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        try:
            async_to_sync(layer.group_send)(user_group(user_id), message)
        except Exception as exc:  # the layer is down: the notification is stored, its push is lost
            degraded("broadcast", exc, without="the channel layer")

    transaction.on_commit(send, robust=True)
