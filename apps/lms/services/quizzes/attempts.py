"""A learner's attempts: start, answers saved as they go, submission and grading, and beat's
sweep of attempts past their deadline (see the package's docstring on timing and locks)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.core.models import User
from apps.lms import permissions, selectors
from apps.lms.models import Answer, Attempt, Enrolment, Question, Quiz
from apps.lms.services import learning
from apps.lms.services.quizzes.grading import CHOICE_KINDS, clean_response, grade

GRACE = timedelta(seconds=2)  # the network's share of a deadline (see the package's docstring)
CENT = Decimal("0.01")
_rng = random.SystemRandom()


def expired(attempt: Attempt, now: datetime | None = None) -> bool:
    """Past its deadline and the network's grace, by the server's clock."""
    return attempt.deadline is not None and (now or timezone.now()) > attempt.deadline + GRACE


def _shuffled_order(quiz: Quiz, questions: list[Question]) -> dict[str, Any]:
    ids = [question.pk for question in questions]
    if quiz.shuffle_questions:
        _rng.shuffle(ids)
    choices: dict[str, list[str]] = {}
    for question in questions:
        if question.kind not in CHOICE_KINDS:
            continue
        order = [choice["id"] for choice in question.choices]
        # Items to put in order are always shuffled, and never shown in the correct order.
        if quiz.shuffle_choices or question.kind == Question.Kind.ORDERING:
            correct = list(order)
            _rng.shuffle(order)
            if question.kind == Question.Kind.ORDERING and order == correct:
                order = order[1:] + order[:1]
        choices[str(question.pk)] = order
    return {"questions": ids, "choices": choices}


def _require_learner(user: User, attempt: Attempt) -> None:
    if not permissions.can_record_progress(user, attempt.enrolment) or attempt.enrolment.user_id != user.pk:
        raise PermissionDenied("This is not your attempt.")


@dataclass(frozen=True)
class Started:
    attempt: Attempt
    created: bool


def attempt_start(*, user: User, enrolment: Enrolment | None, quiz: Quiz) -> Started:
    """Start an attempt at ``quiz`` (or resume the one open): the questions in the order this
    attempt shows them (shuffled once, here, when the quiz says so) and a deadline by the
    server's clock. An open attempt past its deadline is graded first. Refused beyond the quiz's
    attempts (``no_attempts_left``), for a quiz without questions (``quiz_empty``) and for who
    may not take it (PermissionDenied with the reason). Starts at once give one attempt: the
    enrolment's row is locked, and the open-attempt index refuses a second besides."""
    lesson = quiz.lesson
    state = selectors.learner_state(enrolment)
    lock = selectors.lesson_lock_for(lesson, state) if enrolment is not None else None
    refusal = permissions.quiz_refusal(user, lesson, enrolment=enrolment, lock=lock)
    if refusal is not None:
        raise PermissionDenied(refusal)
    now = timezone.now()
    with transaction.atomic():
        _lock_enrolment(enrolment.pk)
        attempts = Attempt.objects.filter(quiz=quiz, enrolment=enrolment)
        current = attempts.filter(submitted_at__isnull=True).select_for_update().first()
        if current is not None and not expired(current, now):
            return Started(current, False)
        if current is not None:
            current.enrolment, current.quiz = enrolment, quiz
            _close(current, now=now, timed_out=True)
        used = attempts.count()
        if quiz.attempts_allowed is not None and used >= quiz.attempts_allowed:
            raise ValidationError("You have used every attempt at this quiz.", code="no_attempts_left")
        questions = list(Question.objects.filter(items__quiz=quiz).order_by("items__position", "items__pk"))
        if not questions:
            raise ValidationError("This quiz has no questions yet.", code="quiz_empty")
        deadline = now + timedelta(seconds=quiz.time_limit_seconds) if quiz.time_limit_seconds else None
        try:
            with transaction.atomic():
                attempt = Attempt.objects.create(
                    quiz=quiz,
                    enrolment=enrolment,
                    number=used + 1,
                    started_at=now,
                    deadline=deadline,
                    order=_shuffled_order(quiz, questions),
                )
        except IntegrityError:  # a start that did not wait for the lock (no row lock on SQLite)
            return Started(attempts.get(submitted_at__isnull=True), False)
    attempt.enrolment = enrolment
    return Started(attempt, True)


def _lock_enrolment(enrolment_id: int) -> None:
    """Lock the learner's enrolment row. Whoever may close an attempt (and so complete the lesson
    and the course, which locks the enrolment again) takes it before the attempt's row: one order
    for starts, submissions and beat's sweep, so none waits on another in a cycle."""
    Enrolment.objects.select_for_update().filter(pk=enrolment_id).first()


def _locked_attempt(attempt: Attempt) -> Attempt:
    row = Attempt.objects.select_for_update().get(pk=attempt.pk)
    row.enrolment = attempt.enrolment
    row.quiz = attempt.quiz
    return row


