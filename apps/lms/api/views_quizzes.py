"""Quizzes through the API (apps/lms/services/quizzes/): a quiz lesson's quiz (its rules and
the learner's attempts, never an answer), starting an attempt, saving answers one question at a
time, submitting, and reading an attempt's results as the quiz's feedback setting allows; for
instructors under manage/, the course's question bank, a quiz's settings and questions, and its
item statistics.

Timing is the server's: an attempt's ``deadline`` and ``server_time`` are in every answer, and an
answer or a submission arriving after the deadline (plus services/quizzes/ ``GRACE``) is a 409
``past_deadline`` however the client counted. A late submission still closes the attempt, graded
with the answers saved in time: its 409 says so, and ``GET attempts/<id>/`` shows the result.

Who gets what: a quiz is read by who may open its lesson (401 anonymous, 403 locked, 404 not
visible or not a quiz); attempts are written by their learner alone (403 for the course's
teachers, who may read them; 404 for everyone else); management is for instructors (401/403) of
the course (404 otherwise)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api import error_body
from apps.lms import permissions, selectors, selectors_quizzes
from apps.lms.api.common import (
    BAD_INPUT,
    LEARNING_TAGS,
    LOCKED,
    MANAGE_TAGS,
    NOT_AN_INSTRUCTOR,
    NOT_SIGNED_IN,
    InstructorView,
    error,
    locked,
    managed_course,
    managed_lesson,
    service_errors,
    visible_course,
    visible_lesson,
)
from apps.lms.api.serializers_quizzes import (
    AnswerInput,
    AnswerOutput,
    AttemptOutput,
    ItemStatOutput,
    ManagedQuestionOutput,
    ManagedQuizOutput,
    QuestionInput,
    QuizOutput,
    QuizSettingsInput,
)
from apps.lms.models import Attempt, Lesson, Question, Quiz
from apps.lms.services import quizzes

# The services' refusals about the attempt's state: 409.
STATE_CODES = {
    "past_deadline": 409,
    "attempt_closed": 409,
    "already_submitted": 409,
    "no_attempts_left": 409,
    "quiz_empty": 409,
    "question_answered": 409,
    "full": 409,
}
NO_QUIZ = error("No such course, lesson or quiz (a lesson that is no quiz, or one not set up yet).")
NO_ATTEMPT = error("No such attempt among yours (or, for instructors, their courses').")
NOT_YOURS = error("Only the attempt's learner answers and submits it.")
LATE = error(
    "Past the deadline by the server's clock (past_deadline), or the attempt is closed (attempt_closed, "
    "already_submitted). A late submission closes the attempt, graded with the answers saved in time."
)
MANAGE_ANSWERS = {
    401: NOT_SIGNED_IN,
    403: NOT_AN_INSTRUCTOR,
    404: error("No such course, lesson or question among those you teach."),
}


def _decimal(value: Any) -> str | None:
    return None if value is None else str(value)


def attempt_data(view: selectors_quizzes.AttemptView) -> dict[str, Any]:
    attempt = view.attempt
    lesson = attempt.quiz.lesson
    return AttemptOutput(
        {
            "id": attempt.pk,
            "number": attempt.number,
            "lesson_slug": lesson.slug,
            "course_slug": lesson.course.slug,
            "started_at": attempt.started_at,
            "deadline": attempt.deadline,
            "server_time": timezone.now(),
            "seconds_left": view.seconds_left,
            "submitted_at": attempt.submitted_at,
            "timed_out": attempt.timed_out,
            "score": _decimal(attempt.score),
            "max_score": _decimal(attempt.max_score),
            "percent": _decimal(attempt.percent),
            "passed": attempt.passed,
            "feedback_shown": view.reveal,
            "questions": view.items,
        }
    ).data


def settings_data(quiz: Quiz) -> dict[str, Any]:
    names = ("shuffle_questions", "shuffle_choices", "attempts_allowed", "time_limit_seconds", "pass_percent")
    return {**{name: getattr(quiz, name) for name in names}, "feedback": quiz.feedback, "due_at": quiz.due_at}


def _quiz_lesson(request: Request, slug: str, lesson_slug: str) -> tuple[Lesson, Any]:
    """The quiz lesson one may open, and one's enrolment; else 401/403/404 as a lesson's."""
    course = visible_course(request.user, slug)
    lesson = visible_lesson(request.user, course, lesson_slug)
    if lesson.kind != Lesson.Kind.QUIZ:
        raise exceptions.NotFound("This lesson is not a quiz.")
    enrolment = selectors.enrolment_get(user=request.user, course=course)
    lock = selectors.lesson_lock_for(lesson, selectors.learner_state(enrolment))
    if not permissions.can_view_lesson(request.user, lesson, lock=lock, enrolment=enrolment):
        if not request.user.is_authenticated:
            raise exceptions.NotAuthenticated("Sign in and enrol in this course to take its quiz.")
        raise _Locked(lock or permissions.Lock("Enrol in this course to take its quiz."))
    return lesson, enrolment


class _Locked(Exception):
    def __init__(self, lock: permissions.Lock) -> None:
        self.lock = lock


def _attempt(request: Request, pk: int) -> Attempt:
    attempt = selectors_quizzes.attempt_get_for_user(user=request.user, pk=pk)
    if attempt is None:
        raise exceptions.NotFound("No such attempt.")
    return attempt


def _used(attempt: Attempt) -> int:
    return Attempt.objects.filter(quiz_id=attempt.quiz_id, enrolment_id=attempt.enrolment_id).count()


class QuizView(APIView):
    """A quiz lesson's quiz as its reader sees it."""

    permission_classes = [AllowAny]

    @extend_schema(
        summary="Read a quiz: its rules, your attempts and the open one (never an answer)",
        responses={
            200: QuizOutput,
            401: error("Not signed in, and the lesson is not a free preview."),
            403: LOCKED,
            404: NO_QUIZ,
        },
        tags=LEARNING_TAGS,
    )
    def get(self, request: Request, slug: str, lesson_slug: str) -> Response:
        try:
            lesson, enrolment = _quiz_lesson(request, slug, lesson_slug)
        except _Locked as refusal:
            return locked(refusal.lock)
        panel = selectors_quizzes.quiz_panel(lesson, enrolment)
        if panel.quiz is None:
            raise exceptions.NotFound("This quiz is not set up yet.")
        open_attempt = panel.current if panel.open is not None else None
        data = {
            "lesson_slug": lesson.slug,
            "course_slug": lesson.course.slug,
            "settings": settings_data(panel.quiz),
            "question_count": panel.quiz.items.count(),
            "attempts_used": panel.used,
            "attempts_left": panel.left,
            "best_percent": _decimal(panel.best),
            "passed": panel.passed,
            "attempts": [
                {
                    "id": a.pk,
                    "number": a.number,
                    "submitted_at": a.submitted_at,
                    "percent": _decimal(a.percent),
                    "passed": a.passed,
                }
                for a in panel.attempts
            ],
            "open_attempt": None,
        }
        body = QuizOutput(data).data
        body["open_attempt"] = attempt_data(open_attempt) if open_attempt is not None else None
        return Response(body)


