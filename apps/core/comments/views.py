"""Comment pages and fragments, for every kind: write and reply, edit, delete, report, the
one-comment fragment the live thread fetches, and the platform's moderation queue with its actions.

Each view parses input, checks access, calls one service or selector and renders. A comment the
viewer may not see answers 404 (so its existence does not leak); an action they may not take,
403. htmx gets a fragment (a refused form comes back with its errors as 422, or 429 when the
reader is commenting too fast); a plain request gets a redirect to the comment, or a page with
the form and its errors.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget

from apps.core.comments import permissions, selectors, services
from apps.core.comments.forms import BanForm, CommentForm
from apps.core.comments.models import Comment
from apps.core.comments.registry import commentable_of
from apps.core.reports import permissions as report_permissions
from apps.core.reports import selectors as report_selectors

TEMPLATES = "comments/"
QUEUE = TEMPLATES + "moderation_queue.html"
# Refusals about the text itself belong under the text box; the rest above the form.
_BODY_ERRORS = {"required", "max_length", "null_characters"}


# --- Access ---------------------------------------------------------------------------------


def _came_from(request: HttpRequest) -> str:
    """The page the visitor was on, if it is on this site."""
    if request.htmx and request.htmx.current_url_abs_path:
        return request.htmx.current_url_abs_path
    if request.method == "GET":
        return request.get_full_path()
    referer = request.headers.get("referer", "")
    ok = url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return referer if ok else "/"


def _sign_in_first(request: HttpRequest) -> HttpResponse:
    # htmx is sent to the sign-in page as a whole page, not a swap of it into the thread.
    response = redirect_to_login(_came_from(request))
    return HttpResponseClientRedirect(response.url) if request.htmx else response


def signed_in(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """login_required that also works for htmx requests."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return _sign_in_first(request)
        return view(request, *args, **kwargs)

    return wrapper


def _visible_comment(request: HttpRequest, pk: int) -> Comment:
    comment = selectors.comment_get(pk=pk)
    if comment is None or not permissions.can_view_comment(request.user, comment):
        raise Http404("No such comment.")
    return comment


def _moderator(request: HttpRequest) -> None:
    if not permissions.can_moderate_comments(request.user):
        raise PermissionDenied("Only moderators may do this.")


def _moderated_comment(request: HttpRequest, pk: int) -> Comment:
    """The comment ``pk`` for a moderator's decision: 404 when there is none, 403 when its kind
    is not theirs to moderate."""
    _moderator(request)
    comment = selectors.comment_get(pk=pk)
    if comment is None:
        raise Http404("No such comment.")
    if not permissions.can_moderate_comment(request.user, comment):
        raise PermissionDenied("You do not moderate these comments.")
    return comment


def _comment_url(comment: Comment) -> str:
    return comment.url


def _target_url(target: Any) -> str:
    return commentable_of(target).url_of(target)


def _title(target: Any) -> str:
    return commentable_of(target).title_of(target)


# --- Rendering ---------------------------------------------------------------------------------


def _node_response(request: HttpRequest, comment: Comment, *, status: int = 200) -> HttpResponse:
    """The comment as the viewer now sees it in the thread; empty when nothing of it is left
    to show (htmx's outerHTML swap then takes it off the page)."""
    node = selectors.comment_node_for(comment=comment, viewer=request.user)
    if node is None:
        return HttpResponse("", status=status)
    return render(request, TEMPLATES + "_comment.html", {"node": node}, status=status)


def _form_context(
    *, target: Any, mode: str, action: str, form: CommentForm | None = None, comment: Comment | None = None
) -> dict[str, Any]:
    ids = {"comment": "comment-form", "reply": f"reply-form-{getattr(comment, 'pk', '')}"}
    cancel = _comment_url(comment) if comment is not None else f"{_target_url(target)}#comments"
    body = form.data.get("body", "") if form is not None else (comment.body if mode == "edit" and comment else "")
    return {
        "target": target,
        "target_title": _title(target),
        "mode": mode,
        "action": action,
        "form": form,
        "body": body,
        "comment": comment,
        "form_id": ids.get(mode, f"edit-form-{getattr(comment, 'pk', '')}"),
        "max_length": settings.COMMENT_MAX_LENGTH,
        "cancel_url": cancel,
    }


