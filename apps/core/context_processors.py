from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from apps.core import permissions, selectors


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool


def _nav(request: HttpRequest) -> list[NavItem]:
    # Only what this visitor may use: the policy module decides, as it does for the pages.
    items = [("Home", reverse("home")), ("Status", reverse("status")), ("API", reverse("api-docs"))]
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_active:
        items.append(("Dashboard", reverse("dashboard")))
    if permissions.can_access_admin(user):
        items.append(("Admin", reverse("admin:index")))
    path = request.path
    return [NavItem(label, url, active=(path == url if url == "/" else path.startswith(url))) for label, url in items]


def site(request: HttpRequest) -> dict[str, object]:
    """The site's name and navigation, for the base layout."""
    return {
        "site_name": settings.SITE_NAME,
        "nav_items": _nav(request),
        # Lazy: evaluated only by templates that render the footer.
        "footer_pages": SimpleLazyObject(selectors.site_page_list_for_footer),
        "theme": SimpleLazyObject(lambda: selectors.active_theme_stylesheet() or {}),
    }
