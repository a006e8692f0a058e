"""Direct messages: conversations between two people or a group (up to ``GROUP_MAX``), the
people in each, and their messages.

A one-to-one conversation carries its pair's ``pair_key`` (``"<lower id>:<higher id>"``), unique,
so two people starting one at the same moment make one conversation: the second insert fails on
the constraint and reads the first. Groups have no pair key (NULLs are distinct).

A participant is ``accepted`` or a ``request``: someone who does not follow the starter finds the
conversation under "Requests" until they accept it. Read receipts are one integer per participant
(``last_read_message_id``): unread means newer than it, so counting needs no row per message and
reader. Deleting a message keeps its row (``deleted_at``, body and image cleared) so the thread
shows "message deleted" in its place and cursors stay valid.
"""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

MESSAGE_MAX_CHARS = 5000
GROUP_MAX = 32  # people in one conversation, the starter included
TITLE_MAX = 100


def message_image_path(instance: Message, filename: str) -> str:
    # The name is random and the suffix the re-encoded format's (the services name the file).
    suffix = PurePosixPath(filename).suffix.lower()[:6]
    return f"social/messages/{instance.conversation_id or 'new'}/{uuid.uuid4().hex}{suffix}"


def pair_key(a_id: int, b_id: int) -> str:
    """The one-to-one conversation's key for two people, whichever of them starts it."""
    low, high = sorted((int(a_id), int(b_id)))
    return f"{low}:{high}"


class Conversation(models.Model):
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="social_conversations_started"
    )
    is_group = models.BooleanField(default=False)
    title = models.CharField(max_length=TITLE_MAX, blank=True)
    pair_key = models.CharField(max_length=41, null=True, blank=True, unique=True)
    # Kept by message_send, so the inbox sorts and shows its rows without reading messages.
    last_message = models.ForeignKey(
        "social.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_activity_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(is_group=True, pair_key__isnull=True) | Q(is_group=False, pair_key__isnull=False),
                name="social_conversation_pair_or_group",
            ),
        ]

    def __str__(self) -> str:
        return self.title or f"Conversation {self.pk}"


class Participant(models.Model):
    class State(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        REQUEST = "request", "Request"

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="social_participations")
    joined_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=10, choices=State.choices, default=State.ACCEPTED)
    # The newest message this person has seen (0: none). Only ever moves forward.
    last_read_message_id = models.BigIntegerField(default=0)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["conversation", "user"], name="social_participant_once")]
        indexes = [models.Index(fields=["user", "state"], name="social_participant_inbox")]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.conversation_id} ({self.state})"

    @property
    def is_active(self) -> bool:
        return self.left_at is None


class Message(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="social_messages_sent"
    )
    body = models.TextField(max_length=MESSAGE_MAX_CHARS, blank=True)
    image = models.ImageField(upload_to=message_image_path, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # A thread's page is "newest first, older than the cursor": one index range scan.
        indexes = [models.Index(fields=["conversation", "-id"], name="social_message_thread")]

    def __str__(self) -> str:
        return f"Message {self.pk} in {self.conversation_id}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None
