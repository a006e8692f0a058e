from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from apps.core.accounts import permissions
from apps.core.blocks import render_blocks
from apps.core.blocks.fields import link_url_problem
from apps.core.notifications.selectors import notification_unread_count
from apps.core.platform.hooks import registry
from apps.core.reports.permissions import can_open_moderation_queue
from apps.core.site import selectors


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool
    children: tuple[NavItem, ...] = field(default=())


def _is_active(path: str, url: str) -> bool:
    return path == url if url == "/" else path.startswith(url)


def _shown(link: Any) -> bool:
    # Stored content is untrusted when shown, as blocks are: a link written around the cleaner
    # (or under older rules) with a bad URL is left out rather than rendered.
    return (
        isinstance(link, dict)
        and isinstance(link.get("label"), str)
        and isinstance(link.get("url"), str)
        and link_url_problem(link["url"]) is None
    )


def _menu_item(path: str, item: dict[str, Any]) -> NavItem:
    children = tuple(
        NavItem(child["label"], child["url"], _is_active(path, child["url"]))
        for child in item.get("children") or []
        if _shown(child)
    )
    return NavItem(item["label"], item["url"], _is_active(path, item["url"]), children)


def _nav(request: HttpRequest, header: dict[str, Any] | None) -> list[NavItem]:
    # The published header's menu replaces the built-in links; the role-based ones always follow,
    # since only what this visitor may use is offered and the policy module decides that.
    path = request.path
    user = getattr(request, "user", None)
    if header is not None:
        items = [_menu_item(path, item) for item in header.get("menu") or [] if _shown(item)]
    else:
        # The installed apps' links (from their hooks) sit between Home and core's own.
        links = [
            ("Home", reverse("home")),
            *((link.label, reverse(link.url_name)) for link in registry().nav if link.shown_to(user)),
            ("Status", reverse("status")),
            ("API", reverse("api-docs")),
        ]
        items = [NavItem(label, url, _is_active(path, url)) for label, url in links]
    role_links = []
    if user is not None and user.is_authenticated and user.is_active:
        role_links.append(("Dashboard", reverse("dashboard")))
    if can_open_moderation_queue(user):
        role_links.append(("Moderation", reverse("comments:moderation")))
    if permissions.can_access_admin(user):
        role_links.append(("Admin", reverse("admin:index")))
    return items + [NavItem(label, url, _is_active(path, url)) for label, url in role_links]


def _footer(request: HttpRequest, footer: dict[str, Any] | None) -> dict[str, Any]:
    if footer is None:
        return {}
    return {
        "blocks": render_blocks(footer.get("blocks") or [], request=request),
        "links": [link for link in footer.get("links") or [] if _shown(link)],
    }


def _components(request: HttpRequest) -> dict[str, Any]:
    """The published header, home and footer, with the drafts an editor previews in their place."""
    components = selectors.site_components_live()
    drafts = getattr(request, "site_drafts", None)
    if drafts:
        for key in ("header", "footer"):
            draft = drafts.find("core.sitecomponent", lambda component, key=key: component.key == key)
            if draft is not None:
                components = {**components, key: draft.obj.content}
    return components


def site(request: HttpRequest) -> dict[str, object]:
    """The site's name, navigation, footer and theme, for the base layout."""
    # Lazy: read (from the cache) only by templates that render the header or the footer.
    components = SimpleLazyObject(lambda: _components(request))
    return {
        "site_name": settings.SITE_NAME,
        "nav_items": SimpleLazyObject(lambda: _nav(request, components.get("header"))),
        # The apps' header templates (a mini-cart), included in the header's account area.
        "header_items": registry().header_items,
        "footer_pages": SimpleLazyObject(selectors.site_page_list_for_footer),
        "site_footer": SimpleLazyObject(lambda: _footer(request, components.get("footer"))),
        "theme": SimpleLazyObject(lambda: selectors.theme_for_request(request)),
        "site_preview": getattr(request, "site_drafts", None),
        # The bell's count: read only when a signed-in header renders (one indexed COUNT).
        "unread_count": SimpleLazyObject(lambda: notification_unread_count(getattr(request, "user", None))),
    }
