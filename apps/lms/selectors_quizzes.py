"""Reads of quizzes: a course's question bank, a quiz and its questions, a learner's attempts
as the quiz lesson's page and the API show them, item statistics for instructors and the best
scores the gradebook reads.

Query counts are flat: the quiz panel of a lesson page is four queries whatever the number of
questions or attempts (quiz, attempts, the questions shown, the answers); item statistics two
(the questions with their aggregates, the most chosen wrong answers)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Max, Prefetch, Q
from django.utils import timezone

from apps.core.api import ID_MAX
from apps.lms import grading, permissions
from apps.lms.models import Answer, Attempt, Course, CourseInstructor, Enrolment, GradeCategory, Lesson, Question, Quiz
from apps.lms.services.quizzes import question_public, question_result


def quiz_of(lesson: Lesson) -> Quiz | None:
    """The quiz of a quiz lesson (None before its instructor set it up): one query."""
    if lesson.kind != Lesson.Kind.QUIZ:
        return None
    quiz = Quiz.objects.filter(lesson=lesson).first()
    if quiz is not None:
        quiz.lesson = lesson
    return quiz


def quiz_questions(quiz: Quiz) -> list[Question]:
    """The quiz's questions in its order: one query."""
    return list(Question.objects.filter(items__quiz=quiz).order_by("items__position", "items__pk"))


def question_bank(course: Course) -> list[Question]:
    """A course's questions, oldest first, each with ``quiz_count`` and ``answer_count``: one query."""
    return list(
        Question.objects.filter(course=course)
        .annotate(quiz_count=Count("items", distinct=True), answer_count=Count("answers", distinct=True))
        .order_by("pk")
    )


def question_get_for_editor(*, user: Any, pk: int) -> Question | None:
    """A question of a course ``user`` teaches (staff: any); None otherwise, as if it did not
    exist. Two queries (question with course, the course's co-instructors)."""
    if not 0 < pk <= ID_MAX:
        return None
    question = (
        Question.objects.select_related("course", "course__owner")
        .prefetch_related("course__co_instructors")
        .filter(pk=pk)
        .first()
    )
    if question is None or not permissions.can_manage_quizzes(user, question.course):
        return None
    return question


def quiz_lessons_of(course: Course) -> list[Lesson]:
    """The course's quiz lessons (drafts too) in outline order, each with ``quiz`` loaded or None: one query."""
    lessons = list(
        Lesson.objects.filter(course=course, kind=Lesson.Kind.QUIZ)
        .select_related("quiz")
        .defer("body")
        .order_by("section__position", "position", "pk")
    )
    for lesson in lessons:
        lesson.course = course
    return lessons


# --- Attempts -----------------------------------------------------------------------------------


def attempt_get_for_user(*, user: Any, pk: int) -> Attempt | None:
    """An attempt its learner, who teaches its course, or staff may read (with its enrolment,
    quiz, lesson and course); None for anyone else, as if it did not exist. Two queries."""
    if not 0 < pk <= ID_MAX or not getattr(user, "is_authenticated", False):
        return None
    attempt = (
        Attempt.objects.select_related("enrolment", "quiz__lesson__course")
        .prefetch_related(
            Prefetch("quiz__lesson__course__co_instructors", queryset=CourseInstructor.objects.only("course", "user"))
        )
        .filter(pk=pk)
        .first()
    )
    if attempt is None or not permissions.can_read_attempt(user, attempt, attempt.quiz.lesson.course):
        return None
    return attempt


@dataclass
class AttemptView:
    """An attempt with its questions as its reader may see them: before submission the public
    shape and the saved response; after it, the result (what was right only when ``reveal``)."""

    attempt: Attempt
    items: list[dict[str, Any]]
    reveal: bool
    attempts_used: int

    @property
    def seconds_left(self) -> int | None:
        if self.attempt.deadline is None or self.attempt.submitted_at is not None:
            return None
        return max(0, math.ceil((self.attempt.deadline - timezone.now()).total_seconds()))


def attempt_view(attempt: Attempt, *, attempts_used: int, teaches: bool = False) -> AttemptView:
    """``attempt``'s questions in the order it showed them, with the learner's saved answers:
    two queries (questions, answers). Who teaches the course sees what was right once submitted."""
    order = attempt.order or {}
    ids = order.get("questions", [])
    questions = {question.pk: question for question in Question.objects.filter(pk__in=ids)}
    answers = {answer.question_id: answer for answer in Answer.objects.filter(attempt=attempt)}
    submitted = attempt.submitted_at is not None
    reveal = submitted and (
        teaches or permissions.quiz_feedback_open(attempt.quiz, submitted=submitted, attempts_used=attempts_used)
    )
    items = []
    for pk in ids:
        question = questions.get(pk)
        if question is None:
            continue
        choice_order = order.get("choices", {}).get(str(pk))
        if submitted:
            items.append(question_result(question, answers.get(pk), choice_order=choice_order, reveal=reveal))
        else:
            item = question_public(question, choice_order=choice_order)
            answer = answers.get(pk)
            item["response"] = answer.response if answer is not None else None
            items.append(item)
    return AttemptView(attempt=attempt, items=items, reveal=reveal, attempts_used=attempts_used)


