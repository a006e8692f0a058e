"""Core's dashboard panels. Domain apps register theirs the same way from their AppConfig.ready()."""

from __future__ import annotations

from typing import Any

from apps.core import permissions, selectors
from apps.core.dashboards import Panel, register_panel
from apps.core.roles import RoleName

ADMIN_DASHBOARDS = frozenset({"admin", "super-admin"})
ALL_DASHBOARDS = frozenset({"super-admin", "admin", "instructor", "shop", "blog", "member"})


def _account(user: Any) -> dict[str, Any]:
    held = permissions.held_roles(user)
    return {"user": user, "held": [role for role in RoleName.values if role in held]}


def _people(user: Any) -> dict[str, Any]:
    return {"summary": selectors.people_summary(), "recent": selectors.user_list_recent()}


def _roles(user: Any) -> dict[str, Any]:
    return {"roles": selectors.role_list_with_counts(), "grantable": set(permissions.grantable_roles(user))}


def _grants(user: Any) -> dict[str, Any]:
    return {"grants": selectors.role_grant_list_recent()}


def _capabilities_for(role: str):  # type: ignore[no-untyped-def]
    def context(user: Any) -> dict[str, Any]:
        return {"capabilities": selectors.role_capabilities(role)}

    return context


def register_core_panels() -> None:
    register_panel(Panel("account", "Your account", "core/panels/_account.html", ALL_DASHBOARDS, _account, order=10))
    register_panel(Panel("people", "People", "core/panels/_people.html", ADMIN_DASHBOARDS, _people, order=20))
    register_panel(Panel("roles", "Roles", "core/panels/_roles.html", ADMIN_DASHBOARDS, _roles, order=30))
    register_panel(
        Panel("grants", "Recent role grants", "core/panels/_grants.html", frozenset({"super-admin"}), _grants, order=40)
    )
    for key, role in (
        ("instructor", RoleName.INSTRUCTOR),
        ("shop", RoleName.SHOP_OWNER),
        ("blog", RoleName.BLOG_ADMIN),
    ):
        register_panel(
            Panel(
                f"capabilities-{key}",
                "What this role lets you do",
                "core/panels/_capabilities.html",
                frozenset({key}),
                _capabilities_for(role),
                order=20,
            )
        )
