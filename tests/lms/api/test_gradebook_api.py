"""The gradebook's API: a course's gradebook and overrides of a learner's grade, for who teaches
the course; the permission matrix and errors in the API's one shape."""

from __future__ import annotations

import pytest

from apps.lms.models import GradeOverride
from apps.lms.services import assignments, gradebook
from tests.lms.api.conftest import API, error_of, matrix
from tests.lms.factories import make_assignment, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def assignment(course):
    return make_assignment(course, points=100)


@pytest.fixture
def weighted(course, instructor):
    gradebook.grade_category_create(actor=instructor, course=course, name="Quizzes", weight=40, source="quizzes")
    gradebook.grade_category_create(
        actor=instructor, course=course, name="Assignments", weight=60, source="assignments"
    )
    return course


def _grade(actor, submission, total) -> None:
    assignments.submission_grade(
        actor=actor, submission=submission, data=assignments.GradeInput(scores={}, total=total)
    )


def test_who_reads_the_gradebook_through_the_api(api_as, people, weighted, enrolment, assignment, instructor):
    _grade(instructor, submit(enrolment, assignment), 90)
    url = f"{API}manage/courses/{weighted.pk}/gradebook/"
    assert matrix(api_as, people, "get", url) == {
        "owner": 200,
        "co_instructor": 200,
        "other_instructor": 404,
        "learner": 403,
        "outsider": 403,
        "admin": 200,
        "anonymous": 401,
    }
    (row,) = api_as(instructor).get(url).json()["results"]
    assert (row["learner"], row["computed"], row["final"], row["passed"]) == ("Lea Learner", "90.00", "90.00", True)
    assert [item["average"] for item in row["categories"]] == [None, "90.00"]


def test_overriding_through_the_api(api_as, people, weighted, enrolment, instructor):
    url = f"{API}manage/enrolments/{enrolment.pk}/grade-override/"
    response = api_as(instructor).post(url, {"grade": "77", "reason": "Viva"}, format="json")
    assert response.status_code == 200 and response.json()["final"] == "77.00"
    assert response.json()["history"][0]["reason"] == "Viva"
    error_of(api_as(instructor).post(url, {"grade": "77"}, format="json"), 400)
    error_of(api_as(people["other_instructor"]).post(url, {"grade": "1", "reason": "x"}, format="json"), 404)
    error_of(api_as(people["learner"]).post(url, {"grade": "100", "reason": "x"}, format="json"), 403)
    assert GradeOverride.objects.count() == 1


def test_who_overrides_through_the_api(api_as, people, weighted, enrolment):
    url = f"{API}manage/enrolments/{enrolment.pk}/grade-override/"
    assert matrix(api_as, people, "post", url, {"grade": "70", "reason": "Viva"}) == {
        "owner": 200,
        "co_instructor": 200,
        "other_instructor": 404,
        "learner": 403,
        "outsider": 403,
        "admin": 200,
        "anonymous": 401,
    }
    assert GradeOverride.objects.count() == 3
