"""Presence: who is online, away or offline (and when last seen), for every domain.

One service, used by the social network (DMs, profiles, follower lists), the LMS ("instructor
online") and streaming (a stream's viewers are connections at a *place*, ``place_heartbeat`` /
``place_counts``). See docs/architecture.md, "Presence".

- Each open socket (a browser tab) is a *connection*, with an id unique across processes (its
  channel name) and the time of its last heartbeat. A connection counts while that heartbeat is
  younger than ``CONNECTION_TTL`` seconds, so a tab that closes leaves the others counted, and a
  process that dies takes its connections with it when they age out: nobody has to clean up
  after a crash, and several server processes agree.
- A person is ``online`` when a live connection is active, ``away`` when every live connection
  says away (the tab hidden, or idle), ``offline`` otherwise; ``last_seen`` is the time of the
  last heartbeat or goodbye of any connection.
- With ``REDIS_URL`` the connections are two sorted sets per person in Redis (all connections,
  and the away ones, scored by heartbeat), through django-redis's raw client; one write is one
  MULTI, one batch read (:func:`statuses`) one pipeline. Without it (the embedded default) the same
  interface keeps them in a local-memory cache of presence's own, which is per process, as the
  embedded default's single process is.
- Who may see whose status: signed-in people see everyone's, unless an app's hook narrows it
  (``AppHook.presence_policy``; the social network applies each person's privacy setting). One
  always sees one's own. Anonymous viewers see nothing.
- A change of someone's state is sent on the channel layer to ``presence_group(id)``; the
  presence socket (``presence_consumer.py``) forwards it to the watchers allowed to see it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache

from apps.core.platform.degraded import degraded

# A connection counts while its last heartbeat is younger than this (the browser beats every ~25 s).
CONNECTION_TTL = 60.0
# How long "last seen" is kept after the last connection goes.
LAST_SEEN_SECONDS = 365 * 24 * 3600

State = Literal["online", "away", "offline"]
ONLINE: State = "online"
AWAY: State = "away"
OFFLINE: State = "offline"


@dataclass(frozen=True)
class Status:
    """One person's presence as a viewer may see it."""

    state: State
    last_seen: datetime | None = None

    @property
    def online(self) -> bool:
        return self.state == ONLINE

    def as_json(self) -> dict[str, Any]:
        return {"state": self.state, "last_seen": self.last_seen.isoformat() if self.last_seen else None}


@dataclass(frozen=True)
class Counts:
    """What the store knows of one person: live connections, the away ones among them, last seen."""

    live: int
    away: int
    seen: float | None

    @property
    def state(self) -> State:
        if self.live == 0:
            return OFFLINE
        return AWAY if self.away >= self.live else ONLINE

    def status(self) -> Status:
        seen = datetime.fromtimestamp(self.seen, tz=UTC) if self.seen is not None else None
        return Status(self.state, seen)


class Store(Protocol):
    """Where connections are kept; every method is one round trip to its backend."""

    def beat(self, user_id: int, conn: str, *, away: bool, now: float, ttl: float) -> tuple[Counts, Counts]:
        """Record a heartbeat; the person's counts before and after it."""
        ...

    def leave(self, user_id: int, conn: str, *, now: float, ttl: float) -> tuple[Counts, Counts]:
        """Forget a connection (its socket closed); the counts before and after."""
        ...

    def read(self, user_ids: list[int], *, now: float, ttl: float) -> dict[int, Counts]:
        """Everyone's counts, in one round trip."""
        ...

    def place_beat(self, place: str, conn: str, *, now: float, ttl: float) -> None:
        """Record that connection ``conn`` is at ``place`` (watching a stream, say)."""
        ...

    def place_leave(self, place: str, conn: str, *, now: float, ttl: float) -> None:
        """Forget connection ``conn`` at ``place``."""
        ...

    def place_read(self, places: list[str], *, now: float, ttl: float) -> dict[str, int]:
        """How many live connections each place has, in one round trip."""
        ...


