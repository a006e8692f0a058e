"""Comments on any registered object: the comment, its readers' reports, and the platform's bans.

A comment names its object by kind and id (``target_kind``, ``target_id``), the kind being one a
domain registered (apps/core/comments/registry.py); the registration loads the object and says
who sees and moderates it. The tables belong to core (app label "core").
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from apps.core.comments.registry import commentable


class Comment(models.Model):
    """A reader's plain-text comment on an object; replies point at their parent."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        REMOVED = "removed", "Removed"
        HIDDEN = "hidden", "Hidden after reports"

    target_kind = models.CharField(max_length=64)
    target_id = models.PositiveBigIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies")
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    flag_count = models.PositiveIntegerField(default=0)
    # Flags a moderator has already looked at: the comment is back in the queue (and may be hidden
    # again) only when new reports arrive after that.
    reviewed_flag_count = models.PositiveIntegerField(default=0)
    depth = models.PositiveSmallIntegerField(default=0)
    # Deleted by its author: the body is wiped, the row stays so that replies keep their place.
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["target_kind", "target_id", "status", "created_at"], name="core_comment_target"),
            models.Index(fields=["parent"], name="core_comment_parent"),
            # "Has this reader an approved comment yet?" (first comments wait for approval).
            models.Index(fields=["author", "status"], name="core_comment_author_status"),
            # The moderation queue: waiting, hidden, or reported since a moderator last looked.
            models.Index(
                fields=["target_kind", "created_at"],
                name="core_comment_queue",
                condition=models.Q(status__in=["pending", "hidden"])
                | models.Q(flag_count__gt=models.F("reviewed_flag_count")),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(reviewed_flag_count__lte=models.F("flag_count")),
                name="core_comment_reviewed_flags_lte_flags",
            ),
        ]

    def __str__(self) -> str:
        return f"Comment {self.pk} on {self.target_kind} {self.target_id}"

    @property
    def target(self) -> Any:
        """The object commented on (loaded through its kind's registration once, then kept);
        None when its kind is no longer registered or the object is gone."""
        if not hasattr(self, "_target"):
            entry = commentable(self.target_kind)
            self._target = entry.load(self.target_id) if entry is not None else None
        return self._target

    @target.setter
    def target(self, obj: Any) -> None:
        self._target = obj

    @property
    def url(self) -> str:
        """The comment's place on its object's page."""
        entry = commentable(self.target_kind)
        if entry is None or self.target is None:
            return "/"
        return f"{entry.url_of(self.target)}#comment-{self.pk}"

    @property
    def unreviewed_flags(self) -> int:
        return self.flag_count - self.reviewed_flag_count


class CommentFlag(models.Model):
    """One reader's report of a comment (at most one per reader and comment)."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="flags")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comment_flags")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["comment", "user"], name="core_commentflag_unique")]

    def __str__(self) -> str:
        return f"Flag on comment {self.comment_id} by {self.user_id}"


class CommentBan(models.Model):
    """A reader who may no longer comment anywhere on the platform."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comment_ban")
    banned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Comment ban of {self.user_id}"
