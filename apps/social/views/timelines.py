"""Timeline pages: home (the accounts one follows), the public timeline, a hashtag's page and
trending hashtags. Each renders the whole page, or, for htmx, the entries partial (the "older"
button and the live bar's "show new posts" swap it). Pages are cut by ``?max_id=`` cursors.
"""

from __future__ import annotations

from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from apps.social import timelines, trends
from apps.social.timelines import TimelinePage

VARY = ("HX-Request", "HX-History-Restore-Request", "Cookie")
CURSOR_MAX = 10**18


def _max_id(request: HttpRequest) -> int | None:
    raw = request.GET.get("max_id", "")
    if raw == "":
        return None
    if not (raw.isascii() and raw.isdigit()) or int(raw) > CURSOR_MAX:
        # The site's 400 page, with the reason: a hand-edited or stale address.
        raise BadRequest("The page cursor (max_id) must be a post id.")
    return int(raw)


def _render(request: HttpRequest, template: str, page: TimelinePage, url: str, **context: object) -> HttpResponse:
    """The full page; for htmx, an older page's entries (appended in place of the "older" button)
    or the newest page's whole timeline section (the live bar's "show new posts")."""
    name, older = template, "max_id" in request.GET
    if request.htmx and not request.htmx.history_restore_request:
        name = "social/timelines/_entries.html" if older else f"{template}#timeline"
    # An older page read without JavaScript has no live bar: what is above it was seen already.
    return render(request, name, {"page": page, "posts": page.posts, "url": url, "older": older, **context})


@require_GET
@vary_on_headers(*VARY)
def home(request: HttpRequest) -> HttpResponse:
    """The signed-in person's home timeline; a visitor gets the public timeline instead."""
    if not request.user.is_authenticated:
        return redirect("social:public")
    page = timelines.home_timeline(request.user, max_id=_max_id(request))
    return _render(request, "social/timelines/home.html", page, reverse("social:home"))


@require_GET
@vary_on_headers(*VARY)
def public(request: HttpRequest) -> HttpResponse:
    """Everyone's public posts, newest first."""
    page = timelines.public_timeline(request.user, max_id=_max_id(request))
    return _render(request, "social/timelines/public.html", page, reverse("social:public"))


@require_GET
@vary_on_headers(*VARY)
def hashtag(request: HttpRequest, name: str) -> HttpResponse:
    """A hashtag's public posts, newest first; 404 for a tag no post has used."""
    tag = timelines.hashtag_get(name)
    if tag is None:
        raise Http404("No posts carry this hashtag.")
    page = timelines.hashtag_timeline(request.user, tag, max_id=_max_id(request))
    return _render(
        request, "social/timelines/hashtag.html", page, reverse("social:hashtag", args=[tag.name]), hashtag=tag
    )


@require_GET
def trending(request: HttpRequest) -> HttpResponse:
    """The hashtags used most lately (decaying counts)."""
    return render(request, "social/timelines/trending.html", {"trends": trends.trending(limit=20)})
