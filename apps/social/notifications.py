"""The social network's notifications: its kinds (declared in its hook, apps/social/platform.py).

Sent by services rather than subscribers:
- ``social.follow``: someone follows you (services/relations.py ``follow_create`` of an open
  account, grouped: "Ana and 3 others followed you");
- ``social.follow_request``: someone asks to follow your locked account (the same service).
- ``social.message``: someone sent a direct message in a conversation the recipient accepted
  (sent by services/messages.py; one notification per conversation while unread, counting the
  messages; requests and muted senders notify nobody).
"""

from __future__ import annotations

from apps.core.notifications import Email, NotificationKind

FOLLOW = "social.follow"
FOLLOW_REQUEST = "social.follow_request"
MESSAGE = "social.message"

KINDS: tuple[NotificationKind, ...] = (
    NotificationKind(
        name=FOLLOW,
        label="New followers",
        description="Someone started following you.",
        template="{actors} followed you",
        template_many="{actors} followed you",
        email=Email.DAILY,
    ),
    NotificationKind(
        name=FOLLOW_REQUEST,
        label="Follow requests",
        description="Someone asks to follow your locked account: approve or reject them.",
        template="{actors} asked to follow you",
        template_many="{actors} asked to follow you",
        email=Email.INSTANT,
    ),
    NotificationKind(
        name=MESSAGE,
        label="Direct messages",
        description="Someone sent you a message in a conversation you are in.",
        template="{actors} sent you a message",
        template_many="{actors} sent you {count} messages",
    ),
)
