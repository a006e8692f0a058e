"""Writes of quizzes: a course's question bank, a quiz lesson's settings and questions, and a
learner's attempts (start, answers saved as they go, submission and grading).

Timing is the server's: an attempt's ``deadline`` is computed here at its start (``started_at``
plus the quiz's time limit), and every answer and submission is judged against the server's
clock, whatever the browser's countdown says. ``GRACE`` (two seconds) absorbs the network: an
answer the learner sent as the countdown ran out still counts if it arrives within it; nothing
later does. An attempt past its deadline is graded with the answers saved in time when its
learner submits it, starts another, or beat sweeps it (``attempts_close_expired``), so no
learner is left with an attempt open for ever.

What is correct (``Question.answer``, ``explanation``) never reaches a learner before they
submitted: every surface shows a question through ``question_public``, which has no answer data,
and the results through ``question_result``, which adds it only when the quiz's feedback setting
allows (``permissions.quiz_feedback_open``).

Concurrency: starts lock the enrolment's row, so two at once give one attempt (the partial
unique index ``lms_one_open_attempt`` refuses a second open one besides); saving an answer and
submitting lock the attempt's row, so no answer lands in a graded attempt.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.core.models import User
from apps.lms import permissions, selectors
from apps.lms.models import Answer, Attempt, Course, Enrolment, Lesson, Question, Quiz, QuizQuestion
from apps.lms.services import learning

GRACE = timedelta(seconds=2)  # the network's share of a deadline (see the module's docstring)
MAX_CHOICES = 12
MAX_CHOICE_CHARS = 300
MAX_ACCEPTED = 20
MAX_TEXT_ANSWER = 200  # a short text answer is cut to this before it is matched
MAX_PATTERN = 200
MAX_PATTERN_GROUPS = 10
MAX_QUESTIONS_PER_QUIZ = 100
MAX_QUESTIONS_PER_COURSE = 1000
TRUE_FALSE_CHOICES = ({"id": "true", "text": "True"}, {"id": "false", "text": "False"})
CHOICE_KINDS = frozenset({Question.Kind.SINGLE, Question.Kind.MULTIPLE, Question.Kind.ORDERING})
CENT = Decimal("0.01")
_rng = random.SystemRandom()


def _require_manage(actor: User | None, course: Course) -> None:
    if not permissions.can_manage_quizzes(actor, course):
        raise PermissionDenied("You do not teach this course.")


# --- Questions ---------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class QuestionInput:
    """A question as an instructor writes it. ``choices`` are texts (for ordering: in the correct
    order); ``answer`` by kind: single {"correct": index}, multiple {"correct": [indexes]},
    true_false {"value": bool}, short_text {"accepted": [texts], "case_sensitive": bool} or
    {"pattern": regex, "case_sensitive": bool}, numeric {"value": number, "tolerance": number},
    ordering {} (the choices' order is the answer)."""

    kind: str
    prompt: str
    choices: list[str] = field(default_factory=list)
    answer: dict[str, Any] = field(default_factory=dict)
    points: int = 1
    explanation: str = ""


def _choice_id(index: int) -> str:
    return f"c{index + 1}"


def _clean_choices(kind: str, texts: Any) -> list[dict[str, str]]:
    if kind not in CHOICE_KINDS:
        return []
    if not isinstance(texts, list | tuple) or not all(isinstance(text, str) for text in texts):
        raise ValidationError({"choices": "A list of choices' texts."})
    texts = [" ".join(text.split()) for text in texts if text.strip()]
    if not 2 <= len(texts) <= MAX_CHOICES:
        raise ValidationError({"choices": f"Between 2 and {MAX_CHOICES} choices."})
    if any(len(text) > MAX_CHOICE_CHARS for text in texts):
        raise ValidationError({"choices": f"Each choice at most {MAX_CHOICE_CHARS} characters."})
    if len(set(texts)) != len(texts):
        raise ValidationError({"choices": "Two choices say the same."})
    return [{"id": _choice_id(i), "text": text} for i, text in enumerate(texts)]


def _index(value: Any, count: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < count:
        raise ValidationError({"answer": f"A choice's index, from 0 to {count - 1}."})
    return value


def _decimal(value: Any, name: str = "answer") -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ValidationError({name: "A number."})
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise ValidationError({name: "A number."}) from None
    if not number.is_finite() or abs(number) >= Decimal("1e12"):
        raise ValidationError({name: "A number, less than a trillion."})
    return number


_QUANTIFIER = re.compile(r"[*+?]|\{\d*,?\d*\}")


def check_pattern(pattern: str) -> None:
    """Refuse a regular expression that could take a learner's answer exponentially long to
    match (Python's ``re`` has no timeout): at most MAX_PATTERN characters and
    MAX_PATTERN_GROUPS groups, no backreference, and no group that repeats (``+``, ``*``, ``{}``)
    while holding a repetition or an alternative itself (``(a+)+``, ``(a|aa)*``), the shapes
    that backtrack without end. Answers are cut to MAX_TEXT_ANSWER characters before matching."""
    if not pattern or len(pattern) > MAX_PATTERN:
        raise ValidationError({"answer": f"A pattern of 1 to {MAX_PATTERN} characters."})
    if re.search(r"\\[1-9]|\(\?P=", pattern):
        raise ValidationError({"answer": "A pattern may not refer back to a group."})
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise ValidationError({"answer": f"Not a valid pattern: {exc}."}) from None
    if compiled.groups > MAX_PATTERN_GROUPS or pattern.count("(") > MAX_PATTERN_GROUPS:
        raise ValidationError({"answer": f"A pattern of at most {MAX_PATTERN_GROUPS} groups."})
    # Walk the groups: which of them hold a repetition or an alternative (escapes and character
    # classes skipped), and whether one such is itself repeated.
    stack: list[bool] = []
    i, in_class = 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            stack.append(False)
        elif char == ")" and stack:
            risky = stack.pop()
            repeated = re.match(r"[*+]|\{\d*,\d*\}|\{\d{2,}\}", pattern[i + 1 :])
            if risky and repeated:
                raise ValidationError({"answer": "A repeated group may not repeat or alternate inside itself."})
            if stack and (risky or repeated):
                stack[-1] = True
        elif stack and (char == "|" or _QUANTIFIER.match(pattern, i)):
            stack[-1] = True
        i += 1


def _clean_answer(kind: str, choices: list[dict[str, str]], answer: Any) -> dict[str, Any]:
    if not isinstance(answer, dict):
        raise ValidationError({"answer": "The correct answer, as an object (see the question's kind)."})
    if kind == Question.Kind.SINGLE:
        return {"choice": _choice_id(_index(answer.get("correct"), len(choices)))}
    if kind == Question.Kind.MULTIPLE:
        picked = answer.get("correct")
        if not isinstance(picked, list | tuple) or not picked:
            raise ValidationError({"answer": "At least one correct choice's index."})
        ids = sorted({_choice_id(_index(value, len(choices))) for value in picked}, key=lambda c: int(c[1:]))
        return {"choices": ids}
    if kind == Question.Kind.TRUE_FALSE:
        if not isinstance(answer.get("value"), bool):
            raise ValidationError({"answer": "Whether the statement is true (value: true or false)."})
        return {"value": answer["value"]}
    if kind == Question.Kind.SHORT_TEXT:
        case = bool(answer.get("case_sensitive", False))
        if answer.get("pattern"):
            if not isinstance(answer["pattern"], str):
                raise ValidationError({"answer": "A pattern is text."})
            check_pattern(answer["pattern"])
            return {"pattern": answer["pattern"], "case_sensitive": case}
        accepted = answer.get("accepted")
        if not isinstance(accepted, list | tuple) or not all(isinstance(text, str) for text in accepted):
            raise ValidationError({"answer": "The accepted answers (a list of texts), or a pattern."})
        accepted = [" ".join(text.split()) for text in accepted if text.strip()]
        if not 1 <= len(accepted) <= MAX_ACCEPTED or any(len(text) > MAX_TEXT_ANSWER for text in accepted):
            raise ValidationError(
                {"answer": f"1 to {MAX_ACCEPTED} accepted answers of at most {MAX_TEXT_ANSWER} characters."}
            )
        return {"accepted": accepted, "case_sensitive": case}
    if kind == Question.Kind.NUMERIC:
        value = _decimal(answer.get("value"))
        tolerance = _decimal(answer.get("tolerance", 0))
        if tolerance < 0:
            raise ValidationError({"answer": "The tolerance is not negative."})
        return {"value": str(value), "tolerance": str(tolerance)}
    if kind == Question.Kind.ORDERING:
        return {"order": [choice["id"] for choice in choices]}
    raise ValidationError({"kind": "Unknown kind of question."})


def _clean_question(data: QuestionInput) -> dict[str, Any]:
    if data.kind not in Question.Kind.values:
        raise ValidationError({"kind": f"One of: {', '.join(Question.Kind.values)}."})
    prompt = data.prompt.strip() if isinstance(data.prompt, str) else ""
    if not prompt or len(prompt) > 2000:
        raise ValidationError({"prompt": "A question of 1 to 2000 characters."})
    if isinstance(data.points, bool) or not isinstance(data.points, int) or not 1 <= data.points <= 100:
        raise ValidationError({"points": "From 1 to 100 points."})
    explanation = (data.explanation or "").strip()
    if len(explanation) > 2000:
        raise ValidationError({"explanation": "At most 2000 characters."})
    choices = _clean_choices(data.kind, data.choices)
    return {
        "kind": data.kind,
        "prompt": prompt,
        "choices": choices,
        "answer": _clean_answer(data.kind, choices, data.answer),
        "points": data.points,
        "explanation": explanation,
    }


def question_input_of(question: Question) -> QuestionInput:
    """A question back as its input (for the editor's form and the manage API)."""
    ids = [choice["id"] for choice in question.choices]
    answer: dict[str, Any] = dict(question.answer)
    if question.kind == Question.Kind.SINGLE:
        answer = {"correct": ids.index(question.answer["choice"])}
    elif question.kind == Question.Kind.MULTIPLE:
        answer = {"correct": [ids.index(choice) for choice in question.answer["choices"]]}
    elif question.kind == Question.Kind.ORDERING:
        answer = {}
    return QuestionInput(
        kind=question.kind,
        prompt=question.prompt,
        choices=[choice["text"] for choice in question.choices],
        answer=answer,
        points=question.points,
        explanation=question.explanation,
    )


def question_create(*, actor: User, course: Course, data: QuestionInput) -> Question:
    """A new question in ``course``'s bank; who teaches it. Refused (nothing written) when a
    field is wrong, a pattern is unsafe (``check_pattern``) or the bank is full."""
    _require_manage(actor, course)
    fields = _clean_question(data)
    with transaction.atomic():
        Course.objects.select_for_update().filter(pk=course.pk).first()
        if Question.objects.filter(course=course).count() >= MAX_QUESTIONS_PER_COURSE:
            raise ValidationError(f"A course's bank holds at most {MAX_QUESTIONS_PER_COURSE} questions.", code="full")
        return Question.objects.create(course=course, **fields)


def question_update(*, actor: User, question: Question, data: QuestionInput) -> Question:
    """Rewrite a question (its kind too). Attempts already graded keep their scores; open ones
    are graded against what it says at their submission."""
    _require_manage(actor, question.course)
    fields = _clean_question(data)
    for name, value in fields.items():
        setattr(question, name, value)
    question.updated_at = timezone.now()
    question.save()
    return question


def question_delete(*, actor: User, question: Question) -> None:
    """Take a question out of the bank (and its quizzes). One learners answered is kept, for
    their attempts and the statistics: remove it from the quiz instead."""
    _require_manage(actor, question.course)
    with transaction.atomic():
        if Answer.objects.filter(question=question).exists():
            raise ValidationError(
                "Learners have answered this question: remove it from its quizzes instead.", code="question_answered"
            )
        question.delete()


# --- A quiz's settings -------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class QuizSettings:
    shuffle_questions: bool = False
    shuffle_choices: bool = False
    attempts_allowed: int | None = 3
    time_limit_seconds: int | None = None
    pass_percent: int = 60
    feedback: str = Quiz.Feedback.IMMEDIATE
    due_at: datetime | None = None


def _clean_settings(settings: QuizSettings) -> dict[str, Any]:
    def whole(value: Any, name: str, low: int, high: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValidationError({name: f"A whole number from {low} to {high}."})

    if settings.attempts_allowed is not None:
        whole(settings.attempts_allowed, "attempts_allowed", 1, 100)
    if settings.time_limit_seconds is not None:
        whole(settings.time_limit_seconds, "time_limit_seconds", 30, 24 * 3600)
    whole(settings.pass_percent, "pass_percent", 0, 100)
    if settings.feedback not in Quiz.Feedback.values:
        raise ValidationError({"feedback": f"One of: {', '.join(Quiz.Feedback.values)}."})
    if settings.feedback == Quiz.Feedback.AFTER_DUE_DATE and settings.due_at is None:
        raise ValidationError({"due_at": "Feedback after the due date needs a due date."})
    if settings.feedback == Quiz.Feedback.AFTER_LAST_ATTEMPT and settings.attempts_allowed is None:
        raise ValidationError({"attempts_allowed": "Feedback after the last attempt needs a number of attempts."})
    return {
        "shuffle_questions": bool(settings.shuffle_questions),
        "shuffle_choices": bool(settings.shuffle_choices),
        "attempts_allowed": settings.attempts_allowed,
        "time_limit_seconds": settings.time_limit_seconds,
        "pass_percent": settings.pass_percent,
        "feedback": settings.feedback,
        "due_at": settings.due_at,
    }


def quiz_update(*, actor: User, lesson: Lesson, settings: QuizSettings, question_ids: list[int] | None = None) -> Quiz:
    """A quiz lesson's settings and (when given) its questions, in order, from its course's bank.
    The quiz is made with its first settings. Attempts already started keep the questions and
    order they were shown."""
    _require_manage(actor, lesson.course)
    if lesson.kind != Lesson.Kind.QUIZ:
        raise ValidationError("This lesson is not a quiz: make it one in the course editor first.", code="not_a_quiz")
    fields = _clean_settings(settings)
    with transaction.atomic():
        quiz, _ = Quiz.objects.select_for_update().get_or_create(lesson=lesson, defaults=fields)
        for name, value in fields.items():
            setattr(quiz, name, value)
        quiz.updated_at = timezone.now()
        quiz.save()
        if question_ids is not None:
            _set_questions(quiz, lesson.course_id, question_ids)
    return quiz


def _set_questions(quiz: Quiz, course_id: int, question_ids: list[int]) -> None:
    if not isinstance(question_ids, list | tuple) or any(
        isinstance(pk, bool) or not isinstance(pk, int) for pk in question_ids
    ):
        raise ValidationError({"questions": "A list of question ids."})
    if len(set(question_ids)) != len(question_ids):
        raise ValidationError({"questions": "A question appears twice."})
    if len(question_ids) > MAX_QUESTIONS_PER_QUIZ:
        raise ValidationError({"questions": f"At most {MAX_QUESTIONS_PER_QUIZ} questions."})
    known = set(Question.objects.filter(course_id=course_id, pk__in=question_ids).values_list("pk", flat=True))
    if known != set(question_ids):
        raise ValidationError({"questions": "Only questions of this course's bank."})
    QuizQuestion.objects.filter(quiz=quiz).delete()
    QuizQuestion.objects.bulk_create(
        [QuizQuestion(quiz=quiz, question_id=pk, position=i) for i, pk in enumerate(question_ids)]
    )


# --- What a learner is shown -------------------------------------------------------------------


def question_public(question: Question, *, choice_order: list[str] | None = None) -> dict[str, Any]:
    """A question as a learner may see it before submitting: its prompt, points and choices (in
    ``choice_order``, the attempt's shuffle), never what is correct nor the explanation. The one
    shape every page and API answer shows a question in before its attempt is submitted."""
    choices = list(TRUE_FALSE_CHOICES) if question.kind == Question.Kind.TRUE_FALSE else list(question.choices)
    if choice_order:
        by_id = {choice["id"]: choice for choice in choices}
        choices = [by_id[pk] for pk in choice_order if pk in by_id]
    return {
        "id": question.pk,
        "kind": question.kind,
        "prompt": question.prompt,
        "points": question.points,
        "choices": [{"id": choice["id"], "text": choice["text"]} for choice in choices],
    }


def correct_answer(question: Question) -> Any:
    """What is correct, in a response's own shape (for results, once they may be shown)."""
    answer = question.answer
    return {
        Question.Kind.SINGLE: lambda: answer["choice"],
        Question.Kind.MULTIPLE: lambda: answer["choices"],
        Question.Kind.TRUE_FALSE: lambda: answer["value"],
        Question.Kind.SHORT_TEXT: lambda: answer["accepted"][0] if "accepted" in answer else answer["pattern"],
        Question.Kind.NUMERIC: lambda: answer["value"],
        Question.Kind.ORDERING: lambda: answer["order"],
    }[question.kind]()


def question_result(
    question: Question, answer: Answer | None, *, choice_order: list[str] | None, reveal: bool
) -> dict[str, Any]:
    """A question of a submitted attempt: what the learner answered and, when ``reveal`` (the
    feedback setting allows it), whether it was right, its points, what is correct and why."""
    data = question_public(question, choice_order=choice_order)
    data["response"] = answer.response if answer is not None else None
    if reveal:
        data["correct"] = bool(answer is not None and answer.correct)
        data["points_awarded"] = str(answer.points if answer is not None and answer.points is not None else 0)
        data["correct_answer"] = correct_answer(question)
        data["explanation"] = question.explanation
    return data


# --- Responses and grading ---------------------------------------------------------------------


def _fold(text: str, case_sensitive: bool) -> str:
    text = " ".join(text.split())
    return text if case_sensitive else text.casefold()


def clean_response(question: Question, response: Any) -> tuple[Any, str]:
    """A learner's response in its kind's shape and as a comparable key; ValidationError
    (``bad_answer``) when it is not one: single a choice's id, multiple a list of them,
    true_false a boolean, short_text a text, numeric a number, ordering every choice's id once."""
    ids = [choice["id"] for choice in question.choices]
    kind = question.kind

    def bad(message: str) -> ValidationError:
        return ValidationError(message, code="bad_answer")

    if kind == Question.Kind.SINGLE:
        if not isinstance(response, str) or response not in ids:
            raise bad("Pick one of the choices (its id).")
        return response, response
    if kind == Question.Kind.MULTIPLE:
        if not isinstance(response, list) or not all(isinstance(pk, str) and pk in ids for pk in response):
            raise bad("Pick choices (a list of their ids).")
        picked = [pk for pk in ids if pk in set(response)]
        return picked, ",".join(picked)
    if kind == Question.Kind.TRUE_FALSE:
        if not isinstance(response, bool):
            raise bad("Answer true or false.")
        return response, "true" if response else "false"
    if kind == Question.Kind.SHORT_TEXT:
        if not isinstance(response, str):
            raise bad("Answer with a short text.")
        text = " ".join(response.split())[:MAX_TEXT_ANSWER]
        return text, text.casefold()
    if kind == Question.Kind.NUMERIC:
        try:
            number = _decimal(response)
        except ValidationError:
            raise bad("Answer with a number.") from None
        return str(number), str(number.normalize())
    if kind == Question.Kind.ORDERING:
        if not isinstance(response, list) or sorted(map(str, response)) != sorted(ids) or len(response) != len(ids):
            raise bad("Put every item in order (a list of all their ids).")
        return list(response), ",".join(response)
    raise bad("Unknown kind of question.")


def grade(question: Question, response: Any) -> bool:
    """Whether ``response`` (already cleaned) is correct. All or nothing for every kind: a
    multiple choice is right when exactly the correct choices are picked."""
    answer, kind = question.answer, question.kind
    if response is None:
        return False
    if kind == Question.Kind.SINGLE:
        return response == answer.get("choice")
    if kind == Question.Kind.MULTIPLE:
        return sorted(response) == sorted(answer.get("choices", []))
    if kind == Question.Kind.TRUE_FALSE:
        return response is answer.get("value")
    if kind == Question.Kind.SHORT_TEXT:
        case = bool(answer.get("case_sensitive"))
        text = " ".join(str(response).split())[:MAX_TEXT_ANSWER]
        if "pattern" in answer:
            return re.fullmatch(answer["pattern"], text, 0 if case else re.IGNORECASE) is not None
        return _fold(text, case) in {_fold(accepted, case) for accepted in answer.get("accepted", [])}
    if kind == Question.Kind.NUMERIC:
        value, tolerance = Decimal(answer["value"]), Decimal(answer.get("tolerance", "0"))
        return abs(Decimal(str(response)) - value) <= tolerance
    if kind == Question.Kind.ORDERING:
        return list(response) == list(answer.get("order", []))
    return False


# --- Attempts ----------------------------------------------------------------------------------


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
        Enrolment.objects.select_for_update().filter(pk=enrolment.pk).first()
        attempts = Attempt.objects.filter(quiz=quiz, enrolment=enrolment)
        current = attempts.filter(submitted_at__isnull=True).select_related("enrolment").first()
        if current is not None and not expired(current, now):
            return Started(current, False)
        if current is not None:
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
    due = Attempt.objects.filter(submitted_at__isnull=True, deadline__lt=now - GRACE).values_list("pk", flat=True)
    closed = 0
    for pk in list(due[:1000]):
        with transaction.atomic():
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
