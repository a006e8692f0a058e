"""The quiz pages: a quiz lesson's page (start, answers saved by htmx, submit, results), the
instructors' question bank, quiz settings and item statistics, who gets what on each, that no
correct answer is in the page before submission, the server's clock, and flat queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from apps.lms.models import Answer, Attempt, LessonProgress, Question
from apps.lms.services import quizzes
from tests.lms.factories import make_quiz, right_answers

pytestmark = pytest.mark.django_db
ALL_KINDS = ("single", "multiple", "true_false", "short_text", "numeric", "ordering")


@pytest.fixture
def quiz(course):
    return make_quiz(course, kinds=ALL_KINDS, time_limit_seconds=120, attempts_allowed=2)


def _page(quiz) -> str:
    return quiz.lesson.get_absolute_url()


def _url(name: str, quiz, *args) -> str:
    lesson = quiz.lesson
    return reverse(f"lms:{name}", args=[lesson.course.slug, lesson.slug, *args])


def _form_value(question: Question, response) -> dict[str, object]:
    """The quiz form's fields for ``response`` to ``question``."""
    name = f"q{question.pk}"
    if question.kind == "ordering":
        return {f"{name}-{pk}": rank for rank, pk in enumerate(response, start=1)}
    if question.kind == "true_false":
        return {name: "true" if response else "false"}
    return {name: response}


def _secrets(quiz) -> list[str]:
    """What only the answer data says: explanations and accepted texts."""
    found = []
    for question in Question.objects.filter(items__quiz=quiz):
        found.append(question.explanation)
        found.extend(question.answer.get("accepted", []))
    return found


def test_a_learner_takes_the_quiz_on_the_lesson_page(client_for, learner, enrolment, quiz):
    client = client_for(learner)
    page = client.get(_page(quiz)).content.decode()
    assert "Start the quiz" in page and "Mark as done" not in page
    assert client.post(_url("quiz-start", quiz)).status_code == 302
    page = client.get(_page(quiz)).content.decode()
    assert 'data-seconds-left="120"' in page and "lms-quiz.js" in page
    for secret in _secrets(quiz):
        assert secret not in page  # the page source holds nothing correct before submission
    attempt = Attempt.objects.get()
    answers = right_answers(attempt)
    questions = {question.pk: question for question in Question.objects.all()}
    first = attempt.order["questions"][0]
    saved = client.post(
        _url("quiz-answer", quiz, attempt.pk, first),
        _form_value(questions[first], answers[first]),
        HTTP_HX_REQUEST="true",
    )
    assert saved.status_code == 200 and "Saved." in saved.content.decode()
    assert Answer.objects.filter(attempt=attempt).count() == 1
    form = {}
    for pk, response in answers.items():
        form |= _form_value(questions[pk], response)
    assert client.post(_url("quiz-submit", quiz, attempt.pk), form).status_code == 302
    attempt.refresh_from_db()
    assert attempt.percent == 100 and attempt.passed
    assert LessonProgress.objects.get(lesson=quiz.lesson).completed_at is not None
    results = client.get(_page(quiz)).content.decode()
    assert "Attempt 1: 100%" in results and questions[first].explanation in results
    assert "Try again" in results and "1 left" in results


def test_an_answer_after_the_two_minutes_is_refused_on_the_page_too(client_for, learner, enrolment, quiz):
    client = client_for(learner)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client.post(_url("quiz-start", quiz))
        attempt = Attempt.objects.get()
        first, second = attempt.order["questions"][:2]
        questions = {question.pk: question for question in Question.objects.all()}
        answers = right_answers(attempt)
        clock.move_to(start + timedelta(seconds=60))
        client.post(_url("quiz-answer", quiz, attempt.pk, first), _form_value(questions[first], answers[first]))
        clock.move_to(start + timedelta(seconds=126))  # a page that ignores its countdown
        late = client.post(
            _url("quiz-answer", quiz, attempt.pk, second),
            _form_value(questions[second], answers[second]),
            HTTP_HX_REQUEST="true",
        )
        assert late.status_code == 409 and "Time was up" in late.content.decode()
        form = _form_value(questions[first], answers[first]) | _form_value(questions[second], answers[second])
        submitted = client.post(_url("quiz-submit", quiz, attempt.pk), form, follow=True)
    assert "graded with the answers saved in time" in submitted.content.decode()
    attempt.refresh_from_db()
    assert attempt.timed_out and attempt.score == 1
    assert list(Answer.objects.filter(attempt=attempt).values_list("question_id", flat=True)) == [first]


