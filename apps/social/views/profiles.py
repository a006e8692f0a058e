"""People's pages at /@<handle>/: a profile with its counts and its tabs, each at its own address:
the network's own (posts at /@<handle>/, /replies/, /media/) and those other apps fill through
their hook (/@<handle>/<key>/: their blog posts, courses, shops). A tab's link loads its panel
with htmx; without JavaScript it is the whole page with that tab open."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from apps.core.platform import ProfileSection
from apps.social import permissions, selectors, selectors_people
from apps.social import selectors_profile as tabs
from apps.social.models import Profile
from apps.social.relations import blocked_between
from apps.social.views.timelines import CURSOR_MAX, VARY


def _max_id(request: HttpRequest) -> int | None:
    # The timelines' cursor: a post id, below which the next page starts.
    raw = request.GET.get("max_id", "")
    if raw == "":
        return None
    if not (raw.isascii() and raw.isdigit()) or int(raw) > CURSOR_MAX:
        raise BadRequest("The page cursor (max_id) must be a post id.")
    return int(raw)


def _canonical(request: HttpRequest, found: Profile, handle: str, tab: str) -> HttpResponse | None:
    """One address per person and tab: /@Ada/ and /@ada/ are one page, and the old ``?tab=``
    addresses lead to the tab's own."""
    old = request.GET.get("tab")
    if found.handle == handle and old is None:
        return None
    if old is not None:
        tab = old if old in tabs.OWN_TABS else "posts"
    query = request.GET.copy()
    query.pop("tab", None)
    return redirect(tabs.tab_url(found, tab) + (f"?{query.urlencode()}" if query else ""))


def _panel(
    request: HttpRequest, found: Profile, tab: str, section: ProfileSection | None, context: dict[str, Any]
) -> None:
    """The open tab's content: an app section's things, or a page of the network's own posts."""
    if context["blocked"] or context["hidden"]:
        return
    if section is not None:
        content = tabs.section_content(section, request.user, found)
        if content is None:  # nothing the viewer may see there: as if the tab did not exist
            raise Http404("This profile has no such tab.")
        context["section"] = content
        return
    page = tabs.profile_page(request.user, found, tab, max_id=_max_id(request))
    selectors.with_viewer_state(page.posts, request.user)
    context.update(page=page, posts=page.posts)


@require_GET
@vary_on_headers(*VARY)
def profile(request: HttpRequest, handle: str, tab: str = "posts") -> HttpResponse:
    """A person's profile: name, bio, avatar, header, links, join date, counts, the tab strip and
    the open tab, as the visitor may see it (their posts, replies, posts with images, or an
    app's section). Across a block the page shows who they are but nothing of what they made.
    htmx gets the open tab's panel alone, or an older page's posts (``?max_id=``)."""
    found = selectors.profile_get(handle)
    if found is None:
        raise Http404("Nobody has this handle.")
    section = tabs.section_get(tab) if tab not in tabs.OWN_TABS else None
    if tab not in tabs.OWN_TABS and section is None:
        raise Http404("This profile has no such tab.")
    if (moved := _canonical(request, found, handle, tab)) is not None:
        return moved
    blocked = blocked_between(request.user, found.user)
    is_self = request.user.is_authenticated and request.user.pk == found.user_id
    # A suspended account's tabs are closed to everyone but itself (the header says why).
    hidden = found.is_suspended and not is_self
    context: dict[str, Any] = {"profile": found, "person": found.user, "tab": tab, "blocked": blocked, "hidden": hidden}
    context.update(url=tabs.tab_url(found, tab), label=section.label if section else tabs.OWN_TABS[tab])
    _panel(request, found, tab, section, context)
    if request.htmx and not request.htmx.history_restore_request:
        older = "max_id" in request.GET and "page" in context
        name = "social/_profile_entries.html" if older else "social/profile_detail.html#panel"
        return render(request, name, context)
    strip = [] if blocked or hidden else tabs.profile_tabs(request.user, found)
    context.update(
        tabs=[{"label": t.label, "url": t.url, "count": t.count, "current": t.key == tab} for t in strip],
        # The follow, mute and block controls (templates/social/_relationship_actions.html).
        relation=selectors_people.relation_for(request.user, found.user),
        is_self=is_self,
        may_report=permissions.can_report_profile(request.user, found),
        may_moderate=permissions.can_moderate_social(request.user),
        moderation_actions=[
            ("unsilence", "Unsilence") if found.is_silenced else ("silence", "Silence"),
            ("unsuspend", "Unsuspend") if found.is_suspended else ("suspend", "Suspend"),
        ],
    )
    return render(request, "social/profile_detail.html", context)
