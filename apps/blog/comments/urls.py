"""The blog's comment addresses, mounted under /blog/ (config/urls.py) next to the blog's pages:
a post's own comment address, and the addresses of its comments that pages and readers have
linked to, served by core's comment views (apps/core/comments/urls.py has the same views at
/comments/...). The old moderation page sends moderators to the platform's queue, on the blog.

Every path starts with ``comments/`` or ends with ``/comments/`` after a post's slug, so none
can be taken for a post's own address (/blog/<slug>/).
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from apps.blog.models import Post
from apps.core.comments import COMMENT_ROUTES, views

app_name = "blog_comments"


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@never_cache
def post_comment_create(request: HttpRequest, slug: str) -> HttpResponse:
    """A comment on the published post at ``slug`` (core's comment_create, found by slug)."""
    post = Post.objects.filter(slug=slug, live=True).first()
    if post is None:
        raise Http404("No such post.")
    return views.comment_create_on(request, post)


@require_GET
def moderation_redirect(request: HttpRequest) -> HttpResponse:
    return redirect(f"{reverse('comments:moderation')}?domain=blog", permanent=True)


urlpatterns = [
    path("<slug:slug>/comments/", post_comment_create, name="create"),
    path("comments/moderation/", moderation_redirect, name="moderation"),
    *COMMENT_ROUTES,
]
