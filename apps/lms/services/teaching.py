"""Writes of instructors towards their learners: a nudge to someone away from a course.

A nudge is a notification (core's centre: in the app, and by email as the learner chose), at most
one per learner and course a day, so a double click or an eager instructor cannot flood anyone.
"""

from __future__ import annotations

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from apps.core.models import User
from apps.core.notifications import notify
from apps.lms import permissions
from apps.lms.models import Enrolment
from apps.lms.notifications import NUDGE

NUDGE_EVERY_SECONDS = 24 * 60 * 60


def learner_nudge(*, actor: User, enrolment: Enrolment) -> None:
    """Remind ``enrolment``'s learner of its course, from one who teaches it. Refused for an
    ended or finished enrolment, and for a learner nudged in the last day."""
    course = enrolment.course
    if not permissions.can_edit_course(actor, course):
        raise PermissionDenied("You do not teach this course.")
    if enrolment.revoked_at is not None or enrolment.completed_at is not None:
        raise ValidationError("This learner is no longer taking the course.", code="not_learning")
    # cache.add is atomic: of two nudges at once, one takes the day's place.
    if not cache.add(f"lms:nudge:{enrolment.pk}", actor.pk, timeout=NUDGE_EVERY_SECONDS):
        raise ValidationError("This learner was reminded in the last day already.", code="nudged_recently")
    notify(
        recipient_id=enrolment.user_id,
        kind=NUDGE,
        group=f"nudge:{course.pk}",
        target_url=reverse("lms:continue", args=[course.slug]),
        target_label=course.title,
        actor_id=actor.pk,
    )
