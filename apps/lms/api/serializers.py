"""Shapes of the LMS's public and learners' API: ``…Input`` serializers parse what clients send,
``…Output`` serializers say what they get back. A price is ``{"amount": "12.50", "currency":
"EUR"}`` (a decimal string) or null for a free course. Lesson bodies appear only in a lesson's
own answer, never in the catalogue or a course's outline."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.api import BoundedIntegerField, IdField, parsers
from apps.core.blocks import clean_blocks
from apps.lms.api.common import absolute_url
from apps.lms.models import Course, Lesson, LessonAttachment
from apps.lms.selectors import ATTACHMENT_LINK_MINUTES, attachment_link

MAX_QUERY_CHARS = 200


@extend_schema_field(
    {
        "type": "array",
        "items": {"type": "object", "additionalProperties": True},
        "description": "Content blocks (docs/blocks.md): each {type, id, ...fields}. Rich text is sanitised.",
    }
)
class BlocksField(serializers.JSONField):
    """A body of blocks: a JSON list (or JSON text of one), checked and sanitised by the blocks
    schema with every problem named by position."""

    def to_internal_value(self, data: Any) -> list[dict[str, Any]]:
        if isinstance(data, str):
            if parsers.depth_of(data) > parsers.MAX_DEPTH:
                raise serializers.ValidationError(parsers.TOO_DEEP)
            try:
                data = json.loads(data)
            except ValueError:
                self.fail("invalid")
        try:
            return clean_blocks(data)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None


def course_api_url(course: Course) -> str:
    return absolute_url(reverse("api-lms-course", args=[course.slug]))


def lesson_api_url(lesson: Lesson) -> str:
    return absolute_url(reverse("api-lms-lesson", args=[lesson.course.slug, lesson.slug]))


def attachment_data(user: Any, course: Course, lesson: Lesson, item: LessonAttachment) -> dict[str, Any]:
    """A file as the API shows it to ``user``, who may open its lesson: its download is a signed
    link of theirs (a client with a token has no session for the page's link)."""
    url = attachment_link(user, course, lesson, item)
    return {"id": item.pk, "title": item.title, "filename": item.filename, "size": item.size, "url": absolute_url(url)}


class CoursePriceOutput(serializers.Serializer):
    amount = serializers.CharField(help_text='A decimal string with two places, e.g. "12.50".')
    currency = serializers.CharField(help_text="ISO 4217 code, e.g. EUR.")


def price_of(course: Course) -> dict[str, str] | None:
    return None if course.is_free else {"amount": f"{course.price:.2f}", "currency": course.currency}


# --- Catalogue ---------------------------------------------------------------------------------


class CourseCategoryOutput(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.SlugField()


class InstructorOutput(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()


class CourseListFilterInput(serializers.Serializer):
    category = serializers.SlugField(required=False, help_text="Only courses in the category with this slug.")
    level = serializers.ChoiceField(choices=Course.Level.values, required=False)
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=MAX_QUERY_CHARS,
        default="",
        help_text="Words the title or summary contains (all of them).",
    )


class CourseCardOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    slug = serializers.SlugField()
    summary = serializers.CharField()
    level = serializers.ChoiceField(choices=Course.Level.values)
    language = serializers.CharField()
    category = CourseCategoryOutput(allow_null=True)
    owner = serializers.CharField(source="owner.display_name", help_text="The owner instructor's display name.")
    lesson_count = serializers.IntegerField(help_text="Live lessons.")
    minutes = serializers.SerializerMethodField(help_text="The live lessons' durations, added up.")
    is_free = serializers.BooleanField()
    price = serializers.SerializerMethodField(help_text="null: free.")
    url = serializers.SerializerMethodField(help_text="This course's address in the API (its landing data).")

    def get_minutes(self, course: Course) -> int:
        return int(getattr(course, "minutes", None) or 0)

    @extend_schema_field(CoursePriceOutput(allow_null=True))
    def get_price(self, course: Course) -> dict[str, str] | None:
        return price_of(course)

    def get_url(self, course: Course) -> str:
        return course_api_url(course)


class LessonLockOutput(serializers.Serializer):
    reason = serializers.CharField(help_text="Why the lesson is closed to you (for people).")
    opens_at = serializers.DateTimeField(allow_null=True, help_text="When it opens by itself (null: it does not).")


class OutlineLessonOutput(serializers.Serializer):
    """A lesson in a course's outline: never its body."""

    title = serializers.CharField()
    slug = serializers.SlugField()
    kind = serializers.ChoiceField(choices=Lesson.Kind.values)
    duration_minutes = serializers.IntegerField()
    is_preview = serializers.BooleanField(help_text="A free preview: open to anyone.")
    live = serializers.BooleanField(help_text="False only for drafts, which only the course's instructors see.")
    lock = LessonLockOutput(
        allow_null=True, help_text="Why you may not open it (null: you may; anonymous callers: enrol first)."
    )
    completed = serializers.BooleanField(help_text="Whether you completed it.")
    url = serializers.URLField(help_text="The lesson's content in the API.")


class OutlineSectionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    lessons = OutlineLessonOutput(many=True)


class CourseProgressOutput(serializers.Serializer):
    done = serializers.IntegerField(help_text="Live lessons completed.")
    total = serializers.IntegerField(help_text="Live lessons.")
    percent = serializers.IntegerField()


class MyEnrolmentOutput(serializers.Serializer):
    active = serializers.BooleanField(help_text="False once access ended (progress is kept).")
    enrolled_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(allow_null=True)
    cohort = serializers.CharField(allow_null=True, help_text="The cohort's name, if any.")
    progress = CourseProgressOutput()


class CourseRefOutput(serializers.Serializer):
    title = serializers.CharField()
    slug = serializers.SlugField()


class CohortOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(allow_null=True)
    seats = serializers.IntegerField(allow_null=True, help_text="null: no limit.")
    seats_left = serializers.IntegerField(allow_null=True, help_text="null: no limit.")


class CourseDetailOutput(CourseCardOutput):
    live = serializers.BooleanField(help_text="False only for drafts, which only the course's instructors see.")
    description = BlocksField()
    outcomes = serializers.ListField(child=serializers.CharField(), help_text="What a learner will be able to do.")
    requirements = serializers.ListField(child=serializers.CharField(), help_text="What a learner needs first.")
    instructors = InstructorOutput(many=True, help_text="The owner first, then the co-instructors.")
    prerequisite = CourseRefOutput(allow_null=True, help_text="A course to complete before enrolling.")
    enrolment = MyEnrolmentOutput(allow_null=True, help_text="Yours (null: never enrolled, or anonymous).")
    cohorts = CohortOutput(
        many=True, help_text="A paid course's cohorts still to join (buy a seat of one); empty for a free course."
    )
    sections = OutlineSectionOutput(many=True)


class PurchaseInput(serializers.Serializer):
    cohort = IdField(required=False, allow_null=True, default=None, help_text="The cohort whose seat to buy.")


class PurchaseOutput(serializers.Serializer):
    message = serializers.CharField(help_text="What the cart says of the place added.")
    cart_url = serializers.URLField(help_text="The shop API's cart, to check out from.")


# --- Learning ----------------------------------------------------------------------------------


class EnrolInput(serializers.Serializer):
    cohort = IdField(required=False, allow_null=True, default=None, help_text="A cohort of this course to join.")


class LessonRefOutput(serializers.Serializer):
    title = serializers.CharField()
    slug = serializers.SlugField()
    url = serializers.URLField()


class EnrolmentOutput(serializers.Serializer):
    course = CourseRefOutput()
    course_url = serializers.URLField()
    active = serializers.BooleanField()
    source = serializers.CharField(help_text="free, purchase or invitation.")
    enrolled_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(allow_null=True)
    cohort = serializers.CharField(allow_null=True)
    progress = CourseProgressOutput()
    next_lesson = LessonRefOutput(allow_null=True, help_text='Where "Continue" leads (null: nothing open left).')


class AttachmentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    filename = serializers.CharField()
    size = serializers.IntegerField(help_text="Bytes.")
    url = serializers.URLField(
        help_text=f"Its download: a link signed for you, valid {ATTACHMENT_LINK_MINUTES} minutes (no token needed)."
    )


class LessonDetailOutput(serializers.Serializer):
    course = CourseRefOutput()
    title = serializers.CharField()
    slug = serializers.SlugField()
    kind = serializers.ChoiceField(choices=Lesson.Kind.values)
    duration_minutes = serializers.IntegerField()
    is_preview = serializers.BooleanField()
    live = serializers.BooleanField()
    body = BlocksField(help_text="The lesson's content as blocks.")
    video_url = serializers.URLField(allow_null=True)
    attachments = AttachmentOutput(many=True, help_text="The lesson's files, in order.")
    quiz_url = serializers.URLField(allow_null=True, help_text="A quiz lesson's quiz (its attempts start there).")
    submissions_url = serializers.URLField(allow_null=True, help_text="An assignment lesson's hand-ins (yours).")
    completed = serializers.BooleanField(help_text="Whether you completed it.")
    position_seconds = serializers.IntegerField(help_text="Where you left its video.")
    watched_percent = serializers.IntegerField()


class ProgressInput(serializers.Serializer):
    position_seconds = BoundedIntegerField(min_value=0, max_value=24 * 3600, help_text="Where the video is.")
    watched_percent = BoundedIntegerField(
        min_value=0, max_value=100, required=False, allow_null=True, default=None, help_text="Only ever grows."
    )


class LessonProgressOutput(serializers.Serializer):
    completed = serializers.BooleanField(help_text="Whether the lesson is completed (by this report or before).")
    just_completed = serializers.BooleanField(help_text="Whether this report completed it.")
    position_seconds = serializers.IntegerField()
    watched_percent = serializers.IntegerField()


class LessonCompletionOutput(serializers.Serializer):
    completed = serializers.BooleanField()
    course_completed = serializers.BooleanField()
    progress = CourseProgressOutput()
