"""Writes of learning: enrolments (free, invited, and their end), progress through lessons, and
instructors' openings of lessons for one learner.

A cohort's seats never oversell: a free seat is taken under the cohort row's lock
(``SELECT ... FOR UPDATE``) and a check constraint refuses ``seats_taken > seats`` besides.
Progress writes are small and frequent (a video player reports every few seconds): one UPDATE of
the learner's row for the lesson (an INSERT the first time), and of the enrolment's "last seen"
only when the lesson changed or a minute passed, no lock, no transaction; completion is a
conditional UPDATE, so a lesson is completed once however many
reports race, and its event is published once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest
from django.utils import timezone

from apps.core.models import User
from apps.core.notifications import notify
from apps.core.platform import events
from apps.lms import permissions, selectors, selectors_gradebook
from apps.lms.events import CourseCompleted, Enrolled, LessonCompleted, LessonOpened, Unenrolled
from apps.lms.models import Cohort, Course, Enrolment, Lesson, LessonOpening, LessonProgress, QuizQuestion
from apps.lms.notifications import LESSON_OPENED
from apps.lms.services import certificates

WATCHED_TO_COMPLETE = 90  # percent of a video watched that completes its lesson
# How stale an enrolment's "last seen" may get while its learner stays in one lesson: heartbeats
# within it leave the enrolment's row alone ("my learning" orders by it; a minute is plenty).
LAST_SEEN_EVERY = timedelta(minutes=1)


def _take_seat(cohort: Cohort | None) -> None:
    if cohort is None:
        return
    locked = Cohort.objects.select_for_update().get(pk=cohort.pk)
    if locked.ends_on is not None and locked.ends_on < timezone.localdate():
        raise ValidationError("This cohort has ended.", code="cohort_ended")
    if locked.seats is not None and locked.seats_taken >= locked.seats:
        raise ValidationError("This cohort is full.", code="cohort_full")
    Cohort.objects.filter(pk=cohort.pk).update(seats_taken=F("seats_taken") + 1)


def _give_back_seat(cohort_id: int | None) -> None:
    if cohort_id is not None:
        Cohort.objects.filter(pk=cohort_id, seats_taken__gt=0).update(seats_taken=F("seats_taken") - 1)


def enrolment_create(
    *,
    user: User,
    course: Course,
    source: str,
    cohort: Cohort | None = None,
    order_line: str = "",
    actor: User | None = None,
) -> Enrolment:
    """Give ``user`` a place in ``course`` (in ``cohort``, taking one of its seats), or their
    ended place back. The one path every kind of enrolment takes (free, bought, invited); the
    callers check who may ask. Raises ValidationError (nothing changed) when the cohort is full or
    ended, or the learner is already enrolled."""
    if cohort is not None and cohort.course_id != course.pk:
        raise ValidationError("That cohort is of another course.", code="other_course")
    with transaction.atomic():
        _take_seat(cohort)
        existing = Enrolment.objects.select_for_update().filter(user=user, course=course).first()
        if existing is not None and existing.revoked_at is None:
            raise ValidationError("You are already enrolled in this course.", code="already_enrolled")
        now = timezone.now()
        if existing is None:
            try:
                with transaction.atomic():
                    enrolment = Enrolment.objects.create(
                        user=user, course=course, cohort=cohort, source=source, order_line=order_line, enrolled_at=now
                    )
            except IntegrityError:  # a second request enrolled them a moment ago
                raise ValidationError("You are already enrolled in this course.", code="already_enrolled") from None
        else:
            enrolment = existing
            enrolment.revoked_at, enrolment.cohort, enrolment.source = None, cohort, source
            enrolment.order_line, enrolment.enrolled_at = order_line, now
            enrolment.save(update_fields=["revoked_at", "cohort", "source", "order_line", "enrolled_at"])
        events.publish(
            Enrolled(
                course_id=course.pk,
                user_id=user.pk,
                enrolment_id=enrolment.pk,
                source=source,
                cohort_id=cohort.pk if cohort else None,
                actor_id=(actor or user).pk,
            )
        )
    return enrolment


def course_enrol(*, user: User, course: Course, cohort: Cohort | None = None) -> Enrolment:
    """A learner takes a free place in ``course`` (one click). Refused with the policy's reason:
    signed out, not live, already enrolled, prerequisite not completed; a paid course is bought
    in the shop instead."""
    existing = selectors.enrolment_get(user=user, course=course)
    prerequisite_done = course.prerequisite_id is None or selectors.completed_course(
        user=user, course=course.prerequisite
    )
    refusal = permissions.enrol_refusal(user, course, enrolment=existing, prerequisite_done=prerequisite_done)
    if refusal is not None:
        # Already enrolled is a state (as enrolment_create's own refusal of a race), not a rule.
        enrolled = existing is not None and existing.revoked_at is None
        code = "already_enrolled" if enrolled else "paid_course" if not course.is_free else "enrol_refused"
        raise ValidationError(refusal, code=code)
    return enrolment_create(user=user, course=course, source=Enrolment.Source.FREE, cohort=cohort)


def enrolment_revoke(*, enrolment: Enrolment, reason: str, actor: User | None = None) -> Enrolment:
    """End a learner's access (a refund, an instructor's removal); their progress is kept and
    their cohort seat is given back. Ending an ended enrolment changes nothing."""
    with transaction.atomic():
        row = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if row.revoked_at is not None:
            return row
        row.revoked_at = timezone.now()
        row.save(update_fields=["revoked_at"])
        _give_back_seat(row.cohort_id)
        events.publish(
            Unenrolled(
                course_id=row.course_id,
                user_id=row.user_id,
                enrolment_id=row.pk,
                reason=reason[:200],
                actor_id=actor.pk if actor else None,
            )
        )
    return row


# --- Progress -----------------------------------------------------------------------------------


def _require_open(user: User, enrolment: Enrolment | None, lesson: Lesson) -> Enrolment:
    if enrolment is None or not permissions.can_record_progress(user, enrolment):
        raise PermissionDenied("Enrol in this course to record your progress.")
    if not (lesson.live and lesson.course.live) or lesson.course_id != enrolment.course_id:
        raise ValidationError("That lesson is not open.", code="lesson_closed")
    return enrolment


def _lock_of(enrolment: Enrolment, lesson: Lesson) -> permissions.Lock | None:
    if (
        lesson.opens_at is None
        and lesson.opens_after_days is None
        and not lesson.prerequisite_id
        and enrolment.cohort_id is None
    ):
        return None  # nothing can close it: no query
    return selectors.lesson_lock_for(lesson, selectors.learner_state(enrolment))


@dataclass(frozen=True)
class Progressed:
    """What a progress report found: the lesson is completed (now or before), and whether this
    report completed it."""

    completed: bool
    just_completed: bool


def lesson_progress_record(
    *, user: User, enrolment: Enrolment | None, lesson: Lesson, position_seconds: Any, watched_percent: Any = None
) -> Progressed:
    """Where the learner is in ``lesson`` (a video's position; how much of it they have watched,
    which only grows). Watching WATCHED_TO_COMPLETE percent of a video lesson completes it.

    A heartbeat, sent every few seconds while a video plays, so it is kept to one statement when
    it can be: the row of a lesson not completed yet is updated by a condition that says so (no
    read to answer "completed?"), and the enrolment's "last seen" is written only when the lesson
    changed or LAST_SEEN_EVERY has passed (the enrolment read by the caller says which)."""
    enrolment = _require_open(user, enrolment, lesson)
    try:
        position = max(0, min(int(position_seconds), 24 * 3600))
        watched = None if watched_percent in (None, "") else max(0, min(int(float(watched_percent)), 100))
    except (TypeError, ValueError):
        raise ValidationError(
            "Progress is a position in seconds and a percentage watched.", code="bad_progress"
        ) from None
    lock = _lock_of(enrolment, lesson)
    if lock is not None:
        raise ValidationError(lock.reason, code="lesson_locked")
    now = timezone.now()
    changes: dict[str, Any] = {"position_seconds": position, "updated_at": now}
    if watched is not None:
        changes["watched_percent"] = Greatest(F("watched_percent"), watched)
    rows = LessonProgress.objects.filter(enrolment=enrolment, lesson=lesson)
    seen = enrolment.last_seen_at
    # No transaction: the position and the enrolment's "last seen" are separate facts, each
    # UPDATE is whole by itself, and the next heartbeat repeats both anyway.
    completed = False
    if not rows.filter(completed_at__isnull=True).update(**changes):
        completed = bool(rows.update(**changes))  # a completed lesson, watched again
        if not completed:
            try:
                with transaction.atomic():
                    LessonProgress.objects.create(
                        enrolment=enrolment,
                        lesson=lesson,
                        position_seconds=position,
                        watched_percent=watched or 0,
                        updated_at=now,
                    )
            except IntegrityError:  # a report from another tab made the row first
                completed = bool(rows.filter(completed_at__isnull=False).update(**changes))
                rows.filter(completed_at__isnull=True).update(**changes)
    if enrolment.last_lesson_id != lesson.pk or seen is None or now - seen >= LAST_SEEN_EVERY:
        Enrolment.objects.filter(pk=enrolment.pk).update(last_lesson=lesson, last_seen_at=now)
    if not completed and lesson.kind == Lesson.Kind.VIDEO and watched is not None and watched >= WATCHED_TO_COMPLETE:
        just = _complete(enrolment, lesson, how="watched") is not None
        return Progressed(completed=True, just_completed=just)
    return Progressed(completed=completed, just_completed=False)


def lesson_complete(*, user: User, enrolment: Enrolment | None, lesson: Lesson, how: str = "marked") -> Enrolment:
    """The learner completed ``lesson`` (they said so, or passed its quiz; an assignment only by
    its passing grade, ``how="graded"``); the course is completed with its last live lesson.
    Completing a completed lesson changes nothing."""
    enrolment = _require_open(user, enrolment, lesson)
    if lesson.kind == Lesson.Kind.ASSIGNMENT and how != "graded":
        # An assignment is done when its grade passes (services/assignments.py), not when said.
        raise ValidationError("This assignment is completed when it is graded.", code="graded_lesson")
    lock = _lock_of(enrolment, lesson)
    if lock is not None:
        raise ValidationError(lock.reason, code="lesson_locked")
    # A quiz with questions is completed by passing it (services/quizzes/), not by saying so.
    if (
        lesson.kind == Lesson.Kind.QUIZ
        and how != "passed"
        and QuizQuestion.objects.filter(quiz__lesson=lesson).exists()
    ):
        raise ValidationError("Pass the quiz to complete this lesson.", code="quiz_to_pass")
    _complete(enrolment, lesson, how=how)
    enrolment.refresh_from_db(fields=["completed_at", "last_lesson", "last_seen_at"])
    return enrolment


def _complete(enrolment: Enrolment, lesson: Lesson, *, how: str) -> LessonProgress | None:
    now = timezone.now()
    with transaction.atomic():
        row, _ = LessonProgress.objects.get_or_create(enrolment=enrolment, lesson=lesson, defaults={"updated_at": now})
        # Only the report that completes it publishes: the others find it done.
        if not LessonProgress.objects.filter(pk=row.pk, completed_at__isnull=True).update(
            completed_at=now, updated_at=now
        ):
            return None
        Enrolment.objects.filter(pk=enrolment.pk).update(last_lesson=lesson, last_seen_at=now)
        events.publish(
            LessonCompleted(
                course_id=enrolment.course_id,
                lesson_id=lesson.pk,
                user_id=enrolment.user_id,
                enrolment_id=enrolment.pk,
                how=how,
                actor_id=enrolment.user_id,
            )
        )
        _complete_course_if_done(enrolment, now)
    row.completed_at = now
    return row


def _complete_course_if_done(enrolment: Enrolment, now: datetime) -> None:
    live = Lesson.objects.filter(course_id=enrolment.course_id, live=True)
    left = live.exclude(progress__enrolment=enrolment, progress__completed_at__isnull=False)
    if left.exists():
        return
    if Enrolment.objects.filter(pk=enrolment.pk, completed_at__isnull=True).update(completed_at=now):
        events.publish(
            CourseCompleted(
                course_id=enrolment.course_id,
                user_id=enrolment.user_id,
                enrolment_id=enrolment.pk,
                actor_id=enrolment.user_id,
            )
        )
        # In the completion's own transaction: a completed course and its certificate (when
        # earned) commit together. A course that gives a grade passes it: no grade yet, no
        # certificate yet (services/gradebook.py awards it when a passing grade comes).
        if not selectors_gradebook.has_grade(enrolment.course_id):
            certificates.certificate_issue(enrolment=enrolment)
            return
        grade = selectors_gradebook.course_grade(enrolment, course=enrolment.course)
        if grade is not None:
            certificates.certificate_issue(enrolment=enrolment, grade=grade)


# --- Instructors' openings ----------------------------------------------------------------------


def lesson_open_for(
    *, actor: User, enrolment: Enrolment, lesson: Lesson, opens_at: datetime | None = None
) -> LessonOpening:
    """Open ``lesson`` for one learner now (or from ``opens_at``), whatever its drip says; the
    prerequisite still applies. Only who teaches the course."""
    if not permissions.can_edit_course(actor, lesson.course):
        raise PermissionDenied("You do not teach this course.")
    if enrolment.course_id != lesson.course_id:
        raise ValidationError("That learner is enrolled in another course.", code="other_course")
    with transaction.atomic():
        opening, _ = LessonOpening.objects.update_or_create(
            enrolment=enrolment, lesson=lesson, defaults={"opens_at": opens_at, "by": actor, "at": timezone.now()}
        )
        events.publish(
            LessonOpened(
                course_id=lesson.course_id,
                lesson_id=lesson.pk,
                user_id=enrolment.user_id,
                enrolment_id=enrolment.pk,
                actor_id=actor.pk,
            )
        )
    return opening


def lesson_opening_clear(*, actor: User, enrolment: Enrolment, lesson: Lesson) -> None:
    """Back to the lesson's own drip for this learner."""
    if not permissions.can_edit_course(actor, lesson.course):
        raise PermissionDenied("You do not teach this course.")
    LessonOpening.objects.filter(enrolment=enrolment, lesson=lesson).delete()


