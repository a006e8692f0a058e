"""One conversation's socket (``ws/social/messages/<id>/``): its participants hear
``message.new``, ``message.edited``, ``message.deleted`` (ids only: each fetches the message's
fragment as they may see it), ``typing`` and ``read``; and may send ``typing``, ``read`` and
``message.send`` / ``message.edit`` / ``message.delete`` (the same services as the pages).

Refused: anonymous sockets (4401), someone not in the conversation (4404), a one-to-one
conversation with a block between the two (4403). An action the services refuse later (a block
made while the socket was open) answers an ``error`` event, and a block also closes the socket.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.core.exceptions import PermissionDenied, ValidationError

from apps.social import realtime
from apps.social.models import Message
from apps.social.selectors_messages import participation_get
from apps.social.services import messages as services

logger = logging.getLogger(__name__)

TYPING_EVERY = 2.0  # seconds: a client typing on every key press is told once per this


def _admit(user: Any, conversation_id: int) -> int | None:
    """None when ``user`` may listen, else the close code."""
    if not getattr(user, "is_authenticated", False):
        return realtime.CLOSE_UNAUTHENTICATED
    me = participation_get(user=user, conversation_id=conversation_id)
    if me is None:
        return realtime.CLOSE_NOT_FOUND
    if services.conversation_blocked(me.conversation, user):
        return realtime.CLOSE_BLOCKED
    return None


def _id(value: Any) -> int | None:
    """A client's message id, or None; anything else (text, floats, numbers past a bigint) is refused."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
        raise ValueError("not an id")
    return value


def _may_type(user: Any, conversation_id: int) -> bool:
    """Typing is heard from who may reply: an accepted participant with no block in the way."""
    me = participation_get(user=user, conversation_id=conversation_id)
    return me is not None and me.state == me.State.ACCEPTED and not services.conversation_blocked(me.conversation, user)


def _act(user: Any, conversation_id: int, content: dict[str, Any]) -> dict[str, Any] | None:
    """Run the client's action through the services; an answer for the client, or None."""
    me = participation_get(user=user, conversation_id=conversation_id)
    if me is None:
        raise PermissionDenied("You are not in this conversation.")
    kind = content.get("type")
    if kind == "read":
        services.conversation_mark_read(
            user=user, conversation=me.conversation, message_id=_id(content.get("message_id"))
        )
        return None
    if kind == "message.send":
        message = services.message_send(sender=user, conversation=me.conversation, body=str(content.get("body", "")))
        return {"type": "message.sent", "message_id": message.pk, "nonce": str(content.get("nonce", ""))[:40]}
    message = (
        Message.objects.select_related("conversation")
        .filter(pk=_id(content.get("message_id")) or 0, conversation_id=conversation_id)
        .first()
    )
    if message is None:
        raise ValidationError("No such message.", code="not_found")
    if kind == "message.edit":
        services.message_edit(actor=user, message=message, body=str(content.get("body", "")))
    else:
        services.message_delete(actor=user, message=message)
    return None


class ConversationConsumer(AsyncJsonWebsocketConsumer):
    """A participant's live view of one conversation."""

    group: str | None = None
    conversation_id: int = 0
    _typing_at: float = 0.0

    async def connect(self) -> None:
        self.conversation_id = int(self.scope["url_route"]["kwargs"]["conversation_id"])
        user = self.scope.get("user")
        refusal = await database_sync_to_async(_admit)(user, self.conversation_id)
        if refusal is not None:
            await self.close(code=refusal)
            return
        group = realtime.conversation_group(self.conversation_id)
        try:
            await self.channel_layer.group_add(group, self.channel_name)
        except Exception as exc:  # Redis away: the page works, only without live updates
            logger.warning("message socket could not join %s: %r", group, exc)
            await self.close(code=realtime.CLOSE_TRY_AGAIN)
            return
        self.group = group
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.group is not None:
            try:
                await self.channel_layer.group_discard(self.group, self.channel_name)
            except Exception as exc:  # the group entry expires on its own
                logger.warning("message socket could not leave %s: %r", self.group, exc)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict):
            await self.send_json({"type": "error", "code": "bad_request", "message": "Send a JSON object."})
            return
        kind = content.get("type")
        if kind == "ping":
            await self.send_json({"type": "pong"})
        elif kind == "typing":
            await self._typing()
        elif kind in {"read", "message.send", "message.edit", "message.delete"}:
            await self._action(content)
        else:
            await self.send_json({"type": "error", "code": "bad_request", "message": "Unknown event."})

    async def _typing(self) -> None:
        now = time.monotonic()
        if now - self._typing_at < TYPING_EVERY:
            return
        self._typing_at = now
        # Typing is a cheap, unstored event; it still may not cross a block made since connect,
        # nor come from someone who has not accepted the request (they cannot reply yet).
        if not await database_sync_to_async(_may_type)(self.scope["user"], self.conversation_id):
            await self._refuse(PermissionDenied("You cannot write in this conversation."))
            return
        await realtime.typing_send(self.channel_layer, self.conversation_id, self.scope["user"].pk)

    async def _action(self, content: dict[str, Any]) -> None:
        try:
            answer = await database_sync_to_async(_act)(self.scope["user"], self.conversation_id, content)
        except (PermissionDenied, ValidationError, ValueError, TypeError) as exc:
            await self._refuse(exc)
            return
        if answer is not None:
            await self.send_json(answer)

    async def _refuse(self, exc: Exception) -> None:
        if isinstance(exc, PermissionDenied):
            await self.send_json({"type": "error", "code": "forbidden", "message": str(exc)})
            # Refused for who they are (left, blocked): the socket ends, the page says why.
            code = await database_sync_to_async(_admit)(self.scope["user"], self.conversation_id)
            if code is not None:
                await self.close(code=code)
            return
        if isinstance(exc, ValidationError):
            message = " ".join(exc.messages)
            code = getattr(exc, "code", None) or "invalid"
        else:
            message, code = "That event is not well formed.", "bad_request"
        await self.send_json({"type": "error", "code": code, "message": message})

    async def dm_event(self, event: dict[str, Any]) -> None:
        payload = {key: value for key, value in event.items() if key not in {"type", "event"}}
        await self.send_json({"type": event["event"], **payload})
