"""A course's reviews: anyone reads the shown ones; its learners who did a lesson write (or edit)
their own (apps/lms/reviews.py)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.lms import reviews, selectors
from apps.lms.api.common import BAD_INPUT, NOT_SIGNED_IN, TAGS, error, service_errors, visible_course

PAGE = 20


class CourseReviewOutput(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    text = serializers.CharField()
    author = serializers.CharField(help_text="The learner's display name.")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class ReviewListOutput(serializers.Serializer):
    rating_average = serializers.DecimalField(max_digits=3, decimal_places=2, allow_null=True)
    rating_count = serializers.IntegerField()
    results = CourseReviewOutput(many=True)


class ReviewInput(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    text = serializers.CharField(max_length=reviews.MAX_TEXT)


def review_data(review: dict[str, Any]) -> dict[str, Any]:
    field = serializers.DateTimeField()
    return {
        "rating": review["rating"],
        "text": review["text"],
        "author": review["author"],
        "created_at": field.to_representation(review["created_at"]),
        "updated_at": field.to_representation(review["updated_at"]),
    }


class CourseReviewListView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Read a course's reviews, newest first",
        parameters=[OpenApiParameter("page", int, description="1 and up; 20 a page")],
        responses={200: ReviewListOutput, 400: BAD_INPUT, 404: error("No such course.")},
        tags=TAGS,
    )
    def get(self, request: Request, slug: str) -> Response:
        course = visible_course(request.user, slug)
        page = serializers.IntegerField(min_value=1, max_value=10_000, required=False).run_validation(
            request.query_params.get("page") or 1
        )
        rows = reviews.reviews_of(course, limit=PAGE, offset=(page - 1) * PAGE)
        average = course.rating_average
        return Response(
            {
                "rating_average": None if average is None else f"{average:.2f}",
                "rating_count": course.rating_count,
                "results": [review_data(row) for row in rows],
            }
        )


class MyReviewView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Write or edit your review of a course",
        request=ReviewInput,
        responses={
            200: CourseReviewOutput,
            400: BAD_INPUT,
            401: NOT_SIGNED_IN,
            403: error("Only the course's learners who did a lesson review it (not who teaches it)."),
            404: error("No such course."),
        },
        tags=TAGS,
    )
    def put(self, request: Request, slug: str) -> Response:
        course = visible_course(request.user, slug)
        data = ReviewInput(data=request.data)
        data.is_valid(raise_exception=True)
        view = selectors.course_view(course, user=request.user)
        with service_errors():
            review = reviews.review_save(
                user=request.user,
                course=course,
                enrolment=view.enrolment,
                lessons_done=view.progress.done,
                **data.validated_data,
            )
        return Response(review_data(review))