class AttemptStartView(APIView):
    """Start an attempt (or get back the open one)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Start an attempt at a quiz (the open one if there is one)",
        request=None,
        responses={
            200: AttemptOutput,
            201: AttemptOutput,
            401: NOT_SIGNED_IN,
            403: error("Not enrolled, or the lesson is locked (the message says why)."),
            404: NO_QUIZ,
            409: error("Every attempt used (no_attempts_left), or the quiz has no questions (quiz_empty)."),
        },
        tags=LEARNING_TAGS,
    )
    def post(self, request: Request, slug: str, lesson_slug: str) -> Response:
        try:
            lesson, enrolment = _quiz_lesson(request, slug, lesson_slug)
        except _Locked as refusal:
            return locked(refusal.lock)
        quiz = selectors_quizzes.quiz_of(lesson)
        if quiz is None:
            raise exceptions.NotFound("This quiz is not set up yet.")
        with service_errors(STATE_CODES):
            started = quizzes.attempt_start(user=request.user, enrolment=enrolment, quiz=quiz)
        view = selectors_quizzes.attempt_view(started.attempt, attempts_used=started.attempt.number)
        return Response(attempt_data(view), status=status.HTTP_201_CREATED if started.created else status.HTTP_200_OK)


class AttemptDetailView(APIView):
    """An attempt: open, its questions and saved answers; submitted, its results as the quiz's
    feedback setting allows (its course's teachers see everything)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Read an attempt (results as the quiz's feedback setting allows)",
        responses={200: AttemptOutput, 401: NOT_SIGNED_IN, 404: NO_ATTEMPT},
        tags=LEARNING_TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        attempt = _attempt(request, pk)
        teaches = permissions.can_manage_quizzes(request.user, attempt.quiz.lesson.course)
        return Response(
            attempt_data(selectors_quizzes.attempt_view(attempt, attempts_used=_used(attempt), teaches=teaches))
        )


