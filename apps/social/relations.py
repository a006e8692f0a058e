"""Reads of who relates to whom: the one place every surface of the social network (pages,
timelines, the API, direct messages, notifications, sockets) asks whether one person follows,
blocks or mutes another. Each answer is one indexed query; the ``*_ids`` sets are for filtering
a page of rows in memory or in SQL without a query per row."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from apps.social.models import Block, Follow, Mute


def _pk(user: Any) -> int | None:
    return user.pk if getattr(user, "is_authenticated", False) else None


def follows(follower: Any, followee: Any) -> bool:
    """Whether ``follower`` follows ``followee`` (an accepted follow; a request does not count)."""
    if _pk(follower) is None or follower.pk == followee.pk:
        return False
    return Follow.objects.filter(follower=follower, followee=followee, state=Follow.State.ACCEPTED).exists()


def follow_state(follower: Any, followee: Any) -> str | None:
    """``"accepted"``, ``"pending"`` (a request waiting for approval) or None."""
    if _pk(follower) is None:
        return None
    return Follow.objects.filter(follower=follower, followee=followee).values_list("state", flat=True).first()


def blocked_between(a: Any, b: Any) -> bool:
    """Whether either of the two has blocked the other (a block hides both ways)."""
    if _pk(a) is None or _pk(b) is None or a.pk == b.pk:
        return False
    return Block.objects.filter(Q(blocker=a, blocked=b) | Q(blocker=b, blocked=a)).exists()


def blocked_ids(user: Any) -> set[int]:
    """Everyone ``user`` blocked or was blocked by: people to hide from them and them from."""
    pk = _pk(user)
    if pk is None:
        return set()
    rows = Block.objects.filter(Q(blocker_id=pk) | Q(blocked_id=pk)).values_list("blocker_id", "blocked_id")
    return {other for pair in rows for other in pair if other != pk}


def muted_ids(user: Any) -> set[int]:
    """Everyone ``user`` muted."""
    pk = _pk(user)
    if pk is None:
        return set()
    return set(Mute.objects.filter(muter_id=pk).values_list("muted_id", flat=True))


def following_ids(user: Any) -> set[int]:
    """Everyone ``user`` follows (accepted)."""
    pk = _pk(user)
    if pk is None:
        return set()
    return set(Follow.objects.filter(follower_id=pk, state=Follow.State.ACCEPTED).values_list("followee_id", flat=True))


def follower_ids(user: Any) -> set[int]:
    """Everyone who follows ``user`` (accepted)."""
    pk = _pk(user)
    if pk is None:
        return set()
    return set(Follow.objects.filter(followee_id=pk, state=Follow.State.ACCEPTED).values_list("follower_id", flat=True))