def test_deferred_feedback_shows_the_score_but_not_the_answers(client_for, learner, enrolment, course):
    quiz = make_quiz(course, kinds=("single", "short_text"), feedback="after_last_attempt", attempts_allowed=2)
    client = client_for(learner)
    client.post(_url("quiz-start", quiz))
    attempt = Attempt.objects.get()
    client.post(_url("quiz-submit", quiz, attempt.pk), {})
    page = client.get(_page(quiz)).content.decode()
    assert "Attempt 1: 0%" in page and "shown after your last attempt" in page
    for secret in _secrets(quiz):
        assert secret not in page


def test_wrong_methods_and_a_plain_answer_post(client_for, learner, enrolment, quiz):
    client = client_for(learner)
    assert client.get(_url("quiz-start", quiz)).status_code == 405
    client.post(_url("quiz-start", quiz))
    attempt = Attempt.objects.get()
    question = Question.objects.get(kind="single")
    assert client.get(_url("quiz-submit", quiz, attempt.pk)).status_code == 405
    assert client.get(_url("quiz-answer", quiz, attempt.pk, question.pk)).status_code == 405
    plain = client.post(_url("quiz-answer", quiz, attempt.pk, question.pk), {f"q{question.pk}": "c2"})
    assert plain.status_code == 302 and plain["Location"].endswith("#quiz")  # without htmx: back to the page
    bad = client.post(
        _url("quiz-answer", quiz, attempt.pk, question.pk), {f"q{question.pk}": "nope"}, HTTP_HX_REQUEST="true"
    )
    assert bad.status_code == 422 and Answer.objects.get().response == "c2"  # nothing changed
    assert client.post(_url("quiz-answer", quiz, attempt.pk, 999999), {}).status_code == 404


def test_a_teacher_finds_the_quiz_pages_from_the_lesson(client_for, instructor, quiz):
    page = client_for(instructor).get(_page(quiz)).content.decode()
    assert reverse("lms:quiz-settings", args=[quiz.lesson.course_id, quiz.lesson.pk]) in page
    assert "Start the quiz" not in page


# --- Who gets what --------------------------------------------------------------------------------


def test_who_sees_the_quiz_and_who_may_start_it(client_for, people, quiz):
    pages = {who: client_for(user).get(_page(quiz)).status_code for who, user in people.items()}
    assert pages == {
        "owner": 200,
        "co_instructor": 200,
        "other_instructor": 403,
        "learner": 200,
        "outsider": 403,
        "admin": 200,
        "anonymous": 403,
    }
    starts = {who: client_for(user).post(_url("quiz-start", quiz)).status_code for who, user in people.items()}
    # Teachers read the quiz but only the enrolled learner takes it; the lesson is closed to others.
    assert starts == {
        "owner": 403,
        "co_instructor": 403,
        "other_instructor": 403,
        "learner": 302,
        "outsider": 403,
        "admin": 403,
        "anonymous": 302,  # to sign in
    }
    assert Attempt.objects.count() == 1


def test_who_answers_and_submits_an_attempt(client_for, people, learner, enrolment, quiz):
    attempt = quizzes.attempt_start(user=learner, enrolment=enrolment, quiz=quiz).attempt
    question = Question.objects.get(kind="single")
    expected = {
        "owner": 403,
        "co_instructor": 403,
        "other_instructor": 403,
        "outsider": 403,
        "admin": 403,
        "anonymous": 302,
        "learner": 200,
    }
    answer = _url("quiz-answer", quiz, attempt.pk, question.pk)
    got = {
        who: client_for(user).post(answer, {f"q{question.pk}": "c2"}, HTTP_HX_REQUEST="true").status_code
        for who, user in people.items()
    }
    assert got == expected
    submit = _url("quiz-submit", quiz, attempt.pk)
    got = {who: client_for(user).post(submit).status_code for who, user in people.items()}
    assert got == expected | {"learner": 302}
    attempt.refresh_from_db()
    assert attempt.submitted_at is not None


MANAGERS = {"owner": 200, "co_instructor": 200, "admin": 200}
OTHERS = {"other_instructor": 404, "learner": 404, "outsider": 404, "anonymous": 302}


def test_who_reads_the_instructors_pages(client_for, people, course, quiz):
    question = Question.objects.filter(course=course).first()
    for url in (
        reverse("lms:quiz-bank", args=[course.pk]),
        reverse("lms:quiz-question-new", args=[course.pk]),
        reverse("lms:quiz-question", args=[course.pk, question.pk]),
        reverse("lms:quiz-settings", args=[course.pk, quiz.lesson.pk]),
        reverse("lms:quiz-statistics", args=[course.pk, quiz.lesson.pk]),
    ):
        got = {who: client_for(user).get(url).status_code for who, user in people.items()}
        assert got == MANAGERS | OTHERS, url