class RedisStore:
    """Two sorted sets per person (``live`` and ``away``: connection id -> last heartbeat) and a
    ``seen`` timestamp. Dead members are trimmed on every write and ignored on every read."""

    def __init__(self, client: Any, prefix: str) -> None:
        self.client = client
        self.prefix = prefix

    def _keys(self, user_id: int) -> tuple[str, str, str]:
        base = f"{self.prefix}:presence:{user_id}"
        return f"{base}:live", f"{base}:away", f"{base}:seen"

    def _change(self, user_id: int, conn: str, *, now: float, ttl: float, mode: str) -> tuple[Counts, Counts]:
        live, away, seen = self._keys(user_id)
        dead = now - ttl
        pipe = self.client.pipeline(transaction=True)
        pipe.zremrangebyscore(live, "-inf", dead)
        pipe.zremrangebyscore(away, "-inf", dead)
        pipe.zcard(live)
        pipe.zcard(away)
        pipe.get(seen)
        if mode == "leave":
            pipe.zrem(live, conn)
            pipe.zrem(away, conn)
        else:
            pipe.zadd(live, {conn: now})
            if mode == "away":
                pipe.zadd(away, {conn: now})
            else:
                pipe.zrem(away, conn)
        pipe.zcard(live)
        pipe.zcard(away)
        pipe.set(seen, repr(now), ex=LAST_SEEN_SECONDS)
        # An idle person's sets vanish by themselves shortly after their last connection dies.
        pipe.expire(live, int(ttl * 2))
        pipe.expire(away, int(ttl * 2))
        result = pipe.execute()
        before_seen = float(result[4]) if result[4] is not None else None
        return Counts(result[2], result[3], before_seen), Counts(result[7], result[8], now)

    def beat(self, user_id: int, conn: str, *, away: bool, now: float, ttl: float) -> tuple[Counts, Counts]:
        return self._change(user_id, conn, now=now, ttl=ttl, mode="away" if away else "active")

    def leave(self, user_id: int, conn: str, *, now: float, ttl: float) -> tuple[Counts, Counts]:
        return self._change(user_id, conn, now=now, ttl=ttl, mode="leave")

    def read(self, user_ids: list[int], *, now: float, ttl: float) -> dict[int, Counts]:
        if not user_ids:
            return {}
        fresh = f"({now - ttl}"  # exclusive: a heartbeat exactly ttl old is dead, as on writes
        pipe = self.client.pipeline(transaction=False)
        for user_id in user_ids:
            live, away, seen = self._keys(user_id)
            pipe.zcount(live, fresh, "+inf")
            pipe.zcount(away, fresh, "+inf")
            pipe.get(seen)
        result = pipe.execute()
        counts = {}
        for index, user_id in enumerate(user_ids):
            live_n, away_n, seen = result[3 * index : 3 * index + 3]
            counts[user_id] = Counts(live_n, away_n, float(seen) if seen is not None else None)
        return counts

    def _place_key(self, place: str) -> str:
        return f"{self.prefix}:presence:place:{place}"

    def place_beat(self, place: str, conn: str, *, now: float, ttl: float) -> None:
        key = self._place_key(place)
        pipe = self.client.pipeline(transaction=True)
        pipe.zremrangebyscore(key, "-inf", now - ttl)
        pipe.zadd(key, {conn: now})
        pipe.expire(key, int(ttl * 2))
        pipe.execute()

    def place_leave(self, place: str, conn: str, *, now: float, ttl: float) -> None:
        self.client.zrem(self._place_key(place), conn)

    def place_read(self, places: list[str], *, now: float, ttl: float) -> dict[str, int]:
        if not places:
            return {}
        pipe = self.client.pipeline(transaction=False)
        for place in places:
            pipe.zcount(self._place_key(place), f"({now - ttl}", "+inf")
        return dict(zip(places, pipe.execute(), strict=True))


