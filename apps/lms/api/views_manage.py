"""Course management for instructors (the courses they own or co-teach) and admins (every course):
courses and lessons as drafts through apps/lms/services/courses.py (revisions, ``based_on``,
publish and unpublish), the outline's order, new sections and lessons.

Who gets what, as in the shop's management: anonymous 401; signed in but neither instructor nor
admin 403; a course, section or lesson of a course one does not teach 404, as if it did not
exist. Every decision is apps/lms/permissions.py's (through the selectors and the services)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.publishing import selectors as publishing_selectors
from apps.lms import selectors
from apps.lms.api.common import (
    BAD_INPUT,
    CONFLICT,
    MANAGE_TAGS,
    NO_PAGE,
    NOT_AN_INSTRUCTOR,
    NOT_SIGNED_IN,
    NOT_YOURS,
    InstructorView,
    error,
    managed_course,
    managed_lesson,
    managed_section,
    require_based_on_known,
    service_errors,
)
from apps.lms.api.serializers import price_of
from apps.lms.api.serializers_manage import (
    CourseCreateInput,
    CourseDraftSavedOutput,
    CourseUpdateInput,
    LessonCreateInput,
    LessonDraftSavedOutput,
    LessonUpdateInput,
    ManagedCourseListOutput,
    ManagedCourseOutput,
    ManagedLessonOutput,
    ManagedSectionOutput,
    OutlineItemInput,
    SectionCreateInput,
)
from apps.lms.models import Course, Lesson
from apps.lms.services import courses as services

ANSWERS = {401: NOT_SIGNED_IN, 403: NOT_AN_INSTRUCTOR, 404: NOT_YOURS}
NOTHING_TO_PUBLISH = error("Nothing to publish: a course without lessons (no_lessons), or no saved revision.")
STALE_OUTLINE = error("The outline changed since you read it (stale_outline): read it again.")


def _person(user: Any) -> dict[str, Any]:
    return {"id": user.pk, "display_name": user.display_name}


def course_data(course: Course) -> dict[str, Any]:
    return ManagedCourseOutput(
        {
            "id": course.pk,
            "live": course.live,
            "has_unpublished_changes": course.has_unpublished_changes,
            "latest_revision": course.latest_revision,
            "live_revision": course.live_revision,
            "owner": _person(course.owner),
            "instructors": [_person(user) for user in selectors.instructors_of(course)],
            "price": price_of(course),
            "draft": services.course_draft(course),
        }
    ).data


def lesson_data(lesson: Lesson) -> dict[str, Any]:
    fields = ("id", "slug", "kind", "is_preview", "live", "has_unpublished_changes", "latest_revision")
    return ManagedLessonOutput(
        {
            **{name: getattr(lesson, name) for name in fields},
            "course": lesson.course_id,
            "section": lesson.section_id,
            "live_revision": lesson.live_revision,
            "draft": publishing_selectors.draft_content(lesson),
        }
    ).data


def outline_data(course: Course) -> list[dict[str, Any]]:
    return ManagedSectionOutput(
        [
            {
                "id": part.section.pk,
                "title": part.section.title,
                "position": part.section.position,
                "lessons": part.lessons,
            }
            for part in selectors.outline(course, with_drafts=True)
        ],
        many=True,
    ).data


def _course_input(values: dict[str, Any], draft: dict[str, Any]) -> services.CourseInput:
    """The service's input: what was sent, the draft's values for what was left out."""
    merged = {**draft, **values}
    return services.CourseInput(
        title=merged.get("title", ""),
        slug=merged.get("slug", "") or "",
        summary=merged.get("summary", "") or "",
        description=merged.get("description") or [],
        category_id=merged.get("category"),
        level=merged.get("level") or Course.Level.ALL,
        language=merged.get("language", "") or "",
        outcomes=tuple(merged.get("outcomes") or ()),
        requirements=tuple(merged.get("requirements") or ()),
    )


class ManagedCourseListView(InstructorView, GenericAPIView):
    @extend_schema(
        summary="List the courses you teach (drafts too)",
        responses={200: ManagedCourseListOutput(many=True), **ANSWERS, 404: NO_PAGE},
        tags=MANAGE_TAGS,
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ManagedCourseListOutput(page, many=True).data)

    def get_queryset(self) -> QuerySet[Course]:
        return selectors.courses_taught(self.request.user)

    @extend_schema(
        summary="Start a course (a draft you own)",
        request=CourseCreateInput,
        responses={201: ManagedCourseOutput, 400: BAD_INPUT, 401: NOT_SIGNED_IN, 403: NOT_AN_INSTRUCTOR},
        tags=MANAGE_TAGS,
    )
    def post(self, request: Request) -> Response:
        data = CourseCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            course = services.course_create(actor=request.user, data=_course_input(data.validated_data, {}))
        return Response(course_data(managed_course(request.user, course.pk)), status=status.HTTP_201_CREATED)


class ManagedCourseView(InstructorView):
    @extend_schema(
        summary="Read a course's newest draft", responses={200: ManagedCourseOutput, **ANSWERS}, tags=MANAGE_TAGS
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(course_data(managed_course(request.user, pk)))

    @extend_schema(
        summary="Save a new revision of a course's draft (publishing makes it live)",
        request=CourseUpdateInput,
        responses={200: CourseDraftSavedOutput, 400: BAD_INPUT, **ANSWERS, 409: CONFLICT},
        tags=MANAGE_TAGS,
    )
    def patch(self, request: Request, pk: int) -> Response:
        course = managed_course(request.user, pk)
        data = CourseUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        based_on = values.pop("based_on")
        require_based_on_known(course, based_on)
        with service_errors():
            revision = services.course_update(
                actor=request.user,
                course=course,
                based_on=based_on,
                data=_course_input(values, services.course_draft(course)),
            )
        return Response({"revision": revision, "course": course_data(course)})


class CoursePublicationView(InstructorView):
    @extend_schema(
        summary="Publish a course's newest draft",
        request=None,
        responses={200: ManagedCourseOutput, 400: NOTHING_TO_PUBLISH, **ANSWERS},
        tags=MANAGE_TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        course = managed_course(request.user, pk)
        with service_errors():
            services.course_publish(actor=request.user, course=course)
        return Response(course_data(course))

    @extend_schema(
        summary="Take a course off the catalogue (learners keep their enrolments)",
        request=None,
        responses={200: ManagedCourseOutput, **ANSWERS},
        tags=MANAGE_TAGS,
    )
    def delete(self, request: Request, pk: int) -> Response:
        course = managed_course(request.user, pk)
        with service_errors():
            services.course_unpublish(actor=request.user, course=course)
        return Response(course_data(course))


class OutlineView(InstructorView):
    @extend_schema(
        summary="Read a course's outline, drafts included",
        responses={200: ManagedSectionOutput(many=True), **ANSWERS},
        tags=MANAGE_TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(outline_data(managed_course(request.user, pk)))

    @extend_schema(
        summary="Reorder the whole outline (lessons may change section)",
        description="Send every section of the course once, in order, each with every one of its lessons in "
        'order: [{"section": 1, "lessons": [3, 2]}, ...]. An outline that misses or repeats a section or '
        "lesson (one was added or deleted since you read it) is refused whole with 409.",
        request=OutlineItemInput(many=True),
        responses={200: ManagedSectionOutput(many=True), 400: BAD_INPUT, **ANSWERS, 409: STALE_OUTLINE},
        tags=MANAGE_TAGS,
    )
    def put(self, request: Request, pk: int) -> Response:
        course = managed_course(request.user, pk)
        data = OutlineItemInput(data=request.data, many=True, max_length=services.MAX_SECTIONS)
        data.is_valid(raise_exception=True)
        outline = [(item["section"], item["lessons"]) for item in data.validated_data]
        with service_errors():
            services.outline_reorder(actor=request.user, course=course, outline=outline)
        return Response(outline_data(course))


class SectionCreateView(InstructorView):
    @extend_schema(
        summary="Add a section at the end of a course's outline",
        request=SectionCreateInput,
        responses={201: ManagedSectionOutput, 400: BAD_INPUT, **ANSWERS},
        tags=MANAGE_TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        course = managed_course(request.user, pk)
        data = SectionCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            section = services.section_create(actor=request.user, course=course, title=data.validated_data["title"])
        body = {"id": section.pk, "title": section.title, "position": section.position, "lessons": []}
        return Response(ManagedSectionOutput(body).data, status=status.HTTP_201_CREATED)


class LessonCreateView(InstructorView):
    @extend_schema(
        summary="Add a lesson (a draft) at the end of a section",
        request=LessonCreateInput,
        responses={201: ManagedLessonOutput, 400: BAD_INPUT, **ANSWERS},
        tags=MANAGE_TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        section = managed_section(request.user, pk)
        data = LessonCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        with service_errors():
            lesson = services.lesson_create(
                actor=request.user,
                section=section,
                kind=values["kind"],
                slug=values["slug"],
                data=services.LessonInput(
                    title=values["title"],
                    body=values.get("body", []),
                    duration_minutes=values.get("duration_minutes", 5),
                ),
            )
        return Response(lesson_data(lesson), status=status.HTTP_201_CREATED)


class ManagedLessonView(InstructorView):
    @extend_schema(
        summary="Read a lesson's newest draft", responses={200: ManagedLessonOutput, **ANSWERS}, tags=MANAGE_TAGS
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(lesson_data(managed_lesson(request.user, pk)))

    @extend_schema(
        summary="Save a new revision of a lesson's draft (publishing makes it live)",
        request=LessonUpdateInput,
        responses={200: LessonDraftSavedOutput, 400: BAD_INPUT, **ANSWERS, 409: CONFLICT},
        tags=MANAGE_TAGS,
    )
    def patch(self, request: Request, pk: int) -> Response:
        lesson = managed_lesson(request.user, pk)
        data = LessonUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        based_on = values.pop("based_on")
        require_based_on_known(lesson, based_on)
        merged = {**publishing_selectors.draft_content(lesson), **values}
        with service_errors():
            revision = services.lesson_update(
                actor=request.user,
                lesson=lesson,
                based_on=based_on,
                data=services.LessonInput(
                    title=merged.get("title", ""),
                    body=merged.get("body") or [],
                    duration_minutes=merged.get("duration_minutes", 5),
                ),
            )
        return Response({"revision": revision, "lesson": lesson_data(lesson)})


class LessonPublicationView(InstructorView):
    @extend_schema(
        summary="Publish a lesson's newest draft",
        request=None,
        responses={200: ManagedLessonOutput, 400: NOTHING_TO_PUBLISH, **ANSWERS},
        tags=MANAGE_TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        lesson = managed_lesson(request.user, pk)
        with service_errors():
            services.lesson_publish(actor=request.user, lesson=lesson)
        return Response(lesson_data(lesson))

    @extend_schema(
        summary="Take a lesson down (its learners' progress is kept)",
        request=None,
        responses={200: ManagedLessonOutput, **ANSWERS},
        tags=MANAGE_TAGS,
    )
    def delete(self, request: Request, pk: int) -> Response:
        lesson = managed_lesson(request.user, pk)
        with service_errors():
            services.lesson_unpublish(actor=request.user, lesson=lesson)
        return Response(lesson_data(lesson))
