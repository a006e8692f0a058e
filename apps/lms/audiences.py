"""The LMS's audiences (apps/core/platform/hooks.py ``Audience``): groups of its people another app
may address, a course's learners (``lms.course``) or one cohort's (``lms.cohort``). A group's
members are its active learners and whoever teaches its course; an author may post to the groups
they belong to. Refs are the course's or cohort's id as a string."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q

from apps.core.platform import Audience
from apps.lms.models import Cohort, Course, CourseInstructor, Enrolment


def _pk(user: Any) -> int | None:
    return user.pk if getattr(user, "is_authenticated", False) else None


def _taught_q(pk: int, prefix: str = "") -> Q:
    # Co-teaching as a subquery, not a join: every read of a social timeline asks this.
    co_taught = CourseInstructor.objects.filter(user_id=pk).values("course_id")
    return Q(**{f"{prefix}owner_id": pk}) | Q(**{f"{prefix}pk__in": co_taught})


def _course_ids(pk: int) -> set[int]:
    # One query (taught, co-taught or learning): a social timeline's read asks it every time.
    learning = Enrolment.objects.filter(user_id=pk, revoked_at__isnull=True).values("course_id")
    return set(Course.objects.filter(_taught_q(pk) | Q(pk__in=learning)).values_list("pk", flat=True))


def _int(ref: str) -> int | None:
    return int(ref) if ref.isdigit() and len(ref) < 12 else None


def course_choices(author: Any) -> list[tuple[str, str]]:
    pk = _pk(author)
    if pk is None:
        return []
    courses = Course.objects.filter(pk__in=_course_ids(pk)).order_by("title").values_list("pk", "title")
    return [(str(course_id), f"Learners of {title}") for course_id, title in courses]


def course_refs(user: Any) -> list[str]:
    pk = _pk(user)
    return [] if pk is None else [str(course_id) for course_id in sorted(_course_ids(pk))]


def course_member(user: Any, ref: str) -> bool:
    return _int(ref) is not None and ref in course_refs(user)


def course_member_ids(ref: str) -> list[int]:
    course_id = _int(ref)
    if course_id is None:
        return []
    course = Course.objects.filter(pk=course_id).first()
    if course is None:
        return []
    learners = Enrolment.objects.filter(course_id=course_id, revoked_at__isnull=True).values_list("user_id", flat=True)
    teachers = course.co_instructors.values_list("user_id", flat=True)
    return sorted({course.owner_id, *learners, *teachers})


def _cohort_ids(pk: int) -> set[int]:
    own = Enrolment.objects.filter(user_id=pk, revoked_at__isnull=True, cohort__isnull=False).values("cohort_id")
    return set(Cohort.objects.filter(_taught_q(pk, "course__") | Q(pk__in=own)).values_list("pk", flat=True))


def cohort_choices(author: Any) -> list[tuple[str, str]]:
    pk = _pk(author)
    if pk is None:
        return []
    cohorts = Cohort.objects.filter(pk__in=_cohort_ids(pk)).select_related("course").order_by("course__title", "pk")
    return [(str(cohort.pk), f"{cohort.course.title}: {cohort.name}") for cohort in cohorts]


def cohort_refs(user: Any) -> list[str]:
    pk = _pk(user)
    return [] if pk is None else [str(cohort_id) for cohort_id in sorted(_cohort_ids(pk))]


def cohort_member(user: Any, ref: str) -> bool:
    return _int(ref) is not None and ref in cohort_refs(user)


def cohort_member_ids(ref: str) -> Iterable[int]:
    cohort_id = _int(ref)
    cohort = Cohort.objects.filter(pk=cohort_id).select_related("course").first() if cohort_id else None
    if cohort is None:
        return []
    learners = Enrolment.objects.filter(cohort_id=cohort_id, revoked_at__isnull=True).values_list("user_id", flat=True)
    teachers = cohort.course.co_instructors.values_list("user_id", flat=True)
    return sorted({cohort.course.owner_id, *learners, *teachers})


AUDIENCES = (
    Audience(
        key="lms.course",
        label="A course's learners",
        choices_for=course_choices,
        is_member=course_member,
        refs_of=course_refs,
        member_ids=course_member_ids,
    ),
    Audience(
        key="lms.cohort",
        label="A cohort's learners",
        choices_for=cohort_choices,
        is_member=cohort_member,
        refs_of=cohort_refs,
        member_ids=cohort_member_ids,
    ),
)
