"""Writes of assignments: their settings and rubric (who teaches the course), learners' hand-ins,
and their grading.

A hand-in is one ``Submission`` row per try, numbered; the newest (``is_latest``, one per learner
and assignment by a partial unique constraint) is the one graded. Trying again is open when the
assignment allows resubmission or the last try was returned for it; the learner's enrolment row
is locked while the next number is taken, so two tabs cannot both be "try 2".

Grading locks the submission's row: of two graders at once the first writes, and the second,
who read the submission before that grade (``based_on``, the review's version they saw),
is refused with who graded it and when (code ``grade_conflict``) instead of overwriting it. A grade
at or above the course's pass mark completes the lesson for the learner (``learning.lesson_complete``),
which may complete the course; a graded learner who completed the course is given the
certificate their new grade earns (``gradebook.certificate_award``).

Notifications (apps/lms/notifications.py): who teaches the course hears of each hand-in, the
learner of each grade.
"""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import dateformat, timezone

from apps.core.models import User
from apps.core.notifications import notify
from apps.core.platform import events
from apps.lms import permissions, selectors
from apps.lms import selectors_assignments as reads
from apps.lms.events import AssignmentSubmitted, SubmissionGraded
from apps.lms.models import Assignment, Enrolment, Lesson, Review, RubricCriterion, Submission
from apps.lms.notifications import ASSIGNMENT_GRADED, ASSIGNMENT_SUBMITTED
from apps.lms.submission_files import KNOWN, clean_file_name, extension_of, validate_submission_file

MAX_CRITERIA = 20
MAX_TEXT = 20000
MAX_FEEDBACK = 10000


# --- Settings and rubric ------------------------------------------------------------------------


@dataclass(frozen=True)
class AssignmentSettings:
    submission_type: str = Assignment.SubmissionType.TEXT
    allowed_extensions: tuple[str, ...] = ()
    max_file_mb: int = 10
    due_at: datetime | None = None
    due_after_days: int | None = None
    accept_late: bool = True
    allow_resubmission: bool = False
    points: int = 100


def _require_manage(actor: User, lesson: Lesson) -> None:
    if not permissions.can_manage_assignment(actor, lesson.course):
        raise PermissionDenied("Only the course's instructors set its assignments.")


def assignment_settings_set(*, actor: User, lesson: Lesson, settings: AssignmentSettings) -> Assignment:
    """Create or change the assignment of ``lesson`` (an assignment lesson). Refused with a
    ValidationError (nothing changed) for unknown extensions or values out of range. With a
    rubric, the points are its criteria's sum whatever ``settings`` says."""
    _require_manage(actor, lesson)
    if lesson.kind != Lesson.Kind.ASSIGNMENT:
        raise ValidationError("Only an assignment lesson takes submissions.", code="not_an_assignment")
    extensions = [str(item).lower().lstrip(".") for item in settings.allowed_extensions]
    unknown = [item for item in extensions if item not in KNOWN]
    if unknown:
        known = ", ".join(sorted(KNOWN))
        raise ValidationError({"allowed_extensions": f"Unknown: {', '.join(unknown)}; choose among {known}."})
    with transaction.atomic():
        assignment, _ = Assignment.objects.select_for_update().get_or_create(lesson=lesson)
        assignment.submission_type = settings.submission_type
        assignment.allowed_extensions = sorted(set(extensions))
        assignment.max_file_mb = settings.max_file_mb
        assignment.due_at = settings.due_at
        assignment.due_after_days = settings.due_after_days
        assignment.accept_late = settings.accept_late
        assignment.allow_resubmission = settings.allow_resubmission
        rubric = [row.max_points for row in assignment.criteria.all()]
        assignment.points = sum(rubric) if rubric else settings.points
        assignment.full_clean(exclude=["lesson"])
        assignment.save()
    assignment.lesson = lesson
    return assignment


@dataclass(frozen=True)
class CriterionInput:
    title: str
    max_points: int
    description: str = ""


