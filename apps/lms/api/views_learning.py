"""Learning: free enrolment, the signed-in learner's enrolments with their progress and next
lesson, a lesson's content, and the learner's progress through it, through
apps/lms/services/learning.py. A lesson opens to its course's instructors (drafts too), to
anyone as a free preview, and otherwise to an enrolled learner it is not locked for (403 with the
lock's reason and when it opens); a lesson or course one may not see is 404.

Idempotency: every POST here takes the platform's ``Idempotency-Key`` (the middleware, as for
every unsafe request). The progress heartbeat is not exempt: exemption is for page forms whose
one rendered key would bind every later post (the shop's cart forms); API clients send a key
only when they want a retry replayed, and a player that sends none claims nothing. Its writes
are safe to repeat anyway (the position is overwritten, the watched share only grows)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.lms import permissions, selectors
from apps.lms.api.common import (
    LEARNING_TAGS,
    LOCKED,
    NO_PAGE,
    NOT_SIGNED_IN,
    error,
    locked,
    service_errors,
    visible_course,
    visible_lesson,
)
from apps.lms.api.serializers import (
    EnrolInput,
    EnrolmentOutput,
    LessonCompletionOutput,
    LessonDetailOutput,
    LessonProgressOutput,
    ProgressInput,
    absolute_url,
    attachment_data,
    course_api_url,
    lesson_api_url,
)
from apps.lms.models import Cohort, Enrolment, Lesson, LessonOpening, LessonProgress
from apps.lms.services import learning

NO_COURSE = error("No such course, or a draft you may not edit.")
NO_LESSON = error("No such course or lesson, or a draft you may not see.")


def _progress(progress: selectors.CourseProgress) -> dict[str, int]:
    return {"done": progress.done, "total": progress.total, "percent": progress.percent}


def _continue_at(enrolments: list[Enrolment]) -> dict[int, tuple[selectors.CourseProgress, Lesson | None]]:
    """Each enrolment's progress over its course's live lessons and where "Continue" leads, for
    any number of enrolments in three queries (the live lessons in outline order, the progress
    rows, the openings), through the selectors' own rules (locks, next_lesson)."""
    courses = {enrolment.course_id: enrolment.course for enrolment in enrolments}
    lessons: dict[int, list[Lesson]] = defaultdict(list)
    live = Lesson.objects.filter(course_id__in=courses, live=True).defer("body")
    for lesson in live.order_by("course_id", "section__position", "section_id", "position", "pk"):
        lesson.course = courses[lesson.course_id]
        lessons[lesson.course_id].append(lesson)
    ids = [enrolment.pk for enrolment in enrolments]
    progress: dict[int, dict[int, LessonProgress]] = defaultdict(dict)
    for row in LessonProgress.objects.filter(enrolment_id__in=ids):
        progress[row.enrolment_id][row.lesson_id] = row
    openings: dict[int, dict[int, LessonOpening]] = defaultdict(dict)
    for opening in LessonOpening.objects.filter(enrolment_id__in=ids):
        openings[opening.enrolment_id][opening.lesson_id] = opening
    found = {}
    for enrolment in enrolments:
        state = selectors.LearnerState(enrolment, progress[enrolment.pk], openings[enrolment.pk])
        of_course = lessons[enrolment.course_id]
        lock_of = selectors.locks(of_course, state)
        found[enrolment.pk] = (
            selectors.course_progress(of_course, state),
            selectors.next_lesson(of_course, state, lock_of),
        )
    return found


def _enrolment_data(enrolment: Enrolment, progress: selectors.CourseProgress, next_lesson: Lesson | None) -> Any:
    course = enrolment.course
    return EnrolmentOutput(
        {
            "course": {"title": course.title, "slug": course.slug},
            "course_url": course_api_url(course),
            "active": enrolment.is_active,
            "source": enrolment.source,
            "enrolled_at": enrolment.enrolled_at,
            "completed_at": enrolment.completed_at,
            "cohort": enrolment.cohort.name if enrolment.cohort else None,
            "progress": _progress(progress),
            "next_lesson": None
            if next_lesson is None
            else {"title": next_lesson.title, "slug": next_lesson.slug, "url": lesson_api_url(next_lesson)},
        }
    ).data


class EnrolmentCreateView(APIView):
    """A free place in a course, in one call (a paid course is bought in the shop)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Enrol in a free course",
        request=EnrolInput,
        responses={
            201: EnrolmentOutput,
            400: error("Invalid fields, or a cohort of another course."),
            401: NOT_SIGNED_IN,
            403: error("Refused by the course's rules: not open, sold in the shop, or a prerequisite to complete."),
            404: NO_COURSE,
            409: error("Already enrolled (already_enrolled), or the cohort is full or has ended."),
        },
        tags=LEARNING_TAGS,
    )
    def post(self, request: Request, slug: str) -> Response:
        course = visible_course(request.user, slug)
        data = EnrolInput(data=request.data)
        data.is_valid(raise_exception=True)
        cohort = None
        if data.validated_data["cohort"] is not None:
            cohort = Cohort.objects.filter(pk=data.validated_data["cohort"], course=course).first()
            if cohort is None:
                raise exceptions.ValidationError({"cohort": ["No such cohort of this course."]})
        with service_errors():
            enrolment = learning.course_enrol(user=request.user, course=course, cohort=cohort)
        enrolment.course = course
        progress, next_lesson = _continue_at([enrolment])[enrolment.pk]
        return Response(_enrolment_data(enrolment, progress, next_lesson), status=status.HTTP_201_CREATED)


class EnrolmentListView(GenericAPIView):
    """The signed-in learner's active enrolments, most recently studied first."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="List your enrolments with your progress",
        responses={200: EnrolmentOutput(many=True), 401: NOT_SIGNED_IN, 404: NO_PAGE},
        tags=LEARNING_TAGS,
    )
    def get(self, request: Request) -> Response:
        # Rows, not a queryset: read here rather than in get_queryset, which the schema generator
        # calls at import time (a query then would open the database before the tests choose it).
        page = self.paginate_queryset(selectors.my_learning(request.user))
        continue_at = _continue_at([row.enrolment for row in page])
        data = [_enrolment_data(row.enrolment, row.progress, continue_at[row.enrolment.pk][1]) for row in page]
        return self.get_paginated_response(data)


