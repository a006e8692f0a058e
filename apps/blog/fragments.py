"""Rendered pieces of the blog's pages, cached beside the reads they are made of.

A post's head tags and article (title, meta, cover, body, terms, related posts) and a list's
cards are the costly part of their pages and the same for every reader, so they are rendered
once and kept with the reads they show until the next publish (selectors.cached_live) and
inserted as they are. The page around them still renders per request what depends on the reader: the header,
the edit link, tokens. (Visitors without cookies may get the whole page from the page cache.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from apps.blog.models import Post
from apps.blog.selectors import (
    PostDetail,
    PostPage,
    cached_live,
    post_detail_live,
    post_page_key,
    post_page_live,
)
from apps.blog.templatetags.blog_tags import cover_share_url
from apps.core.blocks import has_slot, render_blocks


def render_article(post: Post, *, body: str, related: list[Post]) -> SafeString:
    """A post's article as HTML (no request: the template needs none, and context processors
    would cost for nothing)."""
    context = {"post": post, "body": body, "categories": post.category_list, "tags": post.tag_list, "related": related}
    return mark_safe(render_to_string("blog/_post_article.html", context))  # noqa: S308 (an autoescaped template)


def render_head(post: Post, *, base: str, preview: bool = False) -> SafeString:
    """What a post's page adds to ``<head>``: description, canonical address and OpenGraph tags
    (absolute, on ``base``: scheme and host), the blog's stylesheet and feeds. A preview says
    noindex and shares nothing."""
    share = cover_share_url(post)
    context = {
        "post": post,
        "tags": post.tag_list,
        "preview": preview,
        "site_name": settings.SITE_NAME,
        "canonical": base + post.get_absolute_url(),
        "share_image": share if share.startswith(("http://", "https://")) or not share else base + share,
    }
    return mark_safe(render_to_string("blog/_post_head.html", context))  # noqa: S308 (an autoescaped template)


@dataclass
class PostView:
    """A live post's page as its view needs it: small to keep and quick to read back (no model
    instances, unless the body has slots and must be rendered for each reader)."""

    pk: int
    author_id: int
    title: str
    head: str
    article: str
    detail: PostDetail | None = None  # kept only for bodies with slots


def post_view_live(*, slug: str, request: HttpRequest) -> PostView | None:
    """A live post's page parts, in one cache entry per address until the next publish: a warm
    page costs one cache round trip, no query and almost no template work. Absolute addresses
    in the head follow the request's host, so each host has its own entry."""
    base = request.build_absolute_uri("/")[:-1]

    def load() -> PostView | None:
        detail = post_detail_live(slug=slug)
        if detail is None:
            return None
        post, slots = detail.post, has_slot(detail.post.body)
        # Without slots a body reads the same for everyone: rendered here, without a request.
        article = "" if slots else str(render_article(post, body=render_blocks(post.body), related=detail.related))
        head = str(render_head(post, base=base))
        return PostView(post.pk, post.author_id, post.title, head, article, detail if slots else None)

    view = cached_live(f"view:{slug}:{base}", load)
    if view is not None and view.detail is not None:
        detail = view.detail
        body = render_blocks(detail.post.body, request=request)
        view.article = str(render_article(detail.post, body=body, related=detail.related))
    return view


def post_list_page(**filters: Any) -> PostPage:
    """A page of live posts (selectors.post_page_live's arguments) with its cards rendered, in one
    cache entry until the next publish; searches and deep pages are rendered each time."""

    def load() -> PostPage:
        page = post_page_live(**filters)
        page.cards = render_to_string("blog/_post_cards.html", {"posts": page.posts})
        return page

    key = post_page_key(**filters)
    return cached_live(key, load) if key else load()
