"""People's relations as pages: followers and following (/@<handle>/followers/, /following/),
the relationship controls' writes (/@<handle>/follow/, ..., htmx or a plain POST and redirect),
follow requests (/social/requests/), profile settings (/social/settings/profile/) and the
blocked and muted (/social/settings/blocked/)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from apps.core.platform import presence
from apps.social import permissions, relations
from apps.social import selectors_people as people
from apps.social.forms_people import ProfileSettingsForm
from apps.social.handles import profile_for
from apps.social.models import Profile
from apps.social.services import profile_settings
from apps.social.services import relations as writes

PER_PAGE = 30


def _person_or_404(request: HttpRequest, handle: str) -> Profile:
    # Someone who blocked the viewer, or whom they blocked, is not there for them (mutual invisibility).
    profile = people.profile_get(handle)
    if profile is None or relations.blocked_between(request.user, profile.user):
        raise Http404("Nobody has that handle.")
    return profile


def person_rows(request: HttpRequest, users: list[Any]) -> list[dict[str, Any]]:
    """The rows of a list of people (followers, blocked, search results): each with its profile,
    its address and the viewer's relation to it, the relations read for the whole list at once."""
    found = people.relations_for(request.user, [user.pk for user in users])
    return [
        {
            "user": user,
            "profile": user.social_profile,
            "relation": found[user.pk],
            "url": people.profile_url(user.social_profile.handle),
        }
        for user in users
    ]


@require_GET
@vary_on_headers("HX-Request")
def connections(request: HttpRequest, handle: str, which: str) -> HttpResponse:
    """Who follows a person, or whom they follow: anyone for an open account; a locked one's
    only for itself and its accepted followers (others: 403, saying so). htmx gets the list."""
    profile = _person_or_404(request, handle)
    counts = people.connection_counts(profile)
    context: dict[str, Any] = {
        "person": profile,
        "which": which,
        "counts": counts,
        "url": people.profile_url(profile.handle),
    }
    if not permissions.can_see_connections(request.user, profile):
        return render(request, "social/people/locked.html", context, status=403)
    users = (
        people.followers_of(profile, viewer=request.user)
        if which == "followers"
        else people.following_of(profile, viewer=request.user)
    )
    page = Paginator(users, PER_PAGE).get_page(request.GET.get("page"))
    listed = list(page.object_list)
    # Everyone's online status on the page as the viewer may see it: one batch lookup.
    context.update(page=page, rows=person_rows(request, listed), presence_found=presence.statuses(request.user, listed))
    template = "social/people/connections.html" + ("#list" if request.htmx else "")
    return render(request, template, context)


ACTIONS: dict[str, Callable[[Any, Any], Any]] = {
    "follow": lambda viewer, person: writes.follow_create(follower=viewer, followee=person),
    "unfollow": lambda viewer, person: writes.follow_delete(follower=viewer, followee=person),
    "block": lambda viewer, person: writes.block_create(blocker=viewer, blocked=person),
    "unblock": lambda viewer, person: writes.block_delete(blocker=viewer, blocked=person),
    "mute": lambda viewer, person: writes.mute_create(muter=viewer, muted=person),
    "unmute": lambda viewer, person: writes.mute_delete(muter=viewer, muted=person),
}
SAID = {
    "unfollow": "You no longer follow @{} (or asked to).",
    "block": "You blocked @{}.",
    "unblock": "You unblocked @{}.",
    "mute": "You muted @{}.",
    "unmute": "You unmuted @{}.",
}


def _said(action: str, result: Any, handle: str) -> str:
    if action == "follow":
        pending = result.state == result.State.PENDING
        return f"You asked to follow @{handle}." if pending else f"You follow @{handle}."
    return SAID[action].format(handle)


