"""The LMS's tab on people's profiles (the hook's ``profile_sections``): the live courses a person
teaches (owns or co-teaches). Learners' own records (enrolments, completions) are not shown: they
have no public side yet."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from apps.core.platform import ProfileSectionContent
from apps.lms.models import Course, CourseInstructor
from apps.lms.selectors import course_list_live


def _taught_live(person: Any) -> QuerySet[Course]:
    teaches = Q(owner_id=person.pk) | Exists(CourseInstructor.objects.filter(course=OuterRef("pk"), user_id=person.pk))
    return Course.objects.filter(teaches, live=True)


def courses_taught(person: Any, viewer: Any, limit: int) -> ProfileSectionContent | None:
    """The live courses ``person`` owns or co-teaches, newest first, as the catalogue shows them
    (the first ``limit``; ``limit=0``: the count alone, one query). Drafts never, whoever looks.
    None when they teach no live course."""
    count = _taught_live(person).count()
    if count == 0:
        return None
    items = list(course_list_live().filter(pk__in=_taught_live(person).values("pk"))[:limit]) if limit else []
    return ProfileSectionContent(count=count, template="lms/_profile_section.html", items=items)