# --- Telling learners of lessons that opened ----------------------------------------------------

OPENINGS_BATCH = 500


def openings_tell(*, now: datetime | None = None) -> int:
    """Tell each active learner of the drip lessons that opened for them since they were last
    told (``Enrolment.openings_told_at``, else their enrolment): one ``lms.lesson_opened``
    notification per lesson, grouped per course by the centre. Beat runs it (tasks.py); returns
    how many were sent.

    Each enrolment is claimed by a conditional UPDATE of its "told" moment before anything is
    sent, in the same transaction as its notifications, so two runs at once tell a learner once."""
    now = now or timezone.now()
    drip = Q(opens_at__isnull=False) | Q(opens_after_days__isnull=False)
    lessons: dict[int, list[Lesson]] = {}
    for lesson in Lesson.objects.filter(drip, live=True, course__live=True).select_related("course"):
        lessons.setdefault(lesson.course_id, []).append(lesson)
    # An instructor's opening for one learner counts too, on lessons without a drip of their own.
    overridden = LessonOpening.objects.filter(
        Q(opens_at__isnull=True) | Q(opens_at__lte=now), lesson__live=True, lesson__course__live=True
    ).values_list("lesson__course_id", flat=True)
    course_ids = set(lessons) | set(overridden)
    enrolments = Enrolment.objects.filter(
        course_id__in=course_ids, revoked_at__isnull=True, completed_at__isnull=True
    ).order_by("pk")
    sent = 0
    last = 0
    while batch := list(enrolments.filter(pk__gt=last)[:OPENINGS_BATCH]):
        last = batch[-1].pk
        openings: dict[tuple[int, int], LessonOpening] = {
            (row.enrolment_id, row.lesson_id): row
            for row in LessonOpening.objects.filter(enrolment__in=batch).select_related("lesson__course")
        }
        for enrolment in batch:
            sent += _tell_openings(enrolment, lessons.get(enrolment.course_id, []), openings, now)
    return sent


