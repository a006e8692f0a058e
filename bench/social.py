"""Issue 15's social network figures for `make bench` (`python -m bench.social`, in the bench's
environment; bench/run.py runs it after the page targets). Three parts, each selectable by name
(``--only`` of bench/run.py matches these names):

- **social fan-out**: one account with ``--followers`` (5,000) followers, each with a stored home
  timeline (as after their first read); ``--workers`` (2) real Celery worker processes on the
  ``fanout`` queue. A post published through ``post_create`` (the real service: its transaction,
  its on-commit task) and the store polled until every follower's home timeline holds it; then
  deleted through ``post_delete``, every follower's home read through ``home_timeline`` (none may
  show it) and the store polled until the removal tasks took it out of every timeline. Needs a
  shared timeline store (REDIS_URL): the embedded store is one process's memory, which a
  worker's writes never reach.
- **social home reads (push vs pull)**: a reader following 100 accounts with ``--sizes`` (200,
  2,000, 20,000) posts in total, in a table where those posts are a minority (as in a real
  network). *Push*: the first page through ``home_timeline`` (the stored sorted set, then one
  hydration query). *Pull*: the same page from one SQL query over the reader's follows ordered
  by time, hydrated and filtered the same way. Median of ``--repeats`` warm reads each, and the
  ratio pull ÷ push per size (goal: >= 3 at the largest, push flat in size).
- **social DM delivery**: a production-mode daphne on the Redis channel layer (REDIS_URL
  required, else skipped) and ``--sockets`` (10, then 1,000) websockets signed in with session
  cookies, one per member of group conversations of ``--group`` (10); ``--messages`` sent over
  the sockets (``message.send``, the consumer's real path) at ``--rate`` per second, each timed
  from the send to its ``message.new`` at every other member's socket (p50, p99) and counted
  lost if it never arrives.

Prints one JSON line (``--prepare``: the address and session of the home timeline page target).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import resource
import shlex
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = "social.bench.invalid"
PARTS = {
    "fanout": "social fan-out",
    "reads": "social home reads (push vs pull)",
    "dm": "social DM delivery",
}
SECTION = "social"  # bench/RESULTS.md's <!-- social:start ... --> section

# Goals (issue 15's acceptance 3 and 5).
FANOUT_GOAL_SECONDS = 2.0
PUSH_OVER_PULL_GOAL = 3.0
PUSH_FLAT_GOAL = 1.5  # push's median at the largest size at most this times its median at the smallest
DM_P99_GOAL_MS = 150.0
DM_P99_GROWTH_GOAL = 5.0
READ_AUTHORS = 100  # accounts a push-vs-pull reader follows


def selected_parts(only: str | None) -> list[str]:
    """The parts whose name contains ``only`` (all of them without it), in order."""
    return [key for key, name in PARTS.items() if not only or only.lower() in name.lower()]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def wait_for(predicate: Callable[[], bool], timeout: float, interval: float = 0.01) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


# --- Seeding (bulk, idempotent: a second run reuses what the first made) ---------------------


def bulk_users(prefix: str, count: int) -> list[int]:
    """``count`` active accounts ``<prefix>-NNNNN@social.bench.invalid`` with a social profile
    (handle ``<prefix>_N``) and no usable password, made with bulk inserts; their ids in order."""
    from django.contrib.auth.hashers import make_password

    from apps.core.models import User
    from apps.social.models import Profile

    emails = [f"{prefix}-{i:05d}@{DOMAIN}" for i in range(count)]
    have = dict(User.objects.filter(email__in=emails).values_list("email", "pk"))
    unusable = make_password(None)
    missing = [
        User(email=e, display_name=f"{prefix} {i}", password=unusable) for i, e in enumerate(emails) if e not in have
    ]
    User.objects.bulk_create(missing, batch_size=1000)
    if missing:
        have = dict(User.objects.filter(email__in=emails).values_list("email", "pk"))
    ids = [have[e] for e in emails]
    with_profile = set(Profile.objects.filter(user_id__in=ids).values_list("user_id", flat=True))
    profiles = [Profile(user_id=pk, handle=f"{prefix}_{i}") for i, pk in enumerate(ids) if pk not in with_profile]
    Profile.objects.bulk_create(profiles, batch_size=1000, ignore_conflicts=True)
    return ids


def bulk_follow(follower_ids: list[int], followee_ids: list[int]) -> None:
    from apps.social.models import Follow

    rows = [Follow(follower_id=f, followee_id=e) for f in follower_ids for e in followee_ids if f != e]
    Follow.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)


def sessions_for(user_ids: list[int]) -> dict[int, str]:
    """A signed-in session for each account, as ``login()`` leaves it (the consumer's
    AuthMiddlewareStack and every page read it from the cookie): {user id: session key}."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils.module_loading import import_string

    from apps.core.models import User

    store_class = import_string(f"{settings.SESSION_ENGINE}.SessionStore")
    keys = {}
    for user in User.objects.filter(pk__in=user_ids):
        store = store_class()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        keys[user.pk] = str(store.session_key)
    return keys


