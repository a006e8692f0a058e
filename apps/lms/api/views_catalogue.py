"""The public catalogue: live courses (filtered, searched, paginated), a course's landing data with
its outline by its slug, and the categories. Anyone may read; a draft course exists only for who
may edit it (404 for everyone else), and a signed-in learner also gets their enrolment and, per
lesson, whether it is open to them and completed. Lesson bodies are never part of these answers."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from apps.core.api import ApiRootOutput
from apps.lms import permissions, selectors
from apps.lms.api.common import NO_PAGE, TAGS, absolute_url, error, service_errors, visible_course
from apps.lms.api.serializers import (
    CohortOutput,
    CourseCardOutput,
    CourseCategoryOutput,
    CourseDetailOutput,
    CourseListFilterInput,
    MyEnrolmentOutput,
    OutlineSectionOutput,
    PurchaseInput,
    PurchaseOutput,
    lesson_api_url,
)
from apps.lms.models import Course
from apps.lms.services import selling


class LmsApiRootView(APIView):
    """Where the LMS's API starts: links to its lists."""

    permission_classes = [AllowAny]

    @extend_schema(summary="The LMS API's endpoints", responses=ApiRootOutput, tags=TAGS)
    def get(self, request: Request) -> Response:
        names = {
            "courses": "api-lms-courses",
            "categories": "api-lms-categories",
            "enrolments": "api-lms-enrolments",
            "certificates": "api-lms-certificates",
            "manage_courses": "api-lms-manage-courses",
        }
        links = {key: reverse(name, request=request) for key, name in names.items()}
        return Response({"name": f"{settings.SITE_NAME} LMS API", "version": "v1", "links": links})


class CourseListView(GenericAPIView):
    """Live courses, newest first, with the catalogue page's filters (one selector for both)."""

    permission_classes = [AllowAny]

    @extend_schema(
        summary="List live courses",
        operation_id="lms_courses_list",
        parameters=[CourseListFilterInput],
        responses={200: CourseCardOutput(many=True), 400: error("A malformed filter."), 404: NO_PAGE},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(CourseCardOutput(page, many=True).data)

    def get_queryset(self) -> QuerySet[Course]:
        filters = CourseListFilterInput(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        values = filters.validated_data
        return selectors.course_list_live(
            category=values.get("category", ""), level=values.get("level", ""), query=values["q"]
        )


def _lesson_row(lesson: Any, *, lock: permissions.Lock | None, completed: bool) -> dict[str, Any]:
    return {
        "title": lesson.title,
        "slug": lesson.slug,
        "kind": lesson.kind,
        "duration_minutes": lesson.duration_minutes,
        "is_preview": lesson.is_preview,
        "live": lesson.live,
        "lock": None if lock is None else {"reason": lock.reason, "opens_at": lock.opens_at},
        "completed": completed,
        "url": lesson_api_url(lesson),
    }


def course_detail(user: Any, course: Course) -> dict[str, Any]:
    """The landing data: the course, its instructors and its outline, with the caller's
    enrolment and each lesson's lock and completion (a fixed number of queries)."""
    teaching = permissions.can_edit_course(user, course)
    sections = selectors.outline(course, with_drafts=teaching)
    lessons = selectors.lessons_in_order(sections)
    enrolment = selectors.enrolment_get(user=user, course=course)
    state = selectors.learner_state(enrolment)
    lock_of = selectors.locks(lessons, state)
    completed = state.completed
    # Live lessons only count towards progress, as my_learning counts them.
    progress = selectors.course_progress([lesson for lesson in lessons if lesson.live], state)

    def lock(lesson: Any) -> permissions.Lock | None:
        # Who teaches the course opens every lesson; a free preview is open to anyone.
        return None if teaching or lesson.is_preview else lock_of[lesson.pk]

    course.minutes = sum(lesson.duration_minutes for lesson in lessons if lesson.live)
    course.lesson_count = sum(1 for lesson in lessons if lesson.live)
    enrolled = None
    if enrolment is not None:
        enrolled = {
            "active": enrolment.is_active,
            "enrolled_at": enrolment.enrolled_at,
            "completed_at": enrolment.completed_at,
            "cohort": enrolment.cohort.name if enrolment.cohort else None,
            "progress": {"done": progress.done, "total": progress.total, "percent": progress.percent},
        }
    outline = [
        {
            "id": part.section.pk,
            "title": part.section.title,
            "lessons": [
                _lesson_row(lesson, lock=lock(lesson), completed=lesson.pk in completed) for lesson in part.lessons
            ],
        }
        for part in sections
    ]
    return {
        **CourseCardOutput(course).data,
        "live": course.live,
        "description": course.description,
        "outcomes": course.outcomes,
        "requirements": course.requirements,
        "instructors": [{"id": p.pk, "display_name": p.display_name} for p in selectors.instructors_of(course)],
        "prerequisite": (
            {"title": course.prerequisite.title, "slug": course.prerequisite.slug} if course.prerequisite else None
        ),
        "enrolment": None if enrolled is None else MyEnrolmentOutput(enrolled).data,
        # One query, and for paid courses only: a free one sells nothing.
        "cohorts": [] if course.is_free else CohortOutput(selectors.cohorts_on_offer(course), many=True).data,
        "sections": OutlineSectionOutput(outline, many=True).data,
    }


class CourseDetailView(APIView):
    """A course by its address: what its landing page shows, with the outline."""

    permission_classes = [AllowAny]

    @extend_schema(
        summary="Read a course with its outline",
        responses={200: CourseDetailOutput, 404: error("No such course, or a draft you may not edit.")},
        tags=TAGS,
    )
    def get(self, request: Request, slug: str) -> Response:
        course = visible_course(request.user, slug)
        return Response(course_detail(request.user, course))


class CategoryListView(GenericAPIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="List course categories", responses={200: CourseCategoryOutput(many=True), 404: NO_PAGE}, tags=TAGS
    )
    def get(self, request: Request) -> Response:
        # A list, read here rather than in get_queryset (see views_learning.EnrolmentListView).
        page = self.paginate_queryset(selectors.category_list())
        return self.get_paginated_response(CourseCategoryOutput(page, many=True).data)


class CoursePurchaseView(APIView):
    """Put a place in a paid course (a seat of one of its cohorts) in the caller's shop cart, as the
    landing page's "Buy" does; the buyer checks out through the shop's API."""

    permission_classes = [AllowAny]

    @extend_schema(
        summary="Put a place in a paid course in your cart",
        request=PurchaseInput,
        responses={
            201: PurchaseOutput,
            400: error("A course with cohorts wants one (cohort_required), or invalid fields."),
            404: error("No such course, or no such cohort of it."),
            409: error("Free, not on sale (not_for_sale), or already yours (already_enrolled)."),
        },
        tags=TAGS,
    )
    def post(self, request: Request, slug: str) -> Response:
        course = visible_course(request.user, slug)
        data = PurchaseInput(data=request.data)
        data.is_valid(raise_exception=True)
        cohort = None
        if data.validated_data["cohort"] is not None:
            cohort = selectors.cohort_of(course, data.validated_data["cohort"])
            if cohort is None:
                raise exceptions.NotFound("No such cohort of this course.")
        with service_errors({"not_for_sale": 409, "already_enrolled": 409, "cohort_required": 400}):
            message = selling.place_add_to_cart(
                user=request.user, session=request.session, course=course, cohort=cohort
            )
        body = {"message": message, "cart_url": absolute_url(reverse("api-shop-cart"))}
        return Response(body, status=status.HTTP_201_CREATED)
