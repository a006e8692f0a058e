"""The notification pages: the list (HTMX: mark read, mark all read, filter by domain), opening
one (marks it read and goes to its target), the preferences, and the signed unsubscribe link."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from apps.core.notifications import selectors, services
from apps.core.notifications.forms import PreferencesForm
from apps.core.notifications.models import Notification
from apps.core.notifications.registry import domains

PAGE_SIZE = 20
LIST = "notifications/notification_list.html"


def signed_in(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """login_required that sends htmx requests to the sign-in page as a whole page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            response = redirect_to_login(request.get_full_path())
            return HttpResponseClientRedirect(response.url) if request.htmx else response
        return view(request, *args, **kwargs)

    return wrapper


def _filters(request: HttpRequest) -> dict[str, Any]:
    # Unknown values are ignored, not errors: a filter is a link people edit by hand.
    source = request.GET if request.method == "GET" else request.POST
    domain = source.get("domain", "")
    return {"domain": domain if domain in domains() else "", "unread": source.get("unread") == "1"}


def _query(filters: dict[str, Any]) -> str:
    parts = [f"domain={filters['domain']}&"] if filters["domain"] else []
    return "".join([*parts, "unread=1&" if filters["unread"] else ""])


def _own(request: HttpRequest, pk: int) -> Notification:
    notification = selectors.notification_get_for_user(request.user, pk)
    if notification is None:
        raise Http404("No such notification.")
    return notification


def _list_context(request: HttpRequest, filters: dict[str, Any]) -> dict[str, Any]:
    page = Paginator(selectors.notification_list_for_user(request.user, **filters), PAGE_SIZE).get_page(
        request.GET.get("page", 1)
    )
    rows = [{"notification": n, "text": selectors.notification_text(n)} for n in page.object_list]
    tabs = [
        {
            "label": "Everything",
            "url": "?" + ("unread=1" if filters["unread"] else ""),
            "current": not filters["domain"],
        }
    ]
    tabs += [
        {
            "label": domain.capitalize(),
            "url": f"?domain={domain}" + ("&unread=1" if filters["unread"] else ""),
            "current": filters["domain"] == domain,
        }
        for domain in domains()
    ]
    return {"page": page, "rows": rows, "filters": filters, "query": _query(filters), "tabs": tabs}


@require_GET
@never_cache
@vary_on_headers("HX-Request")
@signed_in
def notification_list(request: HttpRequest) -> HttpResponse:
    """The signed-in person's notifications, newest first (``?domain=``, ``?unread=1``)."""
    context = _list_context(request, _filters(request))
    template = LIST + "#notification-list" if request.htmx and not request.htmx.history_restore_request else LIST
    return render(request, template, context)


@require_GET
@never_cache
@signed_in
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Open a notification: it is read now, and its target (say, the reply's anchor) shows."""
    notification = services.notification_mark_read(user=request.user, notification=_own(request, pk))
    url = notification.target_url
    if not url_has_allowed_host_and_scheme(url, allowed_hosts=None):
        url = "/notifications/"
    return redirect(url)


def _bell(request: HttpRequest) -> int:
    return selectors.notification_unread_count(request.user)


@require_POST
@vary_on_headers("HX-Request")
@signed_in
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one read; htmx gets the row as it now is and the bell's count out of band."""
    notification = services.notification_mark_read(user=request.user, notification=_own(request, pk))
    if request.htmx:
        row = {"notification": notification, "text": selectors.notification_text(notification)}
        context = {"row": row, "unread_count": _bell(request), "bell_oob": True, "row_oob": True}
        return render(request, LIST + "#notification-row", context)
    return redirect("notifications:list")


@require_POST
@vary_on_headers("HX-Request")
@signed_in
def notification_read_all(request: HttpRequest) -> HttpResponse:
    """Mark every unread one read (of the chosen domain only, when the list is filtered)."""
    filters = _filters(request)
    changed = services.notification_mark_all_read(user=request.user, domain=filters["domain"])
    if request.htmx:
        context = {**_list_context(request, filters), "unread_count": _bell(request), "bell_oob": True}
        return render(request, LIST + "#notification-list", context)
    messages.success(request, f"Marked {changed} notification{'s' if changed != 1 else ''} read.")
    query = _query(filters).rstrip("&")
    return redirect(f"{request.path.rsplit('read-all/', 1)[0]}{'?' + query if query else ''}")


@require_http_methods(["GET", "POST"])
@never_cache
@signed_in
def notification_preferences(request: HttpRequest) -> HttpResponse:
    """For each kind of notification: shown in the app or not, and how it is emailed."""
    choices = selectors.preference_list_for_user(request.user)
    form = PreferencesForm(request.POST or None, choices=choices)
    if request.method == "POST":
        if form.is_valid():
            for kind, in_app, email in form.changes():
                services.preference_set(user=request.user, kind=kind, in_app=in_app, email=email)
            messages.success(request, "Your notification choices are saved.")
            return redirect("notifications:preferences")
        return render(request, "notifications/preferences.html", {"form": form}, status=422)
    return render(request, "notifications/preferences.html", {"form": form})


@csrf_exempt  # the signed token is the authority; RFC 8058 clients POST with no form or cookie
@require_http_methods(["GET", "POST"])
@never_cache
def notification_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """One-click unsubscribe from an email, signed in or not. GET shows one button (a link
    scanner's visit changes nothing); POST (the button, or a mail client's List-Unsubscribe-Post)
    turns that email off."""
    found = services.unsubscribe_read(token)
    if found is None:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
    user, kinds = found
    if request.method == "POST":
        services.unsubscribe(user=user, kinds=kinds)
        return render(request, "notifications/unsubscribe.html", {"done": True, "kinds": kinds})
    return render(request, "notifications/unsubscribe.html", {"kinds": kinds, "token": token})