class AnswerView(APIView):
    """Save (or clear, with null) the answer to one question of one's open attempt."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Save your answer to one question of your open attempt",
        request=AnswerInput,
        responses={
            200: AnswerOutput,
            400: error("Not a response of the question's kind (bad_answer), or a question not in the attempt."),
            401: NOT_SIGNED_IN,
            403: NOT_YOURS,
            404: NO_ATTEMPT,
            409: LATE,
        },
        tags=LEARNING_TAGS,
    )
    def put(self, request: Request, pk: int, question_pk: int) -> Response:
        attempt = _attempt(request, pk)
        data = AnswerInput(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors(STATE_CODES):
            answer = quizzes.answer_save(
                user=request.user,
                attempt=attempt,
                question_id=question_pk,
                response=data.validated_data.get("response"),
            )
        body = {"question": question_pk, "response": None, "saved_at": None}
        if answer is not None:
            body.update(response=answer.response, saved_at=answer.saved_at)
        return Response(AnswerOutput(body).data)


class SubmissionView(APIView):
    """Submit one's open attempt and get its results."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Submit your attempt (graded at once)",
        request=None,
        responses={200: AttemptOutput, 401: NOT_SIGNED_IN, 403: NOT_YOURS, 404: NO_ATTEMPT, 409: LATE},
        tags=LEARNING_TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        attempt = _attempt(request, pk)
        with service_errors(STATE_CODES):
            graded = quizzes.attempt_submit(user=request.user, attempt=attempt)
        if graded.timed_out:
            message = (
                f"{quizzes.time_up(graded)} Your attempt was graded with the answers saved in time ({graded.percent}%)."
            )
            return Response(error_body(409, code="past_deadline", message=message), status=status.HTTP_409_CONFLICT)
        view = selectors_quizzes.attempt_view(graded, attempts_used=_used(graded))
        return Response(attempt_data(view))


# --- Instructors ---------------------------------------------------------------------------------


def question_data(question: Question) -> dict[str, Any]:
    data = quizzes.question_input_of(question)
    return ManagedQuestionOutput(
        {
            "id": question.pk,
            "course": question.course_id,
            "kind": data.kind,
            "prompt": data.prompt,
            "choices": data.choices,
            "answer": data.answer,
            "points": data.points,
            "explanation": data.explanation,
        }
    ).data


def _question_input(values: dict[str, Any]) -> quizzes.QuestionInput:
    return quizzes.QuestionInput(
        kind=values["kind"],
        prompt=values["prompt"],
        choices=list(values.get("choices") or []),
        answer=values["answer"],
        points=values.get("points", 1),
        explanation=values.get("explanation", ""),
    )


def _managed_question(request: Request, pk: int) -> Question:
    question = selectors_quizzes.question_get_for_editor(user=request.user, pk=pk)
    if question is None:
        raise exceptions.NotFound("No such question among the courses you teach.")
    return question