# The embedded default's store: a local-memory cache of presence's own, not the default alias,
# whose 300 entries (shared with the page cache) would cull people's entries under load and show
# them offline. Django's local-memory caches keep their data by name in the process.
LOCAL_CACHE_NAME = "platform-presence"
LOCAL_MAX_ENTRIES = 100_000


class LocalStore:
    """The embedded default: one entry per person in a local-memory cache, ``{"conns": {conn:
    (heartbeat, away)}, "seen": t}``, and one per place. The cache is per process, and so is this
    store: right for the embedded default's one process. A lock makes each read-modify-write atomic."""

    _lock = threading.Lock()

    def __init__(self) -> None:
        self.cache = LocMemCache(LOCAL_CACHE_NAME, {"OPTIONS": {"MAX_ENTRIES": LOCAL_MAX_ENTRIES}})

    def clear(self) -> None:
        self.cache.clear()

    @staticmethod
    def _key(user_id: int) -> str:
        return f"presence:{user_id}"

    @staticmethod
    def _counts(entry: Mapping[str, Any] | None, dead: float) -> Counts:
        if not entry:
            return Counts(0, 0, None)
        conns = [away for beat, away in entry["conns"].values() if beat > dead]
        return Counts(len(conns), sum(conns), entry.get("seen"))

    def _change(self, user_id: int, conn: str, *, now: float, ttl: float, away: bool | None) -> tuple[Counts, Counts]:
        dead = now - ttl
        with self._lock:
            entry = self.cache.get(self._key(user_id)) or {"conns": {}, "seen": None}
            before = self._counts(entry, dead)
            conns = {c: v for c, v in entry["conns"].items() if v[0] > dead and c != conn}
            if away is not None:
                conns[conn] = (now, away)
            entry = {"conns": conns, "seen": now}
            self.cache.set(self._key(user_id), entry, timeout=LAST_SEEN_SECONDS)
        return before, self._counts(entry, dead)

    def beat(self, user_id: int, conn: str, *, away: bool, now: float, ttl: float) -> tuple[Counts, Counts]:
        return self._change(user_id, conn, now=now, ttl=ttl, away=away)

    def leave(self, user_id: int, conn: str, *, now: float, ttl: float) -> tuple[Counts, Counts]:
        return self._change(user_id, conn, now=now, ttl=ttl, away=None)

    def read(self, user_ids: list[int], *, now: float, ttl: float) -> dict[int, Counts]:
        found = self.cache.get_many([self._key(user_id) for user_id in user_ids]) if user_ids else {}
        return {user_id: self._counts(found.get(self._key(user_id)), now - ttl) for user_id in user_ids}

    @staticmethod
    def _place_key(place: str) -> str:
        return f"presence:place:{place}"

    def _place_change(self, place: str, conn: str, *, now: float, ttl: float, here: bool) -> None:
        with self._lock:
            conns = {c: t for c, t in (self.cache.get(self._place_key(place)) or {}).items() if t > now - ttl}
            conns.pop(conn, None)
            if here:
                conns[conn] = now
            self.cache.set(self._place_key(place), conns, timeout=int(ttl * 2))

    def place_beat(self, place: str, conn: str, *, now: float, ttl: float) -> None:
        self._place_change(place, conn, now=now, ttl=ttl, here=True)

    def place_leave(self, place: str, conn: str, *, now: float, ttl: float) -> None:
        self._place_change(place, conn, now=now, ttl=ttl, here=False)

    def place_read(self, places: list[str], *, now: float, ttl: float) -> dict[str, int]:
        found = self.cache.get_many([self._place_key(place) for place in places]) if places else {}
        dead = now - ttl
        return {place: sum(t > dead for t in (found.get(self._place_key(place)) or {}).values()) for place in places}


