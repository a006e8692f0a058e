"""Report pages: the dialog a "Report" button opens (htmx gets the dialog, a plain request a
page with the same form), and staff's decisions from the moderation queue (an action of the
kind, or dismiss). Each view parses input, calls one service and renders; the queue itself is
comments' ``moderation_queue`` view, which shows report groups beside comments.

Something that cannot be reported (an unknown kind, an object that is gone) answers 404; a
report the kind's rule refuses, 403; a refused form comes back with its errors as 422 (429 when
reporting too fast).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from apps.core.comments.views import signed_in
from apps.core.reports import permissions, selectors, services
from apps.core.reports.forms import DecisionForm, ReportForm

TEMPLATES = "reports/"
QUEUE = "comments/moderation_queue.html"


def _back(request: HttpRequest, fallback: str) -> str:
    """Where to send a plain request after it reported: the page it names (``next``) if on this site."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    ok = url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return candidate if ok and candidate else fallback


def _target(kind: str, object_id: int) -> tuple[Any, Any]:
    try:
        return services.report_target(kind=kind, object_id=object_id)
    except ValidationError:
        raise Http404("There is no such thing to report.") from None


def _form_response(request: HttpRequest, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    template = "_report_dialog.html" if request.htmx else "report_form.html"
    return render(request, TEMPLATES + template, context, status=status)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@never_cache
@signed_in
def report_create(request: HttpRequest, kind: str, object_id: int) -> HttpResponse:
    """The report form (GET) and the report (POST) of one object of ``kind``."""
    entry, target = _target(kind, object_id)
    if not permissions.can_report(request.user, kind, target):
        raise PermissionDenied("You may not report this.")
    fallback = entry.url_of(target) if entry.url_of is not None else "/"
    context = {
        "entry": entry,
        "title": entry.title_of(target),
        "action": reverse("reports:create", args=[kind, object_id]),
        "next": _back(request, fallback),
        "dialog_id": f"report-{kind.replace('.', '-')}-{object_id}",
    }
    if request.method == "GET":
        return _form_response(request, {**context, "form": ReportForm()})
    form = ReportForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            report, _ = services.report_create(
                reporter=request.user, kind=kind, object_id=object_id, **form.cleaned_data
            )
        except ValidationError as error:
            status = 429 if isinstance(error, services.ReportRateLimited) else 422
            for name, errors in (
                error.message_dict.items() if hasattr(error, "error_dict") else [(None, error.messages)]
            ):
                for message in errors:
                    form.add_error(name if name in form.fields else None, message)
        else:
            if request.htmx:
                return render(request, TEMPLATES + "_report_done.html", context)
            messages.success(request, "Thank you for the report: a moderator will look at it.")
            return redirect(context["next"])
    return _form_response(request, {**context, "form": form}, status=status)


def _queue_url(request: HttpRequest) -> str:
    chosen = {name: request.POST.get(name, "")[:64] for name in ("domain", "kind") if request.POST.get(name)}
    return reverse("comments:moderation") + (f"?{urlencode(chosen)}" if chosen else "")


@require_POST
@vary_on_headers("HX-Request")
@signed_in
def report_decide(request: HttpRequest, kind: str, object_id: int, decision: str) -> HttpResponse:
    """Staff decide on an object's open reports: ``dismiss``, or one of the kind's actions."""
    if not permissions.can_moderate_reports(request.user, kind):
        raise PermissionDenied("You do not handle these reports.")
    group = selectors.report_group_get(viewer=request.user, kind=kind, object_id=object_id)
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        if decision == "dismiss":
            services.report_dismiss(moderator=request.user, kind=kind, object_id=object_id, note=note)
            done = "The reports are dismissed."
        else:
            services.report_act(moderator=request.user, kind=kind, object_id=object_id, action=decision, note=note)
            done = "Done: the reports are closed."
        level = messages.SUCCESS
    except ValidationError as error:  # handled meanwhile, gone, or an action not on offer
        done, level = error.messages[0], messages.WARNING
    if request.htmx:
        if group is None:
            raise Http404("No open reports on this.")
        waiting = selectors.report_waiting_count(viewer=request.user)
        context = {"group": group, "note": done, "decided": level == messages.SUCCESS, "reports_waiting": waiting}
        return render(request, QUEUE + "#report-row", {**context, "count_oob": True})
    messages.add_message(request, level, done)
    return redirect(_queue_url(request))