def rubric_set(*, actor: User, assignment: Assignment, criteria: list[CriterionInput]) -> list[RubricCriterion]:
    """Replace ``assignment``'s rubric with ``criteria`` in that order (none: no rubric, a total
    out of its points). The assignment's points become the criteria's sum. Reviews already given
    keep the points they were out of."""
    _require_manage(actor, assignment.lesson)
    if len(criteria) > MAX_CRITERIA:
        raise ValidationError({"criteria": f"At most {MAX_CRITERIA} criteria."}, code="too_many_criteria")
    rows = []
    for position, item in enumerate(criteria, start=1):
        row = RubricCriterion(
            assignment=assignment,
            title=" ".join(str(item.title).split())[:200],
            description=str(item.description or "").strip()[:2000],
            max_points=item.max_points,
            position=position,
        )
        try:
            row.full_clean(exclude=["assignment"])
        except ValidationError as exc:
            raise ValidationError({"criteria": f"Criterion {position}: {' '.join(exc.messages)}"}) from None
        rows.append(row)
    with transaction.atomic():
        Assignment.objects.select_for_update().filter(pk=assignment.pk).first()
        RubricCriterion.objects.filter(assignment=assignment).delete()
        RubricCriterion.objects.bulk_create(rows)
        if rows:
            assignment.points = sum(row.max_points for row in rows)
            Assignment.objects.filter(pk=assignment.pk).update(points=assignment.points)
    return list(RubricCriterion.objects.filter(assignment=assignment).order_by("position", "pk"))


def assignment_save(
    *, actor: User, lesson: Lesson, settings: AssignmentSettings, criteria: list[CriterionInput] | None
) -> Assignment:
    """The settings and (unless ``criteria`` is None) the rubric of ``lesson``'s assignment,
    together: both are written or neither."""
    with transaction.atomic():
        assignment = assignment_settings_set(actor=actor, lesson=lesson, settings=settings)
        if criteria is not None:
            rubric_set(actor=actor, assignment=assignment, criteria=criteria)
            assignment.refresh_from_db(fields=["points"])
    return assignment


# --- Hand-ins -----------------------------------------------------------------------------------


def submission_create(
    *,
    user: User,
    enrolment: Enrolment | None,
    lesson: Lesson,
    text: str = "",
    file: UploadedFile | None = None,
    now: datetime | None = None,
) -> Submission:
    """Hand in ``lesson``'s assignment: the learner themself, enrolled, with the lesson open to
    them (``permissions.submission_refusal`` says why not, raised as PermissionDenied when they
    are not enrolled, else a ValidationError with its code). Text and/or a file as the
    assignment takes them; the file checked by its extension, size and content and stored under a
    random name. After the due date it is marked late (or refused, when the assignment says so).
    Nothing is stored when it is refused."""
    assignment = reads.assignment_of(lesson)
    if assignment is None or not (lesson.live and lesson.course.live):
        raise ValidationError("This lesson takes no submissions.", code="lesson_closed")
    now = now or timezone.now()
    text = str(text or "").strip()
    _check_content(assignment, text, file)
    stored: list[str] = []
    try:
        with transaction.atomic():
            submission = _hand_in(user, enrolment, lesson, assignment, text, file, now, stored)
    except BaseException:
        # Storage is not transactional: a file stored for a row that was not written goes too.
        for name in stored:
            Submission._meta.get_field("file").storage.delete(name)
        raise
    return submission


