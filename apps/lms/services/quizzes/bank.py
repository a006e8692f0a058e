"""A course's question bank and a quiz lesson's settings, for who teaches the course
(``permissions.can_manage_quizzes``). Every question is validated on save; a short text's
regular expression passes ``check_pattern`` first."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from apps.core.models import User
from apps.lms import permissions
from apps.lms.models import Answer, Course, Lesson, Question, Quiz, QuizQuestion
from apps.lms.services.quizzes.grading import CHOICE_KINDS, MAX_TEXT_ANSWER, decimal_of

MAX_CHOICES = 12
MAX_CHOICE_CHARS = 300
MAX_ACCEPTED = 20
MAX_PATTERN = 200
MAX_PATTERN_GROUPS = 10
MAX_QUESTIONS_PER_QUIZ = 100
MAX_QUESTIONS_PER_COURSE = 1000


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


_QUANTIFIER = re.compile(r"[*+?]|\{\d*,?\d*\}")


def check_pattern(pattern: str) -> None:
    """Refuse a regular expression that could take a learner's answer exponentially long to
    match (Python's ``re`` has no timeout): at most MAX_PATTERN characters and
    MAX_PATTERN_GROUPS groups, no backreference, and no group that repeats (``+``, ``*``, ``{}``)
    while holding a repetition or an alternative itself (``(a+)+``, ``(a|aa)*``), the shapes
    that backtrack without end, and at most MAX_UNBOUNDED open-ended repetitions (``.*.*.*.*``
    is polynomial but slow). Answers are cut to MAX_TEXT_ANSWER characters before matching."""
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
    problem = _backtracking(pattern)
    if problem is not None:
        raise ValidationError({"answer": problem})


MAX_UNBOUNDED = 3  # "*", "+" and "{n,}" in one pattern: n ** 3 steps on a 200-character answer at worst


def _backtracking(pattern: str) -> str | None:
    """Why ``pattern`` could backtrack without end (None: it cannot). Walks its groups (escapes
    and character classes skipped): which hold a repetition or an alternative, whether such a
    group is itself repeated, and how many unbounded repetitions there are in all."""
    stack: list[bool] = []
    unbounded = 0
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
            if pattern.startswith("?", i + 1):  # (?:...), (?i): not a repetition
                i += 1
        elif char == ")" and stack:
            risky = stack.pop()
            repeated = re.match(r"[*+]|\{\d*,\d*\}|\{\d{2,}\}", pattern[i + 1 :])
            if risky and repeated:
                return "A repeated group may not repeat or alternate inside itself."
            if stack and (risky or repeated):
                stack[-1] = True
        elif stack and (char == "|" or _QUANTIFIER.match(pattern, i)):
            stack[-1] = True
        if not in_class and re.match(r"[*+]|\{\d+,\}", pattern[i:]) and char != "[":
            unbounded += 1
        i += 1
    if unbounded > MAX_UNBOUNDED:
        return f"At most {MAX_UNBOUNDED} open-ended repetitions (*, + or {{n,}}) in a pattern."
    return None


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
        value = decimal_of(answer.get("value"))
        tolerance = decimal_of(answer.get("tolerance", 0))
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
