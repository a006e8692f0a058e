"""Writing, reviewing and publishing posts on the site: the editor, an author's own posts, the
review queue, and one small POST view per action (each redirects back, so all of it works
without JavaScript). Access answers 404 for a post that does not exist and 403 for one that
is not the user's to touch; every rule comes from apps/blog/permissions.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.blog import permissions, selectors, services
from apps.blog.forms import CategoryForm, PostForm, PublishForm, ScheduleForm
from apps.blog.models import Post
from apps.blog.permissions import PostAction
from apps.core.api import json_error
from apps.core.blocks import render_blocks
from apps.core.publishing import DraftConflict, preview_token


def _post_for_editor(request: HttpRequest, pk: int) -> Post:
    """The post its editor opens (the editor, a preview): 404 if there is none, 403 with the
    policy's reason if it is not theirs. Actions are checked by the services, once."""
    post = selectors.post_get_for_editor(pk=pk)
    if post is None:
        raise Http404("No such post.")
    if reason := permissions.post_action_refusal(request.user, post, PostAction.EDIT):
        raise PermissionDenied(reason)
    return post


def _back(request: HttpRequest, default: str) -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return redirect(target if target and safe else default)


def _errors(exc: ValidationError | PermissionDenied) -> str:
    return " ".join(getattr(exc, "messages", None) or [str(exc) or "You may not do that."])


# --- The editor ---------------------------------------------------------------------------------


def _editor_context(request: HttpRequest, form: PostForm, post: Post | None) -> dict[str, Any]:
    # Authors always see "Submit for review": saving withdraws a submission, submitting renews it.
    can_publish = permissions.can_publish_post(request.user, post or Post())
    draft = selectors.post_draft_content(post) if post is not None else {}
    cover = {"cover": draft["cover"], "cover_alt": draft.get("cover_alt", "")} if draft.get("cover") else None
    return {
        "form": form,
        "post": post,
        "can_publish": can_publish,
        "can_submit": not can_publish,
        "current_cover": cover,
    }


def _follow_up(request: HttpRequest, post: Post, form: PostForm) -> None:
    """After a save, what the pressed button asked for: submit, publish or schedule."""
    user = request.user
    if "_submit" in request.POST:
        services.post_submit(post=post, author=user)
        messages.success(request, "Saved and submitted for review. A blog admin will publish it.")
    elif "_publish" in request.POST:
        services.post_publish(post=post, publisher=user)
        messages.success(request, "Saved and published.")
    elif "_schedule" in request.POST:
        go_live_at = form.cleaned_data.get("go_live_at")
        if go_live_at is None:
            raise ValidationError("Saved as a draft. To schedule it, say when it should go live.")
        services.post_schedule(post=post, publisher=user, go_live_at=go_live_at)
        messages.success(request, f"Saved and scheduled for {go_live_at:%Y-%m-%d %H:%M} UTC.")
    else:
        messages.success(request, f"Draft saved (revision {post.latest_revision}).")


def _saved(request: HttpRequest, post: Post, form: PostForm) -> HttpResponse:
    try:
        _follow_up(request, post, form)
    except (ValidationError, PermissionDenied) as exc:
        # The draft is saved; only the follow-up was refused, which the editor is told.
        messages.error(request, _errors(exc))
    return redirect("blog:edit", post.pk)


