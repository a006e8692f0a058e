"""Shapes of the blog's API: ``…Input`` serializers parse and check what clients send, ``…Output``
serializers say what they get back. Neither writes anything: views hand validated values to
apps/blog/services.py.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.blog import covers
from apps.blog.models import MAX_CATEGORIES, MAX_TAGS, Post
from apps.core.api import BoundedIntegerField, IdField, parsers
from apps.core.blocks import clean_blocks, render_blocks

# --- Helpers ---------------------------------------------------------------------------------------


def absolute_url(url: str) -> str:
    """``url`` on the site's own address (SITE_URL) when it is a path; other URLs as they are."""
    if url.startswith("/") and not url.startswith("//"):
        return f"{settings.SITE_URL.rstrip('/')}{url}"
    return url


def post_url(post: Post) -> str:
    """The canonical address of a post's page: always on SITE_URL, whichever host was asked."""
    return absolute_url(post.get_absolute_url())


def cover_of(name: str, alt: str) -> dict[str, Any] | None:
    """A cover's description and WebP renditions (narrowest first), or None without a cover.
    The renditions follow from the name, so this reads neither a row nor the storage."""
    found = covers.renditions(name)
    if not found:
        return None
    return {
        "alt": alt,
        "renditions": [{"url": absolute_url(r.url), "width": r.width, "height": r.height} for r in found],
    }


@extend_schema_field(
    {
        "type": "array",
        "items": {"type": "object", "additionalProperties": True},
        "description": "Content blocks (docs/blocks.md): each {type, id, ...fields}. Rich text is sanitised.",
    }
)
class BlocksField(serializers.JSONField):
    """A body of blocks: a JSON list, or JSON text of one (what a multipart form can send).
    Checked and sanitised by the blocks schema, with every problem named by position."""

    def to_internal_value(self, data: Any) -> list[dict[str, Any]]:
        if isinstance(data, str):
            # Bounded like a JSON request body: this text came past the JSON parser, in a form.
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


# --- Pieces -----------------------------------------------------------------------------------------


