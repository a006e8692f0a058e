"""Reads behind the blog's API: what visitors see (live posts, their terms, approved comments) and
what authors and reviewers work on.

Visitors' answers about posts are the same for everyone, so the views cache them whole in the
blog's page-cache namespace (api/common.cached_answer). A draft never reaches these reads,
whoever asks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from apps.blog.comments import POST_KIND
from apps.blog.models import Category, Post, Tag
from apps.blog.selectors import live_posts_matching
from apps.core.comments.models import Comment
from apps.core.comments.selectors import comment_list_published
from apps.core.models import User
from apps.core.publishing import revisions

# What a list shows of a post and its author: never the body, review notes or schedule.
_LIST_FIELDS = (
    "id",
    "title",
    "slug",
    "excerpt",
    "cover",
    "cover_alt",
    "reading_time",
    "live",
    "first_published_at",
    "last_published_at",
    "author",
    "author__id",
    "author__display_name",
)
_DETAIL_FIELDS = (*_LIST_FIELDS, "body", "seo_description", "live_revision")


# --- Live posts -----------------------------------------------------------------------------------


def _terms() -> list[Prefetch]:
    # Plain lists (to_attr): reading them builds no related manager per post.
    return [
        Prefetch(
            "categories",
            queryset=Category.objects.only("id", "name", "slug").order_by("name"),
            to_attr="live_categories",
        ),
        Prefetch("tags", queryset=Tag.objects.only("id", "name", "slug").order_by("name"), to_attr="live_tags"),
    ]


def post_list_live(
    *, category: str | None = None, tag: str | None = None, author_id: int | None = None, q: str = ""
) -> QuerySet[Post]:
    """Live posts, newest first, with author, categories and tags loaded (three queries for any
    number of posts; the terms as the lists ``live_categories`` and ``live_tags``), narrowed to
    a category or tag slug, an author, or posts whose title or excerpt holds every word of ``q``."""
    posts = live_posts_matching(category=category, tag=tag, author_id=author_id, q=q)
    return (
        posts.select_related("author")
        .prefetch_related(*_terms())
        .only(*_LIST_FIELDS)
        .order_by("-first_published_at", "-pk")
    )


def post_get_live(*, slug: str) -> Post | None:
    """The live post at ``slug`` with its author and terms; None for a draft or anything else."""
    return (
        Post.objects.filter(live=True, slug=slug)
        .select_related("author")
        .prefetch_related(*_terms())
        .only(*_DETAIL_FIELDS)
        .first()
    )


def post_id_live(*, slug: str) -> int | None:
    """The id of the live post at ``slug``, or None."""
    return Post.objects.filter(live=True, slug=slug).values_list("pk", flat=True).first()


# --- Authors and reviewers ------------------------------------------------------------------------


def post_get(*, pk: int) -> Post | None:
    """The post ``pk`` in any state, with its author; callers decide who may see it
    (apps/blog/permissions.can_view_post)."""
    return Post.objects.select_related("author").filter(pk=pk).first()


def post_list_of_author(*, author: User) -> QuerySet[Post]:
    """Every post ``author`` wrote, whatever its state, newest first."""
    return Post.objects.filter(author=author).select_related("author").order_by("-created_at", "-pk")


def post_list_submitted() -> QuerySet[Post]:
    """Posts waiting for review, longest waiting first."""
    return (
        Post.objects.filter(review_state=Post.ReviewState.SUBMITTED)
        .select_related("author")
        .order_by("submitted_at", "pk")
    )


@dataclass(frozen=True)
class Draft:
    """A post with the content of its newest revision (what its editors work on)."""

    post: Post
    content: dict[str, Any]


def drafts_of(posts: Iterable[Post]) -> list[Draft]:
    """Each post with its newest revision's content: one document query for all of them."""
    posts = list(posts)
    latest = revisions.revision_read_latest(posts)
    return [Draft(post, latest[post.pk]["content"] if post.pk in latest else post.content_of()) for post in posts]


def draft_of(post: Post) -> Draft:
    return drafts_of([post])[0]


# --- Categories, tags, comments ---------------------------------------------------------------------


def category_list_with_counts() -> QuerySet[Category]:
    """Every category by name, each with the number of its live posts as ``post_count`` (one query)."""
    return Category.objects.annotate(post_count=Count("posts", filter=Q(posts__live=True))).order_by("name", "pk")


def tag_list_live() -> QuerySet[Tag]:
    """Tags of live posts by name, with ``post_count``. Tags used only by drafts are left out: an
    author's labels must not reveal what they are writing."""
    return (
        Tag.objects.annotate(post_count=Count("posts", filter=Q(posts__live=True)))
        .filter(post_count__gt=0)
        .order_by("name", "pk")
    )


def comment_list_approved(*, post_id: int) -> QuerySet[Comment]:
    """The approved comments of a post, oldest first, flat (replies name their parent), with
    their authors' names."""
    return comment_list_published(kind=POST_KIND, target_id=post_id).only(
        "id", "parent", "body", "created_at", "author", "author__id", "author__display_name"
    )
