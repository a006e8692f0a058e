"""Posts: writing one (text, who reads it, a content warning, a reply or a repost, up to four
images with their alt text as multipart), reading, editing (its earlier text kept: history/),
deleting; its direct replies (a thread, cursor pages); the like, repost and bookmark switches
(PUT or POST turns on, DELETE off, both idempotent); who liked or reposted it; the caller's
bookmarks; and a person's posts (``profiles/<handle>/posts/?filter=posts|replies|media``).

Every view is thin over apps/social/services/posts.py and selectors.py. Who reads a post is the
network's one rule (``permissions.post_and_original_visible_q`` through
``selectors.post_get_for_user``): a post the caller may not read answers 404 exactly as one that
does not exist, never a 403 that would tell a stranger it is there. What the caller may read
but not change (someone else's post) answers 403.

What a post's answer shows never says more than the caller may read: a reply names its parent
only when the caller may read that; ``counts.replies`` counts the replies they may read; the
audience's key is its author's alone (readers get its label); a "mentioned people only" post
lists, for anyone but its author, only the caller among the people it mentions; a tombstone
(a deleted post) shows no text, images, mentions, counts or history.

Idempotency: every POST, PUT, PATCH and DELETE takes the platform's ``Idempotency-Key`` header
(its middleware), so a retried create makes one post and answers the first answer again; the
switches are idempotent anyway (liking twice is one like)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api import IdField, parsers
from apps.core.blocks import clean_blocks
from apps.social import selectors
from apps.social.api.common import (
    BAD_INPUT,
    NOBODY,
    NOT_SIGNED_IN,
    Cursor,
    absolute_url,
    error,
    file_url,
    service_errors,
    visible_person,
)
from apps.social.api.people import PersonOutput, people_data
from apps.social.handles import profile_for
from apps.social.models import Like, Post, PostEdit
from apps.social.models.posts import IMAGES_MAX, POST_MAX_CHARS
from apps.social.services import posts as services
from apps.social.services.posts import ALT_MAX, ImageInput

POSTS_TAGS = ["social posts"]
V = Post.Visibility
NO_POST = error("No such post for you (one you may not read answers the same).")
MAY_NOT = error("You may read this post but not do this to it (the message says why).")

# --- Output ------------------------------------------------------------------------------------


class PostAuthorOutput(serializers.Serializer):
    handle = serializers.CharField()
    display_name = serializers.CharField()
    avatar_url = serializers.URLField(allow_null=True)


class PostImageOutput(serializers.Serializer):
    url = serializers.URLField(help_text="The largest (at most 2048 pixels a side).")
    card_url = serializers.URLField(help_text="480 pixels wide (or the original when smaller).")
    large_url = serializers.URLField(help_text="960 pixels wide (or the original when smaller).")
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    alt = serializers.CharField(allow_blank=True)


class PostCountsOutput(serializers.Serializer):
    likes = serializers.IntegerField()
    reposts = serializers.IntegerField()
    replies = serializers.IntegerField(help_text="Its live replies the caller may read.")


class ViewerOutput(serializers.Serializer):
    liked = serializers.BooleanField()
    bookmarked = serializers.BooleanField()
    reposted = serializers.BooleanField()
    may_reply = serializers.BooleanField(help_text="Also: may like and bookmark it.")
    may_repost = serializers.BooleanField()
    may_edit = serializers.BooleanField()
    may_delete = serializers.BooleanField()


class OriginalOutput(serializers.Serializer):
    """A post (or a repost's original)."""

    id = serializers.IntegerField()
    url = serializers.URLField(help_text="Its page on the site.")
    author = PostAuthorOutput()
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)
    deleted = serializers.BooleanField(help_text="A tombstone: its text, images and mentions are gone.")
    visibility = serializers.ChoiceField(choices=V.values)
    audience = serializers.CharField(allow_null=True, help_text="The audience's key: for its author only.")
    audience_label = serializers.CharField(allow_blank=True)
    text = serializers.CharField(allow_blank=True, help_text="As written.")
    html = serializers.CharField(allow_blank=True, help_text="Safe HTML: mentions and hashtags linked.")
    body_html = serializers.CharField(allow_blank=True, help_text="The long body, rendered.")
    content_warning = serializers.CharField(allow_blank=True)
    images = PostImageOutput(many=True)
    mentions = serializers.ListField(child=serializers.CharField(), help_text="Handles.")
    is_reply = serializers.BooleanField()
    reply_to = serializers.IntegerField(allow_null=True, help_text="The parent's id, when the caller may read it.")
    counts = PostCountsOutput()
    viewer = ViewerOutput(help_text="What the caller did with it and may do.")


