"""The social network's hook: everything it contributes to the platform (see
apps/core/platform/hooks.py)."""

from __future__ import annotations

from apps.core.platform import AppHook, Mount

hook = AppHook(
    # Profiles live at the short /@<handle>/ (as Mastodon's do); everything else under /social/.
    pages=(Mount("social/", "apps.social.urls"), Mount("@", "apps.social.urls_people")),
)

# --- Posts and profiles (apps/social/notifications.py, apps/social/demo.py) ----------------------
# Added with dataclasses.replace so each part of the network appends its own contribution.
import dataclasses  # noqa: E402

from apps.social import demo  # noqa: E402
from apps.social.notifications import KINDS as POST_KINDS  # noqa: E402

hook = dataclasses.replace(
    hook,
    notification_kinds=(*hook.notification_kinds, *POST_KINDS),
    demo_seed=demo.seed_demo,
)