class AuthorOutput(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()


class CategoryRefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.SlugField()


class TagRefOutput(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.SlugField()


class RenditionOutput(serializers.Serializer):
    url = serializers.URLField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()


class CoverOutput(serializers.Serializer):
    alt = serializers.CharField(help_text="Describes the image; empty when it is decorative.")
    renditions = RenditionOutput(many=True, help_text="WebP renditions, narrowest first (for srcset).")


class SeoOutput(serializers.Serializer):
    title = serializers.CharField()
    description = serializers.CharField(help_text="The post's description for search engines, else its excerpt.")
    canonical_url = serializers.URLField()
    image = serializers.URLField(allow_null=True, help_text="The widest cover rendition, or null.")


# --- Live posts ---------------------------------------------------------------------------------------


class PostListFilterInput(serializers.Serializer):
    category = serializers.SlugField(required=False, help_text="Only posts in the category with this slug.")
    tag = serializers.SlugField(required=False, help_text="Only posts with the tag with this slug.")
    author = IdField(required=False, help_text="Only posts by this user id.")
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text="Only posts whose title or excerpt contains every word (case-insensitive).",
    )


class PostPreviewInput(serializers.Serializer):
    preview = serializers.CharField(
        required=False,
        help_text="A preview token from the post's editor (GET /blog/<id>/preview/ on the site): the draft it "
        "shows, for that editor only, marked private and noindex.",
    )


class PostListOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField(help_text="Plain text, as the author typed it: escape it when showing it.")
    slug = serializers.SlugField()
    url = serializers.SerializerMethodField(help_text="The post's canonical page on the site.")
    excerpt = serializers.CharField(
        help_text="As the author typed it: Markdown, which the site shows formatted (raw HTML in it stays text)."
    )
    cover = serializers.SerializerMethodField()
    author = AuthorOutput()
    categories = CategoryRefOutput(many=True, source="live_categories")
    tags = TagRefOutput(many=True, source="live_tags")
    reading_time = serializers.IntegerField(help_text="Minutes.")
    published_at = serializers.DateTimeField(source="first_published_at")
    updated_at = serializers.DateTimeField(source="last_published_at", help_text="When it was last published.")

    def get_url(self, post: Post) -> str:
        return post_url(post)

    @extend_schema_field(CoverOutput(allow_null=True))
    def get_cover(self, post: Post) -> dict[str, Any] | None:
        return cover_of(post.cover, post.cover_alt)


class PostDetailOutput(PostListOutput):
    body = BlocksField(help_text="The published body as blocks.")
    body_html = serializers.SerializerMethodField(help_text="The body rendered as HTML, sanitised.")
    seo = serializers.SerializerMethodField()

    def get_body_html(self, post: Post) -> str:
        return str(render_blocks(post.body))

    @extend_schema_field(SeoOutput)
    def get_seo(self, post: Post) -> dict[str, Any]:
        cover = cover_of(post.cover, post.cover_alt)
        return {
            "title": post.title,
            "description": post.seo_description or post.excerpt,
            "canonical_url": post_url(post),
            "image": cover["renditions"][-1]["url"] if cover else None,
        }


# --- Writing: drafts (instances are selectors.Draft: a post and its newest revision's content) -------


_STATUS_HELP = 'One of "draft", "scheduled", "live", "live, with unpublished changes".'


class PostManageOutput(serializers.Serializer):
    id = serializers.IntegerField(source="post.id")
    title = serializers.CharField(source="content.title", help_text="The newest draft's title.")
    slug = serializers.CharField(source="content.slug", help_text="The newest draft's address.")
    author = AuthorOutput(source="post.author")
    status = serializers.CharField(source="post.status", help_text=_STATUS_HELP)
    review_state = serializers.ChoiceField(source="post.review_state", choices=Post.ReviewState.choices)
    review_note = serializers.CharField(source="post.review_note", help_text="A reviewer's requested changes.")
    latest_revision = serializers.IntegerField(
        source="post.latest_revision", help_text="Send it as based_on when saving the draft."
    )
    live_revision = serializers.IntegerField(source="post.live_revision", allow_null=True)
    scheduled_revision = serializers.IntegerField(source="post.scheduled_revision", allow_null=True)
    go_live_at = serializers.DateTimeField(source="post.go_live_at", allow_null=True)
    submitted_at = serializers.DateTimeField(source="post.submitted_at", allow_null=True)
    created_at = serializers.DateTimeField(source="post.created_at")
    first_published_at = serializers.DateTimeField(source="post.first_published_at", allow_null=True)
    last_published_at = serializers.DateTimeField(source="post.last_published_at", allow_null=True)
    url = serializers.SerializerMethodField(help_text="The live page, or null while the post is not live.")

    def get_url(self, draft: Any) -> str | None:
        return post_url(draft.post) if draft.post.live else None


class PostDraftOutput(PostManageOutput):
    excerpt = serializers.CharField(source="content.excerpt")
    body = BlocksField(source="content.body")
    body_html = serializers.SerializerMethodField(help_text="The draft's body rendered as HTML, sanitised.")
    cover = serializers.SerializerMethodField()
    seo_description = serializers.CharField(source="content.seo_description")
    categories = serializers.ListField(child=serializers.IntegerField(), source="content.categories")
    tags = serializers.ListField(child=serializers.CharField(), source="content.tags", help_text="Tag slugs.")

    def get_body_html(self, draft: Any) -> str:
        return str(render_blocks(draft.content.get("body") or []))

    @extend_schema_field(CoverOutput(allow_null=True))
    def get_cover(self, draft: Any) -> dict[str, Any] | None:
        return cover_of(draft.content.get("cover", ""), draft.content.get("cover_alt", ""))


class PostDraftFieldsInput(serializers.Serializer):
    """The content fields; which are required depends on the request (create or edit)."""

    title = serializers.CharField(max_length=200, required=False)
    body = BlocksField(required=False)
    slug = serializers.SlugField(
        max_length=100, required=False, allow_blank=True, help_text="Made from the title when blank, then kept."
    )
    excerpt = serializers.CharField(max_length=500, required=False, allow_blank=True)
    seo_description = serializers.CharField(max_length=300, required=False, allow_blank=True)
    cover_alt = serializers.CharField(max_length=300, required=False, allow_blank=True)
    categories = serializers.ListField(child=IdField(), max_length=MAX_CATEGORIES, required=False, help_text="Ids.")
    tags = serializers.ListField(
        child=serializers.CharField(max_length=50),
        max_length=MAX_TAGS,
        required=False,
        help_text="Names or slugs; tags that do not exist yet are created.",
    )
    cover = serializers.FileField(
        required=False, help_text="A PNG, JPEG, GIF or WebP image (multipart requests; send body as JSON text)."
    )


class PostCreateInput(PostDraftFieldsInput):
    title = serializers.CharField(max_length=200)


class PostDraftUpdateInput(PostDraftFieldsInput):
    """A new revision: fields left out keep the newest draft's values."""

    based_on = BoundedIntegerField(
        min_value=0, help_text="The revision the editor opened (latest_revision); a newer one means 409."
    )
    remove_cover = serializers.BooleanField(required=False, default=False)


# --- Review and publication ---------------------------------------------------------------------------


class PostPublishInput(serializers.Serializer):
    revision = BoundedIntegerField(required=False, min_value=1, help_text="The newest when left out.")


class PostScheduleInput(PostPublishInput):
    go_live_at = serializers.DateTimeField(help_text="In the future.")


class PostRequestChangesInput(serializers.Serializer):
    note = serializers.CharField(max_length=2000, help_text="What should change; the author reads it.")


# --- Categories, tags, comments ---------------------------------------------------------------------


class CategoryOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.SlugField()
    description = serializers.CharField()
    post_count = serializers.IntegerField(help_text="Live posts in the category.")


class CategoryCreateInput(serializers.Serializer):
    name = serializers.CharField(max_length=80)
    slug = serializers.SlugField(max_length=80, required=False, allow_blank=True, help_text="From the name if blank.")
    description = serializers.CharField(max_length=500, required=False, allow_blank=True)


class TagOutput(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.SlugField()
    post_count = serializers.IntegerField(help_text="Live posts with the tag.")


class CommentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    parent = serializers.IntegerField(
        source="parent_id", allow_null=True, help_text="The comment this one answers (it may not be listed)."
    )
    author = AuthorOutput()
    created_at = serializers.DateTimeField()
    body = serializers.CharField(help_text="Plain text, never HTML: escape it when showing it.")
