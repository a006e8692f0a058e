"""The blog: posts published through the engine, their categories and tags (comments on posts
are core's: apps/core/comments, registered in apps/blog/comments).

A post's row holds what visitors see (its published revision, categories and tags); every saved
version is a revision document (apps/core/publishing). Who may draft or publish which post is
decided by apps/blog/permissions.py, which the engine asks through ``allows_draft_by`` and
``allows_publish_by``.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.urls import reverse
from django.utils import timezone

from apps.blog import permissions
from apps.blog.roles import BLOG_ADMIN, BLOG_AUTHOR
from apps.core.publishing import Publishable

# Addresses under /blog/ that the blog's own pages use: a post may not take them.
RESERVED_POST_SLUGS = frozenset({"write", "mine", "review", "feed", "category", "tag", "author", "posts", "page"})
WORDS_PER_MINUTE = 220
MAX_TAGS = 10
MAX_CATEGORIES = 5
# What a cover's storage name looks like (apps/blog/covers.py writes it): the size is in the name,
# so pages can give width, height and srcset without reading the file or a row.
COVER_NAME = re.compile(r"blog/covers/\d{4}/[0-9a-f]{32}_(?P<width>\d{1,5})x(?P<height>\d{1,5})\.(?:jpg|png|gif|webp)")


def validate_post_slug(value: str) -> None:
    if value in RESERVED_POST_SLUGS:
        raise ValidationError(f"“{value}” is used by the blog itself; choose another address.", code="reserved")


def validate_cover_name(value: str) -> None:
    if value and not COVER_NAME.fullmatch(value):
        raise ValidationError("The cover must be an image uploaded through the editor.", code="invalid_cover")


def reading_minutes(text: str) -> int:
    """Minutes a reader needs for ``text`` (at least one)."""
    return max(1, math.ceil(len(text.split()) / WORDS_PER_MINUTE))


class Category(models.Model):
    """A section of the blog, chosen from a list that blog admins keep."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(max_length=500, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("blog:category", args=[self.slug])


class Tag(models.Model):
    """A free label that authors add to their posts."""

    name = models.CharField(max_length=50)
    slug = models.SlugField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("blog:tag", args=[self.slug])


