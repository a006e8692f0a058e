"""The relations' domain events (apps/core/platform/events.py), published by
services/relations.py in the transaction that makes the change.

Every event about two people names the pair alike (``social.pair:<lower id>:<higher id>``), so a
subscriber (the timelines' rebuild and filters) sees a follow, its acceptance, a block and its
end in the order they happened, whoever acted.

- ``social.follow_created``: ``follower_id`` asked to follow ``followee_id``; ``state`` says
  whether it is a request (``pending``) or already counts (``accepted``).
- ``social.follow_accepted``: a request was approved (one by one, or by unlocking the account).
- ``social.follow_deleted``: a follow or request ended; ``reason`` is ``unfollowed``,
  ``rejected`` or ``blocked``, ``state`` what it was.
- ``social.block_created`` / ``social.block_deleted`` (``blocker_id``, ``blocked_id``).
- ``social.mute_created`` / ``social.mute_deleted`` (``muter_id``, ``muted_id``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from apps.core.platform import events

PAIR = "social.pair:{pair}"


def pair_of(a: int, b: int) -> str:
    """The pair's name in an event's aggregate: the lower id first, whoever acted."""
    return f"{min(a, b)}:{max(a, b)}"


@dataclass(frozen=True, kw_only=True)
class FollowCreated(events.DomainEvent):
    name: ClassVar[str] = "social.follow_created"
    aggregate: ClassVar[str] = PAIR
    pair: str
    follower_id: int
    followee_id: int
    state: str


@dataclass(frozen=True, kw_only=True)
class FollowAccepted(events.DomainEvent):
    name: ClassVar[str] = "social.follow_accepted"
    aggregate: ClassVar[str] = PAIR
    pair: str
    follower_id: int
    followee_id: int


@dataclass(frozen=True, kw_only=True)
class FollowDeleted(events.DomainEvent):
    name: ClassVar[str] = "social.follow_deleted"
    aggregate: ClassVar[str] = PAIR
    pair: str
    follower_id: int
    followee_id: int
    state: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class BlockCreated(events.DomainEvent):
    name: ClassVar[str] = "social.block_created"
    aggregate: ClassVar[str] = PAIR
    pair: str
    blocker_id: int
    blocked_id: int


@dataclass(frozen=True, kw_only=True)
class BlockDeleted(events.DomainEvent):
    name: ClassVar[str] = "social.block_deleted"
    aggregate: ClassVar[str] = PAIR
    pair: str
    blocker_id: int
    blocked_id: int


@dataclass(frozen=True, kw_only=True)
class MuteCreated(events.DomainEvent):
    name: ClassVar[str] = "social.mute_created"
    aggregate: ClassVar[str] = PAIR
    pair: str
    muter_id: int
    muted_id: int


@dataclass(frozen=True, kw_only=True)
class MuteDeleted(events.DomainEvent):
    name: ClassVar[str] = "social.mute_deleted"
    aggregate: ClassVar[str] = PAIR
    pair: str
    muter_id: int
    muted_id: int
