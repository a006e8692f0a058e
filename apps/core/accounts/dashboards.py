"""Role dashboards and the panels on them.

Each dashboard belongs to a role; a user may open the dashboards of every role they may act
as, and ``/dashboard/`` sends them to the one of their highest role. Core has its own
dashboards below; a domain app adds its roles' dashboards and its panels in its hook
(``AppHook.dashboards``, ``AppHook.panels``), so dashboards grow as domains arrive without
core knowing them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.urls import reverse

from apps.core.accounts import permissions, roles
from apps.core.accounts.roles import RoleName


@dataclass(frozen=True)
class Dashboard:
    key: str
    title: str
    role: str
    # Whether core shows the "What this role lets you do" panel on it.
    describes_role: bool = True


# Core's staff dashboards first and the member's last; the domains' sit between them.
CORE_STAFF_DASHBOARDS: tuple[Dashboard, ...] = (
    Dashboard("super-admin", "Super admin", RoleName.SUPER_ADMIN, describes_role=False),
    Dashboard("admin", "Admin", RoleName.ADMIN, describes_role=False),
    Dashboard("instructor", "Instructor", RoleName.INSTRUCTOR),
    Dashboard("shop", "Shop owner", RoleName.SHOP_OWNER),
)
MEMBER_DASHBOARD = Dashboard("member", "Member", RoleName.USER, describes_role=False)


@cache
def all_dashboards() -> dict[str, Dashboard]:
    """Every installed dashboard by key, in the order their tabs are shown."""
    from apps.core.platform.hooks import registry

    return {d.key: d for d in (*CORE_STAFF_DASHBOARDS, *registry().dashboards, MEMBER_DASHBOARD)}


def get(key: str) -> Dashboard | None:
    return all_dashboards().get(key)


@dataclass(frozen=True)
class Panel:
    """A block on one or more dashboards: a template fragment and the function filling it."""

    key: str
    title: str
    template: str
    dashboards: frozenset[str]
    context: Callable[[Any], dict[str, Any]]
    order: int = 100
    # Who sees it among the dashboard's viewers (say, only those who write posts); None: all.
    show: Callable[[Any], bool] | None = None


@dataclass(frozen=True)
class Tool:
    """A link in a dashboard's "Your tools": a page its viewer may use (``show``: None, everyone)."""

    label: str
    url_name: str
    description: str = ""
    show: Callable[[Any], bool] | None = None

    def shown_to(self, user: Any) -> bool:
        return self.show is None or bool(self.show(user))


def _site_editor(model_name: str) -> Callable[[Any], bool]:
    # The admin's editors: staff who may draft that kind of site content.
    def show(user: Any) -> bool:
        from django.apps import apps

        model = apps.get_model("core", model_name)
        return permissions.can_access_admin(user) and permissions.can_edit_draft(user, model())

    return show


def _moderates(user: Any) -> bool:
    from apps.core.reports.permissions import can_open_moderation_queue

    return can_open_moderation_queue(user)


# Core's tools: the domains' (``AppHook.tools``) come between the first two and the rest.
CORE_TOOLS_FIRST: tuple[Tool, ...] = (
    Tool("Your profile", "profile", "Your name, avatar and password."),
    Tool("Notifications", "notifications:list", "What happened to your comments and your work."),
    Tool("Notification preferences", "notifications:preferences", "What you hear about, in the app and by email."),
    Tool("Moderation queue", "comments:moderation", "Reports and comments waiting for a decision.", show=_moderates),
)
CORE_TOOLS_LAST: tuple[Tool, ...] = (
    Tool("Admin", "admin:index", "People, roles and every model.", show=permissions.can_access_admin),
    Tool(
        "Site editor",
        "admin:core_sitecomponent_changelist",
        "Header, home and footer.",
        show=_site_editor("SiteComponent"),
    ),
    Tool("Pages", "admin:core_sitepage_changelist", "The site's free pages.", show=_site_editor("SitePage")),
    Tool("Theme editor", "admin:core_theme_changelist", "Colours, fonts and spacing.", show=_site_editor("Theme")),
    Tool("API docs", "api-docs", "Every endpoint, with a console to try them."),
    Tool("System status", "status", "Whether every part of the platform answers."),
)


def tools_for(user: Any) -> list[dict[str, str]]:
    """The tools ``user`` may use, as label, description and address (no query: role checks only)."""
    from apps.core.platform.hooks import registry

    tools = (*CORE_TOOLS_FIRST, *registry().tools, *CORE_TOOLS_LAST)
    return [
        {"label": tool.label, "description": tool.description, "url": reverse(tool.url_name)}
        for tool in tools
        if tool.shown_to(user)
    ]


def attention_of(panels: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the filled panels say needs the viewer first: each panel's ``tiles`` (label, count,
    url), gathered in panel order, so the dashboard costs no query more than its panels."""
    tiles = [tile for panel in panels for tile in panel.get("tiles", ())]
    # What waits (a count above zero, or a task without one) before what is done; stable otherwise.
    return sorted(tiles, key=lambda tile: tile.get("count") == 0)


def role_labels(user: Any) -> list[str]:
    """The roles ``user`` holds, highest first, as people read them (the label, not the code)."""
    held = permissions.held_roles(user)
    return [spec.label for spec in roles.all_roles() if spec.name in held]


_panels: list[Panel] = []


def register_panel(panel: Panel) -> Panel:
    """Add a panel (idempotent by key, so re-imports do not duplicate it). Domain apps list
    theirs in their hook instead; the registry registers them at startup."""
    global _panels
    _panels = [p for p in _panels if p.key != panel.key] + [panel]
    _panels.sort(key=lambda p: (p.order, p.key))
    return panel


def can_view(user: Any, dashboard: Dashboard) -> bool:
    """Whether ``user`` may open ``dashboard``: they act as its role."""
    return permissions.has_role(user, dashboard.role)


def home_for(user: Any) -> Dashboard:
    spec = roles.get(permissions.highest_role(user) or RoleName.USER)
    key = spec.dashboard if spec is not None and spec.dashboard else MEMBER_DASHBOARD.key
    return all_dashboards().get(key, MEMBER_DASHBOARD)


def visible_to(user: Any) -> list[Dashboard]:
    return [d for d in all_dashboards().values() if can_view(user, d)]


def panels_for(dashboard: Dashboard, user: Any) -> list[dict[str, Any]]:
    """The filled panels of ``dashboard`` for ``user``, in order."""
    return [
        {"key": p.key, "title": p.title, "template": p.template, **p.context(user)}
        for p in _panels
        if dashboard.key in p.dashboards and (p.show is None or p.show(user))
    ]