def _back(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if safe and target.startswith("/") else fallback


@require_POST
@login_required
@vary_on_headers("HX-Request")
def relationship(request: HttpRequest, handle: str, action: str) -> HttpResponse:
    """Follow, unfollow (or withdraw a request), block, unblock, mute or unmute a person. htmx
    gets the controls again, as they now stand; a plain POST a message and a redirect."""
    profile = people.profile_get(handle)
    if profile is None:
        raise Http404("Nobody has that handle.")
    # A block hides the pair from each other; blocking and unblocking still reach past it.
    if action not in ("block", "unblock") and relations.blocked_between(request.user, profile.user):
        raise Http404("Nobody has that handle.")
    profile_for(request.user)  # the viewer shows in the lists this changes under their handle
    status = 200
    try:
        result = ACTIONS[action](request.user, profile.user)
        text = _said(action, result, profile.handle)
    except ValidationError as exc:
        text, status = " ".join(exc.messages), 422  # swapped in by htmx (base.html's responseHandling)
    if request.htmx:
        context = {
            "person": profile,
            "relation": people.relation_for(request.user, profile.user),
            "said": text,
            "next": request.POST.get("next", ""),
        }
        return render(request, "social/_relationship_actions.html", context, status=status)
    (messages.success if status == 200 else messages.error)(request, text)
    return redirect(_back(request, people.profile_url(profile.handle)))


@require_GET
@login_required
@vary_on_headers("HX-Request")
def requests_page(request: HttpRequest) -> HttpResponse:
    """The follow requests waiting for the viewer's approval, the oldest first."""
    page = Paginator(people.requests_for(request.user), PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "profile": profile_for(request.user)}
    return render(request, "social/people/requests.html" + ("#list" if request.htmx else ""), context)


@require_POST
@login_required
@vary_on_headers("HX-Request")
def request_decide(request: HttpRequest, handle: str, decision: str) -> HttpResponse:
    """Approve or reject one request (htmx: its row says what happened)."""
    profile = people.profile_get(handle)
    if profile is None:
        raise Http404("Nobody has that handle.")
    status = 200
    try:
        if decision == "approve":
            writes.follow_request_approve(owner=request.user, follower=profile.user)
            text = f"@{profile.handle} now follows you."
        else:
            found = writes.follow_request_reject(owner=request.user, follower=profile.user)
            text = f"You turned down @{profile.handle}'s request." if found else "That request was withdrawn."
    except ValidationError as exc:
        text, status = " ".join(exc.messages), 422  # swapped in by htmx (base.html's responseHandling)
    if request.htmx:
        return render(request, "social/people/_request_done.html", {"person": profile, "said": text}, status=status)
    (messages.success if status == 200 else messages.error)(request, text)
    return redirect("social:requests")


@require_http_methods(["GET", "POST"])
@login_required
def settings_profile(request: HttpRequest) -> HttpResponse:
    """One's profile settings: handle, header image, links, lock, presence. Bad input: 400 with
    the form's errors, nothing saved."""
    profile = profile_for(request.user)
    form = ProfileSettingsForm(
        request.POST or None, request.FILES or None, initial=ProfileSettingsForm.initial_for(profile)
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                profile_settings.profile_settings_save(profile=profile, settings=form.settings())
            except ValidationError as exc:
                form.add_refusal(exc.message_dict)
            else:
                messages.success(request, "Your profile settings are saved.")
                return redirect("social:settings-profile")
        status = 400
        profile.refresh_from_db()
    context = {"form": form, "profile": profile, "tabs": _settings_tabs("profile")}
    return render(request, "social/people/settings_profile.html", context, status=status)


@require_GET
@login_required
def settings_blocked(request: HttpRequest) -> HttpResponse:
    """Whom the viewer blocked and muted, each with its undo."""
    blocks = list(people.blocked_by_me(request.user)[:200])
    mutes = list(people.muted_by_me(request.user)[:200])
    profile = profile_for(request.user)
    context = {
        "blocked": person_rows(
            request, [block.blocked for block in blocks if hasattr(block.blocked, "social_profile")]
        ),
        "muted": person_rows(request, [mute.muted for mute in mutes if hasattr(mute.muted, "social_profile")]),
        "profile": profile,
        "tabs": _settings_tabs("blocked"),
    }
    return render(request, "social/people/settings_blocked.html", context)


def _settings_tabs(current: str) -> list[dict[str, Any]]:
    return [
        {"label": "Profile", "url": reverse("social:settings-profile"), "current": current == "profile"},
        {"label": "Blocked and muted", "url": reverse("social:settings-blocked"), "current": current == "blocked"},
        {"label": "Follow requests", "url": reverse("social:requests"), "current": current == "requests"},
    ]
