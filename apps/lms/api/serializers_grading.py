"""Shapes of the assignments' and gradebook's API: a submission (as its learner and its graders
read it), its review, a grade sent by a grader, and a course's gradebook."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework import serializers

from apps.lms.api.common import absolute_url
from apps.lms.models import Submission
from apps.lms.selectors_assignments import review_of

MAX_POINTS = 1000


class ReviewOutput(serializers.Serializer):
    total = serializers.DecimalField(max_digits=7, decimal_places=2)
    points = serializers.IntegerField(help_text="What the total is out of.")
    percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    scores = serializers.DictField(
        child=serializers.DecimalField(max_digits=7, decimal_places=2), help_text="Points by rubric criterion id."
    )
    feedback = serializers.CharField(allow_blank=True)
    grader = serializers.CharField(allow_null=True, help_text="The grader's name (null: no longer known).")
    graded_at = serializers.DateTimeField()
    version = serializers.IntegerField(help_text="Send it as based_on to grade again.")


class CriterionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    max_points = serializers.IntegerField()


class SubmissionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField(help_text="The learner's try, from 1.")
    course_slug = serializers.CharField()
    lesson_slug = serializers.CharField()
    lesson_title = serializers.CharField()
    learner = serializers.CharField(help_text="The learner's name.")
    text = serializers.CharField(allow_blank=True)
    file_name = serializers.CharField(allow_null=True, help_text="As uploaded (null: no file).")
    file_url = serializers.URLField(allow_null=True, help_text="Its download, for the learner and the graders.")
    submitted_at = serializers.DateTimeField()
    late = serializers.BooleanField()
    latest = serializers.BooleanField(help_text="The newest try: the one graded.")
    status = serializers.ChoiceField(choices=Submission.Status.choices)
    review = ReviewOutput(allow_null=True)


class GradingSubmissionOutput(SubmissionOutput):
    rubric = CriterionOutput(many=True, help_text="Empty: a total out of points.")
    points = serializers.IntegerField(help_text="The assignment's points.")


class SubmissionInput(serializers.Serializer):
    text = serializers.CharField(required=False, allow_blank=True, max_length=20000, default="")
    file = serializers.FileField(required=False, allow_null=True, default=None, allow_empty_file=True)


class GradeInput(serializers.Serializer):
    scores = serializers.DictField(
        child=serializers.DecimalField(max_digits=7, decimal_places=2, min_value=0, max_value=MAX_POINTS),
        required=False,
        default=dict,
        help_text="Points by rubric criterion id (each within its max_points).",
    )
    total = serializers.DecimalField(
        max_digits=7,
        decimal_places=2,
        min_value=0,
        max_value=MAX_POINTS,
        required=False,
        allow_null=True,
        default=None,
        help_text="Without a rubric: the points, within the assignment's.",
    )
    feedback = serializers.CharField(required=False, allow_blank=True, max_length=10000, default="")
    based_on = serializers.IntegerField(
        min_value=0, max_value=2**31 - 1, default=0, help_text="The review version you read (0: none yet)."
    )
    return_it = serializers.BooleanField(default=False, help_text="Return it for another try (feedback needed).")

    def validate_scores(self, value: dict[str, Any]) -> dict[int, Any]:
        try:
            return {int(key): points for key, points in value.items()}
        except ValueError:
            raise serializers.ValidationError("Criteria are named by their ids.") from None


def _review(submission: Submission) -> Any:
    review = review_of(submission)
    if review is None:
        return None
    return {
        "total": review.total,
        "points": review.points,
        "percent": review.percent,
        "scores": dict(review.scores),
        "feedback": review.feedback,
        "grader": review.grader.get_short_name() if review.grader else None,
        "graded_at": review.graded_at,
        "version": review.version,
    }


def submission_data(submission: Submission, *, grading: bool = False) -> Any:
    """``submission`` (with its learner, lesson, course and review loaded) as the API answers it;
    ``grading``: with the rubric, for its graders."""
    lesson = submission.assignment.lesson
    data = {
        "id": submission.pk,
        "number": submission.number,
        "course_slug": lesson.course.slug,
        "lesson_slug": lesson.slug,
        "lesson_title": lesson.title,
        "learner": submission.enrolment.user.get_short_name(),
        "text": submission.text,
        "file_name": (submission.file_name or "file") if submission.file else None,
        "file_url": absolute_url(reverse("lms:submission-file", args=[submission.pk])) if submission.file else None,
        "submitted_at": submission.submitted_at,
        "late": submission.is_late,
        "latest": submission.is_latest,
        "status": submission.status,
        "review": _review(submission),
    }
    if not grading:
        return SubmissionOutput(data).data
    criteria = submission.assignment.criteria.all()
    data["rubric"] = [
        {"id": row.pk, "title": row.title, "description": row.description, "max_points": row.max_points}
        for row in criteria
    ]
    data["points"] = submission.assignment.points
    return GradingSubmissionOutput(data).data


# --- The gradebook ------------------------------------------------------------------------------


class CategoryAverageOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    weight = serializers.DecimalField(max_digits=5, decimal_places=2)
    source = serializers.CharField(help_text="quizzes or assignments.")
    average = serializers.DecimalField(
        max_digits=5, decimal_places=2, allow_null=True, help_text="Percent (null: no graded item yet)."
    )


class OverrideOutput(serializers.Serializer):
    old_grade = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    new_grade = serializers.DecimalField(max_digits=5, decimal_places=2)
    reason = serializers.CharField()
    by = serializers.CharField(allow_null=True)
    at = serializers.DateTimeField()


class GradebookRowOutput(serializers.Serializer):
    enrolment_id = serializers.IntegerField()
    learner = serializers.CharField()
    completed = serializers.BooleanField(help_text="The learner completed every lesson.")
    categories = CategoryAverageOutput(many=True)
    computed = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    override = OverrideOutput(allow_null=True, help_text="The override in force (null: none).")
    final = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    passed = serializers.BooleanField(allow_null=True, help_text="Against the course's pass mark (null: no grade).")
    history = OverrideOutput(many=True, help_text="Every override of this learner's grade, newest first.")


class OverrideInput(serializers.Serializer):
    grade = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100)
    reason = serializers.CharField(max_length=500)


def _override(row: Any) -> Any:
    return {
        "old_grade": row.old_grade,
        "new_grade": row.new_grade,
        "reason": row.reason,
        "by": row.by.get_short_name() if row.by else None,
        "at": row.at,
    }


def gradebook_row_data(row: Any, categories: list[Any]) -> Any:
    return GradebookRowOutput(
        {
            "enrolment_id": row.enrolment.pk,
            "learner": row.enrolment.user.get_short_name(),
            "completed": row.enrolment.completed_at is not None,
            "categories": [
                {
                    "id": category.pk,
                    "name": category.name,
                    "weight": category.weight,
                    "source": category.source,
                    "average": row.averages.get(category.pk),
                }
                for category in categories
            ],
            "computed": row.computed,
            "override": _override(row.override) if row.override else None,
            "final": row.final,
            "passed": row.passed,
            "history": [_override(item) for item in row.overrides],
        }
    ).data


# --- An assignment's settings ---------------------------------------------------------------------


class CriterionInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    max_points = serializers.IntegerField(min_value=1, max_value=MAX_POINTS)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class AssignmentSettingsSerializer(serializers.Serializer):
    """An assignment's settings and rubric, as read and as sent (the rubric replaces the one
    there; the points are its sum when it has criteria)."""

    submission_type = serializers.ChoiceField(choices=["text", "file", "both"])
    allowed_extensions = serializers.ListField(
        child=serializers.CharField(max_length=10), max_length=20, required=False, default=list
    )
    max_file_mb = serializers.IntegerField(min_value=1, max_value=50, default=10)
    due_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    due_after_days = serializers.IntegerField(
        min_value=0, max_value=3650, required=False, allow_null=True, default=None
    )
    accept_late = serializers.BooleanField(default=True)
    allow_resubmission = serializers.BooleanField(default=False)
    points = serializers.IntegerField(min_value=1, max_value=MAX_POINTS, default=100)
    rubric = CriterionInput(many=True, required=False, default=list, max_length=20)


def assignment_settings_data(assignment: Any) -> Any:
    return AssignmentSettingsSerializer(
        {
            "submission_type": assignment.submission_type,
            "allowed_extensions": list(assignment.allowed_extensions),
            "max_file_mb": assignment.max_file_mb,
            "due_at": assignment.due_at,
            "due_after_days": assignment.due_after_days,
            "accept_late": assignment.accept_late,
            "allow_resubmission": assignment.allow_resubmission,
            "points": assignment.points,
            "rubric": [
                {"title": row.title, "max_points": row.max_points, "description": row.description}
                for row in assignment.criteria.all()
            ],
        }
    ).data
