"""The timelines' channel-layer groups and pushes. Group names live only here.

A push carries a post id and nothing else: each open page recounts what its viewer may see
(``timelines.home_new_count``), so a followers-only post is never announced to someone who may
not read it, whoever is in a group.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from apps.core.platform import degraded

NEW_POST = "timeline.post"
PUBLIC_GROUP = "social.timeline.public"


def home_group(user_id: int) -> str:
    """Every open home timeline page of one person, on any process."""
    return f"social.timeline.home.{user_id}"


# Group sends in flight at once: a fan-out batch of 500 followers is 500 groups, and one round
# trip to the layer each, one after the other, cost 10 ms a follower (15 times the timeline writes).
CONCURRENT_SENDS = 100


async def _send_all(layer: Any, groups: list[str], message: dict[str, Any]) -> None:
    for start in range(0, len(groups), CONCURRENT_SENDS):
        await asyncio.gather(*(layer.group_send(group, message) for group in groups[start : start + CONCURRENT_SENDS]))


def _send(groups: Iterable[str], post_id: int) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    message = {"type": NEW_POST, "post_id": post_id}
    try:
        # One hop into the event loop for the whole batch, not one per group.
        async_to_sync(_send_all)(layer, list(groups), message)
    except Exception as exc:  # the layer is down: the timelines are written, the live bar waits
        degraded.degraded("social.timeline_push", exc, without="the channel layer")


def announce_home(user_ids: Iterable[int], post_id: int) -> None:
    """Tell these people's open home pages that a post arrived (called by fan-out, after the
    post's transaction committed: the tasks run only then)."""
    _send((home_group(user_id) for user_id in user_ids), post_id)


def announce_public(post_id: int) -> None:
    """Tell open public timeline pages that a public post arrived."""
    _send([PUBLIC_GROUP], post_id)