def _tell_openings(
    enrolment: Enrolment, lessons: list[Lesson], openings: dict[tuple[int, int], LessonOpening], now: datetime
) -> int:
    since = enrolment.openings_told_at or enrolment.enrolled_at
    candidates = {lesson.pk: lesson for lesson in lessons}
    candidates.update(
        {row.lesson_id: row.lesson for (enrolment_id, _), row in openings.items() if enrolment_id == enrolment.pk}
    )
    opened = []
    for lesson in candidates.values():
        opening = openings.get((enrolment.pk, lesson.pk))
        # "Open it now" for this learner opened it when the instructor said so.
        at = opening.at if opening is not None and opening.opens_at is None else None
        at = at or permissions.opens_at(lesson, enrolment, opening)
        if at is not None and since < at <= now:
            opened.append((at, lesson))
    if not opened:  # nothing to tell: no write (the next run looks again from the same moment)
        return 0
    with transaction.atomic():
        claimed = Enrolment.objects.filter(pk=enrolment.pk, openings_told_at=enrolment.openings_told_at).update(
            openings_told_at=now
        )
        if not claimed:  # another run is telling this learner
            return 0
        for _, lesson in sorted(opened, key=lambda pair: (pair[0], pair[1].position)):
            notify(
                recipient_id=enrolment.user_id,
                kind=LESSON_OPENED,
                group=f"opened:{lesson.course_id}",
                target_url=lesson.get_absolute_url(),
                target_label=lesson.course.title,
            )
    return len(opened)
