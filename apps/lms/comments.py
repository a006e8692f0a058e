"""The LMS's use of core's comments (apps/core/comments): each lesson has a thread of questions
and answers for the people of its course, moderated in the platform's one queue.

A lesson's thread is seen (and written in) by who may open the lesson as a participant: its
course's teachers and staff, and its enrolled learners while the lesson is open to them. A free
preview's visitors read the lesson, not its discussion: questions are the course's own. Answers
by the course's teachers are marked "Instructor" and publish at once. Staff moderate (admins, through the queue);
``lms.lesson`` comments come under the queue's "lms" domain.
"""

from __future__ import annotations

from typing import Any

from apps.core.comments import Commentable

LESSON_KIND = "lms.lesson"


def can_discuss(user: Any, lesson: Any) -> bool:
    """Whether ``user`` sees ``lesson``'s thread, and may write in it when signed in."""
    from apps.lms import permissions, selectors

    course = lesson.course
    if permissions.can_edit_course(user, course):
        return True
    if not (lesson.live and course.live and getattr(user, "is_authenticated", False)):
        return False
    enrolment = selectors.enrolment_get(user=user, course=course)
    if enrolment is None or enrolment.revoked_at is not None:
        return False
    return selectors.lesson_lock_for(lesson, selectors.learner_state(enrolment)) is None


def _badge(lesson: Any, author: Any) -> str:
    from apps.lms import permissions

    return "Instructor" if permissions.teaches(author, lesson.course) else ""


def _trusts(lesson: Any, author: Any) -> bool:
    """Who teaches the course answers at once: a learner's question should not wait on a
    moderator for its answer."""
    from apps.lms import permissions

    return permissions.teaches(author, lesson.course)


def lesson_comments() -> Commentable:
    from apps.lms import permissions
    from apps.lms.models import Lesson
    from apps.lms.selectors import NAMESPACE

    return Commentable(
        kind=LESSON_KIND,
        model=Lesson,
        domain="lms",
        label="Lessons",
        can_view=can_discuss,
        can_moderate=permissions.is_lms_staff,
        url_of=Lesson.get_absolute_url,
        title_of=lambda lesson: f"{lesson.course.title}: {lesson.title}",
        cache_namespace=NAMESPACE,
        author_badge=_badge,
        trusts=_trusts,
    )
