from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from apps.core.accounts import dashboards


@require_GET
@login_required
def dashboard_home(request: HttpRequest) -> HttpResponse:
    """Send each user to the dashboard of their highest role."""
    return redirect("dashboard-page", key=dashboards.home_for(request.user).key)


@require_GET
@login_required
def dashboard_page(request: HttpRequest, key: str) -> HttpResponse:
    dashboard = dashboards.get(key)
    if dashboard is None:
        raise Http404("No such dashboard.")
    if not dashboards.can_view(request.user, dashboard):
        raise PermissionDenied
    panels = dashboards.panels_for(dashboard, request.user)
    context = {
        "dashboard": dashboard,
        "panels": panels,
        "attention": dashboards.attention_of(panels),
        "tools": dashboards.tools_for(request.user),
        "role_labels": dashboards.role_labels(request.user),
        "my_dashboards": dashboards.visible_to(request.user),
    }
    return render(request, "core/dashboard.html", context)
