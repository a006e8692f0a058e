"""The blog's API views: adapters that parse input, call one service or selector and answer. The
services check each action on a post once (apps/blog/permissions.post_action_refusal) and
``service_errors`` answers their refusal (403 with its reason). URL design (urls.py): public
reads by slug, writing and review by id.

Who sees what: visitors' reads show live posts only, whoever asks and whatever the parameters. A
post someone may not see (another author's draft) answers 404 to them, as if it did not exist;
one they may see but not act on answers 403. Anonymous writes answer 401 before anything else.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpResponseBase
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from apps.blog import permissions, selectors, services
from apps.blog.api.common import (
    NOT_FOUND,
    NOT_SIGNED_IN,
    POST_FIELDS_BY_CODE,
    cached_answer,
    error,
    post_for,
    refuse,
    require,
    service_errors,
)
from apps.blog.api.serializers import (
    CategoryCreateInput,
    CategoryOutput,
    CommentOutput,
    PostCreateInput,
    PostDetailOutput,
    PostDraftOutput,
    PostDraftUpdateInput,
    PostListFilterInput,
    PostListOutput,
    PostManageOutput,
    PostPreviewInput,
    PostPublishInput,
    PostRequestChangesInput,
    PostScheduleInput,
    TagOutput,
)
from apps.blog.models import Post, Tag
from apps.blog.permissions import PostAction
from apps.core.api import ApiRootOutput
from apps.core.comments import Comment
from apps.core.publishing import as_draft, live_or_preview

TAGS = ["blog"]
# Cached list pages: the first pages of each filter, which is what readers ask for; deep pages are
# rare, and keeping them would let crawlers fill the cache.
CACHED_PAGES = 50
_NUMBER = re.compile(r"[1-9][0-9]{0,8}")
_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,100}")
_CANONICAL_LIST_PARAMS = {"category": _SLUG, "tag": _SLUG, "author": _NUMBER, "page": _NUMBER, "page_size": _NUMBER}


def _post_input(values: Mapping[str, Any], current: Mapping[str, Any]) -> services.PostInput:
    """What the editor sent, completed with the newest draft's values for fields left out."""

    def value(name: str) -> Any:
        return values[name] if name in values else current.get(name, "")

    return services.PostInput(
        title=value("title"),
        body=value("body") or [],
        slug=value("slug"),
        excerpt=value("excerpt"),
        seo_description=value("seo_description"),
        cover_alt=value("cover_alt"),
        category_ids=tuple(value("categories") or ()),
        tag_names=tuple(value("tags") or ()),
    )


def _draft(post: Post) -> dict[str, Any]:
    return PostDraftOutput(selectors.draft_of(post)).data


def _managed(post: Post) -> dict[str, Any]:
    return PostManageOutput(selectors.draft_of(post)).data


class BlogApiRootView(APIView):
    """Where the blog's API starts: links to its lists, as the API root links each area."""

    permission_classes = [AllowAny]

    @extend_schema(summary="The blog API's endpoints", responses=ApiRootOutput, tags=TAGS)
    def get(self, request: Request) -> Response:
        names = {
            "posts": "api-blog-posts",
            "posts_mine": "api-blog-posts-mine",
            "posts_review": "api-blog-posts-review",
            "categories": "api-blog-categories",
            "tags": "api-blog-tags",
        }
        links = {key: reverse(name, request=request) for key, name in names.items()}
        return Response({"name": f"{settings.SITE_NAME} blog API", "version": "v1", "links": links})


# --- Live posts ---------------------------------------------------------------------------------------


