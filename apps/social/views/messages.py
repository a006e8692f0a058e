"""Direct messages' pages: the inbox (with its "Requests" tab), a new conversation, a thread
(load older by cursor), and the writes (send, edit, delete, accept, decline, leave, read).

Every form works without JavaScript (a plain POST and a redirect); with htmx the send and the
edit swap the message's fragment in place, and static/js/social-messages.js keeps the thread
live over its socket. Someone not in a conversation gets 404 for everything of it (it is not
theirs to know of); a refusal of who they are (a request not yet accepted, a block) is a 403
that says why; bad input is a 422 with the form's errors and changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import reswap, retarget

from apps.core.platform import presence
from apps.social import selectors_messages as selectors
from apps.social.forms_messages import EditForm, MessageForm, NewConversationForm
from apps.social.models import Message, Participant
from apps.social.realtime import conversation_socket_path
from apps.social.services import messages as services


def _participation(request: HttpRequest, conversation_id: int) -> Participant:
    me = selectors.participation_get(user=request.user, conversation_id=conversation_id)
    if me is None:
        raise Http404("No such conversation.")
    return me


def _thread_url(conversation_id: int) -> str:
    return reverse("social:message-thread", args=[conversation_id])


def _decorate(rows: list[Message], user: Any) -> list[Message]:
    # What each row shows for this reader (their own, still editable), so templates ask nothing.
    now = timezone.now()
    for row in rows:
        row.mine = row.sender_id == user.pk
        row.editable = row.mine and not row.is_deleted and now - row.created_at <= services.EDIT_WINDOW
    return rows


@require_GET
@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """One's conversations, newest activity first, each with its unread count; or the requests."""
    requests = request.GET.get("tab") == "requests"
    page = Paginator(selectors.inbox_for_user(user=request.user, requests=requests), selectors.INBOX_SIZE).get_page(
        request.GET.get("page")
    )
    for row in page.object_list:
        row.others = [p for p in row.conversation.people if p.user_id != request.user.pk]
    # One batch lookup for the page: the other person of each 1:1 conversation (a group shows none).
    pair_ids = [row.others[0].user_id for row in page.object_list if not row.conversation.is_group and row.others]
    inbox_url = reverse("social:messages")
    request_count = selectors.request_count_for_user(request.user)
    tabs = [
        {"label": "Inbox", "url": inbox_url, "current": not requests},
        {"label": f"Requests ({request_count})", "url": f"{inbox_url}?tab=requests", "current": requests},
    ]
    found = presence.statuses(request.user, pair_ids)
    context = {"page": page, "requests": requests, "tabs": tabs, "presence_found": found}
    return render(request, "social/messages/inbox.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def conversation_new(request: HttpRequest) -> HttpResponse:
    """Start a conversation with one person (``?to=<handle>``: their existing one opens) or a group."""
    to = request.GET.get("to", "")[:40].lstrip("@")
    if request.method == "GET" and to:
        # "Message" on a profile: an existing conversation with them opens at once.
        people, _ = selectors.people_by_handles([to])
        existing = people and selectors.pair_conversation_id(user=request.user, other=people[0])
        if existing:
            return redirect(_thread_url(existing))
    form = NewConversationForm(request.POST or None, request.FILES or None, initial={"to": to})
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            people, missing = selectors.people_by_handles(form.cleaned_data["to"])
            if missing:
                form.add_error("to", f"Nobody has the handle {', '.join('@' + h for h in missing)}.")
            else:
                try:
                    return _start(request, form, people)
                except PermissionDenied as exc:
                    form.add_error(None, str(exc))
                    status = 403
                except ValidationError as exc:
                    form.add_error(None, exc)
    return render(request, "social/messages/new.html", {"form": form}, status=status)


def _start(request: HttpRequest, form: NewConversationForm, people: list[Any]) -> HttpResponse:
    data = form.cleaned_data
    conversation = services.conversation_start(starter=request.user, others=people, title=data.get("title", ""))
    if data.get("body") or data.get("image"):
        services.message_send(
            sender=request.user, conversation=conversation, body=data.get("body", ""), image=data.get("image")
        )
    return redirect(_thread_url(conversation.pk))


def _thread_context(request: HttpRequest, me: Participant, *, before: int | None, form: Any = None) -> dict[str, Any]:
    conversation = me.conversation
    people = selectors.people_of(conversation.pk)
    others = [p for p in people if p.user_id != request.user.pk]
    page = selectors.message_page(conversation_id=conversation.pk, before=before)
    _decorate(page.messages, request.user)
    mine = [m.pk for m in page.messages if m.mine and not m.is_deleted]
    # Read receipts: who has read one's newest message on this page.
    seen_by = [p.user for p in others if mine and p.last_read_message_id >= mine[-1]]
    return {
        "conversation": conversation,
        "me": me,
        "people": people,
        "others": others,
        # Everyone else's online status as the reader may see it, in one lookup.
        "presence_found": presence.statuses(request.user, [p.user_id for p in others]),
        "page": page,
        "form": form or MessageForm(),
        "seen_by": seen_by,
        "seen_upto": mine[-1] if mine else None,
        "blocked": services.conversation_blocked(conversation, request.user),
        "socket_path": conversation_socket_path(conversation.pk),
    }


def _cursor(request: HttpRequest) -> int | None:
    raw = request.GET.get("before", "")
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 18:
        raise ValidationError("A cursor is a message id.")
    return int(raw)


@require_GET
@login_required
@vary_on_headers("HX-Request")
def thread(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """A conversation's newest messages (``?before=<id>``: the older ones; htmx gets them alone)."""
    me = _participation(request, conversation_id)
    try:
        before = _cursor(request)
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=400, content_type="text/plain")
    context = _thread_context(request, me, before=before)
    if request.htmx and before is not None:
        return render(request, "social/messages/thread.html#older", {**context, "older_only": True})
    if before is None and me.state == Participant.State.ACCEPTED and not context["blocked"]:
        services.conversation_mark_read(user=request.user, conversation=me.conversation)
    return render(request, "social/messages/thread.html", context)


@require_POST
@login_required
def message_send(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """Send the form's message: htmx gets its fragment, a plain form a redirect to the thread."""
    me = _participation(request, conversation_id)
    form = MessageForm(request.POST, request.FILES)
    status = 422
    if form.is_valid():
        try:
            message = services.message_send(
                sender=request.user,
                conversation=me.conversation,
                body=form.cleaned_data["body"],
                image=form.cleaned_data.get("image"),
            )
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
            status = 403
        except ValidationError as exc:
            form.add_error(None, exc)
            status = 429 if getattr(exc, "code", "") == "rate_limited" else 422
        else:
            if request.htmx:
                return _sent(request, message)
            return redirect(_thread_url(conversation_id))
    if request.htmx:
        # The form again, with its errors, in place of itself (the send's target is the list).
        response = render(
            request, "social/messages/_send_form.html", {"form": form, "conversation": me.conversation}, status=status
        )
        return reswap(retarget(response, "#dm-send"), "outerHTML")
    return render(
        request, "social/messages/thread.html", _thread_context(request, me, before=None, form=form), status=status
    )


def _sent(request: HttpRequest, message: Message) -> HttpResponse:
    # The new message for the list, and a fresh form out of band: a new idempotency key, so the
    # next message is a new attempt rather than a replay of this one.
    _decorate([message], request.user)
    context = {"message": message, "form": MessageForm(), "conversation": message.conversation, "oob": True}
    return render(request, "social/messages/_sent.html", context, status=201)


def _message_fragment(request: HttpRequest, message: Message, *, status: int = 200) -> HttpResponse:
    _decorate([message], request.user)
    return render(request, "social/messages/_message.html", {"message": message}, status=status)


def _message_or_404(request: HttpRequest, conversation_id: int, message_id: int) -> Message:
    message = selectors.message_get_for_user(user=request.user, conversation_id=conversation_id, message_id=message_id)
    if message is None:
        raise Http404("No such message.")
    return message


@require_GET
@login_required
def message_fragment(request: HttpRequest, conversation_id: int, message_id: int) -> HttpResponse:
    """One message as this reader sees it (what the socket's ``message.*`` events fetch)."""
    return _message_fragment(request, _message_or_404(request, conversation_id, message_id))


@require_POST
@login_required
def message_edit(request: HttpRequest, conversation_id: int, message_id: int) -> HttpResponse:
    """The sender corrects a message (within the edit window)."""
    message = _message_or_404(request, conversation_id, message_id)
    form = EditForm(request.POST)
    if not form.is_valid():
        return HttpResponse(" ".join(e for errs in form.errors.values() for e in errs), status=422)
    try:
        services.message_edit(actor=request.user, message=message, body=form.cleaned_data["body"])
    except PermissionDenied as exc:
        return HttpResponse(str(exc), status=403)
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=422)
    return _message_fragment(request, message) if request.htmx else redirect(_thread_url(conversation_id))


@require_POST
@login_required
def message_delete(request: HttpRequest, conversation_id: int, message_id: int) -> HttpResponse:
    """The sender deletes a message ("message deleted" stays in its place)."""
    message = _message_or_404(request, conversation_id, message_id)
    try:
        services.message_delete(actor=request.user, message=message)
    except PermissionDenied as exc:
        return HttpResponse(str(exc), status=403)
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=422)
    return _message_fragment(request, message) if request.htmx else redirect(_thread_url(conversation_id))


