"""Search: ``GET search/?q=&type=posts|people|hashtags`` (``page``, ``page_size``), the search
page's results as JSON, through the same selectors (apps/social/selectors_search.py): posts the
caller may read, people neither side of a block, hashtags of public posts. Anyone may search;
a signed-in caller also finds what is shared with them.

Ranked results are pages by number (``count``, ``pages``, ``next``, ``previous``), not cursors:
a rank is no position to resume from. A query longer than core's bounds (``search.MAX_CHARS``
characters, ``search.MAX_WORDS`` words) or an unknown type is a 400 naming the field; an empty
query finds nothing (an empty page)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.platform import search
from apps.social import selectors_search
from apps.social.api.common import TAGS, absolute_url, error, file_url
from apps.social.api.people import PersonOutput, people_data
from apps.social.models import Post

# --- Input and output --------------------------------------------------------------------------


class SearchInput(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False, default="")
    type = serializers.ChoiceField(choices=selectors_search.KINDS, required=False, default="posts")

    def validate_q(self, value: str) -> str:
        try:
            return search.clean_query(value)
        except DjangoValidationError as refusal:
            raise serializers.ValidationError(refusal.messages) from None


class SearchAuthorOutput(serializers.Serializer):
    handle = serializers.CharField()
    display_name = serializers.CharField()
    avatar_url = serializers.URLField(allow_null=True)


class SearchPostOutput(serializers.Serializer):
    """A post found: what it says and who wrote it."""

    id = serializers.IntegerField()
    url = serializers.URLField()
    author = SearchAuthorOutput()
    text = serializers.CharField()
    html = serializers.CharField(help_text="The text as safe HTML (links, mentions, hashtags).")
    content_warning = serializers.CharField()
    visibility = serializers.ChoiceField(choices=Post.Visibility.values)
    reply_to_id = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)
    like_count = serializers.IntegerField()
    repost_count = serializers.IntegerField()
    reply_count = serializers.IntegerField()


class SearchHashtagOutput(serializers.Serializer):
    """A hashtag found, with how many public posts carry it."""

    name = serializers.CharField()
    display = serializers.CharField()
    uses = serializers.IntegerField()
    url = serializers.URLField(help_text="Its page of public posts.")


RESULT = PolymorphicProxySerializer(
    component_name="SearchResult",
    serializers=[SearchPostOutput, PersonOutput, SearchHashtagOutput],
    resource_type_field_name=None,
    many=True,
)


def _post(post: Post) -> dict[str, Any]:
    author = post.author
    profile = getattr(author, "social_profile", None)
    dates = serializers.DateTimeField()
    return {
        "id": post.pk,
        "url": absolute_url(post.get_absolute_url()),
        "author": {
            "handle": profile.handle if profile else "",
            "display_name": author.display_name or (profile.handle if profile else ""),
            "avatar_url": file_url(author.avatar),
        },
        "text": post.text,
        "html": post.html,
        "content_warning": post.content_warning,
        "visibility": post.visibility,
        "reply_to_id": post.reply_to_id,
        "created_at": dates.to_representation(post.created_at),
        "edited_at": dates.to_representation(post.edited_at) if post.edited_at else None,
        "like_count": post.like_count,
        "repost_count": post.repost_count,
        "reply_count": post.reply_count,
    }


def _hashtag(tag: Any) -> dict[str, Any]:
    return {"name": tag.name, "display": tag.display, "uses": tag.uses, "url": absolute_url(tag.get_absolute_url())}


# --- The view ----------------------------------------------------------------------------------


class SearchView(GenericAPIView):
    permission_classes = [AllowAny]
    serializer_class = SearchPostOutput
    queryset = Post.objects.none()  # for the schema only: get() asks the selectors

    @extend_schema(
        summary="Search people, hashtags and posts",
        parameters=[
            OpenApiParameter(
                "q",
                str,
                description=f"The words (at most {search.MAX_CHARS} characters, {search.MAX_WORDS} words; "
                "the last one matches as a prefix). A handle may start with @, a hashtag with #.",
            ),
            OpenApiParameter("type", str, enum=list(selectors_search.KINDS), description="What to find (posts)."),
        ],
        responses={200: RESULT, 400: error("A query past the bounds, or an unknown type (fields names it).")},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        given = SearchInput(data=request.query_params)
        given.is_valid(raise_exception=True)
        q, kind = given.validated_data["q"], given.validated_data["type"]
        finder = {
            "posts": selectors_search.search_posts,
            "people": selectors_search.search_people,
            "hashtags": selectors_search.search_hashtags,
        }[kind]
        page = self.paginate_queryset(finder(request.user, q) if q else Post.objects.none())
        if kind == "people":
            results = people_data(request.user, list(page))
        elif kind == "hashtags":
            results = [_hashtag(tag) for tag in page]
        else:
            results = [_post(post) for post in page]
        return self.get_paginated_response(results)
