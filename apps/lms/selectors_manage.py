"""Reads of the course editor (apps/lms/views/manage*.py): a course's learners with their
progress, one learner's drip-locked lessons, the courses an instructor may name as a
prerequisite. Permission-filtered by the caller's ``course`` (from
``selectors.course_get_by_pk_for_editor``); each page's query count is flat."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from apps.core.api import ID_MAX
from apps.lms import permissions, selectors
from apps.lms.models import Course, Enrolment, Lesson, LessonOpening

LEARNERS_PAGE_SIZE = 50


def learners_of(course: Course) -> QuerySet[Enrolment]:
    """Every enrolment of ``course`` (ended ones too), newest first, with its learner and
    ``done`` (live lessons completed): one query per page."""
    return (
        Enrolment.objects.filter(course=course)
        .select_related("user")
        .annotate(done=Count("progress", filter=Q(progress__completed_at__isnull=False, progress__lesson__live=True)))
        .order_by("-enrolled_at", "-pk")
    )


def live_lesson_count(course: Course) -> int:
    return Lesson.objects.filter(course=course, live=True).count()


def learner_get(*, course: Course, pk: int) -> Enrolment | None:
    """An enrolment of ``course`` (which the caller may edit), with its learner; None otherwise."""
    if not 0 < pk <= ID_MAX:
        return None
    enrolment = Enrolment.objects.select_related("user", "cohort").filter(course=course, pk=pk).first()
    if enrolment is not None:
        enrolment.course = course
    return enrolment


@dataclass
class DripRow:
    """A lesson the drip holds back (or held back) for one learner, and the instructor's word."""

    lesson: Lesson
    lock: permissions.Lock | None
    opening: LessonOpening | None


def drip_rows(*, course: Course, enrolment: Enrolment, now: datetime | None = None) -> list[DripRow]:
    """The course's live lessons with a drip (a date or days after enrolment) or an instructor's
    opening for this learner, each with its lock for them now: four queries in all."""
    now = now or timezone.now()
    lessons = selectors.lessons_in_order(selectors.outline(course, with_drafts=False))
    state = selectors.learner_state(enrolment)
    lock_of = selectors.locks(lessons, state, now=now)
    return [
        DripRow(lesson, lock_of.get(lesson.pk), state.openings.get(lesson.pk))
        for lesson in lessons
        if lesson.opens_at is not None or lesson.opens_after_days is not None or lesson.pk in state.openings
    ]


def prerequisite_choices(user: Any, course: Course) -> QuerySet[Course]:
    """The courses ``user`` may name as ``course``'s prerequisite: the others they teach."""
    return Course.objects.filter(pk__in=selectors.courses_taught(user).values("pk")).exclude(pk=course.pk)
