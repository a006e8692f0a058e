"""Shapes of the quizzes' API. A question reaches a learner in one shape before their attempt is
submitted (``QuizQuestionOutput`` without its result fields: id, kind, prompt, points, choices,
their saved response), built by services/quizzes/ ``question_public``; the correct answer and
the explanation appear only in a submitted attempt's results when the quiz's feedback setting
allows, and in the instructors' bank (``ManagedQuestionOutput``)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.api import BoundedIntegerField
from apps.lms.models import Lesson, Question, Quiz
from apps.lms.services.quizzes import MAX_CHOICE_CHARS, MAX_CHOICES, MAX_QUESTIONS_PER_QUIZ


def lesson_kinds() -> list[str]:
    """A lesson's kinds as the lesson serializers list them, for the schema's enum names
    (settings.SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]): "kind" names a question's kinds too."""
    return list(Lesson.Kind.values)


RESPONSE_HELP = (
    "By kind: single a choice's id; multiple a list of choice ids; true_false a boolean; short_text a text; "
    "numeric a number (or a decimal string); ordering every choice's id, in order. null: no answer."
)


@extend_schema_field({"description": RESPONSE_HELP})
class ResponseField(serializers.JSONField):
    """Any JSON value: the service checks it against the question's kind."""


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": True,
        "description": (
            'By kind: single {"correct": index}; multiple {"correct": [indexes]}; true_false {"value": bool}; '
            'short_text {"accepted": [texts], "case_sensitive": bool} or {"pattern": regex, "case_sensitive": bool}; '
            'numeric {"value": number, "tolerance": number}; ordering {} (the choices are listed in the right order).'
        ),
    }
)
class AnswerSpecField(serializers.JSONField):
    def to_internal_value(self, data: Any) -> Any:
        value = super().to_internal_value(data)
        if not isinstance(value, dict):
            raise serializers.ValidationError("An object (see the question's kind).")
        return value


class ChoiceOutput(serializers.Serializer):
    id = serializers.CharField()
    text = serializers.CharField()


