"""A post's page, as much of it as the comments need: title, body and the comment thread.

Stand-in for the blog pages branch's post page, at the same address and URL name (blog:post),
so the comments can be used and tested on this branch. The real page takes its place; what it
must add for the comments is the ``comments`` context below and the thread's include.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_cookie

from apps.blog.comments.selectors import comment_thread_for, post_get_commentable
from apps.core.blocks import render_blocks


@require_GET
@vary_on_cookie
def post_detail(request: HttpRequest, slug: str) -> HttpResponse:
    post = post_get_commentable(slug=slug)
    if post is None:
        raise Http404("No such post.")
    context = {
        "post": post,
        "body": render_blocks(post.body, request=request),
        "comments": comment_thread_for(post=post, viewer=request.user),
    }
    return render(request, "blog/post_detail.html", context)