def _hand_in(
    user: User,
    enrolment: Enrolment | None,
    lesson: Lesson,
    assignment: Assignment,
    text: str,
    file: UploadedFile | None,
    now: datetime,
    stored: list[str],
) -> Submission:
    if enrolment is not None:
        # Taking the next number under the enrolment's lock: two tabs cannot both be try 2.
        enrolment = Enrolment.objects.select_for_update(of=("self",)).select_related("cohort").get(pk=enrolment.pk)
    latest = reads.latest_submission(enrolment, assignment) if enrolment is not None else None
    lock = selectors.lesson_lock_for(lesson, selectors.learner_state(enrolment)) if enrolment else None
    refusal = permissions.submission_refusal(user, enrolment, assignment, lock=lock, latest=latest, now=now)
    if refusal is not None:
        if refusal.code == "not_enrolled":
            raise PermissionDenied(refusal.reason)
        raise ValidationError(refusal.reason, code=refusal.code)
    due = permissions.due_at(assignment, enrolment)
    submission = Submission(
        enrolment=enrolment,
        assignment=assignment,
        number=(latest.number + 1) if latest else 1,
        text=text,
        submitted_at=now,
        is_late=due is not None and now > due,
    )
    if file is not None:
        submission.file_name = clean_file_name(file.name or "")
        # A random name; the extension is the one the content check passed.
        submission.file.save(f"{uuid.uuid4().hex}.{extension_of(file.name or '')}", file, save=False)
        stored.append(submission.file.name)
    if latest is not None:
        Submission.objects.filter(pk=latest.pk).update(is_latest=False)
    try:
        with transaction.atomic():
            submission.save()
    except IntegrityError:
        raise ValidationError("You handed this in from another window just now.", code="already_submitted") from None
    events.publish(
        AssignmentSubmitted(
            course_id=lesson.course_id,
            lesson_id=lesson.pk,
            user_id=user.pk,
            enrolment_id=enrolment.pk,
            submission_id=submission.pk,
            number=submission.number,
            late=submission.is_late,
            actor_id=user.pk,
        )
    )
    _tell_teachers(submission, lesson, user)
    return submission


def _check_content(assignment: Assignment, text: str, file: UploadedFile | None) -> None:
    if len(text) > MAX_TEXT:
        raise ValidationError({"text": f"At most {MAX_TEXT} characters."}, code="text_too_long")
    if text and not assignment.takes_text:
        raise ValidationError({"text": "This assignment takes a file, not text."}, code="no_text")
    if file is not None and not assignment.takes_file:
        raise ValidationError({"file": "This assignment takes text, not a file."}, code="no_file")
    if file is not None:
        validate_submission_file(file, extensions=assignment.allowed_extensions, max_mb=assignment.max_file_mb)
    if not text and file is None:
        wanted = {"text": "your answer", "file": "a file", "both": "your answer or a file"}[assignment.submission_type]
        raise ValidationError({"text" if assignment.takes_text else "file": f"Hand in {wanted}."}, code="empty")


def _tell_teachers(submission: Submission, lesson: Lesson, learner: User) -> None:
    course = lesson.course
    target = reverse("lms:grading-queue")
    for teacher_id in permissions.instructor_ids(course):
        notify(
            recipient_id=teacher_id,
            kind=ASSIGNMENT_SUBMITTED,
            group=f"submitted:{submission.assignment_id}",
            target_url=target,
            target_label=lesson.title,
            actor_id=learner.pk,
        )


# --- Grading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GradeInput:
    """A grader's word: points per criterion id (with a rubric) or a ``total`` (without),
    feedback, and the review version they read (0: none yet). ``return_it``: return the
    submission for another try instead of grading it final."""

    scores: dict[int, Any]
    total: Any = None
    feedback: str = ""
    based_on: int = 0
    return_it: bool = False


def _points(value: Any, *, limit: int, label: str) -> Decimal:
    try:
        points = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({label: "Give a number of points."}, code="bad_points") from None
    if not points.is_finite() or points < 0 or points > limit:
        raise ValidationError({label: f"Between 0 and {limit} points."}, code="bad_points")
    return points


def _score(assignment: Assignment, data: GradeInput) -> tuple[dict[str, str], Decimal]:
    criteria = list(assignment.criteria.all())
    if not criteria:
        if data.total in (None, ""):
            raise ValidationError({"total": "Give the points."}, code="bad_points")
        return {}, _points(data.total, limit=assignment.points, label="total")
    given = {str(key): value for key, value in (data.scores or {}).items()}
    scores: dict[str, str] = {}
    for criterion in criteria:
        value = given.get(str(criterion.pk))
        if value in (None, ""):
            raise ValidationError({f"criterion_{criterion.pk}": f"Give “{criterion.title}” its points."})
        scores[str(criterion.pk)] = str(_points(value, limit=criterion.max_points, label=f"criterion_{criterion.pk}"))
    return scores, sum((Decimal(value) for value in scores.values()), Decimal("0"))


