"""Rendered pieces of the blog's pages, cached beside the reads they are made of.

A post's article (title, meta, cover, body, terms, related posts) and a list's cards are the
costly part of their pages and the same for every reader, so they are rendered once and kept
with the reads they show until the next publish (selectors.cached_live) and inserted as they
are. The page around them still renders per request what depends on the reader: the header,
the edit link, tokens. (Visitors without cookies may get the whole page from the page cache.)
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from apps.blog.models import Post
from apps.blog.selectors import (
    PostDetail,
    PostPage,
    cached_live,
    has_slot,
    post_detail_live,
    post_page_key,
    post_page_live,
)
from apps.core.blocks import render_blocks


def render_article(post: Post, *, body: str, related: list[Post]) -> SafeString:
    """A post's article as HTML (no request: the template needs none, and context processors
    would cost for nothing)."""
    context = {"post": post, "body": body, "categories": post.category_list, "tags": post.tag_list, "related": related}
    return mark_safe(render_to_string("blog/_post_article.html", context))  # noqa: S308 (an autoescaped template)


def post_detail_with_article(*, slug: str, request: HttpRequest | None = None) -> PostDetail | None:
    """A live post, its related posts and its rendered article, in one cache entry until the next
    publish (so a warm page costs one cache round trip and no query). A body with slots depends
    on its reader: its article is rendered for each request."""

    def load() -> PostDetail | None:
        detail = post_detail_live(slug=slug)
        if detail is not None and not has_slot(detail.post.body):
            # No request: a body without slots reads the same for everyone.
            body = render_blocks(detail.post.body)
            detail.article = str(render_article(detail.post, body=body, related=detail.related))
        return detail

    detail = cached_live(f"page:{slug}", load)
    if detail is not None and detail.article is None:
        body = render_blocks(detail.post.body, request=request)
        detail.article = str(render_article(detail.post, body=body, related=detail.related))
    return detail


def post_list_page(**filters: Any) -> PostPage:
    """A page of live posts (selectors.post_page_live's arguments) with its cards rendered, in one
    cache entry until the next publish; searches and deep pages are rendered each time."""

    def load() -> PostPage:
        page = post_page_live(**filters)
        page.cards = render_to_string("blog/_post_cards.html", {"posts": page.posts})
        return page

    key = post_page_key(**filters)
    return cached_live(key, load) if key else load()
