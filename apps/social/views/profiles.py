"""People's pages at /@<handle>/: a profile with its counts and its tabs (posts, replies, media)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from apps.social import permissions, selectors, selectors_people
from apps.social.relations import blocked_between

PAGE_SIZE = 20


@require_GET
@vary_on_headers("Cookie")
def profile(request: HttpRequest, handle: str) -> HttpResponse:
    """A person's profile: name, bio, avatar, header, links, join date, counts, and their posts
    the visitor may read in the tab asked for (``?tab=posts|replies|media``). Across a block
    the page shows who they are but none of their posts."""
    found = selectors.profile_get(handle)
    if found is None:
        raise Http404("Nobody has this handle.")
    if found.handle != handle:  # one address per person: /@Ada/ and /@ada/ are one page
        return redirect(found.get_absolute_url() + (f"?{request.GET.urlencode()}" if request.GET else ""))
    tab = request.GET.get("tab", "posts")
    if tab not in selectors.PROFILE_TABS:
        tab = "posts"
    page = Paginator(selectors.profile_posts(request.user, found, tab), PAGE_SIZE).get_page(request.GET.get("page"))
    selectors.with_viewer_state(page.object_list, request.user)
    tabs = [
        {"label": label, "url": f"?tab={key}", "current": key == tab}
        for key, label in (("posts", "Posts"), ("replies", "Replies"), ("media", "Media"))
    ]
    context = {
        "profile": found,
        "person": found.user,
        "page": page,
        "tab": tab,
        "tabs": tabs,
        "blocked": blocked_between(request.user, found.user),
        # The follow, mute and block controls (templates/social/_relationship_actions.html).
        "relation": selectors_people.relation_for(request.user, found.user),
        "is_self": request.user.is_authenticated and request.user.pk == found.user_id,
        "may_report": permissions.can_report_profile(request.user, found),
        "may_moderate": permissions.can_moderate_social(request.user),
        "moderation_actions": [
            ("unsilence", "Unsilence") if found.is_silenced else ("silence", "Silence"),
            ("unsuspend", "Unsuspend") if found.is_suspended else ("suspend", "Suspend"),
        ],
    }
    return render(request, "social/profile_detail.html", context)
