"""What visitors read: the list (with category, tag, author and search), and a post's page.

Live reads come from cached selectors, so a warm post page costs an anonymous reader no query.
A draft is shown only through its editor's signed preview link, never cached nor indexed.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.validators import slug_re
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_cookie, vary_on_headers

from apps.blog import fragments, permissions, selectors
from apps.blog.models import Post
from apps.blog.selectors import NAMESPACE
from apps.core.blocks import render_blocks
from apps.core.comments import CommentThread, comment_thread_for
from apps.core.platform import cache_public_page, pagecache
from apps.core.publishing import as_draft, live_or_preview


def _list_page(
    request: HttpRequest,
    *,
    heading: str,
    base_url: str,
    feeds: dict[str, str],
    description: str = "",
    filterable: bool = False,
    **filters: Any,
) -> HttpResponse:
    # The list's own address carries category/tag/author; the query string adds search and page
    # (and, on /blog/ itself, the filter form's category and tag).
    page = fragments.post_list_page(page=request.GET.get("page", 1), q=request.GET.get("q", ""), **filters)
    terms = selectors.terms_with_counts()
    in_query = {"q": page.filters["q"]} | ({k: filters.get(k) for k in ("category", "tag")} if filterable else {})
    context = {
        "page": page,
        "cards": mark_safe(page.cards),  # noqa: S308 (an autoescaped template's output)
        "q": page.filters["q"],
        "query": urlencode({key: value for key, value in in_query.items() if value}),
        "heading": heading,
        "description": description,
        "base_url": base_url,
        "feeds": feeds,
        "filterable": filterable,
        "can_write": permissions.can_create_post(request.user),
        "categories": terms["categories"],
        "tags": terms["tags"],
        **filters,
    }
    # A history restore asks for the whole page even from htmx.
    partial = request.htmx and not request.htmx.history_restore_request
    return render(request, "blog/post_list.html#post-list" if partial else "blog/post_list.html", context)


def _feeds(rss: str, atom: str, *args: str) -> dict[str, str]:
    return {"rss": reverse(rss, args=args), "atom": reverse(atom, args=args)}


def _slug_param(request: HttpRequest, name: str) -> str:
    # Anything that is not a slug names no category or tag (and never reaches a cache key).
    value = request.GET.get(name, "")
    return value if slug_re.fullmatch(value) and len(value) <= 100 else ""


@require_GET
@cache_public_page(NAMESPACE)
@vary_on_headers("HX-Request", "HX-History-Restore-Request", "Cookie")
def post_list(request: HttpRequest) -> HttpResponse:
    """Every live post, newest first; ?category=, ?tag= and ?q= narrow it (the filter form)."""
    category_slug, tag_slug = _slug_param(request, "category"), _slug_param(request, "tag")
    category = selectors.category_get(slug=category_slug) if category_slug else None
    tag = selectors.tag_get(slug=tag_slug) if tag_slug else None
    return _list_page(
        request,
        heading="Blog",
        base_url=reverse("blog:post-list"),
        feeds=_feeds("blog:feed-rss", "blog:feed-atom"),
        filterable=True,
        category=category.slug if category else None,
        tag=tag.slug if tag else None,
    )


@require_GET
@cache_public_page(NAMESPACE)
@vary_on_headers("HX-Request", "HX-History-Restore-Request", "Cookie")
def category_detail(request: HttpRequest, slug: str) -> HttpResponse:
    category = selectors.category_get(slug=slug)
    if category is None:
        raise Http404("No such category.")
    feeds = _feeds("blog:category-feed-rss", "blog:category-feed-atom", slug)
    return _list_page(
        request,
        heading=category.name,
        description=category.description,
        base_url=category.get_absolute_url(),
        feeds=feeds,
        category=slug,
    )


@require_GET
@cache_public_page(NAMESPACE)
@vary_on_headers("HX-Request", "HX-History-Restore-Request", "Cookie")
def tag_detail(request: HttpRequest, slug: str) -> HttpResponse:
    tag = selectors.tag_get(slug=slug)
    if tag is None:
        raise Http404("No such tag.")
    feeds = _feeds("blog:tag-feed-rss", "blog:tag-feed-atom", slug)
    return _list_page(request, heading=f"Tagged “{tag.name}”", base_url=tag.get_absolute_url(), feeds=feeds, tag=slug)


@require_GET
@cache_public_page(NAMESPACE)
@vary_on_headers("HX-Request", "HX-History-Restore-Request", "Cookie")
def author_detail(request: HttpRequest, pk: int) -> HttpResponse:
    author = selectors.author_get_with_live_posts(pk=pk)
    if author is None:
        raise Http404("No such author.")
    url = reverse("blog:author", args=[pk])
    feeds = _feeds("blog:feed-rss", "blog:feed-atom")
    return _list_page(request, heading=f"Posts by {author}", base_url=url, feeds=feeds, author_id=pk)


@require_GET
@cache_public_page(NAMESPACE)
@vary_on_cookie
def post_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A live post as readers see it, or a draft for its editor (a preview link, or their site
    preview): the engine's one resolution decides which."""
    shown = live_or_preview(
        request,
        model=Post,
        lookup={"slug": slug},
        live=lambda: fragments.post_view_live(slug=slug, request=request),
        queryset=selectors.post_queryset_any(),
    )
    if not shown.is_draft:
        view = shown.obj
        context = {
            "post": view,
            "head": mark_safe(view.head),  # noqa: S308 (fragments' autoescaped templates)
            "article": mark_safe(view.article),  # noqa: S308
            "can_edit": permissions.can_edit_post(request.user, view),
            **_thread(request, view, slug),
        }
        return render(request, "blog/post_detail.html", context)
    post = shown.obj
    context = {
        "post": post,
        "head": fragments.render_head(post, base=request.build_absolute_uri("/")[:-1], preview=True),
        "article": fragments.render_article(post, body=render_blocks(post.body, request=request), related=[]),
        "preview_revision": shown.preview_revision,
    }
    return as_draft(render(request, "blog/post_detail.html", context))


def _thread(request: HttpRequest, view: fragments.PostView, slug: str) -> dict[str, CommentThread | SafeString]:
    """The comment thread as this reader sees it. The thread needs only the post's identity, so
    it gets an unsaved stand-in rather than a query. Signed-out readers all see the same thread:
    its HTML is kept in the blog's page-cache namespace, which core's comment engine clears on
    every comment event on posts (the posts' registration names it: apps/blog/comments)."""
    post = Post(pk=view.pk, slug=slug, title=view.title, author_id=view.author_id, live=True)
    if request.user.is_authenticated:
        return {"comments": comment_thread_for(target=post, viewer=request.user)}

    def render_thread() -> str:
        thread = comment_thread_for(target=post, viewer=None)
        return render_to_string("comments/_thread.html", {"comments": thread}, request=request)

    return {"comments_html": mark_safe(pagecache.cached(NAMESPACE, f"thread-html:{view.pk}", render_thread))}  # noqa: S308
