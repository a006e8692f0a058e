"""Channel-layer group names and broadcasts for comment threads. Group names live only here."""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from apps.core.platform.degraded import degraded

# Close code for a socket asking about an object that does not exist or whose thread is not
# open to the reader (4000-4999 are the application's own; core's 4401 means "sign in first").
CLOSE_NOT_FOUND = 4404


def thread_group(kind: str, target_id: int) -> str:
    """Every socket reading one object's thread, on any process (kinds are "domain.noun")."""
    return f"comments.{kind}.{target_id}"


def thread_socket_path(kind: str, target_id: int) -> str:
    """Where an object's readers open their socket (apps/core/routing.py serves it)."""
    return f"/ws/comments/{kind}/{target_id}/"


def broadcast_comment_created(comment: Any) -> None:
    """Tell the object's readers that ``comment`` is now published, once the transaction commits.

    Readers fetch the comment's fragment themselves (as they see it: their own buttons, no
    secrets in the broadcast). A channel layer that is down loses the broadcast, nothing else:
    readers see the comment when they next load the page.
    """
    message = {"type": "comment.created", "comment_id": comment.pk, "parent_id": comment.parent_id}
    group = thread_group(comment.target_kind, comment.target_id)

    def send() -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        try:
            async_to_sync(layer.group_send)(group, message)
        except Exception as exc:  # Redis away: the write stands, the live update is lost
            degraded("comment_broadcast", exc, without="the channel layer")

    transaction.on_commit(send, robust=True)