def default_store() -> Store:
    """Redis (django-redis's raw client on the default cache) with REDIS_URL; else local memory."""
    if settings.REDIS_URL:
        from django_redis import get_redis_connection

        prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
        return RedisStore(get_redis_connection("default"), prefix)
    return LocalStore()


def presence_group(user_id: int) -> str:
    """The sockets watching one person's presence, on any process."""
    return f"presence.{user_id}"


CHANGED_EVENT = "presence.changed"


def _pk(user: Any) -> int:
    return int(user) if isinstance(user, int) else int(user.pk)


def visible_ids(viewer: Any, subjects: Iterable[Any]) -> set[int]:
    """The ids among ``subjects`` (users or ids) whose presence ``viewer`` may see.

    Anonymous viewers see nobody's; signed-in ones everyone's that every installed app's
    ``presence_policy`` allows (each policy answers for a whole batch, so a list page costs each
    policy's few queries, not a few per person); one always sees one's own."""
    if not getattr(viewer, "is_authenticated", False):
        return set()
    from apps.core.platform.hooks import registry

    ids = {_pk(subject) for subject in subjects}
    allowed = ids - {viewer.pk}
    for policy in registry().presence_policies:
        if not allowed:
            break
        allowed &= set(policy(viewer, frozenset(allowed)))
    return allowed | (ids & {viewer.pk})


def can_see_presence(viewer: Any, subject: Any) -> bool:
    """Whether ``viewer`` may see ``subject``'s presence (a batch of one of :func:`visible_ids`)."""
    return _pk(subject) in visible_ids(viewer, [subject])


