"""Profiles and the relations between people: follows (and follow requests to locked
accounts), blocks and mutes.

A person's name, bio and avatar are the platform's (``core.User``): one identity on every
domain. The profile adds what only the social network needs: the handle of ``/@<handle>/``, a
header image, links, whether the account is locked, and who may see its online status.

Relations are rows with a unique pair and a check against oneself, so a double click or two
racing requests cannot follow twice. A follow of a locked account starts ``pending`` and becomes
``accepted`` when its owner approves it; only accepted follows count anywhere.
"""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

HANDLE_MAX = 30
handle_validator = RegexValidator(
    r"\A[A-Za-z0-9_]{1,30}\Z",
    "A handle is 1 to 30 letters, digits or underscores.",
    code="invalid_handle",
)


def header_path(instance: Profile, filename: str) -> str:
    # A random name: the uploader's file name is neither trusted nor kept.
    suffix = PurePosixPath(filename).suffix.lower()[:6]
    return f"social/headers/{instance.user_id or 'new'}/{uuid.uuid4().hex}{suffix}"


class Profile(models.Model):
    class Presence(models.TextChoices):
        # Who sees this person's online status (core's presence service keeps the status).
        EVERYONE = "everyone", "Everyone"
        FOLLOWING = "following", "People I follow"
        NOBODY = "nobody", "Nobody"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="social_profile")
    # Kept as typed (case shown), unique whatever the case: @Ada and @ada are one person.
    handle = models.CharField(max_length=HANDLE_MAX, validators=[handle_validator])
    header = models.ImageField(upload_to=header_path, blank=True)
    # [{"label": "Website", "url": "https://..."}], at most a few, http(s) only (services check).
    links = models.JSONField(default=list, blank=True)
    locked = models.BooleanField(default=False, help_text="Follow requests wait for approval.")
    presence_audience = models.CharField(max_length=10, choices=Presence.choices, default=Presence.EVERYONE)
    created_at = models.DateTimeField(default=timezone.now)
    # Staff's moderation (apps/social/services/moderation.py), each with who, when and why.
    # Silenced: their posts reach only their followers (out of the public timeline, hashtag
    # pages, trends and suggestions). Suspended: their posts are hidden everywhere and they may
    # not post, reply, like, follow or message. Both are reversible by staff.
    silenced_at = models.DateTimeField(null=True, blank=True)
    silenced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    silence_reason = models.TextField(max_length=1000, blank=True)
    suspended_at = models.DateTimeField(null=True, blank=True)
    suspended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    suspension_reason = models.TextField(max_length=1000, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(Lower("handle"), name="social_profile_handle_ci_unique")]
        indexes = [
            # The visibility rule asks "is this author restricted?" of every post it filters.
            models.Index(
                fields=["user"],
                name="social_profile_restricted",
                condition=Q(silenced_at__isnull=False) | Q(suspended_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"@{self.handle}"

    def get_absolute_url(self) -> str:
        return reverse("people:profile", args=[self.handle])

    @property
    def is_silenced(self) -> bool:
        return self.silenced_at is not None

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None


class Follow(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "Requested"
        ACCEPTED = "accepted", "Following"

    follower = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="social_following")
    followee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="social_followers")
    state = models.CharField(max_length=10, choices=State.choices, default=State.ACCEPTED)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["follower", "followee"], name="social_follow_once"),
            models.CheckConstraint(condition=~Q(follower=F("followee")), name="social_follow_not_self"),
        ]
        indexes = [
            # "Who follows X" (fan-out, follower lists) and "whom does X follow" (home, suggestions).
            models.Index(fields=["followee", "state"], name="social_follow_followee"),
            models.Index(fields=["follower", "state"], name="social_follow_follower"),
        ]

    def __str__(self) -> str:
        return f"{self.follower_id} -> {self.followee_id} ({self.state})"


class Block(models.Model):
    """Mutual invisibility: neither sees the other's posts, neither may message or mention the
    other, and the follows between them end."""

    blocker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="social_blocking")
    blocked = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="social_blocked_by")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="social_block_once"),
            models.CheckConstraint(condition=~Q(blocker=F("blocked")), name="social_block_not_self"),
        ]
        indexes = [models.Index(fields=["blocked"], name="social_block_blocked")]

    def __str__(self) -> str:
        return f"{self.blocker_id} blocks {self.blocked_id}"


class Mute(models.Model):
    """One-sided: the muter stops seeing the muted person's posts and notifications; the muted
    person is not told and nothing else changes."""

    muter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="social_muting")
    muted = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="social_muted_by")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["muter", "muted"], name="social_mute_once"),
            models.CheckConstraint(condition=~Q(muter=F("muted")), name="social_mute_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.muter_id} mutes {self.muted_id}"
