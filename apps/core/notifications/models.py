"""Notifications for every domain, and each person's choices about them (app label "core").

A notification groups the events of one kind about one thing for one person: while it is unread,
a new event updates it (one more in ``count``, the newest actor first in ``actor_ids``, a new
``updated_at``); once read, the next event starts a new row. The partial unique constraint keeps
one unread row per (recipient, group_key) even when two events arrive at once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from apps.core.notifications.registry import Email


class Notification(models.Model):
    """One person's grouped notice of one kind about one target."""

    EMAIL_CHOICES = Email.CHOICES

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=64)
    domain = models.CharField(max_length=32)  # the kind's prefix: the page's and API's filter
    group_key = models.CharField(max_length=200)
    # The newest actor (shown by name); every distinct actor so far, newest first, for the count.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_ids = models.JSONField(default=list, blank=True)
    count = models.PositiveIntegerField(default=1)
    target_url = models.CharField(max_length=500)
    target_label = models.CharField(max_length=200)
    # The recipient's choices when the newest event came: shown in the app, and how it is emailed.
    in_app = models.BooleanField(default=True)
    email = models.CharField(max_length=10, choices=EMAIL_CHOICES, default=Email.OFF)
    emailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "-updated_at"], name="core_notification_list"),
            # The bell: a person's unread count (and newest change), one index range.
            models.Index(
                fields=["recipient", "updated_at"],
                name="core_notification_unread",
                condition=models.Q(read_at__isnull=True, in_app=True),
            ),
            # The digests: what waits to be emailed.
            models.Index(
                fields=["email", "recipient"],
                name="core_notification_digest",
                condition=models.Q(emailed_at__isnull=True, email__in=Email.DIGESTS),
            ),
            # The retention sweep: read notifications past NOTIFICATIONS_RETENTION_DAYS.
            models.Index(fields=["read_at"], name="core_notification_read", condition=models.Q(read_at__isnull=False)),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "group_key"],
                condition=models.Q(read_at__isnull=True),
                name="core_notification_one_unread_per_group",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id} ({self.count})"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class NotificationPreference(models.Model):
    """One person's choice for one kind; without a row, the kind's defaults hold."""

    EMAIL_CHOICES = Email.CHOICES

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=64)
    in_app = models.BooleanField(default=True)
    email = models.CharField(max_length=10, choices=EMAIL_CHOICES, default=Email.OFF)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="core_notificationpreference_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: app {self.in_app}, email {self.email}"