def session_for(user_id: int) -> str:
    return sessions_for([user_id])[user_id]


# --- Push vs pull -----------------------------------------------------------------------------


def reads_seed(sizes: list[int], *, noise: int | None = None) -> dict[int, int]:
    """One reader per size, following READ_AUTHORS accounts with ``size`` posts in total, and
    ``noise`` (twice the largest size) posts by accounts nobody of them follows, all interleaved
    in time in one shuffled stream: each reader's followed posts are a minority of the table and
    spread over the same span, as in a network. Returns {size: reader id}."""
    from django.utils import timezone

    from apps.social.models import Post

    noise = 2 * max(sizes) if noise is None else noise
    readers: dict[int, int] = {}
    authors: dict[int, list[int]] = {}
    for size in sizes:
        readers[size] = bulk_users(f"rd{size}r", 1)[0]
        authors[size] = bulk_users(f"rd{size}a", READ_AUTHORS)
        bulk_follow([readers[size]], authors[size])
    crowd = bulk_users("rdcrowd", READ_AUTHORS)
    stream: list[int] = []
    for size in sizes:
        have = Post.objects.filter(author_id__in=authors[size]).count()
        stream += [authors[size][i % READ_AUTHORS] for i in range(have, size)]
    have = Post.objects.filter(author_id__in=crowd).count()
    stream += [crowd[i % READ_AUTHORS] for i in range(have, noise)]
    random.Random(15).shuffle(stream)
    start = timezone.now() - timedelta(seconds=len(stream))
    rows = [
        Post(
            author_id=a, text=f"Bench post {k}", html=f"<p>Bench post {k}</p>", created_at=start + timedelta(seconds=k)
        )
        for k, a in enumerate(stream)
    ]
    Post.objects.bulk_create(rows, batch_size=2000)
    return readers


def pull_page(reader: Any, *, limit: int | None = None) -> list[Any]:
    """The first page of ``reader``'s home as a pull system reads it: one SQL query over their
    follows ordered by time (their own posts and those fan-out's rule gives them), then hydrated
    and filtered as the real read does (reads._hydrate, reads._visible_to)."""
    from django.db.models import Q

    from apps.social.models import Follow, Mention, Post
    from apps.social.timelines import reads
    from apps.social.timelines.fanout import FOLLOWER_VISIBILITIES

    limit = limit or reads.PAGE_SIZE
    follows = Follow.objects.filter(follower_id=reader.pk, state=Follow.State.ACCEPTED).values("followee_id")
    ids = list(
        Post.objects.filter(deleted_at__isnull=True)
        .filter(
            Q(author_id=reader.pk)
            | Q(author_id__in=follows, visibility__in=FOLLOWER_VISIBILITIES)
            | Q(author_id__in=follows, id__in=Mention.objects.filter(user_id=reader.pk).values("post_id"))
        )
        .order_by("-created_at", "-id")
        .values_list("id", flat=True)[: limit * reads.OVERFETCH]
    )
    return reads._visible_to(reader, reads._hydrate(ids, reader), home=True)[:limit]


def push_page(reader: Any) -> list[Any]:
    from apps.social.timelines import home_timeline

    return home_timeline(reader).posts