class PostListView(GenericAPIView):
    """Live posts, newest first (everyone); and new drafts (blog authors and above)."""

    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        summary="List live posts",
        parameters=[PostListFilterInput],
        responses={200: PostListOutput(many=True), 400: error("A malformed filter."), 404: error("No such page.")},
        tags=TAGS,
    )
    def get(self, request: Request) -> HttpResponseBase:
        def build() -> dict[str, Any]:
            page = self.paginate_queryset(self.get_queryset())
            return dict(self.get_paginated_response(PostListOutput(page, many=True).data).data)

        return cached_answer(request, self._cache_key(request), build, keep=lambda data: data["count"] > 0)

    def get_queryset(self) -> QuerySet[Post]:
        filters = PostListFilterInput(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        values = filters.validated_data
        return selectors.post_list_live_compact(
            category=values.get("category"),
            tag=values.get("tag"),
            author_id=values.get("author"),
            q=values.get("q", ""),
        )

    def _cache_key(self, request: Request) -> str | None:
        """The key of this page's cached answer, or None for answers not worth keeping: searches,
        deep pages, parameters in any but their one spelling, repeated or unknown (the neighbour
        links repeat them). Built from the raw parameters, so a cached answer costs no validation;
        anything malformed is not canonical, so it is validated (and refused) uncached."""
        params = request.query_params
        if not set(params) <= _CANONICAL_LIST_PARAMS.keys():
            return None
        for name, values in params.lists():
            if len(values) != 1 or not _CANONICAL_LIST_PARAMS[name].fullmatch(values[0]):
                return None
        page = params.get("page", "1")
        if int(page) > CACHED_PAGES:
            return None
        origin = f"{request.scheme}://{request.get_host()}"  # the neighbour links are absolute
        filters = ":".join(params.get(name, "") for name in ("category", "tag", "author", "page_size"))
        return f"posts:{origin}:{filters}:{page}"

    @extend_schema(
        summary="Start a post (a draft)",
        request=PostCreateInput,
        responses={
            201: PostDraftOutput,
            400: error("Invalid fields (fields names them)."),
            401: NOT_SIGNED_IN,
            403: error("Only blog authors and above write posts."),
        },
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        require(permissions.can_create_post(request.user), "Only blog authors write posts.")
        data = PostCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors(POST_FIELDS_BY_CODE):
            post = services.post_create(
                author=request.user, data=_post_input(data.validated_data, {}), cover=data.validated_data.get("cover")
            )
        location = reverse("api-blog-post-draft", args=[post.pk], request=request)
        return Response(_draft(post), status=status.HTTP_201_CREATED, headers={"Location": location})


class PostDetailView(APIView):
    """One live post with its body (blocks and sanitised HTML), cover, terms and SEO fields; or,
    with ``?preview=<token>``, the draft its editor's preview link shows (never cached)."""

    permission_classes = [AllowAny]

    @extend_schema(
        summary="Read a live post",
        parameters=[PostPreviewInput],
        responses={
            200: PostDetailOutput,
            403: error("A preview token that is invalid, expired, or not yours."),
            404: error("No live post here."),
        },
        tags=TAGS,
    )
    def get(self, request: Request, slug: str) -> HttpResponseBase:
        def build() -> dict[str, Any] | None:
            post = selectors.post_get_live_compact(slug=slug)
            return None if post is None else dict(PostDetailOutput(post).data)

        shown = live_or_preview(
            request,
            model=Post,
            lookup={"slug": slug},
            live=lambda: cached_answer(request, f"post:{slug}", build),
            queryset=selectors.post_queryset_any(),
        )
        if not shown.is_draft:
            return shown.obj
        post = shown.obj
        # A draft's terms are its revision's, not the row's: what the output reads as lists.
        post.live_categories, post.live_tags = post.category_list, post.tag_list
        return as_draft(Response(PostDetailOutput(post).data))


class PostCommentListView(GenericAPIView):
    """The approved comments of a live post, oldest first, flat: replies name their parent."""

    permission_classes = [AllowAny]

    @extend_schema(
        summary="List a live post's comments",
        responses={200: CommentOutput(many=True), 404: error("No live post here, or no such page.")},
        tags=TAGS,
    )
    def get(self, request: Request, slug: str) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(CommentOutput(page, many=True).data)

    def get_queryset(self) -> QuerySet[Comment]:
        post_id = selectors.post_id_live(slug=self.kwargs["slug"])
        if post_id is None:
            raise exceptions.NotFound()
        return selectors.comment_list_approved(post_id=post_id)


# --- Authors' and reviewers' lists -------------------------------------------------------------------


class MyPostListView(GenericAPIView):
    """The caller's own posts in every state, newest first, with their newest draft's title."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="List my posts",
        responses={200: PostManageOutput(many=True), 401: NOT_SIGNED_IN, 403: error("Not a blog author.")},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        require(permissions.can_create_post(request.user), "Only blog authors have posts.")
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(PostManageOutput(selectors.drafts_of(page), many=True).data)

    def get_queryset(self) -> QuerySet[Post]:
        return selectors.post_queryset_of_author(author=self.request.user)


class ReviewQueueView(GenericAPIView):
    """Posts waiting for review, longest waiting first (blog admins)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="List posts waiting for review",
        responses={200: PostManageOutput(many=True), 401: NOT_SIGNED_IN, 403: error("Not a blog admin.")},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        require(permissions.can_review(request.user), "Only blog admins review posts.")
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(PostManageOutput(selectors.drafts_of(page), many=True).data)

    def get_queryset(self) -> QuerySet[Post]:
        return selectors.post_queryset_submitted()


# --- One post's draft, review and publication (by id) ------------------------------------------------


class PostDraftView(APIView):
    """The newest draft of a post (GET), and a new revision of it (PATCH)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Read a post's newest draft",
        responses={200: PostDraftOutput, 401: NOT_SIGNED_IN, 403: error("Not an editor of this post."), 404: NOT_FOUND},
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        post = post_for(request.user, pk)
        refuse(permissions.post_action_refusal(request.user, post, PostAction.EDIT))
        return Response(_draft(post))

    @extend_schema(
        summary="Save a new revision of a post's draft",
        request=PostDraftUpdateInput,
        responses={
            200: PostDraftOutput,
            400: error("Invalid fields (fields names them)."),
            401: NOT_SIGNED_IN,
            403: error("Not an editor of this post."),
            404: NOT_FOUND,
            409: error("Someone saved a newer revision since based_on (conflict); nothing was saved."),
        },
        tags=TAGS,
    )
    def patch(self, request: Request, pk: int) -> Response:
        post = post_for(request.user, pk)
        data = PostDraftUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        with service_errors(POST_FIELDS_BY_CODE):
            services.post_update(
                post=post,
                editor=request.user,
                data=_post_input(values, selectors.draft_of(post).content),
                based_on=values["based_on"],
                cover=values.get("cover"),
                remove_cover=values["remove_cover"],
            )
        return Response(_draft(post))


class PostSubmitView(APIView):
    """An editor of the post asks the blog admins to review and publish its newest draft."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Submit a post for review",
        request=None,
        responses={
            200: PostManageOutput,
            400: error("Already waiting for review, nothing new to publish, or incomplete."),
            401: NOT_SIGNED_IN,
            403: error("Not an editor of this post."),
            404: NOT_FOUND,
        },
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        post = post_for(request.user, pk)
        with service_errors():
            services.post_submit(post=post, author=request.user)
        return Response(_managed(post))


class PostPublishView(APIView):
    """A blog admin publishes a revision (the newest by default) at once."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Publish a post",
        request=PostPublishInput,
        responses={
            200: PostManageOutput,
            400: error("No such revision, or the post is incomplete."),
            401: NOT_SIGNED_IN,
            403: error("Not a blog admin."),
            404: NOT_FOUND,
        },
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        post = post_for(request.user, pk)
        data = PostPublishInput(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors({"no_revision": "revision"}):
            services.post_publish(post=post, publisher=request.user, revision=data.validated_data.get("revision"))
        return Response(_managed(post))


class PostRequestChangesView(APIView):
    """A blog admin sends a submitted post back to its author with a note."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Request changes to a submitted post",
        request=PostRequestChangesInput,
        responses={
            200: PostManageOutput,
            400: error("No note, or the post is not waiting for review."),
            401: NOT_SIGNED_IN,
            403: error("Not a blog admin."),
            404: NOT_FOUND,
        },
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        post = post_for(request.user, pk)
        data = PostRequestChangesInput(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors({"required": "note", "max_length": "note"}):
            services.post_request_changes(post=post, reviewer=request.user, note=data.validated_data["note"])
        return Response(_managed(post))


class PostScheduleView(APIView):
    """A blog admin schedules a revision (the newest by default) to go live later (POST), or
    cancels the scheduled publication (DELETE)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Schedule a post's publication",
        request=PostScheduleInput,
        responses={
            200: PostManageOutput,
            400: error("A time in the past, no such revision, or the post is incomplete."),
            401: NOT_SIGNED_IN,
            403: error("Not a blog admin."),
            404: NOT_FOUND,
        },
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        post = post_for(request.user, pk)
        data = PostScheduleInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        with service_errors({"past": "go_live_at", "no_revision": "revision"}):
            services.post_schedule(
                post=post, publisher=request.user, go_live_at=values["go_live_at"], revision=values.get("revision")
            )
        return Response(_managed(post))

    @extend_schema(
        summary="Cancel a post's scheduled publication",
        responses={200: PostManageOutput, 401: NOT_SIGNED_IN, 403: error("Not a blog admin."), 404: NOT_FOUND},
        tags=TAGS,
    )
    def delete(self, request: Request, pk: int) -> Response:
        post = post_for(request.user, pk)
        with service_errors():
            services.post_unschedule(post=post, publisher=request.user)
        return Response(_managed(post))


class PostUnpublishView(APIView):
    """A blog admin takes a post off the blog; its drafts and history stay."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Unpublish a post",
        request=None,
        responses={200: PostManageOutput, 401: NOT_SIGNED_IN, 403: error("Not a blog admin."), 404: NOT_FOUND},
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        post = post_for(request.user, pk)
        with service_errors():
            services.post_unpublish(post=post, publisher=request.user)
        return Response(_managed(post))


# --- Categories and tags --------------------------------------------------------------------------------


class CategoryListView(APIView):
    """Every category with its number of live posts (everyone; one query); new ones (blog admins)."""

    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(summary="List categories", responses={200: CategoryOutput(many=True)}, tags=TAGS)
    def get(self, request: Request) -> Response:
        return Response(CategoryOutput(selectors.category_list_all_with_counts(), many=True).data)

    @extend_schema(
        summary="Create a category",
        request=CategoryCreateInput,
        responses={
            201: CategoryOutput,
            400: error("Invalid fields, or the name or address is taken."),
            401: NOT_SIGNED_IN,
            403: error("Not a blog admin."),
        },
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        require(permissions.can_manage_categories(request.user), "Only blog admins create categories.")
        data = CategoryCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors({"invalid_name": "name"}):
            category = services.category_create(actor=request.user, **data.validated_data)
        category.post_count = 0
        return Response(CategoryOutput(category).data, status=status.HTTP_201_CREATED)


class TagListView(GenericAPIView):
    """Tags of live posts by name, with their number of live posts (everyone)."""

    permission_classes = [AllowAny]

    @extend_schema(summary="List tags", responses={200: TagOutput(many=True)}, tags=TAGS)
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(TagOutput(page, many=True).data)

    def get_queryset(self) -> QuerySet[Tag]:
        return selectors.tag_list_live()
