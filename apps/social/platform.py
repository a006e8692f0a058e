"""The social network's hook: everything it contributes to the platform (see
apps/core/platform/hooks.py)."""

from __future__ import annotations

from apps.core.platform import AppHook, Mount, NavLink
from apps.social import demo
from apps.social.notifications import KINDS
from apps.social.panels import PANELS
from apps.social.presence import presence_visible_ids
from apps.social.reportables import REPORTABLES

hook = AppHook(
    # Profiles live at the short /@<handle>/ (as Mastodon's do); everything else under /social/.
    pages=(Mount("social/", "apps.social.urls"), Mount("@", "apps.social.urls_people")),
    # /api/v1/social/: people, relations, messages, presence (apps/social/api/urls.py).
    api=(Mount("social/", "apps.social.api.urls"),),
    api_links={"social": "api-social-root"},
    # The sockets of an open conversation and of the timelines' live bar (apps/social/routing.py),
    # and the header's unread messages.
    websockets="apps.social.routing",
    header_items=("social/_messages_header.html",),
    notification_kinds=KINDS,
    panels=PANELS,
    # Who sees whose online status: each profile's presence_audience, and nobody across a block.
    presence_policy=presence_visible_ids,
    # Timelines: home for the signed-in (a visitor is sent to the public timeline).
    nav=(NavLink("Social", "social:home"),),
    # Posts, accounts and messages people may report into core's moderation queue, with staff's
    # actions (remove, release, silence, suspend and their undoing: apps/social/reportables.py).
    reportables=REPORTABLES,
    # Profiles for the demo accounts, their posts, threads, follows and a group conversation.
    demo_seed=demo.seed_demo,
)