def answer_save(*, user: User, attempt: Attempt, question_id: int, response: Any) -> Answer | None:
    """Save the learner's answer to one question of their open attempt (None clears it). Refused
    once the attempt is submitted (``attempt_closed``) or past its deadline by the server's clock
    plus GRACE (``past_deadline``), whatever the browser's countdown says; a question the attempt
    does not hold (``not_in_attempt``) or a response not of its kind (``bad_answer``)."""
    _require_learner(user, attempt)
    now = timezone.now()
    with transaction.atomic():
        row = _locked_attempt(attempt)
        if row.submitted_at is not None:
            raise ValidationError("This attempt is already submitted.", code="attempt_closed")
        if expired(row, now):
            raise ValidationError(time_up(row), code="past_deadline")
        if question_id not in row.order.get("questions", []):
            raise ValidationError("That question is not in this attempt.", code="not_in_attempt")
        question = Question.objects.filter(pk=question_id).first()
        if question is None:
            raise ValidationError("That question is not in this attempt.", code="not_in_attempt")
        if response is None:
            Answer.objects.filter(attempt=row, question=question).delete()
            return None
        value, key = clean_response(question, response)
        answer, _ = Answer.objects.update_or_create(
            attempt=row, question=question, defaults={"response": value, "key": key[:300], "saved_at": now}
        )
    return answer


def time_up(attempt: Attempt) -> str:
    when = timezone.localtime(attempt.deadline).strftime("%H:%M:%S")
    return f"Time was up at {when}: answers sent after it are not saved."


def attempt_submit(*, user: User, attempt: Attempt) -> Attempt:
    """Submit the learner's open attempt and grade it. Past its deadline the submission itself is
    refused, but the attempt is graded with the answers saved in time and closed (``timed_out``
    set: callers say so), so no learner is left with an attempt open. Passing completes the quiz
    lesson (``learning.lesson_complete``: progress, prerequisites and the course's completion
    follow). Submitting a submitted attempt: ``already_submitted``."""
    _require_learner(user, attempt)
    now = timezone.now()
    with transaction.atomic():
        _lock_enrolment(attempt.enrolment_id)  # first, as every writer that may complete the lesson
        row = _locked_attempt(attempt)
        if row.submitted_at is not None:
            raise ValidationError("This attempt is already submitted.", code="already_submitted")
        _close(row, now=now, timed_out=expired(row, now))
    return row


def _close(attempt: Attempt, *, now: datetime, timed_out: bool) -> None:
    """Grade ``attempt`` (locked by the caller) with its saved answers and close it."""
    ids = attempt.order.get("questions", [])
    questions = {question.pk: question for question in Question.objects.filter(pk__in=ids)}
    answers = {answer.question_id: answer for answer in Answer.objects.filter(attempt=attempt)}
    score, total = Decimal(0), Decimal(0)
    for pk in ids:
        question = questions.get(pk)
        if question is None:  # taken out of the bank since: it counts for nobody
            continue
        total += question.points
        answer = answers.get(pk)
        if answer is None:
            continue
        answer.correct = grade(question, answer.response)
        answer.points = Decimal(question.points) if answer.correct else Decimal(0)
        score += answer.points
    Answer.objects.bulk_update(list(answers.values()), ["correct", "points"])
    attempt.score, attempt.max_score = score, total
    attempt.percent = (score * 100 / total).quantize(CENT, ROUND_HALF_UP) if total else Decimal(0)
    attempt.passed = attempt.percent >= attempt.quiz.pass_percent
    attempt.submitted_at, attempt.timed_out = now, timed_out
    attempt.save(update_fields=["score", "max_score", "percent", "passed", "submitted_at", "timed_out"])
    if attempt.passed:
        _complete_lesson(attempt)


def _complete_lesson(attempt: Attempt) -> None:
    enrolment = attempt.enrolment
    lesson = attempt.quiz.lesson
    if not (lesson.live and lesson.course.live) or enrolment.revoked_at is not None:
        return  # graded all the same; there is no progress to record in a closed lesson
    user = User.objects.get(pk=enrolment.user_id)
    try:
        with transaction.atomic():
            learning.lesson_complete(user=user, enrolment=enrolment, lesson=lesson, how="passed")
    except (ValidationError, PermissionDenied):  # locked meanwhile: the grade stands without it
        pass


def attempts_close_expired(*, now: datetime | None = None) -> int:
    """Grade and close every open attempt past its deadline (beat, every minute): each under its
    row's lock, skipped if its learner submitted it meanwhile. Returns how many were closed."""
    now = now or timezone.now()
    due = Attempt.objects.filter(submitted_at__isnull=True, deadline__lt=now - GRACE).values_list("pk", "enrolment_id")
    closed = 0
    for pk, enrolment_id in list(due[:1000]):
        with transaction.atomic():
            _lock_enrolment(enrolment_id)
            row = (
                Attempt.objects.select_for_update(of=("self",))
                .select_related("enrolment", "quiz__lesson__course")
                .filter(pk=pk, submitted_at__isnull=True)
                .first()
            )
            if row is not None:
                _close(row, now=now, timed_out=True)
                closed += 1
    return closed
