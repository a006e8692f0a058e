"""Posts' pages under /social/: compose (GET shows the form, POST writes), a post with its thread,
edit and the edit history, delete, and the like, repost and bookmark toggles; the bookmarks page.

Each toggle posts the state wanted (``on=1`` or ``on=0``), so a repeat lands where the first one
did; htmx gets the post's action bar back, a plain form a redirect to where it came from.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from apps.social import permissions, selectors
from apps.social.forms import PostEditForm, PostForm
from apps.social.models import Post
from apps.social.services import posts as post_services
from apps.social.services.profiles import profile_ensure

PAGE_SIZE = 20


def _post_or_404(request: HttpRequest, pk: int) -> Post:
    post = selectors.post_get_for_user(request.user, pk)
    if post is None:
        raise Http404("This post does not exist or is not shared with you.")
    return post


def _form_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _back(request: HttpRequest, post: Post) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return post.get_absolute_url()


@require_http_methods(["GET", "POST"])
@login_required
def compose(request: HttpRequest) -> HttpResponse:
    """Write a post (GET: the form; POST: the new post, or the form again with its errors, 400)."""
    profile_ensure(request.user)
    form = PostForm(request.POST or None, request.FILES or None, author=request.user)
    if request.method == "POST":
        reply_to = None
        if form.is_valid():
            try:
                if form.cleaned_data.get("reply_to"):
                    reply_to = _post_or_404(request, form.cleaned_data["reply_to"])
                post = post_services.post_create(
                    author=request.user,
                    text=form.cleaned_data["text"],
                    visibility=form.cleaned_data["visibility"],
                    audience=form.cleaned_data["audience"],
                    content_warning=form.cleaned_data["content_warning"],
                    body=form.cleaned_data["body"],
                    images=form.images(),
                    reply_to=reply_to,
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, "Your reply is posted." if reply_to else "Your post is published.")
                return redirect(post.get_absolute_url())
        return render(request, "social/post_compose.html", {"form": form, "reply_to": reply_to}, status=400)
    return render(request, "social/post_compose.html", {"form": form})


@require_GET
@vary_on_headers("Cookie")
def post_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A post with its whole thread as the visitor may read it, and a reply form for who may reply."""
    post = _post_or_404(request, pk)
    if post.repost_of_id is not None:
        return redirect(post.repost_of.get_absolute_url())
    thread = selectors.post_thread(request.user, post)
    selectors.with_viewer_state([entry.post for entry in thread] or [post], request.user)
    reply_form = None
    if permissions.can_reply(request.user, post):
        reply_form = PostForm(initial={"reply_to": post.pk}, author=request.user)
    context = {"post": post, "thread": thread, "reply_form": reply_form}
    return render(request, "social/post_detail.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def post_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The author edits a post's text and content warning; the earlier text goes to its history."""
    post = _post_or_404(request, pk)
    if not permissions.can_edit_post(request.user, post):
        raise PermissionDenied("Only its author may edit a post.")
    initial = {"text": post.text, "content_warning": post.content_warning}
    form = PostEditForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            try:
                post_services.post_edit(actor=request.user, post=post, **form.cleaned_data)
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, "Your post is updated.")
                return redirect(post.get_absolute_url())
        return render(request, "social/post_edit.html", {"form": form, "post": post}, status=400)
    return render(request, "social/post_edit.html", {"form": form, "post": post})


@require_GET
def post_history(request: HttpRequest, pk: int) -> HttpResponse:
    """What an edited post said before, newest first (the "edited" link)."""
    post = _post_or_404(request, pk)
    selectors.with_viewer_state([post], request.user)
    return render(request, "social/post_history.html", {"post": post, "edits": selectors.post_history(post)})


@require_POST
@login_required
def post_delete(request: HttpRequest, pk: int) -> HttpResponse:
    post = _post_or_404(request, pk)
    post_services.post_delete(actor=request.user, post=post)  # PermissionDenied: 403
    messages.success(request, "The post is deleted.")
    # A repost is gone outright: back to the original it repeated.
    return redirect(post.get_absolute_url() if post.repost_of_id is None else post.repost_of.get_absolute_url())


def _on(request: HttpRequest) -> bool:
    value = request.POST.get("on", "1")
    if value not in ("0", "1"):
        raise ValidationError("on must be 1 or 0.")
    return value == "1"


def _toggle(request: HttpRequest, pk: int, action: Any) -> HttpResponse:
    post = _post_or_404(request, pk)
    try:
        action(user=request.user, post=post, on=_on(request))
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=400, content_type="text/plain")
    if request.htmx:
        fresh = selectors.post_get_for_user(request.user, pk) or post
        selectors.with_viewer_state([fresh], request.user)
        return render(request, "social/_post_actions.html", {"post": fresh, "next": request.POST.get("next", "")})
    return redirect(_back(request, post))


@require_POST
@login_required
@vary_on_headers("HX-Request")
def post_like(request: HttpRequest, pk: int) -> HttpResponse:
    return _toggle(request, pk, post_services.post_like)


@require_POST
@login_required
@vary_on_headers("HX-Request")
def post_repost(request: HttpRequest, pk: int) -> HttpResponse:
    return _toggle(request, pk, post_services.post_repost)


@require_POST
@login_required
@vary_on_headers("HX-Request")
def post_bookmark(request: HttpRequest, pk: int) -> HttpResponse:
    return _toggle(request, pk, post_services.post_bookmark)


def _page(request: HttpRequest, posts: Any) -> Any:
    page = Paginator(posts, PAGE_SIZE).get_page(request.GET.get("page"))
    selectors.with_viewer_state(page.object_list, request.user)
    return page


@require_GET
@login_required
def bookmarks(request: HttpRequest) -> HttpResponse:
    """The posts the visitor kept, that they may still read."""
    page = _page(request, selectors.bookmarks_for(request.user))
    return render(request, "social/bookmarks.html", {"page": page})
