"""Role dashboards and the panels on them.

Each dashboard belongs to a role; a user may open the dashboards of every role they may act
as, and ``/dashboard/`` sends them to the one of their highest role. Apps add panels with
:func:`register_panel`, so a dashboard grows as domains arrive without core knowing them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from apps.core import permissions
from apps.core.roles import RoleName


@dataclass(frozen=True)
class Dashboard:
    key: str
    title: str
    role: str


DASHBOARDS: dict[str, Dashboard] = {
    d.key: d
    for d in (
        Dashboard("super-admin", "Super admin", RoleName.SUPER_ADMIN),
        Dashboard("admin", "Admin", RoleName.ADMIN),
        Dashboard("instructor", "Instructor", RoleName.INSTRUCTOR),
        Dashboard("shop", "Shop owner", RoleName.SHOP_OWNER),
        Dashboard("blog", "Blog admin", RoleName.BLOG_ADMIN),
        Dashboard("member", "Member", RoleName.USER),
    )
}

# The dashboard a holder of each role lands on; roles without their own go to "member".
HOME_FOR_ROLE: dict[str, str] = {
    RoleName.SUPER_ADMIN: "super-admin",
    RoleName.ADMIN: "admin",
    RoleName.INSTRUCTOR: "instructor",
    RoleName.SHOP_OWNER: "shop",
    RoleName.BLOG_ADMIN: "blog",
}


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


_panels: list[Panel] = []


def register_panel(panel: Panel) -> Panel:
    """Add a panel (idempotent by key, so re-imports do not duplicate it)."""
    global _panels
    _panels = [p for p in _panels if p.key != panel.key] + [panel]
    _panels.sort(key=lambda p: (p.order, p.key))
    return panel


def can_view(user: Any, dashboard: Dashboard) -> bool:
    """Whether ``user`` may open ``dashboard``: they act as its role."""
    return permissions.has_role(user, dashboard.role)


def home_for(user: Any) -> Dashboard:
    key = HOME_FOR_ROLE.get(permissions.highest_role(user) or RoleName.USER, "member")
    return DASHBOARDS[key]


def visible_to(user: Any) -> list[Dashboard]:
    return [d for d in DASHBOARDS.values() if can_view(user, d)]


def panels_for(dashboard: Dashboard, user: Any) -> list[dict[str, Any]]:
    """The filled panels of ``dashboard`` for ``user``, in order."""
    return [
        {"key": p.key, "title": p.title, "template": p.template, **p.context(user)}
        for p in _panels
        if dashboard.key in p.dashboards and (p.show is None or p.show(user))
    ]