def _form_response(request: HttpRequest, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    template = "_comment_form.html" if request.htmx else "comment_form.html"
    return render(request, TEMPLATES + template, context, status=status)


def _refuse(form: CommentForm, error: ValidationError) -> int:
    """Put a service's refusal on the form; the status to answer with."""
    if isinstance(error, services.CommentRateLimited):
        form.add_error(None, error)
        return 429
    form.add_error("body" if getattr(error, "code", None) in _BODY_ERRORS else None, error)
    return 422


# --- Writing ---------------------------------------------------------------------------------------


def _write(request: HttpRequest, *, target: Any, parent: Comment | None, context: dict[str, Any]) -> HttpResponse:
    form = CommentForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            comment = services.comment_create(
                author=request.user, target=target, body=form.cleaned_data["body"], parent=parent
            )
        except ValidationError as error:
            status = _refuse(form, error)
        else:
            return _written(request, comment, replied_to=parent)
    return _form_response(request, {**context, "form": form, "body": form.data.get("body", "")}, status=status)


def _written(request: HttpRequest, comment: Comment, *, replied_to: Comment | None) -> HttpResponse:
    waiting = comment.status == Comment.Status.PENDING
    if not request.htmx:
        if waiting:
            messages.success(
                request, "Thank you! Your first comment waits for a moderator; until then only you see it."
            )
        else:
            messages.success(request, "Your comment is published.")
        return redirect(_comment_url(comment))
    # The new comment goes to the end of its level; the form it came from is emptied.
    node = selectors.comment_node_for(comment=comment, viewer=request.user)
    context: dict[str, Any] = {"node": node, "replied_to": replied_to}
    if replied_to is None:
        action = reverse("comments:create", args=[comment.target_kind, comment.target_id])
        context.update(_form_context(target=comment.target, mode="comment", action=action), oob=True)
    response = render(request, TEMPLATES + "_comment_created.html", context, status=201)
    target = f"#replies-{comment.parent_id}" if comment.parent_id else "#comment-list"
    return reswap(retarget(response, target), "beforeend")


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@never_cache
def comment_create(request: HttpRequest, kind: str, target_id: int) -> HttpResponse:
    """A new comment on an object of ``kind`` whose thread the reader sees (or, with
    ``parent``, a reply to one of its comments)."""
    target = selectors.thread_target_get(kind=kind, target_id=target_id, viewer=request.user)
    if target is None:
        raise Http404("Nothing to comment on here.")
    return comment_create_on(request, target)


def comment_create_on(request: HttpRequest, target: Any) -> HttpResponse:
    """``comment_create`` once the object is known: a domain's own comment address (a post's
    slug) finds its object and hands over here."""
    if request.method == "GET":
        return redirect(f"{_target_url(target)}#comments")
    if not request.user.is_authenticated:
        return _sign_in_first(request)
    action = reverse("comments:create", args=[commentable_of(target).kind, target.pk])
    context = _form_context(target=target, mode="comment", action=action)
    parent_id = request.POST.get("parent", "")
    parent = selectors.comment_get(pk=int(parent_id)) if parent_id.isdigit() and len(parent_id) < 20 else None
    if parent_id and (parent is None or not permissions.can_view_comment(request.user, parent)):
        form = CommentForm(request.POST)
        form.is_valid()
        form.add_error(None, "The comment you are replying to does not exist.")
        return _form_response(request, {**context, "form": form, "body": form.data.get("body", "")}, status=422)
    return _write(request, target=target, parent=parent, context=context)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@never_cache
@signed_in
def comment_reply(request: HttpRequest, pk: int) -> HttpResponse:
    """The reply form under a comment (GET), and the reply (POST)."""
    parent = _visible_comment(request, pk)
    action = reverse("comments:reply", args=[parent.pk])
    context = _form_context(target=parent.target, mode="reply", action=action, comment=parent)
    if request.method == "GET":
        if not permissions.can_reply_to_comment(request.user, parent):
            raise PermissionDenied("You may not reply to this comment.")
        return _form_response(request, context)
    return _write(request, target=parent.target, parent=parent, context=context)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@never_cache
@signed_in
def comment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Its author's edit form (GET) and the edit (POST), within the edit window."""
    comment = _visible_comment(request, pk)
    action = reverse("comments:edit", args=[comment.pk])
    context = _form_context(target=comment.target, mode="edit", action=action, comment=comment)
    if not permissions.is_comment_author(request.user, comment) or comment.deleted_at is not None:
        raise PermissionDenied("You may not edit this comment.")
    if request.method == "GET":
        if not permissions.can_edit_comment(request.user, comment):
            raise PermissionDenied("The time to edit this comment has passed.")
        return _form_response(request, context)
    form = CommentForm(request.POST)
    form.is_valid()
    try:
        services.comment_edit(comment=comment, editor=request.user, body=form.cleaned_data.get("body", ""))
    except ValidationError as error:
        return _form_response(
            request, {**context, "form": form, "body": form.data.get("body", "")}, status=_refuse(form, error)
        )
    except PermissionDenied as refusal:  # the window closed while the form was open: say so in it
        form.add_error(None, str(refusal))
        return _form_response(request, {**context, "form": form, "body": form.data.get("body", "")}, status=422)
    if not request.htmx:
        messages.success(request, "Your comment is saved.")
        return redirect(_comment_url(comment))
    return reswap(retarget(_node_response(request, comment), f"#comment-{comment.pk}"), "outerHTML")


@require_POST
@vary_on_headers("HX-Request")
@signed_in
def comment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Its author deletes it; replies stay under a "comment deleted" marker."""
    comment = _visible_comment(request, pk)
    services.comment_delete(comment=comment, actor=request.user)
    if request.htmx:
        return _node_response(request, comment)
    messages.success(request, "Your comment is deleted.")
    return redirect(_comment_url(comment))


@require_POST
@vary_on_headers("HX-Request")
@signed_in
def comment_flag(request: HttpRequest, pk: int) -> HttpResponse:
    """A reader reports a comment to the moderators (once)."""
    comment = _visible_comment(request, pk)
    services.comment_flag(comment=comment, user=request.user)
    if request.htmx:
        return _node_response(request, comment)
    messages.success(request, "Thank you for the report: a moderator will look at this comment.")
    return redirect(_comment_url(comment))


@require_GET
@vary_on_headers("HX-Request")
@never_cache
def comment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One comment with its replies, as the viewer sees it (the live thread fetches this); a
    plain request is sent to the comment's place on its object's page."""
    comment = _visible_comment(request, pk)
    if not request.htmx:
        return redirect(_comment_url(comment))
    node = selectors.comment_node_for(comment=comment, viewer=request.user)
    if node is None:
        raise Http404("Nothing of this comment is left to show.")
    return render(request, TEMPLATES + "_comment.html", {"node": node})


# --- Moderation ---------------------------------------------------------------------------------------

_DECISIONS: dict[str, tuple[Callable[..., Comment], str]] = {
    "approve": (services.comment_approve, "The comment is published."),
    "reject": (services.comment_reject, "The comment is rejected."),
    "remove": (services.comment_remove, "The comment is removed."),
}


def _queue_filter(request: HttpRequest) -> dict[str, str]:
    """The queue's filter from the query string or the form it came from (``domain``, ``kind``)."""
    source = request.POST if request.method == "POST" else request.GET
    return {name: str(source.get(name, ""))[:64] for name in ("domain", "kind") if source.get(name)}


def _queue_url(request: HttpRequest) -> str:
    query = urlencode(_queue_filter(request))
    return reverse("comments:moderation") + (f"?{query}" if query else "")


@require_GET
@never_cache
@signed_in
def moderation_queue(request: HttpRequest) -> HttpResponse:
    """The platform's one moderation queue: reported objects of every reportable kind the viewer
    handles (grouped per object, oldest first) and comments waiting for a decision on every kind
    they moderate (``?domain=`` or ``?kind=`` narrows both), and the banned readers."""
    if not report_permissions.can_open_moderation_queue(request.user):
        raise PermissionDenied("Only moderators may do this.")
    chosen = _queue_filter(request)
    page = selectors.moderation_queue(viewer=request.user, page=request.GET.get("page", 1), **chosen)
    reports = report_selectors.report_queue(viewer=request.user, page=request.GET.get("reports_page", 1), **chosen)
    moderates_comments = permissions.can_moderate_comments(request.user)
    context = {
        "page": page,
        "rows": page.object_list,
        "waiting": page.paginator.count,
        "reports": reports,
        "groups": reports.object_list,
        "reports_waiting": reports.paginator.count,
        "moderates_comments": moderates_comments,
        "moderates_reports": report_permissions.can_handle_any_reports(request.user),
        "filters": selectors.queue_filters(viewer=request.user),
        "report_filters": report_selectors.report_filters(viewer=request.user),
        "chosen": chosen,
        "bans": selectors.comment_bans()[:200] if moderates_comments else [],
        "threshold": settings.COMMENT_FLAG_THRESHOLD,
    }
    return render(request, QUEUE, context)


def _queue_row_response(request: HttpRequest, pk: int, **extra: Any) -> HttpResponse:
    # The row as it now stands, and the queue's count swapped out of band: it went down.
    row = selectors.queue_row_get(pk=pk, viewer=request.user)
    waiting = selectors.moderation_waiting_count(viewer=request.user, **_queue_filter(request))
    return render(request, QUEUE + "#queue-row", {"row": row, "waiting": waiting, "count_oob": True, **extra})


@require_POST
@vary_on_headers("HX-Request")
@signed_in
def comment_moderate(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    """Approve, reject or remove, from the queue (``from=queue``) or from the thread."""
    comment = _moderated_comment(request, pk)
    service, done = _DECISIONS[decision]
    try:
        service(comment=comment, moderator=request.user)
    except ValidationError as error:  # another moderator decided first: show where it stands
        note, level = error.messages[0], messages.WARNING
    else:
        note, level = done, messages.SUCCESS
    from_queue = request.POST.get("from") == "queue"
    if request.htmx:
        return _queue_row_response(request, pk, note=note) if from_queue else _node_response(request, comment)
    messages.add_message(request, level, note)
    return redirect(_queue_url(request) if from_queue else _comment_url(comment))


@require_POST
@vary_on_headers("HX-Request")
@signed_in
def comment_ban_author(request: HttpRequest, pk: int) -> HttpResponse:
    """Ban a comment's author from commenting anywhere (their waiting comments are rejected)."""
    comment = _moderated_comment(request, pk)
    form = BanForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    services.commenter_ban(user=comment.author, moderator=request.user, reason=reason)
    note = f"{comment.author} may no longer comment."
    if request.htmx:
        ban = selectors.comment_ban_get(user_id=comment.author_id)
        return _queue_row_response(request, pk, note=note, new_ban=ban)
    messages.success(request, note)
    return redirect(_queue_url(request))


@require_POST
@vary_on_headers("HX-Request")
@signed_in
def commenter_unban(request: HttpRequest, user_id: int) -> HttpResponse:
    """Let a banned reader comment again."""
    _moderator(request)
    ban = selectors.comment_ban_get(user_id=user_id)
    if ban is None:
        raise Http404("This reader is not banned.")
    services.commenter_unban(user=ban.user, moderator=request.user)
    if request.htmx:
        return render(request, QUEUE + "#ban-row", {"ban": ban, "unbanned": True})
    messages.success(request, f"{ban.user} may comment again.")
    return redirect(_queue_url(request))
