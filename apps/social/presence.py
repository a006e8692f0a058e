"""Who may see whose online status on the social network: each person's ``presence_audience``
(everyone, people I follow, nobody), and nobody across a block. Core's presence service asks this
through the hook's ``presence_policy`` for a whole batch of people at once."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from apps.social import relations
from apps.social.models import Follow, Profile


def presence_visible_ids(viewer: Any, subject_ids: Collection[int]) -> set[int]:
    """The ids among ``subject_ids`` whose status ``viewer`` may see: at most three queries for
    any number of people. A person without a profile has the default audience (everyone);
    "people I follow" means the subject follows the viewer (an accepted follow)."""
    if not getattr(viewer, "is_authenticated", False) or not subject_ids:
        return set()
    ids = set(subject_ids) - relations.blocked_ids(viewer)
    if not ids:
        return set()
    audience = dict(Profile.objects.filter(user_id__in=ids).values_list("user_id", "presence_audience"))
    everyone = {uid for uid in ids if audience.get(uid, Profile.Presence.EVERYONE) == Profile.Presence.EVERYONE}
    followers_only = {uid for uid in ids if audience.get(uid) == Profile.Presence.FOLLOWING}
    if followers_only:
        # Limited to these subjects (relations.follower_ids would read every follower the viewer has).
        followers_only &= set(
            Follow.objects.filter(
                follower_id__in=followers_only, followee_id=viewer.pk, state=Follow.State.ACCEPTED
            ).values_list("follower_id", flat=True)
        )
    return everyone | followers_only
