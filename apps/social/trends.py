"""Trending hashtags: decaying counters in hourly buckets.

Each public post adds one to its hashtags' counts in the bucket of the hour it was published
(one Redis hash per hour with ``REDIS_URL``, a dict in the local-memory cache otherwise: the
store module's ``CounterStore``). A tag's score is the sum over the last
``SOCIAL_TRENDS_HOURS`` (24) buckets of ``count * SOCIAL_TRENDS_DECAY ** age_in_hours`` (0.8:
a post's weight halves in about three hours), so a tag used a lot yesterday gives way to one
used a little in the last hour. A post is counted once however often its task runs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings

from apps.social.models import Hashtag, Post
from apps.social.permissions import restricted_author_q
from apps.social.timelines.store import counter_store

BUCKET_SECONDS = 3600


def _hours() -> int:
    return int(getattr(settings, "SOCIAL_TRENDS_HOURS", 24))


def _decay() -> float:
    return float(getattr(settings, "SOCIAL_TRENDS_DECAY", 0.8))


def _bucket(hour: int) -> str:
    return f"social:trends:{hour}"


def _hour_of(timestamp: float) -> int:
    return int(timestamp // BUCKET_SECONDS)


def record(names: list[str], *, at: float | None = None) -> None:
    """Count one use of each of these (lower-case) hashtags at ``at`` (a Unix time; now)."""
    if names:
        hour = _hour_of(time.time() if at is None else at)
        counter_store().incr(_bucket(hour), sorted(set(names)), ttl=(_hours() + 1) * BUCKET_SECONDS)


def record_post(post: Post) -> None:
    """Count a published public post's hashtags, once per post; never a held post's nor those of
    a silenced or suspended author (their posts reach no public page)."""
    if post.held_at is not None or Post.objects.filter(pk=post.pk).filter(restricted_author_q()).exists():
        return
    if not counter_store().first_time(f"social:trends:seen:{post.pk}", ttl=(_hours() + 1) * BUCKET_SECONDS):
        return
    names = list(Hashtag.objects.filter(posthashtag__post=post).values_list("name", flat=True))
    record(names, at=post.created_at.timestamp())


@dataclass(frozen=True)
class Trend:
    name: str
    display: str
    score: float


def scores(*, now: float | None = None) -> dict[str, float]:
    """Every counted tag's decayed score at ``now``."""
    current = _hour_of(time.time() if now is None else now)
    store, decay = counter_store(), _decay()
    totals: dict[str, float] = {}
    for age in range(_hours()):
        for name, count in store.read(_bucket(current - age)).items():
            totals[name] = totals.get(name, 0.0) + count * decay**age
    return totals


def trending(*, limit: int = 10, now: float | None = None) -> list[Trend]:
    """The tags with the highest decayed scores, best first (one query for their spellings)."""
    best = sorted(scores(now=now).items(), key=lambda item: (-item[1], item[0]))[:limit]
    display = dict(Hashtag.objects.filter(name__in=[name for name, _ in best]).values_list("name", "display"))
    return [Trend(name, display.get(name, name), round(score, 3)) for name, score in best if name in display]
