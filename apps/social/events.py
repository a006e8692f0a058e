"""The social network's domain events (apps/core/platform/events.py), published through core's
outbox in the writing transaction: durable subscribers (timelines' fan-out, notifications, the
activity log) get each at least once, in order per post.

Posts (services/posts.py):
- ``social.post_created``: a post, reply or repost was written (``reply_to_id``, ``repost_of_id``
  say which), with its visibility and audience, so a timeline can fan it out without reading it;
- ``social.post_edited``: its text changed (``new_mention_ids``: people the edit newly mentions);
- ``social.post_deleted``: it was deleted (a repost undone is deleted too); timelines drop it;
- ``social.post_liked``: someone liked it (unliking emits nothing: nobody is told of it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from apps.core.platform import events


@dataclass(frozen=True, kw_only=True)
class PostCreated(events.DomainEvent):
    name: ClassVar[str] = "social.post_created"
    aggregate: ClassVar[str] = "social.post:{post_id}"
    post_id: int
    author_id: int
    visibility: str
    audience: str
    created_at: datetime
    reply_to_id: int | None = None
    root_id: int | None = None
    repost_of_id: int | None = None
    mention_ids: tuple[int, ...] = ()


@dataclass(frozen=True, kw_only=True)
class PostEdited(events.DomainEvent):
    name: ClassVar[str] = "social.post_edited"
    aggregate: ClassVar[str] = "social.post:{post_id}"
    post_id: int
    author_id: int
    new_mention_ids: tuple[int, ...] = ()


@dataclass(frozen=True, kw_only=True)
class PostDeleted(events.DomainEvent):
    name: ClassVar[str] = "social.post_deleted"
    aggregate: ClassVar[str] = "social.post:{post_id}"
    post_id: int
    author_id: int
    repost_of_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class PostLiked(events.DomainEvent):
    name: ClassVar[str] = "social.post_liked"
    aggregate: ClassVar[str] = "social.post:{post_id}"
    post_id: int
    author_id: int
    user_id: int
