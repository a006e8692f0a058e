"""The social network's hook: everything it contributes to the platform (see
apps/core/platform/hooks.py)."""

from __future__ import annotations

from apps.core.platform import AppHook, Mount, NavLink

hook = AppHook(
    # Profiles live at the short /@<handle>/ (as Mastodon's do); everything else under /social/.
    pages=(Mount("social/", "apps.social.urls"), Mount("@", "apps.social.urls_people")),
    # Timelines: home for the signed-in (a visitor is sent to the public timeline).
    nav=(NavLink("Social", "social:home"),),
    # The timelines' live bar (the lead merges the network's routes into one routing module).
    websockets="apps.social.routing_timelines",
)
