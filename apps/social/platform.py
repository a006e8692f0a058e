"""The social network's hook: everything it contributes to the platform (see
apps/core/platform/hooks.py)."""

from __future__ import annotations

from apps.core.platform import AppHook, Mount
from apps.social.notifications import KINDS
from apps.social.panels import PANELS

hook = AppHook(
    # Profiles live at the short /@<handle>/ (as Mastodon's do); everything else under /social/.
    pages=(Mount("social/", "apps.social.urls"), Mount("@", "apps.social.urls_people")),
    # Direct messages: a socket per open conversation and the header's unread count.
    websockets="apps.social.routing",
    header_items=("social/_messages_header.html",),
    notification_kinds=KINDS,
    panels=PANELS,
)