class Post(Publishable):
    """A blog post. Revisions hold its content fields; categories travel as ids, tags as slugs."""

    class ReviewState(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted for review"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"

    # Content: what a revision holds and publishing copies onto the row.
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True, validators=[validate_post_slug])
    excerpt = models.TextField(max_length=500, blank=True)
    body = models.JSONField(default=list, blank=True)
    cover = models.CharField(max_length=255, blank=True, validators=[validate_cover_name])
    cover_alt = models.CharField("cover description", max_length=300, blank=True)
    seo_description = models.CharField("description for search engines", max_length=300, blank=True)
    categories = models.ManyToManyField(Category, blank=True, related_name="posts")
    tags = models.ManyToManyField(Tag, blank=True, related_name="posts")

    # Not content: who wrote it, where its review stands, what publishing computed.
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="blog_posts")
    review_state = models.CharField(max_length=20, choices=ReviewState.choices, default=ReviewState.DRAFT)
    review_note = models.TextField(max_length=2000, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reading_time = models.PositiveSmallIntegerField(default=1, help_text="Minutes, from the published body.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    content_fields = (
        "title",
        "slug",
        "excerpt",
        "body",
        "cover",
        "cover_alt",
        "seo_description",
        "categories",
        "tags",
    )
    draft_roles = frozenset({BLOG_AUTHOR})
    publish_roles = frozenset({BLOG_ADMIN})

    class Meta:
        ordering = ["-first_published_at", "-pk"]
        indexes = [
            # The list, feeds and sitemap: live posts, newest first.
            models.Index(fields=["live", "-first_published_at"], name="blog_post_live_published"),
            # An author's page (live, newest first) and their own posts.
            models.Index(fields=["author", "live", "-first_published_at"], name="blog_post_author_published"),
            models.Index(fields=["review_state", "submitted_at"], name="blog_post_review_queue"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("blog:post", args=[self.slug])

    # --- Content through the engine -----------------------------------------------------------

    _TERMS = ("categories", "tags")

    def content_of(self) -> dict[str, Any]:
        """The content fields as JSON-safe values; categories as ids, tags as slugs."""
        data = {
            name: self._meta.get_field(name).value_from_object(self)
            for name in self.content_fields
            if name not in self._TERMS
        }
        data = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
        category_ids, tag_slugs = self._term_keys()
        return {**data, "categories": category_ids, "tags": tag_slugs}

    def _term_keys(self) -> tuple[list[int], list[str]]:
        pending = getattr(self, "_pending_terms", None)
        if pending is not None:
            return list(pending["categories"]), list(pending["tags"])
        if self.pk is None:
            return [], []
        return (
            sorted(category.pk for category in self.categories.all()),
            sorted(tag.slug for tag in self.tags.all()),
        )

    def apply_content(self, content: dict[str, Any]) -> None:
        """Set the content fields from a revision, unsaved. Categories and tags are many-to-many,
        so they are held aside until ``after_publish`` (or shown by a preview) rather than set."""
        super().apply_content({name: value for name, value in content.items() if name not in self._TERMS})
        if any(name in content for name in self._TERMS):
            current_categories, current_tags = self._term_keys()
            self._pending_terms = {
                "categories": list(content.get("categories", current_categories)),
                "tags": list(content.get("tags", current_tags)),
            }
        if "body" in content:
            from apps.core.blocks import text_of

            self.reading_time = reading_minutes(text_of(self.body))

    def clean_content(self, content: dict[str, Any]) -> dict[str, Any]:
        """Blocks cleaned and sanitised; categories must exist; tags must be existing tags' slugs."""
        from apps.core.blocks import clean_blocks

        content = dict(content)
        if "body" in content:
            content["body"] = clean_blocks(content["body"])
        if "categories" in content:
            content["categories"] = _existing_category_ids(content["categories"])
        if "tags" in content:
            content["tags"] = _existing_tag_slugs(content["tags"])
        return super().clean_content(content)

    def after_publish(self, content: dict[str, Any]) -> None:
        """The published revision's categories and tags become the row's; a review is over."""
        if "categories" in content:
            self.categories.set(Category.objects.filter(pk__in=content["categories"]))
        if "tags" in content:
            self.tags.set(Tag.objects.filter(slug__in=content["tags"]))
        self._pending_terms = None
        if self.review_state != self.ReviewState.DRAFT or self.review_note:
            self.review_state, self.review_note, self.submitted_at = self.ReviewState.DRAFT, "", None
            self.save(update_fields=["review_state", "review_note", "submitted_at"])

    # --- What pages show ------------------------------------------------------------------------

    @property
    def category_list(self) -> list[Category]:
        """The categories to show: a preview's pending ones, else the row's (prefetched by selectors)."""
        pending = getattr(self, "_pending_terms", None)
        if pending is not None:
            return list(Category.objects.filter(pk__in=pending["categories"]).order_by("name"))
        return list(self.categories.all())

    @property
    def tag_list(self) -> list[Tag]:
        pending = getattr(self, "_pending_terms", None)
        if pending is not None:
            return list(Tag.objects.filter(slug__in=pending["tags"]).order_by("name"))
        return list(self.tags.all())

    # --- Who may write and publish it (the engine asks these) -----------------------------------

    def allows_draft_by(self, user: Any) -> bool:
        return permissions.can_edit_post(user, self)

    def allows_publish_by(self, user: Any) -> bool:
        return permissions.can_publish_post(user, self)


def _existing_category_ids(raw: Any) -> list[int]:
    if not isinstance(raw, list | tuple) or not all(isinstance(i, int) and not isinstance(i, bool) for i in raw):
        raise ValidationError("Categories must be a list of category ids.", code="invalid_categories")
    ids = sorted(set(raw))
    if len(ids) > MAX_CATEGORIES:
        raise ValidationError(f"Choose at most {MAX_CATEGORIES} categories.", code="too_many_categories")
    found = set(Category.objects.filter(pk__in=ids).values_list("pk", flat=True))
    if missing := [i for i in ids if i not in found]:
        raise ValidationError(f"Unknown categories: {', '.join(map(str, missing))}.", code="unknown_category")
    return ids


def _existing_tag_slugs(raw: Any) -> list[str]:
    if not isinstance(raw, list | tuple) or not all(isinstance(s, str) for s in raw):
        raise ValidationError("Tags must be a list of tag slugs.", code="invalid_tags")
    slugs = sorted(set(raw))
    if len(slugs) > MAX_TAGS:
        raise ValidationError(f"Use at most {MAX_TAGS} tags.", code="too_many_tags")
    found = set(Tag.objects.filter(slug__in=slugs).values_list("slug", flat=True))
    if missing := [s for s in slugs if s not in found]:
        raise ValidationError(f"Unknown tags: {', '.join(missing)}.", code="unknown_tag")
    return slugs