@dataclass
class QuizPanel:
    """What a quiz lesson's page shows its learner: the quiz, their attempts, the open one (its
    questions) or the last submitted one (its results), and how many attempts are left."""

    quiz: Quiz | None
    attempts: list[Attempt] = field(default_factory=list)
    current: AttemptView | None = None

    @property
    def used(self) -> int:
        return len(self.attempts)

    @property
    def left(self) -> int | None:
        if self.quiz is None or self.quiz.attempts_allowed is None:
            return None
        return max(0, self.quiz.attempts_allowed - self.used)

    @property
    def open(self) -> Attempt | None:
        return next((attempt for attempt in self.attempts if attempt.submitted_at is None), None)

    @property
    def best(self) -> Decimal | None:
        scores = [attempt.percent for attempt in self.attempts if attempt.percent is not None]
        return max(scores) if scores else None

    @property
    def passed(self) -> bool:
        return any(attempt.passed for attempt in self.attempts)

    @property
    def can_start(self) -> bool:
        return self.quiz is not None and self.open is None and (self.left is None or self.left > 0)


def quiz_panel(lesson: Lesson, enrolment: Enrolment | None) -> QuizPanel:
    """The quiz lesson's panel for the learner of ``enrolment`` (None: a reader who is not
    enrolled sees the quiz's rules alone): at most four queries."""
    quiz = quiz_of(lesson)
    if quiz is None or enrolment is None or enrolment.revoked_at is not None:
        return QuizPanel(quiz)
    attempts = list(Attempt.objects.filter(quiz=quiz, enrolment=enrolment).order_by("number"))
    for attempt in attempts:
        attempt.quiz, attempt.enrolment = quiz, enrolment
    panel = QuizPanel(quiz, attempts)
    shown = panel.open or (attempts[-1] if attempts else None)
    if shown is not None:
        panel.current = attempt_view(shown, attempts_used=len(attempts))
    return panel


# --- Item statistics ----------------------------------------------------------------------------


@dataclass
class ItemStat:
    """One question of a quiz over its submitted attempts: how many answered it, the share right,
    the average points, and the wrong answer given most (its text, how many gave it)."""

    question: Question
    answered: int
    correct_percent: Decimal | None
    average_points: Decimal | None
    top_wrong: str | None = None
    top_wrong_count: int = 0


def _key_label(question: Question, key: str) -> str:
    """A response's key as a reader would say it (choices' texts for the choice kinds)."""
    if question.kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE, Question.Kind.ORDERING):
        texts = {choice["id"]: choice["text"] for choice in question.choices}
        sep = " → " if question.kind == Question.Kind.ORDERING else ", "
        return sep.join(texts.get(pk, "?") for pk in key.split(",") if pk)
    if question.kind == Question.Kind.TRUE_FALSE:
        return "True" if key == "true" else "False"
    return key


def quiz_item_stats(quiz: Quiz) -> list[ItemStat]:
    """Per question of ``quiz`` (in its order), over the answers of submitted attempts: two
    queries whatever the number of questions and attempts."""
    of_quiz = Q(answers__attempt__quiz=quiz, answers__attempt__submitted_at__isnull=False)
    questions = list(
        Question.objects.filter(items__quiz=quiz)
        .annotate(
            answered=Count("answers", filter=of_quiz),
            right=Count("answers", filter=of_quiz & Q(answers__correct=True)),
            average=Avg("answers__points", filter=of_quiz),
        )
        .order_by("items__position", "items__pk")
    )
    wrong = (
        Answer.objects.filter(attempt__quiz=quiz, attempt__submitted_at__isnull=False, correct=False)
        .values("question_id", "key")
        .annotate(n=Count("pk"))
        .order_by("question_id", "-n", "key")
    )
    top: dict[int, tuple[str, int]] = {}
    for row in wrong:
        top.setdefault(row["question_id"], (row["key"], row["n"]))
    stats = []
    for question in questions:
        key, count = top.get(question.pk, (None, 0))
        stats.append(
            ItemStat(
                question=question,
                answered=question.answered,
                correct_percent=(Decimal(100 * question.right) / question.answered).quantize(Decimal("0.1"))
                if question.answered
                else None,
                average_points=Decimal(str(question.average)).quantize(Decimal("0.01"))
                if question.average is not None
                else None,
                top_wrong=_key_label(question, key) if key is not None else None,
                top_wrong_count=count,
            )
        )
    return stats


# --- For the gradebook --------------------------------------------------------------------------


def quiz_best_scores(course: Course, enrolment_ids: Iterable[int]) -> dict[int, dict[int, Decimal]]:
    """Each enrolment's best percent per quiz of ``course`` over its submitted attempts:
    ``{enrolment_id: {quiz_id: percent}}`` (a quiz never submitted is absent). One query."""
    rows = (
        Attempt.objects.filter(
            quiz__lesson__course=course, enrolment_id__in=list(enrolment_ids), submitted_at__isnull=False
        )
        .values("enrolment_id", "quiz_id")
        .annotate(best=Max("percent"))
        .order_by()
    )
    best: dict[int, dict[int, Decimal]] = {}
    for row in rows:
        best.setdefault(row["enrolment_id"], {})[row["quiz_id"]] = row["best"]
    return best


# Quiz scores are the gradebook's "quizzes" source (apps/lms/grading.py; imported at start-up).
grading.register_source(GradeCategory.Source.QUIZZES, quiz_best_scores)
