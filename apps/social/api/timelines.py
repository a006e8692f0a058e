"""Timelines: home (the accounts the caller follows, and their own posts), the public timeline,
a hashtag's (``timelines/tag/<name>/``), trending hashtags and whom to follow.

The timelines are the pages' reads (apps/social/timelines/reads.py) exactly: a page of candidate
ids hydrated in one query through the network's one visibility rule, then re-checked against
the current blocks, mutes and follows, and cut by ``?max_id=`` (posts older than that id), so a
page never shifts when new posts arrive above it. Each answers ``next`` (the older page's link,
null at the end), ``previous`` (always null: poll the first page for what is new) and
``results`` as the API shows posts (apps/social/api/posts.py)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import BasePagination
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from apps.core.api import ID_MAX, BoundedIntegerField, IdField
from apps.social import selectors_people, timelines, trends
from apps.social.api.common import BAD_INPUT, NOT_SIGNED_IN, Cursor, error
from apps.social.api.people import PersonOutput, people_data
from apps.social.api.posts import PostOutput, posts_data
from apps.social.models import Post
from apps.social.timelines import TimelinePage
from apps.social.timelines.reads import PAGE_SIZE

TIMELINES_TAGS = ["social timelines"]
PAGE_SIZE_MAX = 40
SUGGESTIONS_MAX = 20
NO_TAG = error("No post has used this hashtag.")


class TimelineQueryInput(serializers.Serializer):
    max_id = IdField(required=False, help_text="The page of posts older than this id (the next link's).")
    page_size = BoundedIntegerField(required=False, min_value=1, max_value=PAGE_SIZE_MAX)


class TimelinePagination(BasePagination):
    """``?max_id=<post id>&page_size=M`` (at most PAGE_SIZE_MAX): the reads' own cursor."""

    page_size = PAGE_SIZE

    def read(self, request: Request) -> tuple[int | None, int]:
        given = TimelineQueryInput(data=request.query_params)
        given.is_valid(raise_exception=True)
        self.request = request
        return given.validated_data.get("max_id"), given.validated_data.get("page_size", self.page_size)

    def answer(self, viewer: Any, page: TimelinePage) -> Response:
        url = self.request.build_absolute_uri()
        older = replace_query_param(url, "max_id", page.next_max_id) if page.next_max_id is not None else None
        return Response({"next": older, "previous": None, "results": posts_data(viewer, page.posts)})

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": "max_id",
                "required": False,
                "in": "query",
                "description": "The page of posts older than this id (as the next link gives it).",
                "schema": {"type": "integer", "minimum": 1, "maximum": ID_MAX},
            },
            {
                "name": "page_size",
                "required": False,
                "in": "query",
                "description": f"Posts a page (at most {PAGE_SIZE_MAX}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": PAGE_SIZE_MAX},
            },
        ]

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        # The cursor pages' very shape (next, previous, results), so both name one component.
        return Cursor().get_paginated_response_schema(schema)


class _TimelineView(GenericAPIView):
    pagination_class = TimelinePagination
    serializer_class = PostOutput
    queryset = Post.objects.none()  # for the schema: get() reads the timeline

    def page(self, request: Request, read: Any) -> Response:
        paginator = self.paginator
        max_id, limit = paginator.read(request)
        return paginator.answer(request.user, read(max_id=max_id, limit=limit))


class HomeTimelineView(_TimelineView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Your home timeline: the accounts you follow, and your own posts, newest first",
        operation_id="social_timelines_home_list",
        responses={200: PostOutput(many=True), 400: BAD_INPUT, 401: NOT_SIGNED_IN},
        tags=TIMELINES_TAGS,
    )
    def get(self, request: Request) -> Response:
        return self.page(request, lambda **cut: timelines.home_timeline(request.user, **cut))


class PublicTimelineView(_TimelineView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Everyone's public posts, newest first",
        operation_id="social_timelines_public_list",
        responses={200: PostOutput(many=True), 400: BAD_INPUT},
        tags=TIMELINES_TAGS,
    )
    def get(self, request: Request) -> Response:
        return self.page(request, lambda **cut: timelines.public_timeline(request.user, **cut))


class HashtagTimelineView(_TimelineView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="A hashtag's public posts, newest first (any case; a leading # is ignored)",
        operation_id="social_timelines_tag_list",
        responses={200: PostOutput(many=True), 400: BAD_INPUT, 404: NO_TAG},
        tags=TIMELINES_TAGS,
    )
    def get(self, request: Request, name: str) -> Response:
        tag = timelines.hashtag_get(name)
        if tag is None:
            raise exceptions.NotFound("No post has used this hashtag.")
        return self.page(request, lambda **cut: timelines.hashtag_timeline(request.user, tag, **cut))


class TrendOutput(serializers.Serializer):
    name = serializers.CharField(help_text="Lower case: the tag timeline's address takes it.")
    display = serializers.CharField(help_text="As first written.")
    score = serializers.FloatField(help_text="Uses lately, each weighing less the older it is.")
    timeline = serializers.URLField()


class TrendsView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="The hashtags used most lately, best first",
        operation_id="social_trends_list",
        responses={200: TrendOutput(many=True)},
        tags=TIMELINES_TAGS,
    )
    def get(self, request: Request) -> Response:
        return Response(
            [
                {
                    "name": trend.name,
                    "display": trend.display,
                    "score": trend.score,
                    "timeline": reverse("api-social-timeline-tag", args=[trend.name], request=request),
                }
                for trend in trends.trending(limit=20)
            ]
        )


class SuggestionsInput(serializers.Serializer):
    limit = BoundedIntegerField(required=False, min_value=1, max_value=SUGGESTIONS_MAX)


class SuggestionsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="People you may want to follow, best first",
        description="Friends of friends first, then people who write with the hashtags you write with.",
        operation_id="social_suggestions_list",
        parameters=[SuggestionsInput],
        responses={200: PersonOutput(many=True), 400: BAD_INPUT, 401: NOT_SIGNED_IN},
        tags=TIMELINES_TAGS,
    )
    def get(self, request: Request) -> Response:
        given = SuggestionsInput(data=request.query_params)
        given.is_valid(raise_exception=True)
        limit = given.validated_data.get("limit", selectors_people.SUGGESTIONS)
        return Response(people_data(request.user, selectors_people.who_to_follow(request.user, limit=limit)))
