from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool


def _nav(request: HttpRequest) -> list[NavItem]:
    items = [("Home", reverse("home")), ("Status", reverse("status")), ("API", reverse("api-docs"))]
    user = getattr(request, "user", None)
    if user is not None and user.is_active and user.is_staff:
        items.append(("Admin", reverse("admin:index")))
    path = request.path
    return [NavItem(label, url, active=(path == url if url == "/" else path.startswith(url))) for label, url in items]


def site(request: HttpRequest) -> dict[str, object]:
    """The site's name and navigation, for the base layout."""
    return {"site_name": settings.SITE_NAME, "nav_items": _nav(request)}
