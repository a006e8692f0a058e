"""The tiny domain app's hook: everything it contributes, and nothing in core or config names it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from apps.core.accounts import Dashboard, Panel, has_role
from apps.core.notifications import Email, NotificationKind
from apps.core.platform import AppHook, DemoAccount, Mount, NavLink, ProfileSection, ProfileSectionContent, SellableKind
from tests.hookapp.audiences import AUDIENCES
from tests.hookapp.reportables import THING
from tests.hookapp.roles import KEEPER, ROLES
from tests.hookapp.sitemaps import HookedSitemap
from tests.hookapp.views import THINGS


def seed_demo(*, write: Callable[[str], Any] = print) -> None:
    write(f"hookapp seeded {len(THINGS)} things")


def _panel(user: Any) -> dict[str, Any]:
    return {"things": THINGS}


def hooked_things(person: Any, viewer: Any, limit: int) -> ProfileSectionContent | None:
    """A keeper's things, shown on their profile to signed-in viewers only (a section that
    depends on who looks); nobody else keeps any."""
    if not has_role(person, KEEPER) or not getattr(viewer, "is_authenticated", False):
        return None
    return ProfileSectionContent(
        count=len(THINGS), template="hookapp/_profile_section.html", items=THINGS[:limit], more_url="/hooked/"
    )


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
    # A tab of keepers' profiles (/@<handle>/hooked/), before every real app's.
    profile_sections=(ProfileSection("hooked", "Hooked", hooked_things, order=1),),
    # Things people may report into core's moderation queue (tests/hookapp/reportables.py).
    reportables=(THING,),
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