def submission_grade(*, actor: User, submission: Submission, data: GradeInput) -> Review:
    """Grade ``submission`` (the newest of its learner): who teaches the course, and staff. Points
    within each criterion's maximum (or the assignment's points without a rubric). Regrading is
    grading again with the version one read; a grade given meanwhile is a ``grade_conflict``
    ValidationError naming it. A grade at the course's pass mark or above completes the lesson for
    the learner; a return asks them for another try."""
    assignment = submission.assignment
    course = assignment.lesson.course
    if not permissions.can_grade(actor, course):
        raise PermissionDenied("Only the course's instructors grade its assignments.")
    feedback = str(data.feedback or "").strip()
    if len(feedback) > MAX_FEEDBACK:
        raise ValidationError({"feedback": f"At most {MAX_FEEDBACK} characters."}, code="feedback_too_long")
    if data.return_it and not feedback:
        raise ValidationError({"feedback": "Say what to change when returning it."}, code="feedback_required")
    scores, total = _score(assignment, data)
    now = timezone.now()
    with transaction.atomic():
        row = Submission.objects.select_for_update().get(pk=submission.pk)
        if not row.is_latest:
            raise ValidationError("The learner handed in a newer try: grade that one.", code="grade_conflict")
        review = Review.objects.filter(submission=row).select_related("grader").first()
        seen = review.version if review is not None else 0
        if data.based_on != seen:
            raise ValidationError(_conflict_message(review), code="grade_conflict")
        review = review or Review(submission=row, version=0)
        review.scores, review.total, review.points = scores, total, assignment.points
        review.feedback, review.grader, review.graded_at = feedback, actor, now
        review.version = seen + 1
        review.save()
        status = Submission.Status.RETURNED if data.return_it else Submission.Status.GRADED
        Submission.objects.filter(pk=row.pk).update(status=status)
        submission.status = status
        enrolment = Enrolment.objects.select_related("user", "course").get(pk=row.enrolment_id)
        events.publish(
            SubmissionGraded(
                course_id=course.pk,
                lesson_id=assignment.lesson_id,
                user_id=enrolment.user_id,
                enrolment_id=enrolment.pk,
                submission_id=row.pk,
                percent=str(review.percent),
                returned=data.return_it,
                actor_id=actor.pk,
            )
        )
        notify(
            recipient_id=enrolment.user_id,
            kind=ASSIGNMENT_GRADED,
            group=f"graded:{assignment.pk}",
            target_url=assignment.lesson.get_absolute_url(),
            target_label=assignment.lesson.title,
            actor_id=actor.pk,
        )
        _after_grade(enrolment, assignment, review, passed=not data.return_it and review.percent >= course.pass_mark)
    submission.review = review
    return review


def _conflict_message(review: Review | None) -> str:
    if review is None:
        return "This submission changed since you opened it: reload it."
    who = review.grader.get_short_name() if review.grader else "Someone"
    when = dateformat.format(timezone.localtime(review.graded_at), "j F Y, H:i")
    return f"{who} graded this submission at {when} while you had it open: reload to see their grade."


def _after_grade(enrolment: Enrolment, assignment: Assignment, review: Review, *, passed: bool) -> None:
    from apps.lms.services import gradebook, learning

    lesson = assignment.lesson
    if passed and enrolment.revoked_at is None:
        # The lesson may have closed to them meanwhile (a draft again): the grade stands without it.
        with contextlib.suppress(ValidationError, PermissionDenied):
            learning.lesson_complete(user=enrolment.user, enrolment=enrolment, lesson=lesson, how="graded")
    # A later grade may make a learner who completed the course pass it.
    gradebook.certificate_award(enrolment)
