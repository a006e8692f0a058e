"""Who may do what in the learning platform: one policy for pages, the API, the admin and the
services.

Instructors (role ``instructor``) create courses and teach the ones they own or were granted
(``CourseInstructor``); admins (and super admins) run every course. A live course's landing page
and outline are public; a lesson is open to whoever teaches the course, to everyone when it is a
free preview, and otherwise to an active enrolment once its drip date and prerequisite allow
(``lesson_lock`` says why not, and until when). The policy reads loaded objects; the only
query it may make is the course's co-instructors, once per course object (selectors prefetch them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import dateformat, timezone

from apps.core.accounts import RoleName, has_role


def _active(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def is_lms_staff(user: Any) -> bool:
    """Admins and above: every course, every learner."""
    return has_role(user, RoleName.ADMIN)


def can_create_course(user: Any) -> bool:
    return has_role(user, RoleName.INSTRUCTOR)


def instructor_ids(course: Any) -> frozenset[int]:
    """The owner and co-instructors of ``course`` (read once per object, or prefetched)."""
    cached = getattr(course, "_instructor_ids", None)
    if cached is None:
        cached = frozenset({course.owner_id, *(grant.user_id for grant in course.co_instructors.all())})
        course._instructor_ids = cached
    return cached


def teaches(user: Any, course: Any) -> bool:
    """``user`` owns or was granted ``course`` and still holds the instructor role."""
    # The role first: it is read with the user, so a learner costs no query for the grants.
    return _active(user) and has_role(user, RoleName.INSTRUCTOR) and user.pk in instructor_ids(course)


def can_edit_course(user: Any, course: Any) -> bool:
    """Its landing page, outline, lessons, cohorts and learners: who teaches it, and staff."""
    return is_lms_staff(user) or teaches(user, course)


def can_grant_instructor(user: Any, course: Any) -> bool:
    """Adding or removing co-instructors: the owner and staff (a co-instructor cannot)."""
    return is_lms_staff(user) or (_active(user) and course.owner_id == user.pk and has_role(user, RoleName.INSTRUCTOR))


def can_view_course(user: Any, course: Any) -> bool:
    """A live course is public; a draft only to who may edit it."""
    return bool(course.live) or can_edit_course(user, course)


def enrol_refusal(user: Any, course: Any, *, enrolment: Any = None, prerequisite_done: bool = True) -> str | None:
    """Why ``user`` may not take a place in ``course`` now, or None if they may."""
    if not _active(user):
        return "Sign in to enrol."
    if not course.live:
        return "This course is not open for enrolment."
    if enrolment is not None and enrolment.revoked_at is None:
        return "You are already enrolled in this course."
    if not prerequisite_done:
        return f"Complete “{course.prerequisite.title}” first."
    return None


@dataclass(frozen=True)
class Lock:
    """Why a lesson is closed to a learner, and when it opens by itself (None: it does not)."""

    reason: str
    opens_at: datetime | None = None


def opens_at(lesson: Any, enrolment: Any, opening: Any) -> datetime | None:
    """When ``lesson`` opens for the learner of ``enrolment`` by its drip (``opening``: the
    instructor's override for them); None when nothing holds it back."""
    if opening is not None:  # the instructor's word for this learner replaces the drip
        return opening.opens_at
    dates = []
    if lesson.opens_at is not None:
        dates.append(lesson.opens_at)
    if lesson.opens_after_days is not None:
        dates.append(enrolment.enrolled_at + timedelta(days=lesson.opens_after_days))
    return max(dates) if dates else None


def lesson_lock(
    lesson: Any,
    *,
    enrolment: Any,
    opening: Any = None,
    completed: frozenset[int] | set[int] = frozenset(),
    prerequisite_title: str = "",
    now: datetime | None = None,
) -> Lock | None:
    """Why ``lesson`` is closed to the learner of ``enrolment`` (None: open). ``opening`` is the
    instructor's override for them, ``completed`` the ids of the lessons they completed."""
    now = now or timezone.now()
    if enrolment is None or enrolment.revoked_at is not None:
        return Lock("Enrol in this course to open this lesson.")
    cohort = enrolment.cohort
    if cohort is not None and cohort.starts_on > timezone.localdate(now):
        start = timezone.make_aware(datetime.combine(cohort.starts_on, datetime.min.time()))
        return Lock(f"Your cohort starts on {dateformat.format(cohort.starts_on, 'j F Y')}.", start)
    opening_time = opens_at(lesson, enrolment, opening)
    if opening_time is not None and opening_time > now:
        when = timezone.localtime(opening_time)
        return Lock(f"Opens on {dateformat.format(when, 'j F Y')} at {dateformat.format(when, 'H:i')}.", opening_time)
    if lesson.prerequisite_id and lesson.prerequisite_id not in completed:
        name = f"“{prerequisite_title}”" if prerequisite_title else "the lesson before it"
        return Lock(f"Complete {name} first.")
    return None


def can_view_lesson(user: Any, lesson: Any, *, lock: Lock | None, enrolment: Any) -> bool:
    """A live lesson of a live course: a free preview to anyone, otherwise to an active
    enrolment it is not locked for; any lesson to who teaches the course (drafts too)."""
    course = lesson.course
    if can_edit_course(user, course):
        return True
    if not (lesson.live and course.live):
        return False
    if lesson.is_preview:
        return True
    return enrolment is not None and enrolment.revoked_at is None and lock is None


def can_record_progress(user: Any, enrolment: Any) -> bool:
    """Only the learner themself, while enrolled."""
    return _active(user) and enrolment is not None and enrolment.user_id == user.pk and enrolment.revoked_at is None


# --- Certificates -------------------------------------------------------------------------------


def certificate_refusal(enrolment: Any, *, grade: Any = None) -> str | None:
    """Why the learner of ``enrolment`` has not earned the course's certificate (None: they
    have). The one issue rule: every live lesson completed (``completed_at``, set with the last
    one), the place still theirs (not ended by a refund) and, when the course has a grade to give
    (``grade`` in percent; None: it has none), at least the course's pass mark. The gradebook
    passes the grade it computes; nothing else decides."""
    if enrolment is None or enrolment.completed_at is None:
        return "Complete every lesson of the course first."
    if enrolment.revoked_at is not None:  # a refund (or a removal) ends the place and what it earns
        return "Your place in this course has ended."
    if grade is not None and grade < enrolment.course.pass_mark:
        return f"Your grade ({grade:g}%) is below the course's pass mark ({enrolment.course.pass_mark}%)."
    return None


def can_revoke_certificate(user: Any, certificate: Any) -> bool:
    """Who teaches the course (owner, co-instructors) and staff."""
    return can_edit_course(user, certificate.course)


def can_download_certificate(user: Any, certificate: Any) -> bool:
    """The PDF: its learner, who teaches the course, and staff. Anyone may verify a certificate
    (its public page, the QR code's target, which always tells its current state); the printable
    document is the learner's to hand out, so the copies in circulation are the ones they chose
    to share, and a copy a stranger fetched cannot be passed off as theirs."""
    return _active(user) and (certificate.user_id == user.pk or can_edit_course(user, certificate.course))


# --- Quizzes ------------------------------------------------------------------------------------


def can_manage_quizzes(user: Any, course: Any) -> bool:
    """A course's question bank, its quizzes' settings and their item statistics: who teaches
    the course, and staff."""
    return can_edit_course(user, course)


def quiz_refusal(user: Any, lesson: Any, *, enrolment: Any, lock: Lock | None) -> str | None:
    """Why ``user`` may not take the quiz of ``lesson`` now (None: they may): the learner
    themself, enrolled, in a live lesson of a live course that is open to them. Who teaches the
    course reads it from the editor; taking it is for learners."""
    if not can_record_progress(user, enrolment) or enrolment.course_id != lesson.course_id:
        return "Enrol in this course to take its quizzes."
    if not (lesson.live and lesson.course.live):
        return "This quiz is not open."
    if lock is not None:
        return lock.reason
    return None


def can_read_attempt(user: Any, attempt: Any, course: Any) -> bool:
    """An attempt (with what the feedback setting reveals): its learner, who teaches the course,
    and staff."""
    return _active(user) and (attempt.enrolment.user_id == user.pk or can_edit_course(user, course))


def quiz_feedback_open(quiz: Any, *, submitted: bool, attempts_used: int, now: datetime | None = None) -> bool:
    """Whether a learner may see what was right in their submitted attempts (the correct answers,
    which of theirs were right, the explanations): at once, after their last attempt, or after the
    quiz's due date, as the quiz says. Their score they always see once submitted."""
    if not submitted:
        return False
    if quiz.feedback == "after_last_attempt":
        return quiz.attempts_allowed is not None and attempts_used >= quiz.attempts_allowed
    if quiz.feedback == "after_due_date":
        return quiz.due_at is not None and (now or timezone.now()) >= quiz.due_at
    return True
