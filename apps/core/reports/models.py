"""Reports of any registered kind's objects (posts, accounts, messages...): who reported what,
why, and what staff did about it. The table belongs to core (app label "core"); a report names
its object by kind and id as comments do, the kind being one an app registered
(apps/core/reports/registry.py).

One open report per reporter and object (a partial unique constraint), so a repeated report or
two racing ones make one row; a system report (no reporter: the word filter holding a post) is
likewise one open row per object. Acting on or dismissing an object closes all its open reports
at once, recording who, when, which action and why.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Report(models.Model):
    class Reason(models.TextChoices):
        SPAM = "spam", "Spam"
        ABUSE = "abuse", "Abuse"
        HARASSMENT = "harassment", "Harassment"
        ILLEGAL = "illegal", "Illegal content"
        OTHER = "other", "Something else"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACTIONED = "actioned", "Actioned"
        DISMISSED = "dismissed", "Dismissed"

    # None: a system report (the platform itself asks staff to look, e.g. a held post).
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="reports_made"
    )
    kind = models.CharField(max_length=64)
    object_id = models.PositiveBigIntegerField()
    reason = models.CharField(max_length=12, choices=Reason.choices)
    note = models.TextField(max_length=1000, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="reports_handled"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    action = models.CharField(max_length=32, blank=True)  # the action's name; "" when dismissed
    decision_note = models.TextField(max_length=1000, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["reporter", "kind", "object_id"],
                condition=Q(status="open"),
                name="core_report_open_once",
            ),
            models.UniqueConstraint(
                fields=["kind", "object_id"],
                condition=Q(status="open", reporter__isnull=True),
                name="core_report_system_open_once",
            ),
            models.CheckConstraint(
                condition=Q(status="open") | Q(handled_at__isnull=False),
                name="core_report_handled_when_closed",
            ),
        ]
        indexes = [
            # The queue: open reports by kind, oldest first, grouped per object.
            models.Index(
                fields=["kind", "object_id", "created_at"], name="core_report_queue", condition=Q(status="open")
            ),
        ]

    def __str__(self) -> str:
        return f"Report {self.pk} of {self.kind} {self.object_id} ({self.status})"
