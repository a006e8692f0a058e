"""The LMS's notification kinds (declared in its hook; sent through core's notification centre)."""

from __future__ import annotations

from apps.core.notifications import Email, NotificationKind

NUDGE = "lms.nudge"

KINDS = (
    NotificationKind(
        name=NUDGE,
        label="Reminders from your instructors",
        description="An instructor of a course you take asks you to come back to it.",
        template="{actors} is waiting for you in {target}",
        template_many="{actors} are waiting for you in {target}",
        email=Email.INSTANT,
    ),
)
