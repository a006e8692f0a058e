"""Channel-layer group names, socket addresses, close codes and broadcasts of direct messages.
Group names live only here.

A broadcast carries ids and the event's name, never a message's text: each socket's reader
fetches what they may see (the message's fragment) over HTTP, as comment threads do. Broadcasts
leave when the transaction commits, so nobody hears of a message that was rolled back; a channel
layer that is down loses the live update and nothing else.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from apps.core.platform import degraded

# Close codes (4000-4999 are the application's own; 4401 is the platform's "sign in first").
CLOSE_UNAUTHENTICATED = 4401
CLOSE_BLOCKED = 4403  # a block stands between the two people of a one-to-one conversation
CLOSE_NOT_FOUND = 4404  # no such conversation, or the reader is not (or no longer) in it
CLOSE_TRY_AGAIN = 1013  # the channel layer is down: the page works without live updates

# The events a conversation's sockets hear (the consumer's handlers are named after them).
MESSAGE_NEW = "message.new"
MESSAGE_EDITED = "message.edited"
MESSAGE_DELETED = "message.deleted"
TYPING = "typing"
READ = "read"


def conversation_group(conversation_id: int) -> str:
    """Every open socket of one conversation, on any process."""
    return f"social.dm.{int(conversation_id)}"


def conversation_socket_path(conversation_id: int) -> str:
    """Where a conversation's participants open their socket (apps/social/routing.py serves it)."""
    return f"/ws/social/messages/{int(conversation_id)}/"


def _send(group: str, message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception as exc:  # Redis away: the write stands, the live update is lost
        degraded.degraded("social_dm_broadcast", exc, without="the channel layer")


def broadcast(conversation_id: int, event: str, **ids: int) -> None:
    """Tell the conversation's sockets of ``event`` (only ids) once the transaction commits."""
    message = {"type": "dm.event", "event": event, "conversation_id": int(conversation_id), **ids}
    group = conversation_group(conversation_id)
    transaction.on_commit(lambda: _send(group, message), robust=True)


async def typing_send(layer: Any, conversation_id: int, user_id: int) -> None:
    """A participant is typing: not stored, straight to the others' sockets (from the consumer)."""
    await layer.group_send(
        conversation_group(conversation_id),
        {"type": "dm.event", "event": TYPING, "conversation_id": int(conversation_id), "user_id": int(user_id)},
    )