class QuestionBankView(InstructorView, GenericAPIView):
    @extend_schema(
        summary="List a course's question bank (with the answers)",
        responses={200: ManagedQuestionOutput(many=True), **MANAGE_ANSWERS},
        tags=MANAGE_TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        course = managed_course(request.user, pk)
        page = self.paginate_queryset(selectors_quizzes.question_bank(course))
        return self.get_paginated_response([question_data(question) for question in page])

    @extend_schema(
        summary="Add a question to a course's bank",
        request=QuestionInput,
        responses={201: ManagedQuestionOutput, 400: BAD_INPUT, **MANAGE_ANSWERS, 409: error("The bank is full.")},
        tags=MANAGE_TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        course = managed_course(request.user, pk)
        data = QuestionInput(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors(STATE_CODES):
            question = quizzes.question_create(
                actor=request.user, course=course, data=_question_input(data.validated_data)
            )
        return Response(question_data(question), status=status.HTTP_201_CREATED)


class QuestionView(InstructorView):
    @extend_schema(
        summary="Read a question of your bank",
        responses={200: ManagedQuestionOutput, **MANAGE_ANSWERS},
        tags=MANAGE_TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(question_data(_managed_question(request, pk)))

    @extend_schema(
        summary="Rewrite a question of your bank",
        request=QuestionInput,
        responses={200: ManagedQuestionOutput, 400: BAD_INPUT, **MANAGE_ANSWERS},
        tags=MANAGE_TAGS,
    )
    def put(self, request: Request, pk: int) -> Response:
        question = _managed_question(request, pk)
        data = QuestionInput(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors(STATE_CODES):
            question = quizzes.question_update(
                actor=request.user, question=question, data=_question_input(data.validated_data)
            )
        return Response(question_data(question))

    @extend_schema(
        summary="Delete a question nobody answered",
        request=None,
        responses={204: None, **MANAGE_ANSWERS, 409: error("Learners answered it (question_answered).")},
        tags=MANAGE_TAGS,
    )
    def delete(self, request: Request, pk: int) -> Response:
        question = _managed_question(request, pk)
        with service_errors(STATE_CODES):
            quizzes.question_delete(actor=request.user, question=question)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _managed_quiz_data(lesson: Lesson, quiz: Quiz | None) -> dict[str, Any]:
    settings = settings_data(quiz) if quiz is not None else settings_data(Quiz(lesson=lesson))
    ids = list(quiz.items.order_by("position", "pk").values_list("question_id", flat=True)) if quiz else []
    return ManagedQuizOutput({"lesson": lesson.pk, "settings": settings, "questions": ids}).data


class ManagedQuizView(InstructorView):
    @extend_schema(
        summary="Read a quiz lesson's settings and questions (defaults before it is set up)",
        responses={200: ManagedQuizOutput, **MANAGE_ANSWERS},
        tags=MANAGE_TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        lesson = managed_lesson(request.user, pk)
        return Response(_managed_quiz_data(lesson, selectors_quizzes.quiz_of(lesson)))

    @extend_schema(
        summary="Set a quiz lesson's settings and (when sent) its questions, in order",
        request=QuizSettingsInput,
        responses={200: ManagedQuizOutput, 400: BAD_INPUT, **MANAGE_ANSWERS},
        tags=MANAGE_TAGS,
    )
    def put(self, request: Request, pk: int) -> Response:
        lesson = managed_lesson(request.user, pk)
        data = QuizSettingsInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        question_ids = values.pop("questions", None)
        with service_errors(STATE_CODES):
            quiz = quizzes.quiz_update(
                actor=request.user, lesson=lesson, settings=quizzes.QuizSettings(**values), question_ids=question_ids
            )
        return Response(_managed_quiz_data(lesson, quiz))


class ItemStatisticsView(InstructorView):
    @extend_schema(
        summary="A quiz's item statistics: per question, answers, share right, average points, the top wrong answer",
        responses={200: ItemStatOutput(many=True), **MANAGE_ANSWERS},
        tags=MANAGE_TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        lesson = managed_lesson(request.user, pk)
        quiz = selectors_quizzes.quiz_of(lesson)
        if quiz is None:
            raise exceptions.NotFound("This lesson has no quiz.")
        stats = selectors_quizzes.quiz_item_stats(quiz)
        return Response(
            ItemStatOutput(
                [
                    {
                        "question": stat.question.pk,
                        "kind": stat.question.kind,
                        "prompt": stat.question.prompt,
                        "answered": stat.answered,
                        "correct_percent": _decimal(stat.correct_percent),
                        "average_points": _decimal(stat.average_points),
                        "top_wrong_answer": stat.top_wrong,
                        "top_wrong_count": stat.top_wrong_count,
                    }
                    for stat in stats
                ],
                many=True,
            ).data
        )