def test_who_writes_the_bank_and_the_settings(client_for, people, course, quiz):
    new = reverse("lms:quiz-question-new", args=[course.pk])
    data = {"kind": "true_false", "prompt": "Bisque comes first.", "truth": "true", "points": 1}
    got = {who: client_for(user).post(new, data).status_code for who, user in people.items()}
    assert got == {"owner": 302, "co_instructor": 302, "admin": 302} | OTHERS
    assert Question.objects.filter(prompt="Bisque comes first.").count() == 3
    settings = reverse("lms:quiz-settings", args=[course.pk, quiz.lesson.pk])
    ids = list(quiz.items.values_list("question_id", flat=True))
    form = {"pass_percent": 50, "feedback": "immediate", "attempts_allowed": 4} | {
        f"pos-{pk}": i for i, pk in enumerate(reversed(ids), start=1)
    }
    got = {who: client_for(user).post(settings, form).status_code for who, user in people.items()}
    assert got == {"owner": 302, "co_instructor": 302, "admin": 302} | OTHERS
    quiz.refresh_from_db()
    assert quiz.attempts_allowed == 4 and list(quiz.items.values_list("question_id", flat=True)) == ids[::-1]
    spare = Question.objects.filter(prompt="Bisque comes first.").first()
    delete = reverse("lms:quiz-question-delete", args=[course.pk, spare.pk])
    assert client_for(people["other_instructor"]).post(delete).status_code == 404
    assert client_for(people["owner"]).post(delete).status_code == 302
    assert not Question.objects.filter(pk=spare.pk).exists()


def test_who_rewrites_and_deletes_a_question(client_for, people, course):
    from tests.lms.factories import make_question

    question = make_question(course, "true_false")
    edit = reverse("lms:quiz-question", args=[course.pk, question.pk])
    got = {}
    for who, user in people.items():
        data = {"kind": "true_false", "prompt": f"Edited by {who}", "truth": "false", "points": 2}
        got[who] = client_for(user).post(edit, data).status_code
    assert got == {"owner": 302, "co_instructor": 302, "admin": 302} | OTHERS
    question.refresh_from_db()
    assert question.prompt == "Edited by admin" and question.answer == {"value": False}
    spares = {who: make_question(course, "single") for who in people}
    got = {
        who: client_for(user).post(reverse("lms:quiz-question-delete", args=[course.pk, spares[who].pk])).status_code
        for who, user in people.items()
    }
    assert got == {"owner": 302, "co_instructor": 302, "admin": 302} | OTHERS
    left = set(Question.objects.filter(pk__in=[q.pk for q in spares.values()]).values_list("pk", flat=True))
    assert left == {spares[who].pk for who in OTHERS}


def test_a_wrong_question_or_unsafe_pattern_is_a_form_error_and_nothing_is_written(client_for, instructor, course):
    new = reverse("lms:quiz-question-new", args=[course.pk])
    client = client_for(instructor)
    before = Question.objects.count()
    single = client.post(new, {"kind": "single", "prompt": "Which?", "choices": "A\nB", "points": 1})
    assert single.status_code == 422 and "index" in single.content.decode()
    pattern = client.post(new, {"kind": "short_text", "prompt": "Say a", "pattern": "(a+)+", "points": 1})
    assert pattern.status_code == 422 and "repeat" in pattern.content.decode()
    assert Question.objects.count() == before
    ok = client.post(new, {"kind": "single", "prompt": "Which?", "choices": "A\n* B", "points": 2})
    assert ok.status_code == 302
    assert Question.objects.get(prompt="Which?").answer == {"choice": "c2"}


# --- Queries --------------------------------------------------------------------------------------


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm the fragment cache: the outline and the lesson are shared
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_quiz_page_and_the_statistics_read_flat(client_for, course, learner, enrolment, instructor):
    from tests.lms.factories import lessons_of

    _, second, third = lessons_of(course)
    small = make_quiz(course, kinds=ALL_KINDS[:2], lesson=second, attempts_allowed=None)
    large = make_quiz(course, kinds=ALL_KINDS + ALL_KINDS[:3], lesson=third, attempts_allowed=None)
    learner_client, teacher = client_for(learner), client_for(instructor)
    counts = {}
    for quiz in (small, large):
        attempt = quizzes.attempt_start(user=learner, enrolment=enrolment, quiz=quiz).attempt
        for pk, response in right_answers(attempt).items():
            quizzes.answer_save(user=learner, attempt=attempt, question_id=pk, response=response)
        open_page = _queries(learner_client, _page(quiz))
        quizzes.attempt_submit(user=learner, attempt=attempt)
        results = _queries(learner_client, _page(quiz))
        stats = _queries(teacher, reverse("lms:quiz-statistics", args=[course.pk, quiz.lesson.pk]))
        counts[quiz.pk] = (open_page, results, stats)
    # As many queries for nine questions as for two.
    assert counts[small.pk] == counts[large.pk], counts
