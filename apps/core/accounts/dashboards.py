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
