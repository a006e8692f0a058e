"""Shapes of the instructors' API: the courses they teach, a course's and a lesson's newest draft
with ``latest_revision`` (sent back as ``based_on``), the outline with drafts, new sections and
lessons."""

from __future__ import annotations

from rest_framework import serializers

from apps.core.api import BoundedIntegerField, IdField
from apps.lms.api.serializers import BlocksField, CourseCategoryOutput, CoursePriceOutput, InstructorOutput
from apps.lms.models import MAX_LINE_CHARS, MAX_LINES, Course, Lesson
from apps.lms.services.courses import MAX_LESSONS


def _lines(help_text: str) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.CharField(max_length=MAX_LINE_CHARS, allow_blank=True),
        max_length=MAX_LINES,
        required=False,
        help_text=help_text,
    )


class ManagedCourseListOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    slug = serializers.SlugField()
    live = serializers.BooleanField()
    has_unpublished_changes = serializers.BooleanField()
    latest_revision = serializers.IntegerField()
    owner_id = serializers.IntegerField()
    category = CourseCategoryOutput(allow_null=True)
    learner_count = serializers.IntegerField(help_text="Active enrolments.")
    lesson_count = serializers.IntegerField(help_text="Lessons, drafts included.")


class CourseContentOutput(serializers.Serializer):
    """A course's landing-page content as its newest revision holds it."""

    title = serializers.CharField()
    slug = serializers.SlugField()
    summary = serializers.CharField(allow_blank=True)
    description = BlocksField()
    category = serializers.IntegerField(allow_null=True, help_text="A category's id.")
    level = serializers.ChoiceField(choices=Course.Level.values)
    language = serializers.CharField()
    outcomes = serializers.ListField(child=serializers.CharField())
    requirements = serializers.ListField(child=serializers.CharField())


class ManagedCourseOutput(serializers.Serializer):
    id = serializers.IntegerField()
    live = serializers.BooleanField()
    has_unpublished_changes = serializers.BooleanField()
    latest_revision = serializers.IntegerField(help_text="Send it back as based_on when you save the draft.")
    live_revision = serializers.IntegerField(allow_null=True)
    owner = InstructorOutput()
    instructors = InstructorOutput(many=True, help_text="The owner first, then the co-instructors.")
    price = CoursePriceOutput(allow_null=True, help_text="null: free.")
    draft = CourseContentOutput(help_text="The newest revision's content.")


class CourseFieldsInput(serializers.Serializer):
    """The content fields; which are required depends on the request (create or edit)."""

    title = serializers.CharField(max_length=200, required=False)
    slug = serializers.SlugField(
        max_length=100, required=False, allow_blank=True, help_text="Made from the title when blank, then kept."
    )
    summary = serializers.CharField(max_length=300, required=False, allow_blank=True)
    description = BlocksField(required=False)
    category = IdField(required=False, allow_null=True, help_text="A category's id (null: none).")
    level = serializers.ChoiceField(choices=Course.Level.values, required=False)
    language = serializers.CharField(max_length=12, required=False, allow_blank=True)
    outcomes = _lines("What a learner will be able to do: short lines of plain text.")
    requirements = _lines("What a learner needs first: short lines of plain text.")


class CourseCreateInput(CourseFieldsInput):
    title = serializers.CharField(max_length=200)


class CourseUpdateInput(CourseFieldsInput):
    """A new revision: fields left out keep the newest draft's values."""

    based_on = BoundedIntegerField(
        min_value=0, help_text="The revision you edited (latest_revision); a newer one means 409."
    )


class CourseDraftSavedOutput(serializers.Serializer):
    revision = serializers.IntegerField()
    course = ManagedCourseOutput()


class ManagedLessonRefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    slug = serializers.SlugField()
    kind = serializers.ChoiceField(choices=Lesson.Kind.values)
    duration_minutes = serializers.IntegerField()
    is_preview = serializers.BooleanField()
    live = serializers.BooleanField()
    has_unpublished_changes = serializers.BooleanField()


class ManagedSectionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    position = serializers.IntegerField()
    lessons = ManagedLessonRefOutput(many=True)


class OutlineItemInput(serializers.Serializer):
    section = IdField()
    lessons = serializers.ListField(child=IdField(), max_length=MAX_LESSONS, help_text="Its lessons' ids, in order.")


class SectionCreateInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)


class LessonContentOutput(serializers.Serializer):
    title = serializers.CharField()
    body = BlocksField()
    duration_minutes = serializers.IntegerField()


class ManagedLessonOutput(serializers.Serializer):
    id = serializers.IntegerField()
    course = serializers.IntegerField(help_text="The course's id.")
    section = serializers.IntegerField(help_text="The section's id.")
    slug = serializers.SlugField()
    kind = serializers.ChoiceField(choices=Lesson.Kind.values)
    is_preview = serializers.BooleanField()
    live = serializers.BooleanField()
    has_unpublished_changes = serializers.BooleanField()
    latest_revision = serializers.IntegerField(help_text="Send it back as based_on when you save the draft.")
    live_revision = serializers.IntegerField(allow_null=True)
    draft = LessonContentOutput(help_text="The newest revision's content.")


class LessonFieldsInput(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    body = BlocksField(required=False)
    duration_minutes = BoundedIntegerField(min_value=0, max_value=24 * 60, required=False)


class LessonCreateInput(LessonFieldsInput):
    title = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=Lesson.Kind.values, required=False, default=Lesson.Kind.TEXT)
    slug = serializers.SlugField(
        max_length=100, required=False, allow_blank=True, default="", help_text="Made from the title when blank."
    )


class LessonUpdateInput(LessonFieldsInput):
    """A new revision: fields left out keep the newest draft's values."""

    based_on = BoundedIntegerField(
        min_value=0, help_text="The revision you edited (latest_revision); a newer one means 409."
    )


class LessonDraftSavedOutput(serializers.Serializer):
    revision = serializers.IntegerField()
    lesson = ManagedLessonOutput()
