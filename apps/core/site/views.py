from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_cookie, vary_on_headers

from apps.core.accounts import permissions
from apps.core.api.errors import json_error
from apps.core.blocks import render_blocks
from apps.core.models import Theme
from apps.core.platform import degraded
from apps.core.platform.health import readiness
from apps.core.platform.hooks import registry
from apps.core.platform.pagecache import SITE, cache_public_page
from apps.core.publishing.http import apply_preview, as_draft
from apps.core.publishing.preview import drafts_of, preview_clear
from apps.core.site import selectors
from apps.core.site.themes import live_stylesheet_tokens, render_css

logger = logging.getLogger(__name__)


# The built-in home's promise after the installed apps' own sentences: what core really gives.
ACCOUNT_PROMISE = "One free account signs you in everywhere on the site."


def built_in_home(request: HttpRequest) -> dict[str, Any]:
    """The built-in home's hero and blocks, from the installed apps' hooks: a promise of only what
    they offer, their calls to action the visitor may use, then their home blocks (the newest posts)."""
    hooks = registry()
    user = request.user
    actions = [
        {"label": link.label, "url": reverse(link.url_name)} for link in hooks.home_actions if link.shown_to(user)
    ]
    if user.is_authenticated:
        actions.append({"label": "Your dashboard", "url": reverse("dashboard")})
    else:
        actions.append({"label": "Create an account", "url": reverse("register")})
    return {
        "tagline": getattr(settings, "SITE_TAGLINE", ""),
        "promise": [*hooks.home_intros, ACCOUNT_PROMISE],
        "actions": actions,
        "home_blocks": render_blocks(list(hooks.demo_home), request=request),
    }


def render_home(request: HttpRequest, home: dict[str, Any] | None, **context: Any) -> HttpResponse:
    """The home page showing ``home``'s sections; ``None`` shows the built-in content."""
    if home is not None:
        context["sections"] = render_blocks(home.get("sections") or [], request=request)
    else:
        context.update(sections=None, **built_in_home(request))
    return render(request, "core/home.html", context)


def home_for(request: HttpRequest) -> dict[str, Any] | None:
    """The home component this request shows: its editor's previewed draft, else the published one."""
    draft = drafts_of(request).find("core.sitecomponent", lambda component: component.key == "home")
    return draft.obj.content if draft is not None else selectors.site_components_live().get("home")


@require_GET
@cache_public_page(SITE)
@vary_on_cookie
def home(request: HttpRequest) -> HttpResponse:
    """The published home sections (built-in content when none are live), or a draft of them
    through its editor's preview link or site preview."""
    token = request.GET.get("preview")
    if token is None:
        return render_home(request, home_for(request))

    component = selectors.site_component_get(key="home")
    if component is None:
        raise PermissionDenied("This preview link is not valid.")
    revision = apply_preview(token=token, obj=component, user=request.user)  # PermissionDenied otherwise
    return as_draft(render_home(request, component.content, preview_revision=revision))


@require_GET
@never_cache
@vary_on_headers("HX-Request")
def status_page(request: HttpRequest) -> HttpResponse:
    """Every part's health; the "Check again" button swaps in only the panel."""
    template = "core/status.html#status-panel" if request.htmx else "core/status.html"
    return render(request, template, {"parts": readiness(), "checked_at": timezone.now()})


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. Touches no backing service on purpose."""
    return JsonResponse({"status": "ok"})


@require_GET
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: every part makes a round trip, all at once, each bounded; 503 names any that is
    down. ``degraded`` counts, by kind, the operations this process did without the cache since it
    started (throttles and rate limits that allowed, cache drops skipped, lockouts counted in SQL)."""
    parts = readiness()
    ready = all(part.ok for part in parts)
    body = {
        "status": "ok" if ready else "unavailable",
        "parts": {part.name: part.as_dict(with_error_detail=False) for part in parts},
        "degraded": degraded.counts(),
    }
    return JsonResponse(body, status=200 if ready else 503)


# --- Error pages: HTML for people, the API's JSON error shape under /api/ ------------------


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


# Each error page's title and general sentence (a view's own sentence replaces the general one),
# and what a failed htmx request reports when the view gave no sentence (the title, unless named).
_ERRORS = {
    "bad_request": (400, "Bad request", "The request could not be understood.", ""),
    "permission_denied": (403, "Not allowed", "You do not have permission to see this page.", ""),
    "page_not_found": (
        404,
        "Page not found",
        "There is nothing at this address. It may have moved, or never existed.",
        "",
    ),
    "csrf_failure": (
        403,
        "This form has expired",
        "Reload the page and send it again. If it keeps happening, make sure your browser accepts cookies "
        "from this site.",
        "This form has expired: reload the page and try again.",
    ),
    "unavailable": (
        503,
        "Temporarily unavailable",
        "Part of the site is restarting. Try again in a few seconds; nothing you saved is lost.",
        "",
    ),
}


