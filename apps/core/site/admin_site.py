"""The platform's admin site: the Django admin with a "Site" section for the site editor.

The site's content (themes, free pages, header, home and footer) is grouped apart from people
and roles, and the index offers a preview of every pending draft together.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.views.decorators.http import require_POST

from apps.core.accounts import permissions
from apps.core.publishing.preview import preview_add

SITE_MODELS = ("theme", "sitepage", "sitecomponent")
JOB_MODELS = ("deadletter",)


class PlatformAdminSite(admin.AdminSite):
    site_header = "Platform administration"
    site_title = "Platform admin"
    index_title = "Staff portal"
    index_template = "admin/platform_index.html"

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[dict[str, Any]]:
        app_list = super().get_app_list(request, app_label)
        result: list[dict[str, Any]] = []
        for app in app_list:
            if app["app_label"] != "core":
                result.append(app)
                continue
            site = [model for model in app["models"] if model["object_name"].lower() in SITE_MODELS]
            jobs = [model for model in app["models"] if model["object_name"].lower() in JOB_MODELS]
            rest = [model for model in app["models"] if model["object_name"].lower() not in SITE_MODELS + JOB_MODELS]
            if site:
                result.append({**app, "name": "Site", "models": site})
            if jobs:
                result.append({**app, "name": "Background work", "models": jobs})
            if rest:
                result.append({**app, "name": "People and access", "models": rest})
        return result

    def index(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        from apps.core.models import SiteComponent, SitePage, Theme

        models = (Theme, SitePage, SiteComponent)
        can_preview = any(permissions.can_edit_draft(request.user, model()) for model in models)
        return super().index(request, {**(extra_context or {}), "can_preview_site": can_preview})

    def get_urls(self) -> list[Any]:
        return [
            path("site-preview/", self.admin_view(require_POST(self.site_preview_view)), name="site_preview"),
            *super().get_urls(),
        ]

    def site_preview_view(self, request: HttpRequest) -> HttpResponse:
        """Open the site with every pending draft the editor may see applied together."""
        from apps.core.publishing.services import publishable_models

        added = 0
        for model in publishable_models():
            if model._meta.app_label != "core" or model._meta.model_name not in SITE_MODELS:
                continue
            for obj in model.objects.filter(latest_revision__gt=0).exclude(live=True, has_unpublished_changes=False):
                if permissions.can_edit_draft(request.user, obj):
                    preview_add(request, obj)
                    added += 1
        if not added:
            if not request.user.is_staff:
                raise PermissionDenied
            messages.info(request, "There are no drafts waiting: the site is as visitors see it.")
            return redirect("admin:index")
        return redirect("home")
