"""Reads of assignments: an assignment with its rubric, a learner's tries and their reviews, the
grading queue of who teaches, and one submission for a grader or its learner.

Every list here is a fixed number of queries however long it is (asserted in the tests): the
queue is one query per page (a submission with its learner, lesson and course), a learner's
tries one (each with its review)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from apps.core.api import ID_MAX
from apps.lms import permissions
from apps.lms.models import Assignment, CourseInstructor, Enrolment, Lesson, RubricCriterion, Submission

QUEUE_PAGE_SIZE = 25


def assignment_of(lesson: Lesson) -> Assignment | None:
    """``lesson``'s assignment with its rubric in order (two queries), or None (not an
    assignment lesson, or one not set up yet)."""
    if lesson.kind != Lesson.Kind.ASSIGNMENT:
        return None
    assignment = (
        Assignment.objects.filter(lesson=lesson)
        .prefetch_related(Prefetch("criteria", queryset=RubricCriterion.objects.order_by("position", "pk")))
        .first()
    )
    if assignment is not None:
        assignment.lesson = lesson
    return assignment


def latest_submission(enrolment: Enrolment | None, assignment: Assignment) -> Submission | None:
    if enrolment is None:
        return None
    return Submission.objects.filter(enrolment=enrolment, assignment=assignment, is_latest=True).first()


def submissions_of(enrolment: Enrolment | None, assignment: Assignment) -> list[Submission]:
    """The learner's tries at ``assignment``, newest first, each with its review (one query)."""
    if enrolment is None:
        return []
    return list(
        Submission.objects.filter(enrolment=enrolment, assignment=assignment)
        .select_related("review", "review__grader")
        .order_by("-number")
    )


@dataclass
class AssignmentView:
    """What an assignment lesson's page shows its reader: the settings, their due date, their
    tries with feedback, and why they may not hand in now (None: they may)."""

    assignment: Assignment
    due: datetime | None
    submissions: list[Submission] = field(default_factory=list)
    refusal: permissions.SubmissionRefusal | None = None

    @property
    def criteria(self) -> list[RubricCriterion]:
        return list(self.assignment.criteria.all())

    @property
    def can_submit(self) -> bool:
        return self.refusal is None


def assignment_view(lesson: Lesson, *, user: Any, enrolment: Enrolment | None, lock: Any) -> AssignmentView | None:
    """The assignment part of ``lesson``'s page for ``user`` (three queries), or None."""
    assignment = assignment_of(lesson)
    if assignment is None:
        return None
    active = enrolment if enrolment is not None and enrolment.revoked_at is None else None
    submissions = submissions_of(active, assignment)
    latest = next((row for row in submissions if row.is_latest), None)
    return AssignmentView(
        assignment=assignment,
        due=permissions.due_at(assignment, active),
        submissions=submissions,
        refusal=permissions.submission_refusal(user, active, assignment, lock=lock, latest=latest),
    )


def _taught(user: Any) -> Q:
    """Submissions in the courses ``user`` teaches (staff: every course)."""
    if permissions.is_lms_staff(user):
        return Q()
    course = "assignment__lesson__course"
    return Q(**{f"{course}__owner": user}) | Q(
        Exists(CourseInstructor.objects.filter(course=OuterRef(course), user=user))
    )


def grading_queue(user: Any) -> QuerySet[Submission]:
    """The newest tries waiting for a grade in the courses ``user`` teaches (staff: all), the
    oldest first, each with its learner, lesson and course: one query per page. Nothing for who
    teaches nothing."""
    if not (permissions.can_create_course(user) or permissions.is_lms_staff(user)):
        return Submission.objects.none()
    return (
        Submission.objects.filter(_taught(user), status=Submission.Status.SUBMITTED, is_latest=True)
        .filter(enrolment__revoked_at__isnull=True)
        .select_related("enrolment__user", "assignment__lesson__course", "review")
        .order_by("submitted_at", "pk")
    )


def grading_queue_count(user: Any) -> int:
    return grading_queue(user).count()


def submission_get(pk: int) -> Submission | None:
    """A submission with its learner, assignment (and rubric), lesson, course (and its
    teachers, whom the policy asks) and review: three queries."""
    if not 0 < pk <= ID_MAX:
        return None
    return (
        Submission.objects.filter(pk=pk)
        .select_related("enrolment__user", "assignment__lesson__course__owner", "review", "review__grader")
        .prefetch_related(
            "assignment__lesson__course__co_instructors",
            Prefetch("assignment__criteria", queryset=RubricCriterion.objects.order_by("position", "pk")),
        )
        .first()
    )


def submission_get_for_grader(*, user: Any, pk: int) -> Submission | None:
    """A submission in a course ``user`` teaches (staff: any); None otherwise, as if it did not
    exist."""
    submission = submission_get(pk)
    if submission is None or not permissions.can_grade(user, submission.assignment.lesson.course):
        return None
    return submission


def submission_get_for_viewer(*, user: Any, pk: int) -> Submission | None:
    """A submission its learner or who teaches the course may see; None otherwise."""
    submission = submission_get(pk)
    if submission is None or not permissions.can_view_submission(user, submission, submission.assignment.lesson.course):
        return None
    return submission


def review_of(submission: Submission) -> Any:
    """The submission's review (loaded with it), or None."""
    try:
        return submission.review
    except Submission.review.RelatedObjectDoesNotExist:
        return None