class PostOutput(OriginalOutput):
    repost_of = OriginalOutput(allow_null=True, help_text="A repost: the post it repeats.")


class PostEditOutput(serializers.Serializer):
    text = serializers.CharField(allow_blank=True)
    html = serializers.CharField(allow_blank=True)
    content_warning = serializers.CharField(allow_blank=True)
    replaced_at = serializers.DateTimeField(help_text="When this version gave way to the next.")


def _dt(moment: Any) -> str | None:
    return serializers.DateTimeField().to_representation(moment) if moment is not None else None


def _author(user: Any) -> dict[str, Any]:
    profile = getattr(user, "social_profile", None)
    handle = profile.handle if profile is not None else ""
    return {"handle": handle, "display_name": user.display_name or handle, "avatar_url": file_url(user.avatar)}


def _mentions(post: Post, viewer: Any, found: list[str]) -> list[str]:
    if post.visibility != V.MENTIONED or post.author_id == getattr(viewer, "pk", None):
        return found
    # The others addressed are the author's business: a reader learns only that they were.
    mine = getattr(getattr(viewer, "social_profile", None), "handle", None)
    return [handle for handle in found if handle == mine]


def _one(post: Post, viewer: Any, context: selectors.PostsContext) -> dict[str, Any]:
    deleted = post.is_deleted
    is_author = post.author_id == getattr(viewer, "pk", None)
    return {
        "id": post.pk,
        "url": absolute_url(post.get_absolute_url()),
        "author": _author(post.author),
        "created_at": _dt(post.created_at),
        "edited_at": _dt(post.edited_at),
        "deleted": deleted,
        "visibility": post.visibility,
        "audience": (post.audience or None) if is_author else None,
        "audience_label": post.audience_label,
        "text": post.text,
        "html": post.html,
        "body_html": str(post.body_html),
        "content_warning": post.content_warning,
        "images": [
            {
                "url": absolute_url(image.url),
                "card_url": absolute_url(image.card_url),
                "large_url": absolute_url(image.large_url),
                "width": image.width,
                "height": image.height,
                "alt": image.alt,
            }
            for image in post.images.all()
        ],
        "mentions": [] if deleted else _mentions(post, viewer, context.mentions.get(post.pk, [])),
        "is_reply": post.reply_to_id is not None,
        "reply_to": post.reply_to_id if post.reply_to_id in context.visible_parents else None,
        "counts": {
            "likes": 0 if deleted else post.like_count,
            "reposts": 0 if deleted else post.repost_count,
            "replies": context.reply_counts.get(post.pk, 0),
        },
        "viewer": {
            "liked": post.liked,
            "bookmarked": post.bookmarked,
            "reposted": post.reposted,
            "may_reply": post.may_interact,
            "may_repost": post.may_repost,
            "may_edit": post.may_change,
            "may_delete": post.may_delete,
        },
    }


def posts_data(viewer: Any, posts: Sequence[Post]) -> list[dict[str, Any]]:
    """Posts as the API shows them to ``viewer`` (read through the selectors, so already ones
    they may read): what they did with them and the page's context in a fixed number of queries
    (``with_viewer_state``'s three and ``posts_context``'s three), whatever the page's length."""
    posts = list(posts)
    selectors.with_viewer_state(posts, viewer)
    context = selectors.posts_context(viewer, posts)
    results = []
    for post in posts:
        data = _one(post, viewer, context)
        original = post.repost_of if post.repost_of_id else None
        data["repost_of"] = _one(original, viewer, context) if original is not None else None
        results.append(data)
    return results


def post_data(viewer: Any, post: Post) -> dict[str, Any]:
    return posts_data(viewer, [post])[0]


def readable_post(request: Request, pk: int) -> Post:
    """The post ``pk`` if the caller may read it (its tombstone too), else 404, the same answer
    for a post that does not exist and one kept from them."""
    post = selectors.post_get_for_user(request.user, pk)
    if post is None:
        raise exceptions.NotFound("This post does not exist or is not shared with you.")
    return post


def _fresh(request: Request, post: Post) -> dict[str, Any]:
    return post_data(request.user, selectors.post_get_for_user(request.user, post.pk) or post)


# --- Writing -----------------------------------------------------------------------------------


class PostImagesParser(parsers.MultiPartParser):
    images = IMAGES_MAX


