"""The timelines' channel-layer groups and pushes. Group names live only here.

A push carries a post id and nothing else: each open page recounts what its viewer may see
(``timelines.home_new_count``), so a followers-only post is never announced to someone who may
not read it, whoever is in a group.
"""

from __future__ import annotations

from collections.abc import Iterable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from apps.core.platform import degraded

NEW_POST = "timeline.post"
PUBLIC_GROUP = "social.timeline.public"


def home_group(user_id: int) -> str:
    """Every open home timeline page of one person, on any process."""
    return f"social.timeline.home.{user_id}"


def _send(groups: Iterable[str], post_id: int) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    message = {"type": NEW_POST, "post_id": post_id}
    try:
        for group in groups:
            async_to_sync(layer.group_send)(group, message)
    except Exception as exc:  # the layer is down: the timelines are written, the live bar waits
        degraded.degraded("social.timeline_push", exc, without="the channel layer")


def announce_home(user_ids: Iterable[int], post_id: int) -> None:
    """Tell these people's open home pages that a post arrived (called by fan-out, after the
    post's transaction committed: the tasks run only then)."""
    _send((home_group(user_id) for user_id in user_ids), post_id)


def announce_public(post_id: int) -> None:
    """Tell open public timeline pages that a public post arrived."""
    _send([PUBLIC_GROUP], post_id)
