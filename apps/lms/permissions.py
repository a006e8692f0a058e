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


def enrol_refusal(
    user: Any, course: Any, *, enrolment: Any = None, prerequisite_done: bool = True, paid_for: bool = False
) -> str | None:
    """Why ``user`` may not take a place in ``course`` now, or None if they may. A paid course's
    place is bought in the shop: only the purchase handler (``paid_for``, a paid order line)
    or an instructor's invitation (which does not ask) gives one."""
    if not _active(user):
        return "Sign in to enrol."
    if not course.live:
        return "This course is not open for enrolment."
    if enrolment is not None and enrolment.revoked_at is None:
        return "You are already enrolled in this course."
    if not course.is_free and not paid_for:
        return "This course is sold in the shop: buy a place to enrol."
    if not prerequisite_done:
        return f"Complete “{course.prerequisite.title}” first."
    return None


def can_buy_place(user: Any, course: Any, *, enrolment: Any = None) -> bool:
    """The landing page's "Buy" (into the shop's cart, which anyone may fill): a live paid course
    its reader neither teaches nor already takes."""
    return bool(course.live and not course.is_free and not (enrolment is not None and enrolment.revoked_at is None))


def can_invite(user: Any, course: Any) -> bool:
    """Inviting people into a course (a gift of a place, paid courses too): who teaches it, and staff."""
    return can_edit_course(user, course)


def can_view_revenue(user: Any, course: Any) -> bool:
    """A course's sales: who teaches it, and staff."""
    return can_edit_course(user, course)


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


# --- Announcements ------------------------------------------------------------------------------


def can_announce(user: Any, course: Any) -> bool:
    """Who teaches the course, and staff: to every active learner of it."""
    return _active(user) and can_edit_course(user, course)


def can_read_announcements(user: Any, course: Any, *, enrolment: Any) -> bool:
    """The course's active learners and who teaches it (announcements are for the class, not the
    public: they may name dates, links and people)."""
    if not _active(user):
        return False
    return can_edit_course(user, course) or (
        enrolment is not None and enrolment.user_id == user.pk and enrolment.revoked_at is None
    )


# --- Reviews ------------------------------------------------------------------------------------


def review_refusal(user: Any, course: Any, *, enrolment: Any, lessons_done: int) -> str | None:
    """Why ``user`` may not review ``course`` (None: they may): its active learners who have done
    a lesson, and not who teaches it (a rating of one's own course is no review)."""
    if not _active(user):
        return "Sign in to review this course."
    if teaches(user, course):
        return "You teach this course."
    if enrolment is None or enrolment.user_id != user.pk or enrolment.revoked_at is not None:
        return "Only the course's learners review it."
    if lessons_done < 1 and enrolment.completed_at is None:
        return "Do a lesson first: reviews come from learners who saw the course."
    return None


def can_hide_review(user: Any) -> bool:
    return _active(user) and is_lms_staff(user)


# --- Assignments and grading ---------------------------------------------------------------------


def can_manage_assignment(user: Any, course: Any) -> bool:
    """An assignment's settings and rubric: who teaches the course, and staff."""
    return can_edit_course(user, course)


def can_grade(user: Any, course: Any) -> bool:
    """Grading its submissions, overriding its learners' grades and reading its gradebook: who
    teaches the course (owner, co-instructors), and staff."""
    return can_edit_course(user, course)


def can_view_submission(user: Any, submission: Any, course: Any) -> bool:
    """A submission (its text, file and review): its learner, who teaches the course, and staff."""
    return _active(user) and (submission.enrolment.user_id == user.pk or can_grade(user, course))


def due_at(assignment: Any, enrolment: Any) -> datetime | None:
    """When ``assignment`` is due for the learner of ``enrolment`` (None: never): its date, or
    some days after they enrolled (both set: the later)."""
    dates = []
    if assignment.due_at is not None:
        dates.append(assignment.due_at)
    if assignment.due_after_days is not None and enrolment is not None:
        dates.append(enrolment.enrolled_at + timedelta(days=assignment.due_after_days))
    return max(dates) if dates else None


@dataclass(frozen=True)
class SubmissionRefusal:
    reason: str
    code: str


def submission_refusal(
    user: Any, enrolment: Any, assignment: Any, *, lock: Lock | None, latest: Any, now: datetime | None = None
) -> SubmissionRefusal | None:
    """Why ``user`` may not hand in ``assignment`` now (None: they may). The learner themself,
    enrolled, with the lesson open to them; before its due date unless it accepts late work; a
    second time only when it allows resubmission or their last one was returned for it."""
    if not can_record_progress(user, enrolment):
        return SubmissionRefusal("Enrol in this course to hand in its assignments.", "not_enrolled")
    if lock is not None:
        return SubmissionRefusal(lock.reason, "lesson_locked")
    if latest is not None and not (assignment.allow_resubmission or latest.status == "returned"):
        return SubmissionRefusal("You have handed this assignment in already.", "already_submitted")
    due = due_at(assignment, enrolment)
    if due is not None and (now or timezone.now()) > due and not assignment.accept_late:
        return SubmissionRefusal(
            f"This assignment was due on {dateformat.format(timezone.localtime(due), 'j F Y, H:i')}.", "past_due"
        )
    return None


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