def _image_fields() -> dict[str, serializers.Field]:
    fields: dict[str, serializers.Field] = {}
    for n in range(1, IMAGES_MAX + 1):
        fields[f"image_{n}"] = serializers.ImageField(required=False, help_text=f"Image {n} (multipart/form-data).")
        fields[f"alt_{n}"] = serializers.CharField(
            max_length=ALT_MAX, required=False, allow_blank=True, default="", help_text=f"Image {n}'s alt text."
        )
    return fields


class PostInput(serializers.Serializer):
    """A post, a reply (``reply_to``) or a repost (``repost_of``, alone). Images come as
    multipart/form-data (``image_1`` ... ``image_4`` with ``alt_1`` ... ``alt_4``)."""

    text = serializers.CharField(max_length=POST_MAX_CHARS, required=False, allow_blank=True, default="")
    visibility = serializers.ChoiceField(
        choices=V.values, required=False, default=V.PUBLIC, help_text="audience: name it in audience."
    )
    audience = serializers.CharField(
        max_length=80, required=False, allow_blank=True, default="", help_text="An audience you may post to."
    )
    content_warning = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    body = serializers.JSONField(required=False, help_text="A long body: the platform's content blocks.")
    reply_to = IdField(required=False, help_text="The post this answers (a reply reaches no further than it).")
    repost_of = IdField(required=False, help_text="Repost this public post (nothing else may be sent with it).")
    locals().update(_image_fields())

    def validate_body(self, value: Any) -> list[dict[str, Any]]:
        if value in (None, "", []):
            return []
        try:
            return clean_blocks(value, known_slots=set())
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if data.get("repost_of"):
            own = [name for name in ("text", "content_warning", "body", "reply_to", "audience") if data.get(name)]
            own += [f"image_{n}" for n in range(1, IMAGES_MAX + 1) if data.get(f"image_{n}")]
            if own:
                raise serializers.ValidationError({own[0]: ["A repost carries nothing of its own."]})
        return data

    def images(self) -> list[ImageInput]:
        data = self.validated_data
        return [
            ImageInput(data[f"image_{n}"], data.get(f"alt_{n}", ""))
            for n in range(1, IMAGES_MAX + 1)
            if data.get(f"image_{n}")
        ]


def _referenced(request: Request, pk: int | None, field: str) -> Post | None:
    if pk is None:
        return None
    post = selectors.post_get_for_user(request.user, pk)
    if post is None:
        # The same words for a post missing and one kept from the caller.
        raise exceptions.ValidationError({field: ["No such post."]})
    return post