class QuizQuestionOutput(serializers.Serializer):
    """A question of an attempt, in the attempt's order and with its choices in the attempt's
    order; the result fields only once submitted and the feedback setting allows."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Question.Kind.choices)
    prompt = serializers.CharField()
    points = serializers.IntegerField()
    choices = ChoiceOutput(many=True)
    response = ResponseField(allow_null=True, help_text="Your saved answer. " + RESPONSE_HELP)
    correct = serializers.BooleanField(required=False, help_text="Only in results the feedback setting shows.")
    points_awarded = serializers.CharField(required=False, help_text="A decimal string; only in shown results.")
    # Not nullable: DRF answers a missing key of a nullable field with null instead of leaving it out.
    correct_answer = ResponseField(
        required=False, help_text="What is right, in a response's shape (a pattern's text); only in shown results."
    )
    explanation = serializers.CharField(required=False, allow_blank=True, help_text="Only in shown results.")


class AttemptOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    lesson_slug = serializers.SlugField()
    course_slug = serializers.SlugField()
    started_at = serializers.DateTimeField()
    deadline = serializers.DateTimeField(allow_null=True, help_text="The server's; null: no time limit.")
    server_time = serializers.DateTimeField(help_text="The server's clock now (the deadline is judged by it).")
    seconds_left = serializers.IntegerField(allow_null=True, help_text="null: no limit, or submitted.")
    submitted_at = serializers.DateTimeField(allow_null=True)
    timed_out = serializers.BooleanField(help_text="Closed by its deadline, graded with the answers saved in time.")
    score = serializers.CharField(allow_null=True, help_text="Points, a decimal string; null while open.")
    max_score = serializers.CharField(allow_null=True)
    percent = serializers.CharField(allow_null=True)
    passed = serializers.BooleanField(allow_null=True)
    feedback_shown = serializers.BooleanField(help_text="Whether the questions carry what was right.")
    questions = QuizQuestionOutput(many=True)


class AttemptSummaryOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    percent = serializers.CharField(allow_null=True)
    passed = serializers.BooleanField(allow_null=True)


class QuizSettingsOutput(serializers.Serializer):
    shuffle_questions = serializers.BooleanField()
    shuffle_choices = serializers.BooleanField()
    attempts_allowed = serializers.IntegerField(allow_null=True, help_text="null: as many as you like.")
    time_limit_seconds = serializers.IntegerField(allow_null=True, help_text="null: no limit.")
    pass_percent = serializers.IntegerField()
    feedback = serializers.ChoiceField(choices=Quiz.Feedback.values)
    due_at = serializers.DateTimeField(allow_null=True)


class QuizOutput(serializers.Serializer):
    """A quiz as its learner sees it: the rules, their attempts and the open one (never an answer)."""

    lesson_slug = serializers.SlugField()
    course_slug = serializers.SlugField()
    settings = QuizSettingsOutput()
    question_count = serializers.IntegerField()
    attempts_used = serializers.IntegerField()
    attempts_left = serializers.IntegerField(allow_null=True, help_text="null: no limit.")
    best_percent = serializers.CharField(allow_null=True)
    passed = serializers.BooleanField()
    attempts = AttemptSummaryOutput(many=True)
    open_attempt = AttemptOutput(allow_null=True)


class AnswerInput(serializers.Serializer):
    response = ResponseField(allow_null=True, help_text=RESPONSE_HELP)


class AnswerOutput(serializers.Serializer):
    question = serializers.IntegerField()
    response = ResponseField(allow_null=True)
    saved_at = serializers.DateTimeField(allow_null=True, help_text="null: the answer was cleared.")


# --- Instructors ----------------------------------------------------------------------------------


class QuestionInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Question.Kind.choices)
    prompt = serializers.CharField(max_length=2000)
    choices = serializers.ListField(
        child=serializers.CharField(max_length=MAX_CHOICE_CHARS),
        max_length=MAX_CHOICES,
        required=False,
        default=list,
        help_text="For single, multiple and ordering (in the right order for ordering).",
    )
    answer = AnswerSpecField()
    points = BoundedIntegerField(min_value=1, max_value=100, required=False, default=1)
    explanation = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ManagedQuestionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    course = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Question.Kind.choices)
    prompt = serializers.CharField()
    choices = serializers.ListField(child=serializers.CharField())
    answer = AnswerSpecField(help_text="As sent (indexes into choices).")
    points = serializers.IntegerField()
    explanation = serializers.CharField(allow_blank=True)


class QuizSettingsInput(serializers.Serializer):
    shuffle_questions = serializers.BooleanField(required=False, default=False)
    shuffle_choices = serializers.BooleanField(required=False, default=False)
    attempts_allowed = BoundedIntegerField(min_value=1, max_value=100, allow_null=True, required=False, default=3)
    time_limit_seconds = BoundedIntegerField(
        min_value=30, max_value=24 * 3600, allow_null=True, required=False, default=None
    )
    pass_percent = BoundedIntegerField(min_value=0, max_value=100, required=False, default=60)
    feedback = serializers.ChoiceField(choices=Quiz.Feedback.values, required=False, default=Quiz.Feedback.IMMEDIATE)
    due_at = serializers.DateTimeField(allow_null=True, required=False, default=None)
    questions = serializers.ListField(
        child=BoundedIntegerField(min_value=1),
        max_length=MAX_QUESTIONS_PER_QUIZ,
        required=False,
        help_text="The quiz's question ids from the course's bank, in order (left out: unchanged).",
    )


class ManagedQuizOutput(serializers.Serializer):
    lesson = serializers.IntegerField()
    settings = QuizSettingsOutput()
    questions = serializers.ListField(child=serializers.IntegerField(), help_text="Question ids, in order.")


class ItemStatOutput(serializers.Serializer):
    question = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Question.Kind.choices)
    prompt = serializers.CharField()
    answered = serializers.IntegerField(help_text="Answers in submitted attempts.")
    correct_percent = serializers.CharField(allow_null=True)
    average_points = serializers.CharField(allow_null=True)
    top_wrong_answer = serializers.CharField(allow_null=True, help_text="The wrong answer given most.")
    top_wrong_count = serializers.IntegerField()
