"""The social network's notifications: its kinds, declared in its hook (``KINDS``), each part of
the network appending its own.

- ``social.message``: someone sent a direct message in a conversation the recipient accepted
  (sent by services/messages.py; one notification per conversation while unread, counting the
  messages; requests and muted senders notify nobody).
"""

from __future__ import annotations

from apps.core.notifications import NotificationKind

MESSAGE = "social.message"

KINDS: tuple[NotificationKind, ...] = (
    NotificationKind(
        name=MESSAGE,
        label="Direct messages",
        description="Someone sent you a message in a conversation you are in.",
        template="{actors} sent you a message",
        template_many="{actors} sent you {count} messages",
    ),
)
