"""The tiny domain app's hook: everything it contributes, and nothing in core or config names it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from apps.core.accounts import Dashboard, Panel, has_role
from apps.core.notifications import Email, NotificationKind
from apps.core.platform import AppHook, DemoAccount, Mount, NavLink, SellableKind
from tests.hookapp.audiences import AUDIENCES
from tests.hookapp.roles import KEEPER, ROLES
from tests.hookapp.sitemaps import HookedSitemap
from tests.hookapp.views import THINGS


def seed_demo(*, write: Callable[[str], Any] = print) -> None:
    write(f"hookapp seeded {len(THINGS)} things")


def _panel(user: Any) -> dict[str, Any]:
    return {"things": THINGS}


hook = AppHook(
    pages=(Mount("hooked/", "tests.hookapp.urls"),),
    api=(Mount("hooked/", "tests.hookapp.api_urls"),),
    api_links={"hooked_things": "api-hooked-things"},
    sitemaps={"hooked": HookedSitemap},
    # Shown to those who keep the hooks (and the admins above them) only.
    nav=(NavLink("Hooked", "hookapp:index", show=lambda user: has_role(user, KEEPER)),),
    panels=(Panel("hooked", "Hooked things", "hookapp/_panel.html", frozenset({"hooked", "admin"}), _panel),),
    dashboards=(Dashboard("hooked", "Hook keeper", KEEPER),),
    roles=ROLES,
    reserved_slugs=frozenset({"hook-shop"}),
    demo_accounts=(DemoAccount("keeper@test.com", "HookKeeper123!", KEEPER, "Kim Keeper"),),
    demo_seed=seed_demo,
    robots_disallow=("/hooked/private/",),
    # Tickets the shop sells for this app (fulfilled in tests/hookapp/tickets.py).
    sellables=(SellableKind("ticket", "Ticket to the hook show"),),
    # A test group's members as a post's readers (tests/hookapp/audiences.py).
    audiences=AUDIENCES,
    notification_kinds=(
        NotificationKind(
            name="hookapp.thing_hooked",
            label="Things hooked",
            description="Someone hooked one of your things.",
            template="{actors} hooked “{target}”",
            email=Email.WEEKLY,
        ),
    ),
)