def _timed(read: Callable[[], list[Any]], repeats: int) -> tuple[list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        read()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        read()
        times.append((time.perf_counter() - started) * 1000)
    return times, len(captured)


def measure_reads(sizes: list[int], *, repeats: int, noise: int | None = None) -> dict[str, Any]:
    """Push and pull's first page per size: median and p90 of ``repeats`` warm reads, queries
    of one read, the ratio pull ÷ push; and whether the goals hold."""
    from apps.core.models import User
    from apps.social.timelines import home_key, timeline_store

    readers = reads_seed(sizes, noise=noise)
    rows = []
    for size in sizes:
        reader = User.objects.get(pk=readers[size])
        timeline_store().delete(home_key(reader.pk))
        push_ids = [p.pk for p in push_page(reader)]  # cold: rebuilt from SQL, as a first visit
        pull_ids = [p.pk for p in pull_page(reader)]
        if push_ids != pull_ids:
            raise RuntimeError(f"push and pull disagree at {size} posts: {push_ids[:5]} vs {pull_ids[:5]}")
        for _ in range(3):  # warm both (connections, caches of relations and hot accounts)
            push_page(reader), pull_page(reader)
        push, push_queries = _timed(lambda r=reader: push_page(r), repeats)
        pull, pull_queries = _timed(lambda r=reader: pull_page(r), repeats)
        row = {
            "size": size,
            "page": len(push_ids),
            "push_ms": statistics.median(push),
            "push_p90_ms": percentile(push, 0.9),
            "push_queries": push_queries,
            "pull_ms": statistics.median(pull),
            "pull_p90_ms": percentile(pull, 0.9),
            "pull_queries": pull_queries,
        }
        row["ratio"] = row["pull_ms"] / row["push_ms"] if row["push_ms"] else 0.0
        rows.append(row)
    largest, smallest = rows[-1], rows[0]
    flat = largest["push_ms"] / smallest["push_ms"] if smallest["push_ms"] else 0.0
    return {
        "rows": rows,
        "repeats": repeats,
        "authors": READ_AUTHORS,
        "noise": 2 * max(sizes) if noise is None else noise,
        "push_growth": flat,
        "passed": bool(largest["ratio"] >= PUSH_OVER_PULL_GOAL and flat <= PUSH_FLAT_GOAL),
    }


def prepare_home(sizes: list[int]) -> dict[str, str]:
    """The home timeline page target of bench/run.py: the reader of the largest size, signed in.
    Every size is seeded now, in one stream (seeded later, a size's posts would all be newer
    than the rest, the top of the table, which a pull query finds at once)."""
    from django.urls import reverse

    readers = reads_seed(sizes)
    return {"social_home": reverse("social:home"), "social_home_session": session_for(readers[max(sizes)])}


# --- Fan-out ----------------------------------------------------------------------------------


def fanout_seed(followers: int) -> tuple[int, list[int]]:
    """The author and ``followers`` followers (only of them), each follower's home timeline
    stored as their first read leaves it (the author's earlier bench posts are all deleted)."""
    from django.utils import timezone

    from apps.social.models import Post
    from apps.social.timelines import home_key, timeline_store
    from apps.social.timelines.reads import fanned_out_posts

    author = bulk_users("fanauthor", 1)[0]
    follower_ids = bulk_users("fan", followers)
    bulk_follow(follower_ids, [author])
    Post.objects.filter(author_id=author, deleted_at__isnull=True).update(deleted_at=timezone.now())  # a failed run's
    # What each follower's rebuild stores (the same for all: they follow only the author, and
    # no bench post mentions anyone), written straight to each timeline.
    ids = list(fanned_out_posts(follower_ids[0], [author]).values_list("id", flat=True)[:20])
    store = timeline_store()
    for follower in follower_ids:
        store.replace(home_key(follower), ids)
    return author, follower_ids


def holding(keys: list[str], post_id: int) -> int:
    """How many of these stored timelines hold ``post_id``: one pipelined round trip on Redis."""
    from apps.social.timelines import timeline_store
    from apps.social.timelines.store import uses_redis

    if uses_redis():
        from django.core.cache import cache
        from django_redis import get_redis_connection

        redis = get_redis_connection("default")
        with redis.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.zscore(cache.make_key(key), str(post_id))
            return sum(score is not None for score in pipe.execute())
    store = timeline_store()
    return sum(store.range(key, max_id=post_id + 1, min_id=post_id - 1, limit=1) == [post_id] for key in keys)


def measure_fanout(author_id: int, follower_ids: list[int], *, timeout: float = 60.0) -> dict[str, Any]:
    """Publish through the post service, poll until every follower's stored home holds the
    post; delete it through the service, read every follower's home, poll until the stored
    timelines dropped it. Workers must already consume the ``fanout`` queue."""
    from apps.core.models import User
    from apps.social.services.posts import post_create, post_delete
    from apps.social.timelines import home_key, home_timeline

    author = User.objects.get(pk=author_id)
    keys = [home_key(pk) for pk in follower_ids]
    started = time.monotonic()
    post = post_create(author=author, text=f"Fan-out bench {uuid.uuid4().hex[:8]}")
    committed = time.monotonic()
    reached = wait_for(lambda: holding(keys, post.pk) == len(keys), timeout)
    delivered = time.monotonic()
    held = holding(keys, post.pk)

    post_delete(actor=author, post=post)
    removed = time.monotonic()
    # The removal tasks' progress is watched from a thread while this one reads every home
    # right away (the reads must not wait for the purge: the read-time filter is under test).
    purge: dict[str, Any] = {}

    def watch_purge() -> None:
        purge["done"] = wait_for(lambda: holding(keys, post.pk) == 0, timeout, interval=0.05)
        purge["at"] = time.monotonic()

    watcher = threading.Thread(target=watch_purge)
    watcher.start()
    users = User.objects.filter(pk__in=follower_ids)
    shown = sum(post.pk in {p.pk for p in home_timeline(user).posts} for user in users.iterator(chunk_size=500))
    read_all = time.monotonic()
    watcher.join()
    purged, purged_at = purge["done"], purge["at"]
    seconds = delivered - started
    return {
        "followers": len(follower_ids),
        "post_id": post.pk,
        "publish_seconds": committed - started,
        "seconds": seconds,
        "reached": held,
        "all_reached": reached,
        "deleted_shown_in_reads": shown,
        "reads": len(follower_ids),
        "reads_seconds": read_all - removed,
        "purge_seconds": purged_at - removed,
        "all_purged": purged,
        "passed": bool(reached and seconds <= FANOUT_GOAL_SECONDS and shown == 0),
    }


@contextlib.contextmanager
def fanout_workers(prefixes: list[list[str]], log_dir: Path, commands: list[str]) -> Iterator[None]:
    """One real worker process per prefix (`celery -A config worker -P solo`, the ``fanout``
    queue only), each with its own node name; yields once every one answers a ping."""
    from config.celery import app

    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge("fanout")
    token = uuid.uuid4().hex[:6]
    names = [f"fanout{i + 1}-{token}@bench" for i in range(len(prefixes))]
    processes = []
    try:
        for name, prefix in zip(names, prefixes, strict=True):
            args = ["-m", "celery", "-A", "config", "worker", "-P", "solo", "-c", "1", "-l", "WARNING", "-n", name]
            args += ["--without-gossip", "--without-mingle", "--without-heartbeat", "-Q", "fanout"]
            commands.append(shlex.join([*prefix, "python", *args]))
            with open(log_dir / f"worker-{name.split('@')[0]}.log", "wb") as log:
                processes.append(subprocess.Popen([*prefix, sys.executable, *args], cwd=ROOT, stdout=log, stderr=log))

        def ready() -> bool:
            if any(p.poll() is not None for p in processes):
                sys.exit(f"bench.social: a fan-out worker exited; see {log_dir}/worker-fanout*.log")
            answered = {name for reply in app.control.ping(destination=names, timeout=0.5) for name in reply}
            return answered >= set(names)

        if not wait_for(ready, 60, interval=0.2):
            sys.exit("bench.social: the fan-out workers did not answer within 60 s")
        yield
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


# --- DM delivery ------------------------------------------------------------------------------


def dm_seed(sockets: int, group: int) -> list[list[int]]:
    """``sockets // group`` conversations of ``group`` accepted members each (bench accounts
    ``dm-NNNNN``, one conversation per ``group`` of them: one-to-one conversations when ``group``
    is 2, groups otherwise); [conversation id, member ids...] each."""
    from apps.social.models import Conversation, Participant
    from apps.social.models.messages import pair_key

    members = bulk_users("dm", sockets)
    groups = [members[i : i + group] for i in range(0, sockets - sockets % group, group)]
    titles = [f"DM bench {i:04d} of {group}" for i in range(len(groups))]
    have = dict(Conversation.objects.filter(title__in=titles).values_list("title", "pk"))

    def conversation(title: str, people: list[int]) -> Conversation:
        if group == 2:  # a one-to-one conversation is found by its pair (the title only finds it here)
            return Conversation(is_group=False, title=title, created_by_id=people[0], pair_key=pair_key(*people))
        return Conversation(is_group=True, title=title, created_by_id=people[0])

    new = [conversation(t, g) for t, g in zip(titles, groups, strict=True) if t not in have]
    Conversation.objects.bulk_create(new)
    have = dict(Conversation.objects.filter(title__in=titles).values_list("title", "pk"))
    rows = [Participant(conversation_id=have[t], user_id=u) for t, g in zip(titles, groups, strict=True) for u in g]
    Participant.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    Participant.objects.filter(conversation_id__in=have.values()).update(left_at=None, state=Participant.State.ACCEPTED)
    return [[have[t], *g] for t, g in zip(titles, groups, strict=True)]


def raise_open_files(want: int) -> int:
    """Raise this process's (and its children's) open-file limit toward ``want``; the limit now."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = want if hard == resource.RLIM_INFINITY else min(want, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


async def dm_run(
    base: str,
    conversations: list[list[int]],
    sessions: dict[int, str],
    *,
    messages: int,
    rate: float,
    drain: float = 10.0,
) -> dict[str, Any]:
    """Open one socket per member, send ``messages`` round-robin over the conversations (each
    from the next member in turn) at ``rate`` per second, and time each ``message.new`` at every
    other member's socket from its send."""
    import websockets

    ws_base = base.replace("http://", "ws://", 1)
    sockets: dict[tuple[int, int], Any] = {}
    sent_at: dict[str, float] = {}
    nonce_of: dict[int, str] = {}  # message id -> nonce (from message.sent)
    heard: dict[int, dict[int, float]] = {}  # message id -> {user id: when}
    errors: list[str] = []
    limit = asyncio.Semaphore(20)
    retried: list[str] = []

    async def open_one(conversation: int, user: int) -> None:
        # daphne drops a handshake its application has not accepted within 5 s: on a busy
        # machine a few of a thousand opens meet that, so each may try three times.
        for attempt in range(3):
            try:
                async with limit:
                    socket = await websockets.connect(
                        f"{ws_base}/ws/social/messages/{conversation}/",
                        additional_headers={"Cookie": f"sessionid={sessions[user]}"},
                        origin=base,
                        open_timeout=30,
                        ping_interval=None,
                    )
                break
            except (OSError, websockets.InvalidHandshake, TimeoutError) as exc:
                if attempt == 2:
                    raise
                retried.append(repr(exc))
                await asyncio.sleep(0.5)
        sockets[(conversation, user)] = socket

    opened = time.monotonic()
    await asyncio.gather(*(open_one(c[0], u) for c in conversations for u in c[1:]))
    open_seconds = time.monotonic() - opened

    async def listen(user: int, socket: Any) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for raw in socket:
                now = time.perf_counter()
                event = json.loads(raw)
                if event.get("type") == "message.new":
                    heard.setdefault(event["message_id"], {})[user] = now
                elif event.get("type") == "message.sent":
                    nonce_of[event["message_id"]] = event["nonce"]
                elif event.get("type") == "error":
                    errors.append(str(event.get("message")))

    listeners = [asyncio.create_task(listen(user, s)) for (_, user), s in sockets.items()]
    plan = []
    for k in range(messages):
        conversation = conversations[k % len(conversations)]
        sender = conversation[1:][(k // len(conversations)) % (len(conversation) - 1)]
        plan.append((conversation, sender))
    began = time.perf_counter()
    for k, (conversation, sender) in enumerate(plan):
        due = began + k / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        nonce = f"b{k}"
        sent_at[nonce] = time.perf_counter()
        await sockets[(conversation[0], sender)].send(
            json.dumps({"type": "message.send", "body": f"bench {k}", "nonce": nonce})
        )

    members = {c[0]: c[1:] for c in conversations}
    senders = {f"b{k}": (c[0], s) for k, (c, s) in enumerate(plan)}

    def expected() -> list[tuple[int, str, int]]:
        ids = {nonce: mid for mid, nonce in nonce_of.items()}
        return [
            (ids[nonce], nonce, user)
            for nonce, (conversation, sender) in senders.items()
            if nonce in ids
            for user in members[conversation]
            if user != sender
        ]

    def complete() -> bool:
        want = expected()
        return len(nonce_of) == messages and all(user in heard.get(mid, {}) for mid, _, user in want)

    deadline = time.monotonic() + drain
    while not complete() and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    latencies = [
        (heard[mid][user] - sent_at[nonce]) * 1000 for mid, nonce, user in expected() if user in heard.get(mid, {})
    ]
    want = expected()
    unsent = messages - len(nonce_of)
    lost = (len(want) - len(latencies)) + unsent * (len(conversations[0]) - 2)
    for socket in sockets.values():
        await socket.close()
    for task in listeners:
        task.cancel()
    await asyncio.gather(*listeners, return_exceptions=True)
    return {
        "sockets": len(sockets),
        "conversations": len(conversations),
        "messages": messages,
        "rate": rate,
        "deliveries": len(latencies),
        "lost": lost,
        "unsent": unsent,
        "errors": errors[:5],
        "open_seconds": open_seconds,
        "open_retries": len(retried),
        "p50_ms": percentile(latencies, 0.5) if latencies else None,
        "p99_ms": percentile(latencies, 0.99) if latencies else None,
        "max_ms": max(latencies) if latencies else None,
    }


def measure_dm_at(base: str, sockets: int, *, group: int, messages: int, rate: float) -> dict[str, Any]:
    conversations = dm_seed(sockets, group)
    sessions = sessions_for([user for c in conversations for user in c[1:]])
    return asyncio.run(dm_run(base, conversations, sessions, messages=messages, rate=rate))


def dm_verdict(rows: list[dict[str, Any]]) -> dict[str, Any]:
    small, large = rows[0], rows[-1]
    growth = (large["p99_ms"] or 0) / small["p99_ms"] if small.get("p99_ms") else None
    passed = bool(
        all(r["lost"] == 0 and r["p99_ms"] is not None for r in rows)
        and (large["p99_ms"] or 0) < DM_P99_GOAL_MS
        and growth is not None
        and growth <= DM_P99_GROWTH_GOAL
    )
    return {"rows": rows, "p99_growth": growth, "passed": passed}


# --- Results ----------------------------------------------------------------------------------


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def render_section(data: dict[str, Any], *, header: list[str]) -> str:
    """The social section of bench/RESULTS.md (kept by `make bench` runs that skip it)."""
    verdict = {True: "pass", False: "FAIL"}
    lines = [
        f"<!-- {SECTION}:start (written by make bench: bench/social.py) -->",
        "## Social network (issue 15)",
        "",
        *header,
        "",
    ]
    fanout = data.get("fanout")
    if fanout and "skipped" in fanout:
        lines += [f"**Fan-out**: skipped: {fanout['skipped']}", ""]
    elif fanout:
        lines += [
            f"**Fan-out** ({fanout['workers']} worker processes on the `fanout` queue, {fanout['broker']} broker, "
            f"batches of {fanout['batch']}):",
            "",
            "| figure | value | goal | result |",
            "| --- | ---: | ---: | --- |",
            f"| post by an account with {fanout['followers']:,} followers in every home timeline "
            f"(from `post_create`; the service itself {fanout['publish_seconds'] * 1000:.0f} ms) | "
            f"{fanout['seconds']:.2f} s ({fanout['reached']:,} of {fanout['followers']:,}) | "
            f"≤ {FANOUT_GOAL_SECONDS:g} s | "
            f"{verdict[fanout['all_reached'] and fanout['seconds'] <= FANOUT_GOAL_SECONDS]} |",
            f"| deleted post shown by home reads (every follower's `home_timeline`, {fanout['reads_seconds']:.1f} s "
            f"for all) | {fanout['deleted_shown_in_reads']} of {fanout['reads']:,} | 0 | "
            f"{verdict[fanout['deleted_shown_in_reads'] == 0]} |",
            f"| deleted post out of every stored timeline (the removal tasks) | {fanout['purge_seconds']:.2f} s | — | "
            f"{'done' if fanout['all_purged'] else 'NOT DONE'} |",
            "",
        ]
    reads = data.get("reads")
    if reads:
        lines += [
            f"**Home timeline, first page: push (stored timeline + one hydration query) vs pull (one SQL query "
            f"over follows)**, median of {reads['repeats']} warm reads in one process; the reader follows "
            f"{reads['authors']} accounts, {reads['noise']:,} other posts in the table:",
            "",
            "| followed posts | push ms (p90) | push queries | pull ms (p90) | pull queries | pull ÷ push |",
            "| ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for row in reads["rows"]:
            lines.append(
                f"| {row['size']:,} | {row['push_ms']:.2f} ({row['push_p90_ms']:.2f}) | {row['push_queries']} | "
                f"{row['pull_ms']:.2f} ({row['pull_p90_ms']:.2f}) | {row['pull_queries']} | {row['ratio']:.1f}x |"
            )
        lines += [
            "",
            f"Goal: pull ÷ push ≥ {PUSH_OVER_PULL_GOAL:g} at the largest size and push flat (largest ÷ smallest "
            f"≤ {PUSH_FLAT_GOAL:g}; measured {reads['push_growth']:.2f}): **{verdict[reads['passed']]}**.",
            "",
        ]
    dm = data.get("dm")
    if dm and "skipped" in dm:
        lines += [f"**DM delivery**: skipped: {dm['skipped']}", ""]
    elif dm:
        lines += [
            "**DM delivery** (one daphne process, Redis channel layer; "
            + ("one-to-one conversations" if dm["group"] == 2 else f"groups of {dm['group']}")
            + ", sent over the sender's socket → `message.new` at each other member's socket):",
            "",
            "| open sockets | opened in s (retries) | conversations | messages (rate/s) | deliveries | lost "
            "| p50 ms | p99 ms | max ms |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for row in dm["rows"]:
            lines.append(
                f"| {row['sockets']:,} | {row['open_seconds']:.1f} ({row.get('open_retries', 0)}) | "
                f"{row['conversations']} | {row['messages']} ({row['rate']:g}) | "
                f"{row['deliveries']:,} | {row['lost']} | {_ms(row['p50_ms'])} | {_ms(row['p99_ms'])} | "
                f"{_ms(row['max_ms'])} |"
            )
        growth = "—" if dm["p99_growth"] is None else f"{dm['p99_growth']:.2f}"
        lines += [
            "",
            f"Goal: p99 < {DM_P99_GOAL_MS:g} ms, 0 lost, p99 at the most sockets ≤ {DM_P99_GROWTH_GOAL:g}x p99 at "
            f"the fewest (measured {growth}x): **{verdict[dm['passed']]}**.",
            "",
        ]
    lines += ["```sh", *data.get("commands", []), "```", f"<!-- {SECTION}:end -->"]
    return "\n".join(lines)


_SECTION_RE = re.compile(rf"<!-- {SECTION}:start\b.*?<!-- {SECTION}:end -->", re.DOTALL)


def write_section(markdown: Path, section: str) -> None:
    """Replace the social section of ``markdown`` (append it when missing); the rest stays."""
    text = markdown.read_text() if markdown.exists() else ""
    if _SECTION_RE.search(text):
        text = _SECTION_RE.sub(lambda _: section, text, count=1)
    else:
        text = text.rstrip("\n") + ("\n\n" if text else "") + section + "\n"
    markdown.write_text(text)


def summary(data: dict[str, Any]) -> str:
    """The terminal's lines for the social figures."""
    lines = []
    fanout, reads, dm = data.get("fanout"), data.get("reads"), data.get("dm")
    if fanout:
        lines.append(
            f"fan-out: skipped ({fanout['skipped']})"
            if "skipped" in fanout
            else f"fan-out: {fanout['reached']} of {fanout['followers']} home timelines in {fanout['seconds']:.2f} s; "
            f"deleted post shown by {fanout['deleted_shown_in_reads']} reads"
        )
    if reads:
        cells = ", ".join(
            f"{r['size']}: push {r['push_ms']:.2f} ms pull {r['pull_ms']:.2f} ms ({r['ratio']:.1f}x)"
            for r in reads["rows"]
        )
        lines.append(f"home reads: {cells}")
    if dm:
        if "skipped" in dm:
            lines.append(f"DM delivery: skipped ({dm['skipped']})")
        else:
            cells = ", ".join(
                f"{r['sockets']} sockets: p50 {_ms(r['p50_ms'])} ms p99 {_ms(r['p99_ms'])} ms lost {r['lost']}"
                for r in dm["rows"]
            )
            lines.append(f"DM delivery: {cells}")
    return "\n".join(lines)


# --- Main ---------------------------------------------------------------------------------------


def _ints(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="issue 15's social network figures for make bench")
    parser.add_argument("--parts", default=",".join(PARTS), help="comma-separated: " + ", ".join(PARTS))
    parser.add_argument("--prepare", action="store_true", help="seed the home page target; print its address")
    parser.add_argument("--followers", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sizes", type=_ints, default=[200, 2000, 20000])
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--sockets", type=_ints, default=[10, 1000])
    parser.add_argument("--group", type=int, default=2, help="members a conversation (2: one-to-one)")
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--rate", type=float, default=10.0, help="messages per second")
    parser.add_argument(
        "--server-prefix", default="", help="command prefix for daphne and workers, e.g. 'taskset -c 1'"
    )
    parser.add_argument("--other-prefix", default="", help="the second fan-out worker's prefix, e.g. 'taskset -c 0'")
    return parser.parse_args(argv)


def run_fanout(args: argparse.Namespace, commands: list[str]) -> dict[str, Any]:
    from django.conf import settings

    from apps.social.timelines.fanout import fanout_batch_size
    from apps.social.timelines.store import uses_redis

    if not uses_redis():
        return {
            "skipped": "needs REDIS_URL: the embedded timeline store is each process's own memory, which a "
            "worker's fan-out never reaches (reads there top up from SQL instead)"
        }
    author, followers = fanout_seed(args.followers)
    prefixes = [shlex.split(args.server_prefix), shlex.split(args.other_prefix or args.server_prefix)]
    prefixes = (prefixes * args.workers)[: args.workers]
    with fanout_workers(prefixes, Path(settings.VAR_DIR), commands):
        result = measure_fanout(author, followers)
    broker = settings.CELERY_BROKER_URL.split("://", 1)[0]
    return {**result, "workers": args.workers, "broker": broker, "batch": fanout_batch_size()}


def run_dm(args: argparse.Namespace, commands: list[str]) -> dict[str, Any]:
    from django.conf import settings

    from bench import run

    if not os.environ.get("REDIS_URL"):
        return {"skipped": "needs REDIS_URL: the delivery is measured on the Redis channel layer"}
    limit = raise_open_files(max(args.sockets) * 2 + 1024)
    rows = []
    env = dict(os.environ)
    with run.server(env, shlex.split(args.server_prefix), Path(settings.VAR_DIR) / "social-server.log", commands) as (
        base,
        _pid,
    ):
        # A fresh server's first sends pay for its imports and connections (seconds): a few
        # unmeasured ones first, on the smallest set of sockets.
        warm = min(args.sockets)
        measure_dm_at(base, warm, group=args.group, messages=min(10, args.messages), rate=min(5.0, args.rate))
        for sockets in args.sockets:
            rows.append(measure_dm_at(base, sockets, group=args.group, messages=args.messages, rate=args.rate))
    return {**dm_verdict(rows), "group": args.group, "open_files": limit}


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    if args.prepare:
        print(json.dumps(prepare_home(args.sizes)))
        return
    parts = [part for part in args.parts.split(",") if part]
    commands: list[str] = []
    report: dict[str, Any] = {"parts": parts}
    runs = {
        "fanout": lambda: run_fanout(args, commands),
        "reads": lambda: measure_reads(args.sizes, repeats=args.repeats),
        "dm": lambda: run_dm(args, commands),
    }
    for part in parts:
        started = time.monotonic()
        print(f"{PARTS[part]} ...", file=sys.stderr, flush=True)
        report[part] = runs[part]()
        # Progress on stderr (stdout's last line is the report): the part's figures as they come.
        line = summary({part: report[part]})
        print(f"  {line} ({time.monotonic() - started:.0f} s)", file=sys.stderr, flush=True)
    report["commands"] = commands
    print(json.dumps(report))


if __name__ == "__main__":
    main()
