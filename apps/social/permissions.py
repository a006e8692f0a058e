"""Who may do what on the social network: the rules every page, API view and consumer asks."""

from __future__ import annotations

from typing import Any

from apps.social import relations
from apps.social.models import Profile

# --- Relations (the people part) ---


def can_see_connections(viewer: Any, profile: Profile) -> bool:
    """Whether ``viewer`` may see whom ``profile`` follows and who follows them: anyone for an
    open account; for a locked one, its owner and accepted followers. Nobody either side of a block."""
    if getattr(viewer, "pk", None) == profile.user_id:
        return True
    if relations.blocked_between(viewer, profile.user):
        return False
    return not profile.locked or relations.follows(viewer, profile.user)
