"""Quizzes through their services: the bank's validation (regex guard included), grading of every
kind, shuffling fixed per attempt, the attempts limit, the server's clock, completion by passing,
item statistics, best scores, and that nothing before submission holds a correct answer."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from apps.lms import selectors_quizzes
from apps.lms.models import Answer, Attempt, Enrolment, LessonProgress, Question
from apps.lms.services import quizzes
from tests.core.factories import UserFactory
from tests.lms.factories import enrol, lessons_of, make_course, make_question, make_quiz, right_answers
from tests.utils import race

pytestmark = pytest.mark.django_db
ALL_KINDS = ("single", "multiple", "true_false", "short_text", "numeric", "ordering")


def _start(learner, enrolment, quiz):
    return quizzes.attempt_start(user=learner, enrolment=enrolment, quiz=quiz).attempt


# --- The bank -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "choices", "answer"),
    [
        ("single", ["A"], {"correct": 0}),
        ("single", ["A", "B"], {"correct": 2}),
        ("single", ["A", "A"], {"correct": 0}),
        ("multiple", ["A", "B"], {"correct": []}),
        ("true_false", [], {"value": "yes"}),
        ("short_text", [], {"accepted": []}),
        ("short_text", [], {"pattern": "(a+)+$"}),
        ("short_text", [], {"pattern": "(a|aa)*"}),
        ("short_text", [], {"pattern": "(x)\\1"}),
        ("short_text", [], {"pattern": "[unclosed"}),
        ("short_text", [], {"pattern": "a" * 201}),
        ("short_text", [], {"pattern": ".*.*.*.*x"}),
        ("short_text", [], {"pattern": "((?:a|b)+)+"}),
        ("numeric", [], {"value": "many"}),
        ("numeric", [], {"value": 3, "tolerance": -1}),
        ("ordering", ["only one"], {}),
        ("essay", [], {}),
    ],
)
def test_a_question_that_is_wrong_or_unsafe_is_refused_and_nothing_is_written(course, kind, choices, answer):
    with pytest.raises(ValidationError):
        quizzes.question_create(
            actor=course.owner,
            course=course,
            data=quizzes.QuestionInput(kind=kind, prompt="Q?", choices=choices, answer=answer),
        )
    assert not Question.objects.exists()


@pytest.mark.parametrize(
    "pattern",
    [r"cone\s*(6|six)", r"^(kaolin|china clay)s?$", r"[0-9]{3,4} ?°?C", r"(ab)?c+", r"(?:cone )?6", r"[*+]+\++"],
)
def test_safe_patterns_are_taken(pattern):
    quizzes.check_pattern(pattern)


def test_only_who_teaches_the_course_writes_its_bank(course, co_instructor, other_instructor, learner, admin):
    data = quizzes.QuestionInput(kind="true_false", prompt="Clay shrinks as it dries.", answer={"value": True})
    for who in (other_instructor, learner, None):
        with pytest.raises(PermissionDenied):
            quizzes.question_create(actor=who, course=course, data=data)
    for who in (course.owner, co_instructor, admin):
        quizzes.question_create(actor=who, course=course, data=data)
    assert Question.objects.filter(course=course).count() == 3


def test_an_answered_question_cannot_be_deleted(course, learner, enrolment):
    quiz = make_quiz(course, kinds=("single",))
    attempt = _start(learner, enrolment, quiz)
    question = Question.objects.get()
    quizzes.answer_save(user=learner, attempt=attempt, question_id=question.pk, response="c1")
    with pytest.raises(ValidationError) as refused:
        quizzes.question_delete(actor=course.owner, question=question)
    assert refused.value.code == "question_answered"


def test_a_quiz_takes_only_its_courses_questions_and_only_on_a_quiz_lesson(course):
    other = make_course(lessons=1)
    foreign = make_question(other, "single")
    quiz = make_quiz(course, kinds=("single",))
    with pytest.raises(ValidationError):
        quizzes.quiz_update(
            actor=course.owner, lesson=quiz.lesson, settings=quizzes.QuizSettings(), question_ids=[foreign.pk]
        )
    with pytest.raises(ValidationError) as refused:
        quizzes.quiz_update(actor=course.owner, lesson=lessons_of(course)[0], settings=quizzes.QuizSettings())
    assert refused.value.code == "not_a_quiz"
    with pytest.raises(ValidationError):
        quizzes.quiz_update(
            actor=course.owner, lesson=quiz.lesson, settings=quizzes.QuizSettings(feedback="after_due_date")
        )


# --- Grading ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "right", "wrong"),
    [
        ("single", "c2", "c1"),
        ("multiple", ["c4", "c1", "c2"], ["c1", "c2"]),
        ("true_false", True, False),
        ("short_text", "  kaOLin ", "Ball clay"),
        ("numeric", "1229.5", 1231),
        ("ordering", ["c1", "c2", "c3", "c4"], ["c2", "c1", "c3", "c4"]),
    ],
)
def test_every_kind_is_graded(course, kind, right, wrong):
    question = make_question(course, kind)
    assert quizzes.grade(question, quizzes.clean_response(question, right)[0])
    assert not quizzes.grade(question, quizzes.clean_response(question, wrong)[0])


def test_short_text_by_pattern_and_case(course):
    pattern = make_question(course, "short_text", answer={"pattern": r"cone\s*(6|six)", "case_sensitive": False})
    assert quizzes.grade(pattern, "Cone six") and quizzes.grade(pattern, "CONE6")
    assert not quizzes.grade(pattern, "cone 10")
    exact = make_question(course, "short_text", answer={"accepted": ["Kaolin"], "case_sensitive": True})
    assert quizzes.grade(exact, "Kaolin") and not quizzes.grade(exact, "kaolin")


@pytest.mark.parametrize(
    ("kind", "response"),
    [
        ("single", "c9"),
        ("single", 1),
        ("multiple", "c1"),
        ("true_false", "true"),
        ("short_text", 5),
        ("numeric", "lots"),
        ("numeric", True),
        ("ordering", ["c1", "c2"]),
        ("ordering", ["c1", "c1", "c2", "c3"]),
    ],
)
def test_a_response_not_of_its_kind_is_refused(course, learner, enrolment, kind, response):
    quiz = make_quiz(course, kinds=(kind,))
    attempt = _start(learner, enrolment, quiz)
    with pytest.raises(ValidationError) as refused:
        quizzes.answer_save(user=learner, attempt=attempt, question_id=attempt.order["questions"][0], response=response)
    assert refused.value.code == "bad_answer"
    assert not Answer.objects.exists()


def test_a_passed_quiz_completes_its_lesson_and_the_course(course, learner, enrolment):
    lessons = lessons_of(course)
    quiz = make_quiz(course, kinds=ALL_KINDS, pass_percent=80)
    for lesson in lessons[:-1]:
        LessonProgress.objects.create(enrolment=enrolment, lesson=lesson, completed_at=timezone.now())
    attempt = _start(learner, enrolment, quiz)
    answers = right_answers(attempt)
    wrong_one = attempt.order["questions"][0]
    for pk, response in answers.items():
        if pk != wrong_one:
            quizzes.answer_save(user=learner, attempt=attempt, question_id=pk, response=response)
    graded = quizzes.attempt_submit(user=learner, attempt=attempt)
    assert (graded.score, graded.max_score, graded.percent, graded.passed) == (5, 6, Decimal("83.33"), True)
    assert LessonProgress.objects.get(enrolment=enrolment, lesson=quiz.lesson).completed_at is not None
    enrolment.refresh_from_db()
    assert enrolment.completed_at is not None


def test_a_failed_quiz_does_not_complete_its_lesson(course, learner, enrolment):
    quiz = make_quiz(course, kinds=("single", "true_false"), pass_percent=100)
    attempt = _start(learner, enrolment, quiz)
    quizzes.answer_save(user=learner, attempt=attempt, question_id=attempt.order["questions"][0], response=None)
    graded = quizzes.attempt_submit(user=learner, attempt=attempt)
    assert graded.passed is False and graded.percent == 0
    assert not LessonProgress.objects.filter(lesson=quiz.lesson, completed_at__isnull=False).exists()


def test_a_quiz_passed_opens_the_lesson_that_needs_it(course, learner, enrolment):
    from apps.lms import selectors

    first, second, third = lessons_of(course)
    quiz = make_quiz(course, kinds=("true_false",), lesson=second)
    type(third).objects.filter(pk=third.pk).update(prerequisite=second)
    third.refresh_from_db()
    third.course = course
    assert selectors.lesson_lock_for(third, selectors.learner_state(enrolment)) is not None
    attempt = _start(learner, enrolment, quiz)
    quizzes.answer_save(user=learner, attempt=attempt, question_id=attempt.order["questions"][0], response=True)
    quizzes.attempt_submit(user=learner, attempt=attempt)
    assert selectors.lesson_lock_for(third, selectors.learner_state(enrolment)) is None


# --- Attempts -----------------------------------------------------------------------------------


def test_the_shuffle_is_fixed_per_attempt(course, learner, enrolment):
    quiz = make_quiz(course, kinds=ALL_KINDS, shuffle_questions=True, shuffle_choices=True, attempts_allowed=None)
    attempt = _start(learner, enrolment, quiz)
    again = _start(learner, enrolment, quiz)  # resumes: the same order
    assert again.pk == attempt.pk and again.order == attempt.order
    shown = selectors_quizzes.attempt_view(attempt, attempts_used=1).items
    assert [item["id"] for item in shown] == attempt.order["questions"]
    for item in shown:
        if str(item["id"]) in attempt.order["choices"]:
            assert [choice["id"] for choice in item["choices"]] == attempt.order["choices"][str(item["id"])]
    ordering = Question.objects.get(kind="ordering")
    assert attempt.order["choices"][str(ordering.pk)] != ordering.answer["order"]  # never shown solved
    orders = set()
    for _ in range(8):
        quizzes.attempt_submit(user=learner, attempt=attempt)
        attempt = _start(learner, enrolment, quiz)
        orders.add(tuple(attempt.order["questions"]))
    assert len(orders) > 1  # shuffled anew for each attempt


def test_attempts_stop_at_the_quiz_limit(course, learner, enrolment):
    quiz = make_quiz(course, kinds=("single",), attempts_allowed=2)
    for _ in range(2):
        quizzes.attempt_submit(user=learner, attempt=_start(learner, enrolment, quiz))
    with pytest.raises(ValidationError) as refused:
        _start(learner, enrolment, quiz)
    assert refused.value.code == "no_attempts_left"
    assert Attempt.objects.count() == 2
    assert selectors_quizzes.quiz_panel(quiz.lesson, enrolment).left == 0


def test_only_the_enrolled_learner_takes_a_quiz(course, learner, enrolment, outsider, instructor):
    quiz = make_quiz(course)
    for who in (outsider, instructor):
        with pytest.raises(PermissionDenied):
            quizzes.attempt_start(user=who, enrolment=None, quiz=quiz)
    with pytest.raises(PermissionDenied):
        quizzes.attempt_start(user=outsider, enrolment=enrolment, quiz=quiz)
    attempt = _start(learner, enrolment, quiz)
    with pytest.raises(PermissionDenied):
        quizzes.answer_save(user=outsider, attempt=attempt, question_id=attempt.order["questions"][0], response="c1")
    with pytest.raises(PermissionDenied):
        quizzes.attempt_submit(user=instructor, attempt=attempt)


def test_a_locked_quiz_lesson_cannot_be_started(course, learner, enrolment):
    first, _, last = lessons_of(course)
    quiz = make_quiz(course, lesson=last)
    type(last).objects.filter(pk=last.pk).update(prerequisite=first)
    quiz.lesson.refresh_from_db()
    with pytest.raises(PermissionDenied, match="Complete"):
        _start(learner, enrolment, quiz)


def test_a_submitted_attempt_takes_no_answer_and_no_second_submission(course, learner, enrolment):
    quiz = make_quiz(course)
    attempt = _start(learner, enrolment, quiz)
    quizzes.attempt_submit(user=learner, attempt=attempt)
    with pytest.raises(ValidationError) as refused:
        quizzes.answer_save(user=learner, attempt=attempt, question_id=attempt.order["questions"][0], response=True)
    assert refused.value.code == "attempt_closed"
    with pytest.raises(ValidationError) as again:
        quizzes.attempt_submit(user=learner, attempt=attempt)
    assert again.value.code == "already_submitted"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the races run on PostgreSQL (CI does)")
@pytest.mark.django_db(transaction=True)
def test_starts_at_once_give_one_attempt():
    learner = UserFactory(roles=["student"])
    course = make_course(lessons=1)
    enrolment = enrol(learner, course)
    quiz = make_quiz(course, attempts_allowed=1)

    def start(index: int) -> int:
        fresh = Enrolment.objects.get(pk=enrolment.pk)
        return quizzes.attempt_start(user=learner, enrolment=fresh, quiz=quiz).attempt.pk

    results = race(start, times=8)

    assert len(set(results)) == 1, results
    assert Attempt.objects.filter(enrolment=enrolment).count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the races run on PostgreSQL (CI does)")
@pytest.mark.django_db(transaction=True)
def test_submissions_and_beat_at_once_grade_an_expired_attempt_once():
    learner = UserFactory(roles=["student"])
    course = make_course(lessons=1)
    enrolment = enrol(learner, course)
    quiz = make_quiz(course, time_limit_seconds=30, pass_percent=0)  # a pass completes the course
    attempt = quizzes.attempt_start(user=learner, enrolment=enrolment, quiz=quiz).attempt
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(minutes=1))

    def close(index: int) -> int:
        if index % 2:
            return quizzes.attempts_close_expired()
        fresh = selectors_quizzes.attempt_get_for_user(user=learner, pk=attempt.pk)
        return int(quizzes.attempt_submit(user=learner, attempt=fresh).timed_out)

    results = race(close, times=6)

    closed = [result for result in results if result == 1]
    refused = [result for result in results if isinstance(result, ValidationError)]
    assert len(closed) == 1 and len(closed) + len(refused) + results.count(0) == 6, results
    assert Enrolment.objects.get(pk=enrolment.pk).completed_at is not None


def test_the_open_attempt_index_refuses_a_second_open_attempt(course, learner, enrolment):
    from django.db import IntegrityError, transaction

    quiz = make_quiz(course)
    attempt = _start(learner, enrolment, quiz)
    with pytest.raises(IntegrityError), transaction.atomic():
        Attempt.objects.create(quiz=quiz, enrolment=enrolment, number=attempt.number + 1, order={})


# --- The server's clock -------------------------------------------------------------------------


def test_the_server_clock_decides_what_counts(course, learner, enrolment):
    quiz = make_quiz(course, kinds=("single", "true_false"), time_limit_seconds=120)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        attempt = _start(learner, enrolment, quiz)
        assert attempt.deadline == start + timedelta(seconds=120)
        first, second = attempt.order["questions"]
        answers = right_answers(attempt)
        clock.move_to(start + timedelta(seconds=121))  # within the grace: counts
        quizzes.answer_save(user=learner, attempt=attempt, question_id=first, response=answers[first])
        clock.move_to(start + timedelta(seconds=123))  # past it: refused, whatever the client thinks
        with pytest.raises(ValidationError) as refused:
            quizzes.answer_save(user=learner, attempt=attempt, question_id=second, response=answers[second])
        assert refused.value.code == "past_deadline"
        graded = quizzes.attempt_submit(user=learner, attempt=attempt)
    assert graded.timed_out and graded.submitted_at is not None
    assert graded.score == 1 and graded.max_score == 2  # what was saved in time
    assert Answer.objects.filter(attempt=attempt).count() == 1


def test_an_expired_attempt_is_closed_by_the_next_start_or_by_beat(course, learner, enrolment):
    quiz = make_quiz(course, time_limit_seconds=60, attempts_allowed=3)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        first = _start(learner, enrolment, quiz)
        clock.move_to(start + timedelta(minutes=5))
        second = _start(learner, enrolment, quiz)
        first.refresh_from_db()
        assert first.timed_out and first.submitted_at is not None and second.number == 2
        clock.move_to(start + timedelta(minutes=10))
        assert quizzes.attempts_close_expired() == 1
    second.refresh_from_db()
    assert second.timed_out and not Attempt.objects.filter(submitted_at__isnull=True).exists()


# --- Nothing leaks ------------------------------------------------------------------------------


def test_an_open_attempt_shows_no_correct_answer(course, learner, enrolment):
    quiz = make_quiz(course, kinds=ALL_KINDS)
    attempt = _start(learner, enrolment, quiz)
    for item in selectors_quizzes.attempt_view(attempt, attempts_used=1).items:
        assert set(item) == {"id", "kind", "prompt", "points", "choices", "response"}


@pytest.mark.parametrize(
    ("feedback", "extra", "reveal_after"),
    [
        ("immediate", {}, [True, True]),
        ("after_last_attempt", {"attempts_allowed": 2}, [False, True]),
        ("after_due_date", {"due_at": "later"}, [False, False]),
    ],
)
def test_results_reveal_what_was_right_as_the_feedback_setting_says(
    course, learner, enrolment, feedback, extra, reveal_after
):
    if extra.get("due_at"):
        extra = {"due_at": timezone.now() + timedelta(days=2)}
    quiz = make_quiz(course, kinds=("single",), feedback=feedback, **{"attempts_allowed": 2, **extra})
    for expected in reveal_after:
        quizzes.attempt_submit(user=learner, attempt=_start(learner, enrolment, quiz))
        panel = selectors_quizzes.quiz_panel(quiz.lesson, enrolment)
        assert panel.current.reveal is expected
        assert ("correct_answer" in panel.current.items[0]) is expected
        assert panel.current.attempt.percent is not None  # the score is always shown
    if feedback == "after_due_date":
        with time_machine.travel(timezone.now() + timedelta(days=3)):
            assert selectors_quizzes.quiz_panel(quiz.lesson, enrolment).current.reveal


# --- Statistics and best scores -----------------------------------------------------------------


def test_item_statistics_and_best_scores(course, learner, enrolment, outsider, django_assert_num_queries):
    quiz = make_quiz(course, kinds=("single", "true_false"), attempts_allowed=None)
    other = enrol(outsider, course)
    single, truth = (Question.objects.get(kind=kind) for kind in ("single", "true_false"))
    plan = [(learner, enrolment, "c1", True), (learner, enrolment, "c2", True), (outsider, other, "c1", False)]
    for user, place, choice, value in plan:
        attempt = _start(user, place, quiz)
        quizzes.answer_save(user=user, attempt=attempt, question_id=single.pk, response=choice)
        quizzes.answer_save(user=user, attempt=attempt, question_id=truth.pk, response=value)
        quizzes.attempt_submit(user=user, attempt=attempt)
    _start(learner, enrolment, quiz)  # open: not counted
    with django_assert_num_queries(2):
        stats = {stat.question.kind: stat for stat in selectors_quizzes.quiz_item_stats(quiz)}
    assert stats["single"].answered == 3 and stats["single"].correct_percent == Decimal("33.3")
    assert (stats["single"].top_wrong, stats["single"].top_wrong_count) == ("Cone 6", 2)
    assert stats["true_false"].average_points == Decimal("0.67") and stats["true_false"].top_wrong == "False"
    with django_assert_num_queries(1):
        best = selectors_quizzes.quiz_best_scores(course, [enrolment.pk, other.pk])
    assert best == {enrolment.pk: {quiz.pk: Decimal("100.00")}, other.pk: {quiz.pk: Decimal("0.00")}}


def test_beat_closes_expired_attempts_every_minute(course, learner, enrolment):
    from apps.core.platform import registry
    from apps.lms.tasks import close_expired_attempts
    from config.celery import app as celery_app

    assert registry().beat_schedule()["lms.close_expired_attempts"]["schedule"] == 60.0
    celery_app.loader.import_default_modules()
    assert "lms.close_expired_attempts" in celery_app.tasks
    quiz = make_quiz(course, time_limit_seconds=30)
    _start(learner, enrolment, quiz)
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        assert close_expired_attempts() == 1
    assert Attempt.objects.get().timed_out


def test_a_course_with_answered_quizzes_can_still_be_deleted(course, learner, enrolment):
    quiz = make_quiz(course, kinds=("single",))
    attempt = _start(learner, enrolment, quiz)
    quizzes.answer_save(user=learner, attempt=attempt, question_id=attempt.order["questions"][0], response="c1")
    quizzes.attempt_submit(user=learner, attempt=attempt)
    course.delete()
    assert not Question.objects.exists() and not Answer.objects.exists()
