"""The schemathesis run of tests/core/api/test_openapi_fuzz.py over the LMS's operations
(/api/v1/lms/), with LMS content seeded so that slugs, ids and certificate ids in paths name real
things: a live course of the cast's instructor (a section, a free preview, a lesson locked by a
prerequisite, a draft lesson), a draft course, the cast's student enrolled, and a completed
course with its certificate. Every request is sent anonymously and as the instructor who owns
the courses, the enrolled student, a member not enrolled and an admin. No 5xx, every answer as
documented."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.core.api.auth_views import issue_tokens
from apps.lms.models import Certificate, Lesson
from apps.lms.services import quizzes
from tests.core.api.test_openapi_fuzz import CHECKS, MAX_EXAMPLES, InTestTransaction, api_schema, openapi_schema
from tests.lms.factories import complete_all, enrol, lessons_of, make_course, make_quiz

LMS_OPERATIONS = [
    (path, method)
    for path, item in openapi_schema()["paths"].items()
    if path.startswith("/api/v1/lms/")
    for method in item
]
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
def unthrottled(monkeypatch: pytest.MonkeyPatch) -> None:
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": "100000/min", "user": "100000/min", "auth": "100000/min"}
    )


@pytest.fixture
def lms_seeded(cast: dict[str, Any], django_capture_on_commit_callbacks: Any) -> dict[str, Any]:
    instructor, student = cast["instructor"], cast["student"]
    with django_capture_on_commit_callbacks(execute=True):
        course = make_course(owner=instructor, title="Fuzzed course", lessons=4)
        preview, locked, *_, last = lessons_of(course)
        Lesson.objects.filter(pk=preview.pk).update(is_preview=True)
        Lesson.objects.filter(pk=locked.pk).update(prerequisite=preview)
        Lesson.objects.filter(pk=last.pk).update(live=False)
        draft = make_course(owner=instructor, title="Draft course", live=False, lessons=1)
        enrol(student, course)
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
        "lesson_slugs": [preview.slug, locked.slug, last.slug, quiz_lesson.slug],
        "ids": [course.pk, draft.pk, section.pk, preview.pk, last.pk, quiz_lesson.pk, attempt.pk, question_ids[0]],
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


def _strategy(operation: Any, seeded: dict[str, Any]) -> st.SearchStrategy[Any]:
    strategies = []
    for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
        strategies.append(operation.as_strategy(generation_mode=mode))
        for values in _known_values(operation, seeded):
            strategies.append(operation.as_strategy(generation_mode=mode, path_parameters=values))
    return st.one_of(strategies)


@pytest.mark.parametrize(("path", "method"), LMS_OPERATIONS, ids=[f"{m.upper()} {p}" for p, m in LMS_OPERATIONS])
def test_every_lms_answer_conforms_to_the_schema_over_real_courses(
    path: str, method: str, cast: dict[str, Any], lms_seeded: dict[str, Any], unthrottled: None
) -> None:
    operation = api_schema()[path][method]
    app = InTestTransaction()
    headers_of = {
        who: {} if cast[who] is None else {"Authorization": f"Bearer {issue_tokens(cast[who])['access']}"}
        for who in WHO
    }

    @settings(
        max_examples=MAX_EXAMPLES * 2,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=_strategy(operation, lms_seeded))
    def answers_conform(case: schemathesis.Case) -> None:
        for who, headers in headers_of.items():
            response = case.call(app=app, headers=headers)
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except Exception as failure:
                failure.add_note(f"as {who}")
                raise

    answers_conform()
