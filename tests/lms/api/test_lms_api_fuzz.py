"""The schemathesis run of tests/core/api/test_openapi_fuzz.py over the LMS's operations
(/api/v1/lms/), with LMS content seeded so that slugs, ids and certificate ids in paths name real
things: a live course of the cast's instructor (a section, a free preview, a lesson locked by a
prerequisite, a draft lesson, an assignment with a rubric and the student's submission, a
gradebook category), a draft course, the cast's student enrolled, and a completed course with its
certificate. Every request is sent anonymously and as the instructor who owns the courses, the
enrolled student, a member not enrolled and an admin. No 5xx, every answer as documented."""

from __future__ import annotations

from typing import Any

import pytest

from apps.lms.models import Certificate, Lesson
from apps.lms.services import gradebook, quizzes
from tests.fuzzing import api_schema, assert_conforms, operations, strategy
from tests.lms.factories import complete_all, enrol, lessons_of, make_assignment, make_course, make_quiz, submit

LMS_OPERATIONS = operations("/api/v1/lms/")
WHO = ("anonymous", "instructor", "student", "member", "admin")
# Path parameters and the seeded values that name real things.
PARAMETERS = {
    "slug": "slugs",
    "lesson_slug": "lesson_slugs",
    "pk": "ids",
    "certificate_uuid": "certificates",
    "question_pk": "question_ids",
}


@pytest.fixture
def lms_seeded(cast: dict[str, Any], django_capture_on_commit_callbacks: Any) -> dict[str, Any]:
    instructor, student = cast["instructor"], cast["student"]
    with django_capture_on_commit_callbacks(execute=True):
        course = make_course(owner=instructor, title="Fuzzed course", lessons=4)
        preview, locked, homework, last = lessons_of(course)
        Lesson.objects.filter(pk=preview.pk).update(is_preview=True)
        Lesson.objects.filter(pk=locked.pk).update(prerequisite=preview)
        Lesson.objects.filter(pk=last.pk).update(live=False)
        draft = make_course(owner=instructor, title="Draft course", live=False, lessons=1)
        enrolment = enrol(student, course)
        # An assignment lesson with a rubric and the student's submission, waiting for a grade.
        homework = make_assignment(course, lesson=homework, criteria=(10, 5)).lesson
        submission = submit(enrolment, homework.assignment)
        gradebook.grade_category_create(actor=instructor, course=course, name="Work", weight=60, source="assignments")
        done = make_course(owner=instructor, title="Done course", lessons=1)
        enrol(student, done)
        complete_all(student, done)
        # A quiz lesson (every kind of question, a time limit) with the student's attempt open.
        quiz_lesson = lessons_of(course)[2]
        quiz = make_quiz(
            course,
            lesson=quiz_lesson,
            kinds=("single", "multiple", "true_false", "short_text", "numeric", "ordering"),
            time_limit_seconds=3600,
            attempts_allowed=None,
        )
        enrolment = student.enrolments.get(course=course)
        attempt = quizzes.attempt_start(user=student, enrolment=enrolment, quiz=quiz).attempt
    section = course.sections.get()
    question_ids = list(attempt.order["questions"])
    return {
        "slugs": [course.slug, draft.slug, done.slug],
        "lesson_slugs": [preview.slug, locked.slug, last.slug, homework.slug, quiz_lesson.slug],
        "ids": [
            course.pk,
            draft.pk,
            section.pk,
            preview.pk,
            last.pk,
            submission.pk,
            enrolment.pk,
            homework.pk,
            quiz_lesson.pk,
            attempt.pk,
            question_ids[0],
        ],
        "certificates": [str(Certificate.objects.get().uuid)],
        "question_ids": question_ids,
    }


def _known_values(operation: Any, seeded: dict[str, Any]) -> list[dict[str, Any]]:
    """Path parameters naming seeded things, each combination of the operation's parameters."""
    names = [parameter.name for parameter in operation.path_parameters if parameter.name in PARAMETERS]
    if not names:
        return []
    longest = max(len(seeded[PARAMETERS[name]]) for name in names)
    return [
        {name: seeded[PARAMETERS[name]][i % len(seeded[PARAMETERS[name]])] for name in names} for i in range(longest)
    ]


@pytest.mark.parametrize(("path", "method"), LMS_OPERATIONS, ids=[f"{m.upper()} {p}" for p, m in LMS_OPERATIONS])
def test_every_lms_answer_conforms_to_the_schema_over_real_courses(
    path: str, method: str, cast: dict[str, Any], lms_seeded: dict[str, Any], unthrottled: None
) -> None:
    operation = api_schema()[path][method]
    users = {who: cast[who] for who in WHO}
    assert_conforms(operation, strategy(operation, _known_values(operation, lms_seeded)), users)
