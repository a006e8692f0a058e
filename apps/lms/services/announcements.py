"""Announcements from a course's instructors to its learners.

Posting is one insert and one domain event in the request's transaction; the notification
centre's durable subscriber (apps/lms/notifications.py) sends it to each active learner on the
worker, once (the delivered-events ledger), whatever the course's size. At most
ANNOUNCE_LIMIT announcements per course a day, so a slip of the finger cannot flood a class.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from apps.core.accounts import rate_limited
from apps.core.models import User
from apps.core.platform import events
from apps.lms import permissions
from apps.lms.events import AnnouncementPosted
from apps.lms.models import Announcement, Course

ANNOUNCE_LIMIT = 10
ANNOUNCE_WINDOW = 24 * 60 * 60
TITLE_MAX = Announcement._meta.get_field("title").max_length
BODY_MAX = 5000


def _clean(title: str, body: str) -> tuple[str, str]:
    title = " ".join(str(title or "").split())
    body = str(body or "").strip().replace("\r\n", "\n")
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = "Give the announcement a title."
    elif len(title) > TITLE_MAX:
        errors["title"] = f"At most {TITLE_MAX} characters."
    if not body:
        errors["body"] = "Write what you want to tell your learners."
    elif len(body) > BODY_MAX:
        errors["body"] = f"At most {BODY_MAX} characters."
    if errors:
        raise ValidationError(errors)
    return title, body


def announcement_post(*, actor: User, course: Course, title: str, body: str) -> Announcement:
    """Post an announcement to ``course``'s active learners (plain text; line breaks kept)."""
    if not permissions.can_announce(actor, course):
        raise PermissionDenied("You do not teach this course.")
    if not course.live:
        raise ValidationError("Publish the course before announcing to its learners.", code="not_live")
    title, body = _clean(title, body)
    if rate_limited(scope="lms-announce", key=str(course.pk), limit=ANNOUNCE_LIMIT, window=ANNOUNCE_WINDOW):
        raise ValidationError(
            f"This course had {ANNOUNCE_LIMIT} announcements in the last day already.", code="too_many"
        )
    with transaction.atomic():
        announcement = Announcement.objects.create(course=course, author=actor, title=title, body=body)
        events.publish(AnnouncementPosted(course_id=course.pk, announcement_id=announcement.pk, actor_id=actor.pk))
    return announcement