def _lesson_link(name: str, course: Any, lesson: Lesson) -> str:
    return absolute_url(reverse(name, args=[course.slug, lesson.slug]))


class LessonDetailView(APIView):
    """A lesson's content, for who may open it."""

    permission_classes = [AllowAny]

    @extend_schema(
        summary="Read a lesson's content",
        responses={
            200: LessonDetailOutput,
            401: error("Not signed in, and the lesson is not a free preview (not_authenticated)."),
            403: LOCKED,
            404: NO_LESSON,
        },
        tags=LEARNING_TAGS,
    )
    def get(self, request: Request, slug: str, lesson_slug: str) -> Response:
        course = visible_course(request.user, slug)
        lesson = visible_lesson(request.user, course, lesson_slug)
        enrolment = selectors.enrolment_get(user=request.user, course=course)
        state = selectors.learner_state(enrolment)
        lock = selectors.lesson_lock_for(lesson, state)
        if not permissions.can_view_lesson(request.user, lesson, lock=lock, enrolment=enrolment):
            if not request.user.is_authenticated:
                raise exceptions.NotAuthenticated("Sign in and enrol in this course to open this lesson.")
            return locked(lock or permissions.Lock("Enrol in this course to open this lesson."))
        row = state.progress.get(lesson.pk)
        return Response(
            LessonDetailOutput(
                {
                    "course": {"title": course.title, "slug": course.slug},
                    "title": lesson.title,
                    "slug": lesson.slug,
                    "kind": lesson.kind,
                    "duration_minutes": lesson.duration_minutes,
                    "is_preview": lesson.is_preview,
                    "live": lesson.live,
                    "body": lesson.body,
                    "video_url": absolute_url(lesson.video.url) if lesson.video else None,
                    "attachments": [
                        attachment_data(request.user, course, lesson, item) for item in lesson.attachments.all()
                    ],
                    "quiz_url": _lesson_link("api-lms-quiz", course, lesson)
                    if lesson.kind == Lesson.Kind.QUIZ
                    else None,
                    "submissions_url": _lesson_link("api-lms-lesson-submissions", course, lesson)
                    if lesson.kind == Lesson.Kind.ASSIGNMENT
                    else None,
                    "completed": row is not None and row.completed_at is not None,
                    "position_seconds": row.position_seconds if row else 0,
                    "watched_percent": row.watched_percent if row else 0,
                }
            ).data
        )


LEARNER_REFUSED = error(
    "Not enrolled (or no longer), the lesson is locked (lesson_locked) or not open to learners (a draft): why."
)


class LessonProgressView(APIView):
    """The player's heartbeat: where the learner is in the lesson (see the module's docstring on
    idempotency)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Record your progress in a lesson",
        request=ProgressInput,
        responses={200: LessonProgressOutput, 401: NOT_SIGNED_IN, 403: LEARNER_REFUSED, 404: NO_LESSON},
        tags=LEARNING_TAGS,
    )
    def post(self, request: Request, slug: str, lesson_slug: str) -> Response:
        course = visible_course(request.user, slug)
        lesson = visible_lesson(request.user, course, lesson_slug)
        data = ProgressInput(data=request.data)
        data.is_valid(raise_exception=True)
        enrolment = selectors.enrolment_get(user=request.user, course=course)
        with service_errors():
            progressed = learning.lesson_progress_record(
                user=request.user,
                enrolment=enrolment,
                lesson=lesson,
                position_seconds=data.validated_data["position_seconds"],
                watched_percent=data.validated_data["watched_percent"],
            )
        row = selectors.lesson_progress_get(enrolment=enrolment, lesson=lesson)
        return Response(
            LessonProgressOutput(
                {
                    "completed": row.completed_at is not None,
                    "just_completed": progressed.just_completed,
                    "position_seconds": row.position_seconds,
                    "watched_percent": row.watched_percent,
                }
            ).data
        )


class LessonCompletionView(APIView):
    """The learner says they completed the lesson (completing it again changes nothing)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Mark a lesson completed",
        request=None,
        responses={200: LessonCompletionOutput, 401: NOT_SIGNED_IN, 403: LEARNER_REFUSED, 404: NO_LESSON},
        tags=LEARNING_TAGS,
    )
    def post(self, request: Request, slug: str, lesson_slug: str) -> Response:
        course = visible_course(request.user, slug)
        lesson = visible_lesson(request.user, course, lesson_slug)
        enrolment = selectors.enrolment_get(user=request.user, course=course)
        with service_errors():
            enrolment = learning.lesson_complete(user=request.user, enrolment=enrolment, lesson=lesson)
        enrolment.course = course
        progress, _ = _continue_at([enrolment])[enrolment.pk]
        return Response(
            LessonCompletionOutput(
                {
                    "completed": True,
                    "course_completed": enrolment.completed_at is not None,
                    "progress": _progress(progress),
                }
            ).data
        )
