"""Where timelines are kept: one small interface, two implementations.

A timeline is a sorted set of post ids scored by the id itself (ids grow with time, so the score
is the order and the cursor at once). ``RedisTimelineStore`` keeps each one as a Redis sorted set
through django-redis's raw client (``REDIS_URL`` set); ``LocalTimelineStore`` keeps the same thing
in Django's local-memory cache (the embedded default), so the code above it is one code path.

Each stored timeline carries a sentinel member ``0`` (no post has id 0): a timeline that exists
but is empty (someone who follows nobody yet) is told apart from a missing one, which is cold and
rebuilt from SQL. ``range`` never returns the sentinel.

The local store is a per-process copy: a worker process's fan-out does not reach the web
process's memory. So reads on it top up a first page from SQL (reads._top_up_local), and its
timelines expire after ``SOCIAL_TIMELINE_LOCAL_SECONDS`` (30) and are rebuilt from SQL, which
bounds how long another process's backfill waits.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from typing import Protocol

from django.conf import settings
from django.core.cache import cache

SENTINEL = 0


def timeline_cap() -> int:
    """How many entries a stored timeline keeps (the newest): about 800, as the issue asks."""
    return int(getattr(settings, "SOCIAL_TIMELINE_CAP", 800))


class TimelineStore(Protocol):
    def exists(self, key: str) -> bool: ...

    def add(self, key: str, post_ids: Iterable[int], *, only_if_exists: bool = True) -> bool:
        """Add ids and trim to the cap; with ``only_if_exists`` a missing (cold) timeline stays
        missing (its rebuild from SQL will include them). True if the timeline was written."""
        ...

    def add_to_many(self, keys: Iterable[str], post_ids: Iterable[int]) -> int:
        """``add`` (only into existing timelines) for a batch of timelines at once: one round
        trip on Redis. Returns how many timelines took the ids."""
        ...

    def replace(self, key: str, post_ids: Iterable[int]) -> None:
        """Store a timeline whole (a rebuild), trimmed to the cap, even when empty."""
        ...

    def trim(self, key: str, cap: int) -> None: ...

    def range(self, key: str, *, max_id: int | None = None, min_id: int | None = None, limit: int) -> list[int]:
        """Up to ``limit`` ids below ``max_id`` (None: from the newest) and above ``min_id``
        (None: down to the oldest), newest first."""
        ...

    def remove(self, key: str, post_ids: Iterable[int]) -> None: ...

    def delete(self, key: str) -> None: ...


class RedisTimelineStore:
    """Sorted sets in the cache's Redis, under the cache's key prefix (so the test suite's
    ``cache.clear()`` and a deployment's ``CACHE_PREFIX`` cover them)."""

    # ZADD only into a timeline that exists, then cap it, in one round trip and atomically (a
    # timeline evicted between an EXISTS and a ZADD would come back holding one post).
    _ADD = """
    if ARGV[1] == '1' and redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
    redis.call('ZADD', KEYS[1], 0, '0')
    for i = 3, #ARGV do redis.call('ZADD', KEYS[1], ARGV[i], ARGV[i]) end
    redis.call('ZREMRANGEBYRANK', KEYS[1], 1, -(tonumber(ARGV[2]) + 1))
    return 1
    """

    def __init__(self) -> None:
        from django_redis import get_redis_connection

        self._redis = get_redis_connection("default")
        self._add = self._redis.register_script(self._ADD)

    def _key(self, key: str) -> str:
        return cache.make_key(key)

    def exists(self, key: str) -> bool:
        return bool(self._redis.exists(self._key(key)))

    def add(self, key: str, post_ids: Iterable[int], *, only_if_exists: bool = True) -> bool:
        ids = [int(i) for i in post_ids]
        if not ids:
            return self.exists(key)
        # Rank 0 is the sentinel (score 0), which stays; the newest ``cap`` ids stay above it.
        return bool(self._add(keys=[self._key(key)], args=["1" if only_if_exists else "0", timeline_cap(), *ids]))

    def add_to_many(self, keys: Iterable[str], post_ids: Iterable[int]) -> int:
        ids = [int(i) for i in post_ids]
        keys = list(keys)
        if not ids or not keys:
            return 0
        with self._redis.pipeline(transaction=False) as pipe:
            for key in keys:
                self._add(keys=[self._key(key)], args=["1", timeline_cap(), *ids], client=pipe)
            return sum(int(result) for result in pipe.execute())

    def replace(self, key: str, post_ids: Iterable[int]) -> None:
        ids = sorted({int(i) for i in post_ids}, reverse=True)[: timeline_cap()]
        redis_key = self._key(key)
        with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(redis_key)
            pipe.zadd(redis_key, {str(i): i for i in [SENTINEL, *ids]})
            pipe.execute()

    def trim(self, key: str, cap: int) -> None:
        # Keep the sentinel (lowest score) and the ``cap`` highest ids.
        members = self._redis.zrange(self._key(key), 1, -(cap + 1))
        if members:
            self._redis.zrem(self._key(key), *members)

    def range(self, key: str, *, max_id: int | None = None, min_id: int | None = None, limit: int) -> list[int]:
        high = f"({max_id}" if max_id is not None else "+inf"
        low = f"({max(min_id or SENTINEL, SENTINEL)}"
        rows = self._redis.zrevrangebyscore(self._key(key), high, low, start=0, num=limit)
        return [int(row) for row in rows]

    def remove(self, key: str, post_ids: Iterable[int]) -> None:
        ids = [str(int(i)) for i in post_ids if int(i) != SENTINEL]
        if ids:
            self._redis.zrem(self._key(key), *ids)

    def delete(self, key: str) -> None:
        self._redis.delete(self._key(key))


class LocalTimelineStore:
    """The same sets in Django's local-memory cache: a sorted list of ids per key, changed under
    one process-wide lock (the local cache's get and set are separate steps)."""

    _lock = threading.Lock()

    def _seconds(self) -> int:
        return int(getattr(settings, "SOCIAL_TIMELINE_LOCAL_SECONDS", 30))

    def _get(self, key: str) -> list[int] | None:
        return cache.get(key)

    def _set(self, key: str, ids: Iterable[int]) -> None:
        cache.set(key, sorted(set(ids), reverse=True)[: timeline_cap()], self._seconds())

    def exists(self, key: str) -> bool:
        return self._get(key) is not None

    def add(self, key: str, post_ids: Iterable[int], *, only_if_exists: bool = True) -> bool:
        ids = [int(i) for i in post_ids]
        with self._lock:
            current = self._get(key)
            if current is None and only_if_exists:
                return False
            # A write keeps the copy's original expiry roughly: it is refreshed from SQL anyway.
            self._set(key, [*(current or []), *ids])
            return True

    def add_to_many(self, keys: Iterable[str], post_ids: Iterable[int]) -> int:
        ids = list(post_ids)
        return sum(self.add(key, ids) for key in keys)

    def replace(self, key: str, post_ids: Iterable[int]) -> None:
        with self._lock:
            self._set(key, post_ids)

    def trim(self, key: str, cap: int) -> None:
        with self._lock:
            current = self._get(key)
            if current is not None:
                cache.set(key, current[:cap], self._seconds())

    def range(self, key: str, *, max_id: int | None = None, min_id: int | None = None, limit: int) -> list[int]:
        ids = self._get(key) or []
        if max_id is not None:
            ids = [i for i in ids if i < max_id]
        if min_id is not None:
            ids = [i for i in ids if i > min_id]
        return ids[:limit]

    def remove(self, key: str, post_ids: Iterable[int]) -> None:
        gone = {int(i) for i in post_ids}
        with self._lock:
            current = self._get(key)
            if current is not None:
                self._set(key, [i for i in current if i not in gone])

    def delete(self, key: str) -> None:
        cache.delete(key)


def uses_redis() -> bool:
    return "django_redis" in settings.CACHES["default"]["BACKEND"]


def timeline_store() -> TimelineStore:
    """The store for this deployment: Redis's sorted sets with ``REDIS_URL``, else local memory."""
    return RedisTimelineStore() if uses_redis() else LocalTimelineStore()


# --- Counters for trends ---------------------------------------------------------------


class CounterStore(Protocol):
    def incr(self, bucket: str, members: Iterable[str], *, ttl: int) -> None: ...

    def read(self, bucket: str) -> dict[str, int]: ...

    def first_time(self, marker: str, *, ttl: int) -> bool:
        """True once per marker (a post counted once however often its task runs)."""
        ...


class RedisCounterStore:
    """One Redis hash per bucket (member -> count), expiring on its own."""

    def __init__(self) -> None:
        from django_redis import get_redis_connection

        self._redis = get_redis_connection("default")

    def incr(self, bucket: str, members: Iterable[str], *, ttl: int) -> None:
        key = cache.make_key(bucket)
        with self._redis.pipeline(transaction=True) as pipe:
            for member in members:
                pipe.hincrby(key, member, 1)
            pipe.expire(key, ttl)
            pipe.execute()

    def read(self, bucket: str) -> dict[str, int]:
        raw = self._redis.hgetall(cache.make_key(bucket))
        return {member.decode(): int(count) for member, count in raw.items()}

    def first_time(self, marker: str, *, ttl: int) -> bool:
        return bool(self._redis.set(cache.make_key(marker), "1", nx=True, ex=ttl))


class LocalCounterStore:
    """A dict per bucket in the local-memory cache (per process, like the local timelines)."""

    _lock = threading.Lock()

    def incr(self, bucket: str, members: Iterable[str], *, ttl: int) -> None:
        with self._lock:
            counts = cache.get(bucket) or {}
            for member in members:
                counts[member] = counts.get(member, 0) + 1
            cache.set(bucket, counts, ttl)

    def read(self, bucket: str) -> dict[str, int]:
        return dict(cache.get(bucket) or {})

    def first_time(self, marker: str, *, ttl: int) -> bool:
        return cache.add(marker, int(time.time()), ttl)


def counter_store() -> CounterStore:
    return RedisCounterStore() if uses_redis() else LocalCounterStore()