@login_required
@require_http_methods(["GET", "POST"])
def post_write(request: HttpRequest) -> HttpResponse:
    """A new post: its first draft."""
    if not permissions.can_create_post(request.user):
        raise PermissionDenied
    form = PostForm(request.POST or None, request.FILES or None, initial={"based_on": 0})
    if request.method == "POST" and form.is_valid():
        try:
            post = services.post_create(author=request.user, data=form.post_input(), cover=form.cleaned_data["cover"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _saved(request, post, form)
    status = 422 if form.errors else 200
    return render(request, "blog/post_form.html", _editor_context(request, form, None), status=status)


@login_required
@require_http_methods(["GET", "POST"])
def post_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A new revision of a post's draft; a stale form is told of the conflict and keeps its text."""
    post = _post_for_editor(request, pk)
    if request.method == "GET":
        form = PostForm(initial=PostForm.initial_for(selectors.post_draft_content(post), post.latest_revision))
        return render(request, "blog/post_form.html", _editor_context(request, form, post))
    form, status = PostForm(request.POST, request.FILES), 422
    if form.is_valid():
        try:
            services.post_update(
                post=post,
                editor=request.user,
                data=form.post_input(),
                based_on=form.cleaned_data["based_on"],
                cover=form.cleaned_data["cover"],
                remove_cover=form.cleaned_data["remove_cover"],
            )
        except DraftConflict as exc:
            form.add_error(None, exc.messages)
            status = 409
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _saved(request, post, form)
    return render(request, "blog/post_form.html", _editor_context(request, form, post), status=status)


@login_required
@require_GET
def post_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The newest saved draft on the post's own page, through a signed link for this editor only."""
    post = _post_for_editor(request, pk)
    token = preview_token(obj=post, revision=post.latest_revision, user=request.user)
    return redirect(f"{post.get_absolute_url()}?preview={token}")


# --- An author's posts and the review queue ------------------------------------------------------


@login_required
@require_GET
def post_mine(request: HttpRequest) -> HttpResponse:
    """The signed-in author's own posts, with their state and what they can do next."""
    if not permissions.can_create_post(request.user):
        raise PermissionDenied
    rows = selectors.post_list_for_author(user=request.user)
    for row in rows:
        row.can_submit = permissions.can_submit_post(request.user, row.post)
    return render(request, "blog/post_mine.html", {"rows": rows})


@login_required
@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    """Blog admins: posts waiting for review (publish, schedule or send back), scheduled posts,
    and the categories authors choose from."""
    if not permissions.can_review(request.user):
        raise PermissionDenied
    context = {
        "submitted": selectors.post_list_submitted(),
        "scheduled": selectors.post_list_scheduled(),
        "categories": selectors.category_list(),
        "category_form": CategoryForm(),
    }
    return render(request, "blog/post_review.html", context)


# --- Actions: POST, then back to where the button was --------------------------------------------


def _act(request: HttpRequest, pk: int, action: Callable[[Post], str], *, default: str) -> HttpResponse:
    post = selectors.post_get_for_editor(pk=pk)
    if post is None:
        raise Http404("No such post.")
    try:
        messages.success(request, action(post))
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return _back(request, default)


@login_required
@require_POST
def post_submit(request: HttpRequest, pk: int) -> HttpResponse:
    def submit(post: Post) -> str:
        services.post_submit(post=post, author=request.user)
        return f"“{post.title}” is waiting for review."

    return _act(request, pk, submit, default=reverse("blog:mine"))


@login_required
@require_POST
def post_publish(request: HttpRequest, pk: int) -> HttpResponse:
    form = PublishForm(request.POST)
    revision = form.cleaned_data["revision"] if form.is_valid() else None

    def publish(post: Post) -> str:
        services.post_publish(post=post, publisher=request.user, revision=revision)
        return f"“{post.title}” is published."

    return _act(request, pk, publish, default=reverse("blog:review"))


@login_required
@require_POST
def post_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    form = ScheduleForm(request.POST)

    def schedule(post: Post) -> str:
        if not form.is_valid():
            raise ValidationError("Say when the post should go live.")
        when = form.cleaned_data["go_live_at"]
        services.post_schedule(
            post=post, publisher=request.user, go_live_at=when, revision=form.cleaned_data["revision"]
        )
        return f"“{post.title}” goes live at {when:%Y-%m-%d %H:%M} UTC."

    return _act(request, pk, schedule, default=reverse("blog:review"))


@login_required
@require_POST
def post_unschedule(request: HttpRequest, pk: int) -> HttpResponse:
    def unschedule(post: Post) -> str:
        services.post_unschedule(post=post, publisher=request.user)
        return f"“{post.title}” is no longer scheduled."

    return _act(request, pk, unschedule, default=reverse("blog:review"))


@login_required
@require_POST
def post_unpublish(request: HttpRequest, pk: int) -> HttpResponse:
    def unpublish(post: Post) -> str:
        services.post_unpublish(post=post, publisher=request.user)
        return f"“{post.title}” is no longer on the blog."

    return _act(request, pk, unpublish, default=reverse("blog:review"))


@login_required
@require_POST
def post_request_changes(request: HttpRequest, pk: int) -> HttpResponse:
    def send_back(post: Post) -> str:
        services.post_request_changes(post=post, reviewer=request.user, note=request.POST.get("note", ""))
        return f"“{post.title}” went back to {post.author} with your note."

    return _act(request, pk, send_back, default=reverse("blog:review"))


@login_required
@require_POST
def category_create(request: HttpRequest) -> HttpResponse:
    """Blog admins add a category (from the review page)."""
    if not permissions.can_manage_categories(request.user):
        raise PermissionDenied
    form = CategoryForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError([error for errors in form.errors.values() for error in errors])
        category = services.category_create(actor=request.user, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, f"Category “{category.name}” added.")
    return redirect("blog:review")


# --- Autosave: the editor's script saves the draft every few seconds ------------------------------


def _autosave_answer(post: Post) -> JsonResponse:
    return JsonResponse(
        {
            "revision": post.latest_revision,
            "saved_at": timezone.now().isoformat(timespec="seconds"),
            "edit_url": reverse("blog:edit", args=[post.pk]),
            "autosave_url": reverse("blog:autosave", args=[post.pk]),
        }
    )


def _autosave_form(request: HttpRequest) -> PostForm | JsonResponse:
    """The posted form, or the JSON error naming each field's problem (400). Files never travel
    with an autosave: a new cover waits for "Save draft"."""
    form = PostForm(request.POST)
    if form.is_valid():
        return form
    fields = {name: [str(message) for message in errors] for name, errors in form.errors.items()}
    first = next(iter(fields.values()))[0] if fields else "The draft could not be read."
    return json_error(400, code="invalid", message=first, fields=fields)


def _refused(exc: PermissionDenied) -> JsonResponse:
    return json_error(403, message=str(exc) or "You may not edit this post.")


@require_POST
def post_autosave_new(request: HttpRequest) -> JsonResponse:
    """A new post's first autosave creates its draft (revision 1); the answer names the post's
    editor and autosave addresses, which the script switches to."""
    if not request.user.is_authenticated or not permissions.can_create_post(request.user):
        return json_error(403, message="Only authors may write posts.")
    form = _autosave_form(request)
    if isinstance(form, JsonResponse):
        return form
    try:
        post = services.post_create(author=request.user, data=form.post_input())
    except PermissionDenied as exc:
        return _refused(exc)
    except ValidationError as exc:
        return json_error(400, code="invalid", message=_errors(exc))
    return _autosave_answer(post)


@require_POST
def post_autosave(request: HttpRequest, pk: int) -> JsonResponse:
    """Save the editor's draft as a new revision through the publishing engine (``draft_save``,
    with the revision the editor opened). If someone saved since, nothing is written and the
    answer (409) carries their revision, so the editor shows both: theirs and the author's own."""
    if not request.user.is_authenticated:
        return json_error(403, message="Sign in to save drafts.")
    post = selectors.post_get_for_editor(pk=pk)
    if post is None:
        return json_error(404, message="No such post.")
    if reason := permissions.post_action_refusal(request.user, post, PostAction.EDIT):
        return json_error(403, message=reason)
    form = _autosave_form(request)
    if isinstance(form, JsonResponse):
        return form
    try:
        services.post_update(
            post=post, editor=request.user, data=form.post_input(), based_on=form.cleaned_data["based_on"]
        )
    except DraftConflict as exc:
        theirs = selectors.post_draft_content(post)
        return json_error(
            409,
            code="conflict",
            message="Someone else saved this draft.",
            conflict={
                "revision": exc.latest.get("number"),
                "title": theirs.get("title", ""),
                "body": theirs.get("body") or [],
                "body_html": str(render_blocks(theirs.get("body") or [])),
            },
        )
    except PermissionDenied as exc:
        return _refused(exc)
    except ValidationError as exc:
        return json_error(400, code="invalid", message=_errors(exc))
    post.refresh_from_db(fields=["latest_revision"])
    return _autosave_answer(post)
