"""The quizzes' API: a quiz and its attempts for learners (no correct answer before submission,
the server's clock deciding what counts), the question bank, settings and statistics for
instructors, and who gets what on every endpoint."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from apps.lms.models import Answer, Attempt, Question
from apps.lms.services import quizzes
from tests.lms.api.conftest import API, error_of, matrix
from tests.lms.factories import right_answers

pytestmark = pytest.mark.django_db
ALL_KINDS = ("single", "multiple", "true_false", "short_text", "numeric", "ordering")
# What only answer data holds: a response of any of these would leak what is correct.
SECRETS = ("correct_answer", "explanation", "accepted", "tolerance", "Why the", '"answer"', "points_awarded")


@pytest.fixture
def quiz(course):
    from tests.lms.factories import make_quiz

    return make_quiz(course, kinds=ALL_KINDS, time_limit_seconds=120, attempts_allowed=2)


def _quiz_url(quiz) -> str:
    return f"{API}courses/{quiz.lesson.course.slug}/lessons/{quiz.lesson.slug}/quiz/"


def _assert_no_answer(body) -> None:
    text = json.dumps(body)
    for secret in SECRETS:
        assert secret not in text, secret


def test_a_learner_starts_answers_and_submits_and_sees_nothing_correct_before(api_as, learner, enrolment, quiz):
    client = api_as(learner)
    read = client.get(_quiz_url(quiz))
    assert read.status_code == 200 and read.json()["open_attempt"] is None
    _assert_no_answer(read.json())
    started = client.post(f"{_quiz_url(quiz)}attempts/")
    assert started.status_code == 201, started.content
    body = started.json()
    _assert_no_answer(body)
    assert body["seconds_left"] == 120 and len(body["questions"]) == 6
    assert client.post(f"{_quiz_url(quiz)}attempts/").status_code == 200  # the open one again
    attempt = Attempt.objects.get()
    for pk, response in right_answers(attempt).items():
        saved = client.put(f"{API}attempts/{attempt.pk}/answers/{pk}/", {"response": response}, format="json")
        assert saved.status_code == 200, saved.content
        _assert_no_answer(saved.json())
    again = client.get(_quiz_url(quiz)).json()
    _assert_no_answer(again)
    assert all(item["response"] is not None for item in again["open_attempt"]["questions"])
    _assert_no_answer(client.get(f"{API}attempts/{attempt.pk}/").json())
    submitted = client.post(f"{API}attempts/{attempt.pk}/submission/")
    assert submitted.status_code == 200, submitted.content
    result = submitted.json()
    assert result["percent"] == "100.00" and result["passed"] and result["feedback_shown"]
    assert all(item["correct"] and "correct_answer" in item for item in result["questions"])
    error_of(client.post(f"{API}attempts/{attempt.pk}/submission/"), 409)


def test_a_bad_response_is_a_400_and_saves_nothing(api_as, learner, enrolment, quiz):
    client = api_as(learner)
    attempt_id = client.post(f"{_quiz_url(quiz)}attempts/").json()["id"]
    single = Question.objects.get(kind="single")
    error_of(client.put(f"{API}attempts/{attempt_id}/answers/{single.pk}/", {"response": ["x"]}, format="json"), 400)
    error_of(client.put(f"{API}attempts/{attempt_id}/answers/999999/", {"response": "c1"}, format="json"), 400)
    assert not Answer.objects.exists()


def test_an_answer_after_the_two_minutes_is_refused_by_the_server_clock(api_as, learner, enrolment, quiz):
    client = api_as(learner)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        attempt = client.post(f"{_quiz_url(quiz)}attempts/").json()
        first, second = attempt["questions"][0]["id"], attempt["questions"][1]["id"]
        answers = right_answers(Attempt.objects.get())
        clock.move_to(start + timedelta(seconds=100))
        ok = client.put(f"{API}attempts/{attempt['id']}/answers/{first}/", {"response": answers[first]}, format="json")
        assert ok.status_code == 200
        # A client that ignores its countdown: the server refuses, and keeps what it had.
        clock.move_to(start + timedelta(seconds=120) + quizzes.GRACE + timedelta(seconds=1))
        late = client.put(
            f"{API}attempts/{attempt['id']}/answers/{second}/", {"response": answers[second]}, format="json"
        )
        assert error_of(late, 409)["code"] == "past_deadline"
        submitted = client.post(f"{API}attempts/{attempt['id']}/submission/")
        refusal = error_of(submitted, 409)
        assert refusal["code"] == "past_deadline" and "graded with the answers saved in time" in refusal["message"]
        result = client.get(f"{API}attempts/{attempt['id']}/").json()
    assert result["timed_out"] and result["score"] == "1.00" and result["submitted_at"]
    assert Answer.objects.filter(attempt_id=attempt["id"]).count() == 1


def test_attempts_stop_at_the_limit(api_as, learner, enrolment, quiz):
    client = api_as(learner)
    for _ in range(2):
        attempt_id = client.post(f"{_quiz_url(quiz)}attempts/").json()["id"]
        client.post(f"{API}attempts/{attempt_id}/submission/")
    assert error_of(client.post(f"{_quiz_url(quiz)}attempts/"), 409)["code"] == "no_attempts_left"
    assert client.get(_quiz_url(quiz)).json()["attempts_left"] == 0


@pytest.mark.parametrize("action", ["read", "start"])
def test_who_reads_and_starts_a_quiz(api_as, people, quiz, action):
    url = _quiz_url(quiz) + ("attempts/" if action == "start" else "")
    got = matrix(api_as, people, "get" if action == "read" else "post", url)
    if action == "read":
        # Its teachers read it (no attempt of theirs); the lesson is closed to others.
        expected = {"owner": 200, "co_instructor": 200, "admin": 200, "learner": 200}
        expected |= {"other_instructor": 403, "outsider": 403, "anonymous": 401}
    else:
        expected = {"owner": 403, "co_instructor": 403, "admin": 403, "learner": 201}
        expected |= {"other_instructor": 403, "outsider": 403, "anonymous": 401}
    assert got == expected


def test_who_answers_submits_and_reads_an_attempt(api_as, people, learner, enrolment, quiz):
    attempt = quizzes.attempt_start(user=learner, enrolment=enrolment, quiz=quiz).attempt
    question = attempt.order["questions"][0]
    answer_url = f"{API}attempts/{attempt.pk}/answers/{question}/"
    response = right_answers(attempt)[question]
    readers = {"owner": 200, "co_instructor": 200, "admin": 200, "learner": 200}
    strangers = {"other_instructor": 404, "outsider": 404, "anonymous": 401}
    assert matrix(api_as, people, "get", f"{API}attempts/{attempt.pk}/") == readers | strangers
    only_learner = {"owner": 403, "co_instructor": 403, "admin": 403, "learner": 200}
    assert matrix(api_as, people, "put", answer_url, {"response": response}) == only_learner | strangers
    assert matrix(api_as, people, "post", f"{API}attempts/{attempt.pk}/submission/") == only_learner | strangers


# --- Instructors --------------------------------------------------------------------------------

MANAGERS = {"owner": 200, "co_instructor": 200, "admin": 200}
NOT_MANAGERS = {"other_instructor": 404, "learner": 403, "outsider": 403, "anonymous": 401}


def test_who_manages_the_bank_the_quiz_and_its_statistics(api_as, people, course, quiz):
    question = Question.objects.filter(course=course).first()
    for url in (
        f"{API}manage/courses/{course.pk}/questions/",
        f"{API}manage/questions/{question.pk}/",
        f"{API}manage/lessons/{quiz.lesson.pk}/quiz/",
        f"{API}manage/lessons/{quiz.lesson.pk}/quiz/statistics/",
    ):
        assert matrix(api_as, people, "get", url) == MANAGERS | NOT_MANAGERS, url
    new = {"kind": "true_false", "prompt": "Bisque comes before glaze.", "answer": {"value": True}}
    created = matrix(api_as, people, "post", f"{API}manage/courses/{course.pk}/questions/", new)
    assert created == {"owner": 201, "co_instructor": 201, "admin": 201} | NOT_MANAGERS
    settings = {"attempts_allowed": 5, "pass_percent": 70}
    assert matrix(api_as, people, "put", f"{API}manage/lessons/{quiz.lesson.pk}/quiz/", settings) == (
        MANAGERS | NOT_MANAGERS
    )
    spare = Question.objects.filter(course=course, items__isnull=True).first()
    deleted = matrix(api_as, people, "delete", f"{API}manage/questions/{spare.pk}/")
    # The first manager deletes it; it is gone for the others.
    assert deleted["owner"] == 204 and deleted["co_instructor"] == deleted["admin"] == 404
    assert {who: deleted[who] for who in NOT_MANAGERS} == NOT_MANAGERS


def test_an_instructor_writes_a_question_and_sets_the_quiz(api_as, instructor, course, quiz):
    client = api_as(instructor)
    body = {
        "kind": "short_text",
        "prompt": "Which cone is mid-fire?",
        "answer": {"pattern": r"(cone\s*)?6", "case_sensitive": False},
        "explanation": "Cone 6 is about 1220 °C.",
    }
    created = client.post(f"{API}manage/courses/{course.pk}/questions/", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["answer"]["pattern"] == r"(cone\s*)?6"
    unsafe = {**body, "answer": {"pattern": "(a+)+b"}}
    error_of(client.post(f"{API}manage/courses/{course.pk}/questions/", unsafe, format="json"), 400)
    ids = [created.json()["id"], *quiz.items.values_list("question_id", flat=True)]
    settings = {"questions": ids, "feedback": "after_due_date", "due_at": None}
    error_of(client.put(f"{API}manage/lessons/{quiz.lesson.pk}/quiz/", settings, format="json"), 400)
    settings["due_at"] = (timezone.now() + timedelta(days=1)).isoformat()
    saved = client.put(f"{API}manage/lessons/{quiz.lesson.pk}/quiz/", settings, format="json")
    assert saved.status_code == 200 and saved.json()["questions"] == ids


def test_the_statistics_read_flat(api_as, instructor, learner, enrolment, quiz, django_assert_max_num_queries):
    attempt = quizzes.attempt_start(user=learner, enrolment=enrolment, quiz=quiz).attempt
    for pk in attempt.order["questions"]:
        quizzes.answer_save(user=learner, attempt=attempt, question_id=pk, response=right_answers(attempt)[pk])
    quizzes.attempt_submit(user=learner, attempt=attempt)
    client = api_as(instructor)
    with django_assert_max_num_queries(8):
        stats = client.get(f"{API}manage/lessons/{quiz.lesson.pk}/quiz/statistics/").json()
    assert [row["correct_percent"] for row in stats] == ["100.0"] * 6
