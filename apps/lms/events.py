"""The learning platform's domain events (apps/core/platform/events.py): each step of a learner,
in the activity log for analytics and for other apps to react to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from apps.core.platform import events


@dataclass(frozen=True, kw_only=True)
class Enrolled(events.DomainEvent):
    name: ClassVar[str] = "lms.learner_enrolled"
    aggregate: ClassVar[str] = "lms.course:{course_id}"
    course_id: int
    user_id: int
    enrolment_id: int
    source: str
    cohort_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class Unenrolled(events.DomainEvent):
    name: ClassVar[str] = "lms.learner_unenrolled"
    aggregate: ClassVar[str] = "lms.course:{course_id}"
    course_id: int
    user_id: int
    enrolment_id: int
    reason: str


@dataclass(frozen=True, kw_only=True)
class LessonCompleted(events.DomainEvent):
    name: ClassVar[str] = "lms.lesson_completed"
    aggregate: ClassVar[str] = "lms.course:{course_id}"
    course_id: int
    lesson_id: int
    user_id: int
    enrolment_id: int
    how: str  # "marked", "watched", "passed", "graded" (an assignment's passing grade)


@dataclass(frozen=True, kw_only=True)
class CourseCompleted(events.DomainEvent):
    name: ClassVar[str] = "lms.course_completed"
    aggregate: ClassVar[str] = "lms.course:{course_id}"
    course_id: int
    user_id: int
    enrolment_id: int


@dataclass(frozen=True, kw_only=True)
class LessonOpened(events.DomainEvent):
    """An instructor opened a lesson early (or moved its date) for one learner."""

    name: ClassVar[str] = "lms.lesson_opened"
    aggregate: ClassVar[str] = "lms.course:{course_id}"
    course_id: int
    lesson_id: int
    user_id: int
    enrolment_id: int


@dataclass(frozen=True, kw_only=True)
class CertificateIssued(events.DomainEvent):
    name: ClassVar[str] = "lms.certificate_issued"
    aggregate: ClassVar[str] = "lms.course:{course_id}"
    course_id: int
    user_id: int
    enrolment_id: int
    certificate_id: int
    uuid: str


@dataclass(frozen=True, kw_only=True)
class CertificateRevoked(events.DomainEvent):
    name: ClassVar[str] = "lms.certificate_revoked"
    aggregate: ClassVar[str] = "lms.course:{course_id}"
    course_id: int
    user_id: int
    enrolment_id: int
    certificate_id: int
    uuid: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class AnnouncementPosted(events.DomainEvent):
    """An instructor posted an announcement to a course's learners (notifications.py sends it)."""

    name: ClassVar[str] = "lms.announcement_posted"
    aggregate: ClassVar[str] = "lms.course:{course_id}"
    course_id: int
    announcement_id: int
    actor_id: int


@dataclass(frozen=True, kw_only=True)
class AssignmentSubmitted(events.DomainEvent):
    name: ClassVar[str] = "lms.assignment_submitted"
    aggregate: ClassVar[str] = "lms.course:{course_id}"
    course_id: int
    lesson_id: int
    user_id: int
    enrolment_id: int
    submission_id: int
    number: int
    late: bool


@dataclass(frozen=True, kw_only=True)
class SubmissionGraded(events.DomainEvent):
    """A submission was graded (or returned for another try: ``returned``)."""

    name: ClassVar[str] = "lms.submission_graded"
    aggregate: ClassVar[str] = "lms.course:{course_id}"
    course_id: int
    lesson_id: int
    user_id: int
    enrolment_id: int
    submission_id: int
    percent: str
    returned: bool
