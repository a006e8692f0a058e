"""The assignments' API: a learner hands in and reads their tries; who teaches reads the queue,
a submission with its rubric and grades it (409 on a grade given meanwhile); the permission
matrix of each, errors in the API's one shape, and flat queries."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.lms.models import Assignment, Review, Submission
from tests.lms.api.conftest import API, error_of, matrix
from tests.lms.factories import PDF_BYTES, enrol, make_assignment, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def assignment(course):
    return make_assignment(course, criteria=(10, 10), submission_type=Assignment.SubmissionType.BOTH)


def _submissions_url(assignment) -> str:
    return f"{API}courses/{assignment.lesson.course.slug}/lessons/{assignment.lesson.slug}/submissions/"


def _scores(assignment, points=7) -> dict[str, int]:
    return {str(c.pk): points for c in assignment.criteria.all()}


def test_a_learner_hands_in_a_file_and_reads_their_tries(api_as, learner, enrolment, assignment):
    client = api_as(learner)
    response = client.post(
        _submissions_url(assignment),
        {"text": "Tiles.", "file": SimpleUploadedFile("t.pdf", PDF_BYTES)},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["number"], body["status"], body["file_name"], body["review"]) == (1, "submitted", "t.pdf", None)
    assert body["file_url"].endswith(f"/courses/manage/submissions/{body['id']}/file/")
    assert [row["id"] for row in client.get(_submissions_url(assignment)).json()] == [body["id"]]


def test_a_bad_file_is_a_400_naming_the_field_and_a_second_try_a_409(api_as, learner, enrolment, assignment):
    client = api_as(learner)
    bad = client.post(_submissions_url(assignment), {"file": SimpleUploadedFile("t.pdf", b"MZ")}, format="multipart")
    assert "file" in error_of(bad, 400)["fields"]
    assert client.post(_submissions_url(assignment), {"text": "One."}, format="json").status_code == 201
    assert error_of(client.post(_submissions_url(assignment), {"text": "Two."}, format="json"), 409)
    assert Submission.objects.count() == 1


def test_handing_in_is_for_the_enrolled_learner(api_as, people, assignment):
    statuses = matrix(api_as, people, "post", _submissions_url(assignment), {"text": "Mine."})
    assert statuses == {
        "owner": 403,
        "co_instructor": 403,
        "other_instructor": 403,
        "learner": 201,
        "outsider": 403,
        "admin": 403,
        "anonymous": 401,
    }


def test_a_lesson_without_an_assignment_is_a_404(api_as, learner, enrolment, course):
    lesson = course.lessons.order_by("position").first()
    url = f"{API}courses/{course.slug}/lessons/{lesson.slug}/submissions/"
    error_of(api_as(learner).post(url, {"text": "x"}, format="json"), 404)


def test_who_reads_the_grading_queue(api_as, people, enrolment, assignment):
    submit(enrolment, assignment)
    statuses = matrix(api_as, people, "get", f"{API}manage/grading/")
    assert statuses == {
        "owner": 200,
        "co_instructor": 200,
        "other_instructor": 200,
        "learner": 403,
        "outsider": 403,
        "admin": 200,
        "anonymous": 401,
    }
    assert api_as(people["other_instructor"]).get(f"{API}manage/grading/").json()["results"] == []
    assert len(api_as(people["owner"]).get(f"{API}manage/grading/").json()["results"]) == 1


def test_who_reads_and_grades_a_submission(api_as, people, enrolment, assignment):
    submission = submit(enrolment, assignment)
    url = f"{API}manage/submissions/{submission.pk}/grade/"
    expected = {
        "owner": 200,
        "co_instructor": 200,
        "other_instructor": 404,
        "learner": 403,
        "outsider": 403,
        "admin": 200,
        "anonymous": 401,
    }
    assert matrix(api_as, people, "get", url) == expected
    graded = {who: status for who, status in expected.items() if who not in ("co_instructor", "admin")}
    people = {who: people[who] for who in graded}
    assert matrix(api_as, people, "post", url, {"scores": _scores(assignment), "feedback": "Good."}) == graded
    assert Review.objects.get().total == 14


def test_grading_through_the_api_conflicts_on_a_stale_version_and_refuses_points_over_the_max(
    api_as, instructor, co_instructor, enrolment, assignment
):
    submission = submit(enrolment, assignment)
    url = f"{API}manage/submissions/{submission.pk}/grade/"
    first = api_as(instructor).post(url, {"scores": _scores(assignment)}, format="json")
    assert first.status_code == 200 and first.json()["review"]["version"] == 1
    assert first.json()["rubric"][0]["max_points"] == 10
    error_of(api_as(co_instructor).post(url, {"scores": _scores(assignment, 3), "based_on": 0}, format="json"), 409)
    error_of(api_as(co_instructor).post(url, {"scores": _scores(assignment, 11), "based_on": 1}, format="json"), 400)
    error_of(api_as(co_instructor).post(url, {"scores": {"x": 1}, "based_on": 1}, format="json"), 400)
    assert Review.objects.get().total == 14


def test_the_queue_costs_the_same_however_many_submissions(
    api_as, instructor, course, assignment, user_with_role, django_assert_max_num_queries
):
    client = api_as(instructor)
    submit(enrol(user_with_role("student"), course), assignment)
    with django_assert_max_num_queries(15) as few:
        client.get(f"{API}manage/grading/")
    for n in range(4):
        submit(enrol(user_with_role("student", display_name=f"L{n}"), course), assignment)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(f"{API}manage/grading/").json()["results"]) == 5


def test_who_sets_an_assignment_through_the_api(api_as, people, assignment):
    url = f"{API}manage/lessons/{assignment.lesson_id}/assignment/"
    body = {
        "submission_type": "file",
        "allowed_extensions": ["pdf"],
        "due_after_days": 7,
        "rubric": [{"title": "Form", "max_points": 6}, {"title": "Finish", "max_points": 4, "description": "Even"}],
    }
    expected = {
        "owner": 200,
        "co_instructor": 200,
        "other_instructor": 404,
        "learner": 403,
        "outsider": 403,
        "admin": 200,
        "anonymous": 401,
    }
    assert matrix(api_as, people, "get", url) == expected
    assert matrix(api_as, {w: people[w] for w in expected if w != "admin"}, "put", url, body) == {
        w: s for w, s in expected.items() if w != "admin"
    }
    read = api_as(people["owner"]).get(url).json()
    assert (read["points"], read["submission_type"], read["due_after_days"]) == (10, "file", 7)
    assert [row["title"] for row in read["rubric"]] == ["Form", "Finish"]


def test_bad_assignment_settings_are_a_400_and_change_nothing(api_as, instructor, assignment):
    url = f"{API}manage/lessons/{assignment.lesson_id}/assignment/"
    bad = api_as(instructor).put(url, {"submission_type": "file", "allowed_extensions": ["exe"]}, format="json")
    assert "allowed_extensions" in error_of(bad, 400)["fields"]
    error_of(api_as(instructor).put(url, {"submission_type": "video"}, format="json"), 400)
    assert Assignment.objects.get(pk=assignment.pk).submission_type == "both"