class PostCreateView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [parsers.JSONParser, PostImagesParser]

    @extend_schema(
        summary="Write a post, a reply or a repost",
        description="Send `Idempotency-Key` so that a retry makes one post (it answers the first answer again).",
        request={"application/json": PostInput, "multipart/form-data": PostInput},
        responses={
            200: OpenApiResponse(PostOutput, description="A repost you had made already: nothing changed."),
            201: OpenApiResponse(PostOutput, description="The new post (or repost)."),
            400: BAD_INPUT,
            401: NOT_SIGNED_IN,
            403: error("You may not reply to this post, or repost it (only public posts spread)."),
        },
        tags=POSTS_TAGS,
    )
    def post(self, request: Request) -> Response:
        given = PostInput(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        profile_for(request.user)  # the author shows under a handle
        original = _referenced(request, data.get("repost_of"), "repost_of")
        if original is not None:
            return _repost(request, original)
        with service_errors():
            post = services.post_create(
                author=request.user,
                text=data["text"],
                visibility=data["visibility"],
                audience=data["audience"],
                content_warning=data["content_warning"],
                body=data.get("body") or None,
                images=given.images(),
                reply_to=_referenced(request, data.get("reply_to"), "reply_to"),
            )
        return Response(_fresh(request, post), status=status.HTTP_201_CREATED)


def _repost(request: Request, original: Post) -> Response:
    before = Post.objects.filter(author=request.user, repost_of=original, deleted_at__isnull=True).exists()
    with service_errors():
        repost = services.post_repost(user=request.user, post=original)
    code = status.HTTP_200_OK if before else status.HTTP_201_CREATED
    return Response(_fresh(request, repost), status=code)


class PostEditInput(serializers.Serializer):
    """What PATCH changes; a field left out keeps its value."""

    text = serializers.CharField(max_length=POST_MAX_CHARS, required=False, allow_blank=True)
    content_warning = serializers.CharField(max_length=200, required=False, allow_blank=True)


class PostView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(summary="Read a post", responses={200: PostOutput, 404: NO_POST}, tags=POSTS_TAGS)
    def get(self, request: Request, pk: int) -> Response:
        return Response(post_data(request.user, readable_post(request, pk)))

    @extend_schema(
        summary="Edit your post's text and content warning (the earlier version goes to its history)",
        request=PostEditInput,
        responses={
            200: PostOutput,
            400: BAD_INPUT,
            401: NOT_SIGNED_IN,
            403: error("Only its author edits a live post (a repost has no text to edit)."),
            404: NO_POST,
        },
        tags=POSTS_TAGS,
    )
    def patch(self, request: Request, pk: int) -> Response:
        if not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        post = readable_post(request, pk)
        given = PostEditInput(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        with service_errors():
            post = services.post_edit(
                actor=request.user,
                post=post,
                text=data.get("text", post.text),
                content_warning=data.get("content_warning", post.content_warning),
            )
        return Response(_fresh(request, post))

    @extend_schema(
        summary="Delete a post (yours; staff: anyone's). It stays as a tombstone in its thread",
        request=None,
        responses={
            204: None,
            401: NOT_SIGNED_IN,
            403: error("Only its author (or staff) deletes a post."),
            404: NO_POST,
        },
        tags=POSTS_TAGS,
    )
    def delete(self, request: Request, pk: int) -> Response:
        if not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        post = readable_post(request, pk)
        mine = post.author_id == request.user.pk or request.user.is_staff
        if post.is_deleted and mine:
            return Response(status=status.HTTP_204_NO_CONTENT)  # idempotent: deleting again is done
        with service_errors():
            services.post_delete(actor=request.user, post=post)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Lists of a post ---------------------------------------------------------------------------


class HistoryCursor(Cursor):
    ordering = ("-replaced_at", "-pk")


class PostHistoryView(GenericAPIView):
    permission_classes = [AllowAny]
    pagination_class = HistoryCursor
    serializer_class = PostEditOutput
    queryset = PostEdit.objects.none()  # for the schema: get() reads the post's edits

    @extend_schema(
        summary="What an edited post said before, newest first (none for a deleted post)",
        operation_id="social_posts_history_list",
        responses={200: PostEditOutput(many=True), 404: NO_POST},
        tags=POSTS_TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        post = readable_post(request, pk)
        # A deleted post's earlier versions went with it: its tombstone tells nothing of them.
        edits = PostEdit.objects.none() if post.is_deleted else PostEdit.objects.filter(post=post)
        page = self.paginate_queryset(edits)
        return self.get_paginated_response(
            [
                {
                    "text": edit.text,
                    "html": edit.html,
                    "content_warning": edit.content_warning,
                    "replaced_at": _dt(edit.replaced_at),
                }
                for edit in page
            ]
        )


class OldestFirst(Cursor):
    ordering = ("created_at", "pk")


class NewestFirst(Cursor):
    ordering = ("-created_at", "-pk")


class RepliesView(GenericAPIView):
    permission_classes = [AllowAny]
    pagination_class = OldestFirst
    serializer_class = PostOutput
    queryset = Post.objects.none()  # for the schema: get() reads the post's replies

    @extend_schema(
        summary="A post's replies (its thread's next level), oldest first",
        operation_id="social_posts_replies_list",
        responses={200: PostOutput(many=True), 404: NO_POST},
        tags=POSTS_TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        post = readable_post(request, pk)
        page = self.paginate_queryset(selectors.post_replies(request.user, post))
        return self.get_paginated_response(posts_data(request.user, page))


class LikersView(GenericAPIView):
    permission_classes = [AllowAny]
    pagination_class = NewestFirst
    serializer_class = PersonOutput
    queryset = Like.objects.none()  # for the schema: get() reads the post's likes

    @extend_schema(
        summary="Who liked a post, the latest first",
        operation_id="social_posts_likes_list",
        responses={200: PersonOutput(many=True), 404: NO_POST},
        tags=POSTS_TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        post = readable_post(request, pk)
        page = self.paginate_queryset(selectors.post_likers(request.user, post))
        return self.get_paginated_response(people_data(request.user, [like.user for like in page]))


class RepostersView(GenericAPIView):
    permission_classes = [AllowAny]
    pagination_class = NewestFirst
    serializer_class = PersonOutput
    queryset = Post.objects.none()  # for the schema: get() reads the post's reposts

    @extend_schema(
        summary="Who reposted a post, the latest first",
        operation_id="social_posts_reposts_list",
        responses={200: PersonOutput(many=True), 404: NO_POST},
        tags=POSTS_TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        post = readable_post(request, pk)
        page = self.paginate_queryset(selectors.post_reposters(request.user, post))
        return self.get_paginated_response(people_data(request.user, [repost.author for repost in page]))


# --- Switches ----------------------------------------------------------------------------------


class _PostSwitchView(APIView):
    """Something the caller does to a post they may read: PUT or POST turns it on, DELETE off;
    each answers the post as it stands now (200), the same however often it is sent."""

    permission_classes = [IsAuthenticated]
    write: Any = None  # the service: (user=, post=, on=)

    def _set(self, request: Request, pk: int, *, on: bool) -> Response:
        post = readable_post(request, pk)
        profile_for(request.user)  # the caller shows in the post's lists under a handle
        with service_errors():
            type(self).write(user=request.user, post=post, on=on)
        return Response(_fresh(request, post))

    def put(self, request: Request, pk: int) -> Response:
        return self._set(request, pk, on=True)

    def post(self, request: Request, pk: int) -> Response:
        return self._set(request, pk, on=True)

    def delete(self, request: Request, pk: int) -> Response:
        return self._set(request, pk, on=False)


def _switch_schema(verb: str, refused: str) -> Any:
    responses_on = {200: PostOutput, 401: NOT_SIGNED_IN, 403: error(refused), 404: NO_POST}
    responses_off = {200: PostOutput, 401: NOT_SIGNED_IN, 404: NO_POST}

    def decorate(view: type[_PostSwitchView]) -> type[_PostSwitchView]:
        on = extend_schema(summary=f"{verb} a post", request=None, responses=responses_on, tags=POSTS_TAGS)
        off = extend_schema(summary=f"Un{verb.lower()} a post", request=None, responses=responses_off, tags=POSTS_TAGS)
        for method, schema in (("put", on), ("post", on), ("delete", off)):

            def handler(self: Any, request: Request, pk: int, _method: str = method) -> Response:
                return getattr(_PostSwitchView, _method)(self, request, pk)

            setattr(view, method, schema(handler))
        return view

    return decorate


@_switch_schema("Like", "A deleted post, or a repost (like the original), cannot be liked.")
class LikeView(_PostSwitchView):
    write = services.post_like


@_switch_schema("Repost", "Only live public posts are reposted (and not a repost: repost the original).")
class RepostView(_PostSwitchView):
    write = services.post_repost


@_switch_schema("Bookmark", "A deleted post, or a repost (bookmark the original), cannot be bookmarked.")
class BookmarkView(_PostSwitchView):
    write = services.post_bookmark


# --- The caller's bookmarks, a person's posts --------------------------------------------------


class BookmarksCursor(Cursor):
    ordering = ("-kept_at", "-pk")


class BookmarksView(GenericAPIView):
    permission_classes = [IsAuthenticated]
    pagination_class = BookmarksCursor
    serializer_class = PostOutput
    queryset = Post.objects.none()  # for the schema: get() reads the caller's bookmarks

    @extend_schema(
        summary="The posts you bookmarked (and may still read), the latest kept first",
        operation_id="social_bookmarks_list",
        responses={200: PostOutput(many=True), 401: NOT_SIGNED_IN},
        tags=POSTS_TAGS,
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(selectors.bookmarks_for(request.user))
        return self.get_paginated_response(posts_data(request.user, page))


class PersonPostsView(GenericAPIView):
    permission_classes = [AllowAny]
    pagination_class = NewestFirst
    serializer_class = PostOutput
    queryset = Post.objects.none()  # for the schema: get() reads the person's posts

    @extend_schema(
        summary="A person's posts that you may read, newest first",
        operation_id="social_profiles_posts_list",
        parameters=[
            OpenApiParameter(
                "filter",
                str,
                enum=list(selectors.PROFILE_TABS),
                description="posts (with reposts; the default), replies, or media (posts with images)",
            )
        ],
        responses={200: PostOutput(many=True), 400: error("An unknown filter."), 404: NOBODY},
        tags=POSTS_TAGS,
    )
    def get(self, request: Request, handle: str) -> Response:
        tab = request.query_params.get("filter", "posts")
        if tab not in selectors.PROFILE_TABS:
            raise exceptions.ValidationError({"filter": [f"Choose one of {', '.join(selectors.PROFILE_TABS)}."]})
        profile = visible_person(request.user, handle)
        page = self.paginate_queryset(selectors.profile_posts(request.user, profile, tab))
        return self.get_paginated_response(posts_data(request.user, page))