def _membership_action(request: HttpRequest, conversation_id: int, action: str) -> HttpResponse:
    me = _participation(request, conversation_id)
    try:
        if action == "accept":
            services.request_accept(user=request.user, conversation=me.conversation)
        elif action == "decline":
            services.request_decline(user=request.user, conversation=me.conversation)
        else:
            services.conversation_leave(user=request.user, conversation=me.conversation)
    except PermissionDenied as exc:
        return HttpResponse(str(exc), status=403)
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=422)
    if action == "accept":
        return redirect(_thread_url(conversation_id))
    flash.success(request, "You left the conversation." if action == "leave" else "Request declined.")
    return redirect("social:messages")


@require_POST
@login_required
def request_accept(request: HttpRequest, conversation_id: int) -> HttpResponse:
    return _membership_action(request, conversation_id, "accept")


@require_POST
@login_required
def request_decline(request: HttpRequest, conversation_id: int) -> HttpResponse:
    return _membership_action(request, conversation_id, "decline")


@require_POST
@login_required
def conversation_leave(request: HttpRequest, conversation_id: int) -> HttpResponse:
    return _membership_action(request, conversation_id, "leave")


@require_POST
@login_required
def mark_read(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """Read up to ``message_id`` (the newest when absent): 204 for scripts, a redirect otherwise."""
    me = _participation(request, conversation_id)
    raw = request.POST.get("message_id", "")
    if raw and (not raw.isdigit() or len(raw) > 18):
        return HttpResponse("message_id is a message's id.", status=422)
    services.conversation_mark_read(
        user=request.user, conversation=me.conversation, message_id=int(raw) if raw else None
    )
    return HttpResponse(status=204) if request.htmx else redirect(_thread_url(conversation_id))