def _said(exception: Exception | None) -> str:
    """The sentence a view raised Http404 or PermissionDenied with ("No such comment."); the
    resolver's 404 carries a dict, which is not shown."""
    said = exception.args[0] if exception is not None and exception.args else ""
    return said if isinstance(said, str) else ""


def _error_page(request: HttpRequest, kind: str, *, said: str = "") -> HttpResponse:
    status, title, general, reported = _ERRORS[kind]
    message = said or general
    response = render(request, "error.html", {"code": status, "title": title, "message": message}, status=status)
    # For a failed htmx request, which is not swapped in: site.js shows this in the messages region.
    response["X-Error-Message"] = quote(f"{title}: {said}" if said else reported or title)
    return response


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_json(request):
        return json_error(400)
    return _error_page(request, "bad_request")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_json(request):
        return json_error(403)
    return _error_page(request, "permission_denied", said=_said(exception))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_json(request):
        return json_error(404)
    return _error_page(request, "page_not_found", said=_said(exception))


def server_error(request: HttpRequest) -> HttpResponse:
    if _wants_json(request):
        return json_error(500)
    # No request context: whatever broke may be what a context processor needs.
    return render(None, "500.html", status=500)


def service_unavailable(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A part the page needs (the document store) is down: apps/core/platform/unavailable.py."""
    try:
        return _error_page(request, "unavailable")
    except Exception:  # the page itself needed what is down (a context processor): plain words
        logger.exception("the 503 page could not be rendered")
        return HttpResponse(_ERRORS["unavailable"][2], status=503, content_type="text/plain; charset=utf-8")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    if _wants_json(request):
        return json_error(403, code="csrf_failed", message=f"CSRF verification failed: {reason}")
    return _error_page(request, "csrf_failure")


@require_GET
def theme_css(request: HttpRequest) -> HttpResponse:
    """The active theme's stylesheet. Pages link it with ?v=<theme>-<revision>, so each
    published revision has its own address and browsers may keep it for a year. With
    ?preview=<token>, a draft for the editor the token was made for (never cached)."""
    live = request.GET.get("live")
    if live:
        # The editor's unsaved values, for the live preview beside the theme form.
        if not permissions.can_edit_draft(request.user, Theme()):
            raise PermissionDenied("Only theme editors see unsaved themes.")
        tokens = live_stylesheet_tokens(token=live, user=request.user)  # 403 for anyone else
        return as_draft(HttpResponse(render_css(tokens), content_type="text/css; charset=utf-8"))
    token = request.GET.get("preview")
    if token:
        sheet = selectors.theme_preview_stylesheet(token=token, user=request.user)  # 403 for anyone else
        return as_draft(HttpResponse(sheet["css"], content_type="text/css; charset=utf-8"))
    sheet = selectors.active_theme_stylesheet()
    response = HttpResponse(sheet["css"] if sheet else "", content_type="text/css; charset=utf-8")
    versioned = sheet is not None and request.GET.get("v") == sheet["version"]
    response["Cache-Control"] = "public, max-age=31536000, immutable" if versioned else "no-cache"
    return response


@require_POST
def site_preview_exit(request: HttpRequest) -> HttpResponse:
    """Leave the full-site preview: the editor sees the published site again."""
    preview_clear(request)
    return redirect("home")


# Paths core serves that no search engine should crawl: sign-in and account pages, dashboards,
# the admin, the API (and its docs), the site preview, and any page opened with a preview token.
CORE_ROBOTS_DISALLOW = ("/admin/", "/api/", "/accounts/", "/dashboard/", "/preview/", "/*?preview=", "/*&preview=")


def robots_disallow() -> list[str]:
    """Every ``Disallow`` path of robots.txt, once each: core's, the app hooks' (``AppHook.robots_disallow``),
    then the ``ROBOTS_DISALLOW`` setting's (an operator's own)."""
    from apps.core.platform.hooks import registry

    return list(dict.fromkeys([*CORE_ROBOTS_DISALLOW, *registry().robots_disallow, *settings.ROBOTS_DISALLOW]))


@require_GET
@cache_public_page(SITE)
@cache_control(public=True, max_age=60 * 60)
def robots_txt(request: HttpRequest) -> HttpResponse:
    """robots.txt: what to keep out, and the sitemap on the site's own address (SITE_URL)."""
    sitemap = settings.SITE_URL.rstrip("/") + reverse("django.contrib.sitemaps.views.sitemap")
    text = render_to_string("robots.txt", {"disallow": robots_disallow(), "sitemap": sitemap})
    return HttpResponse(text, content_type="text/plain; charset=utf-8")