class PresenceService:
    """Heartbeats in, statuses out. ``clock`` and ``ttl`` are parameters so tests can run two
    "processes" with clocks of their own against one store."""

    def __init__(
        self,
        store: Store | None = None,
        *,
        clock: Callable[[], float] = time.time,
        ttl: float = CONNECTION_TTL,
        broadcast: bool = True,
    ) -> None:
        self._store = store
        self.clock = clock
        self.ttl = ttl
        self.broadcast = broadcast

    @property
    def store(self) -> Store:
        # Chosen on first use, not at import: tests change settings, and a process forked
        # from another opens its own Redis connections.
        if self._store is None:
            self._store = default_store()
        return self._store

    def heartbeat(self, user_id: int, conn: str, *, away: bool = False) -> Status:
        """Record that connection ``conn`` of ``user_id`` is alive (and active or away); announce
        a change of the person's state to its watchers. Returns the new status."""
        try:
            before, after = self.store.beat(user_id, conn, away=away, now=self.clock(), ttl=self.ttl)
        except Exception as exc:  # the store is down: the tab goes on, uncounted until it is back
            degraded("presence", exc, without="the presence store")
            return Status(OFFLINE)
        self._announce(user_id, before, after)
        return after.status()

    def disconnect(self, user_id: int, conn: str) -> Status:
        """Forget connection ``conn`` (its socket closed); the person stays online while another
        of their connections lives. Returns the new status."""
        try:
            before, after = self.store.leave(user_id, conn, now=self.clock(), ttl=self.ttl)
        except Exception as exc:  # the store is down: the connection ages out there by itself
            degraded("presence", exc, without="the presence store")
            return Status(OFFLINE)
        self._announce(user_id, before, after)
        return after.status()

    def raw_statuses(self, user_ids: Iterable[int]) -> dict[int, Status]:
        """Statuses with no permission applied, one round trip: for the presence socket, which
        has filtered its watch list already, and for counts that name nobody. With the store
        unreachable: nobody's (an empty answer), counted as degraded; never an error."""
        ids = list(dict.fromkeys(int(i) for i in user_ids))
        try:
            found = self.store.read(ids, now=self.clock(), ttl=self.ttl)
        except Exception as exc:  # the store is down: statuses are unknown, and pages render without them
            degraded("presence", exc, without="the presence store")
            return {}
        return {user_id: counts.status() for user_id, counts in found.items()}

    def statuses(self, viewer: Any, users: Iterable[Any]) -> dict[int, Status]:
        """The statuses of ``users`` (users or ids) that ``viewer`` may see, by user id: one round
        trip to the store plus the policies' few queries, however many users. People whose
        presence is hidden from the viewer are absent from the answer (not "offline")."""
        return self.raw_statuses(visible_ids(viewer, list(users)))

    def status(self, viewer: Any, user: Any) -> Status | None:
        """One person's status as ``viewer`` may see it; None when hidden."""
        return self.statuses(viewer, [user]).get(_pk(user))

    def online_ids(self, user_ids: Iterable[int]) -> set[int]:
        """Which of these people are online or away, permission aside (counts such as "3 of the
        course's instructors online" or a stream's signed-in viewers name no one)."""
        return {uid for uid, status in self.raw_statuses(user_ids).items() if status.state != OFFLINE}

    # Places: connections at a named place ("stream.42"), for counts such as a stream's viewers. The
    # app's own socket beats on connect and every ~25 s, and leaves on disconnect; a connection
    # counts while its beat is younger than the TTL, so a crashed process's viewers age out too.
    # Counted per connection (a tab), anonymous viewers included: a count names nobody, so no
    # policy applies; whether one may be at the place at all is the app's own check.

    def place_heartbeat(self, place: str, conn: str) -> None:
        """Connection ``conn`` is at ``place`` (now, and until its beat ages out)."""
        try:
            self.store.place_beat(place, conn, now=self.clock(), ttl=self.ttl)
        except Exception as exc:  # the store is down: uncounted until it is back
            degraded("presence", exc, without="the presence store")

    def place_leave(self, place: str, conn: str) -> None:
        """Connection ``conn`` left ``place`` (its socket closed)."""
        try:
            self.store.place_leave(place, conn, now=self.clock(), ttl=self.ttl)
        except Exception as exc:  # the store is down: the connection ages out there by itself
            degraded("presence", exc, without="the presence store")

    def place_counts(self, places: Iterable[str]) -> dict[str, int]:
        """How many connections are at each place, one round trip; empty with the store down."""
        names = list(dict.fromkeys(places))
        try:
            return self.store.place_read(names, now=self.clock(), ttl=self.ttl)
        except Exception as exc:
            degraded("presence", exc, without="the presence store")
            return {}

    def _announce(self, user_id: int, before: Counts, after: Counts) -> None:
        if not self.broadcast or before.state == after.state:
            return
        layer = get_channel_layer()
        if layer is None:
            return
        message = {"type": CHANGED_EVENT, "user_id": user_id, "status": after.status().as_json()}
        try:
            async_to_sync(layer.group_send)(presence_group(user_id), message)
        except Exception as exc:  # the layer is down: the state is stored, watchers see it on their next poll
            degraded("broadcast", exc, without="the channel layer")


_service = PresenceService()


def service() -> PresenceService:
    """The process's presence service (the store chosen by the settings on first use)."""
    return _service


def reset_local() -> None:
    """Forget everything the embedded default's store holds in this process (tests; with Redis,
    the suite's flush empties it)."""
    LocalStore().clear()


def statuses(viewer: Any, users: Iterable[Any]) -> dict[int, Status]:
    """``service().statuses(viewer, users)``: the statuses the viewer may see, one round trip."""
    return _service.statuses(viewer, users)


def status(viewer: Any, user: Any) -> Status | None:
    """``service().status(viewer, user)``: one person's status, or None when hidden from the viewer."""
    return _service.status(viewer, user)


def online_ids(user_ids: Iterable[int]) -> set[int]:
    """``service().online_ids(user_ids)``: who of these is online or away, permission aside."""
    return _service.online_ids(user_ids)


def place_counts(places: Iterable[str]) -> dict[str, int]:
    """``service().place_counts(places)``: live connections at each place (a stream's viewers)."""
    return _service.place_counts(places)
