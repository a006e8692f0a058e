"""Core's dashboard panels. Domain apps list theirs in their hook (``AppHook.panels``)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from apps.core.accounts import permissions, roles, selectors
from apps.core.accounts.dashboards import Panel, all_dashboards, register_panel

ADMIN_DASHBOARDS = frozenset({"admin", "super-admin"})


def _account(user: Any) -> dict[str, Any]:
    held = permissions.held_roles(user)
    tiles = []
    if not user.email_verified:
        tiles.append({"label": "Confirm your email address", "count": None, "url": reverse("resend-verification")})
    return {"user": user, "held": [spec for spec in roles.all_roles() if spec.name in held], "tiles": tiles}


def _people(user: Any) -> dict[str, Any]:
    summary = selectors.people_summary()
    people = reverse("admin:core_user_changelist")
    tiles = [{"label": "New accounts this week", "count": summary["joined_this_week"], "url": people}]
    return {"summary": summary, "recent": selectors.user_list_recent(), "tiles": tiles}


def _roles(user: Any) -> dict[str, Any]:
    return {"roles": selectors.role_list_with_counts(), "grantable": set(permissions.grantable_roles(user))}


def _grants(user: Any) -> dict[str, Any]:
    grants = list(selectors.role_grant_list_recent())
    for grant in grants:
        grant.label = roles.label(grant.role.name)  # people read the label, not the code
    return {"grants": grants}


def _capabilities_for(role: str):  # type: ignore[no-untyped-def]
    def context(user: Any) -> dict[str, Any]:
        return {"capabilities": selectors.role_capabilities(role)}

    return context


def register_core_panels() -> None:
    """Core's panels, on core's dashboards and on those the installed hooks add."""
    every_dashboard = frozenset(all_dashboards())
    register_panel(Panel("account", "Your account", "core/panels/_account.html", every_dashboard, _account, order=10))
    register_panel(Panel("people", "People", "core/panels/_people.html", ADMIN_DASHBOARDS, _people, order=20))
    register_panel(Panel("roles", "Roles", "core/panels/_roles.html", ADMIN_DASHBOARDS, _roles, order=30))
    register_panel(
        Panel("grants", "Recent role grants", "core/panels/_grants.html", frozenset({"super-admin"}), _grants, order=40)
    )
    for dashboard in all_dashboards().values():
        if dashboard.describes_role:
            register_panel(
                Panel(
                    f"capabilities-{dashboard.key}",
                    "What this role lets you do",
                    "core/panels/_capabilities.html",
                    frozenset({dashboard.key}),
                    _capabilities_for(dashboard.role),
                    order=20,
                )
            )
