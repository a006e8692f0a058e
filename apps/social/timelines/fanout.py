"""Fan-out on write: a published post's id goes into the home timeline of each follower, in
batches, by Celery tasks on the ``fanout`` queue (apps/social/tasks.py calls these).

An account with more than ``SOCIAL_FANOUT_MAX_FOLLOWERS`` followers (a "hot" account) is not
fanned out: writing one post into a million timelines costs more than reading it at each of
their reads, so its posts are merged in from SQL when a follower reads (reads.py), as Twitter's
and Mastodon's hybrid timelines do. Only timelines that exist are written (a missing one is cold
and is rebuilt from SQL on its next read, with the post in it): the rule of who gets a post here
and the rebuild's rule in reads.py are the same rule, so a rebuilt timeline equals a fanned-out
one. Every step is idempotent (a sorted set holds an id once), so a task that runs twice is safe.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.conf import settings
from django.db import transaction
from django.db.models import Count

from apps.core.platform import degraded, pagecache
from apps.social import realtime_timelines
from apps.social.models import Follow, Mention, Post
from apps.social.timelines.store import timeline_cap, timeline_store

# The page cache's namespace of the network's fragments (the hot accounts).
PAGECACHE_NAMESPACE = "social"
# Celery's queue for timeline work (docs/architecture.md, "Background work").
QUEUE = "fanout"
# Visibilities a follower's home receives by fan-out (a "mentioned" post reaches only the
# followers it mentions; an "audience" post only its author's own timeline).
FOLLOWER_VISIBILITIES = (Post.Visibility.PUBLIC, Post.Visibility.FOLLOWERS)


def home_key(user_id: int) -> str:
    return f"social:tl:home:{user_id}"


def fanout_max_followers() -> int:
    """Above this many followers an account's posts are merged at read time, not fanned out."""
    return int(getattr(settings, "SOCIAL_FANOUT_MAX_FOLLOWERS", 10_000))


def fanout_batch_size() -> int:
    return int(getattr(settings, "SOCIAL_FANOUT_BATCH", 500))


def hot_accounts() -> frozenset[int]:
    """Every account with more followers than fan-out serves. Fan-out, rebuilds and reads all
    ask this one set, kept ``SOCIAL_HOT_ACCOUNTS_SECONDS`` (300) in the page cache's fragments, so
    they agree on whose posts are merged at read time even while it is a few minutes old, and no
    read counts a celebrity's million followers: one grouped scan of the follow index per period."""
    threshold = fanout_max_followers()

    def load() -> frozenset[int]:
        rows = (
            Follow.objects.filter(state=Follow.State.ACCEPTED)
            .values("followee_id")
            .annotate(n=Count("id"))
            .filter(n__gt=threshold)
            .values_list("followee_id", flat=True)
        )
        return frozenset(rows)

    seconds = int(getattr(settings, "SOCIAL_HOT_ACCOUNTS_SECONDS", 300))
    return pagecache.cached(PAGECACHE_NAMESPACE, f"hot-accounts:{threshold}", load, max_seconds=seconds)


def hot_author_ids(author_ids: Iterable[int]) -> set[int]:
    """Which of these accounts are hot (``hot_accounts``)."""
    return set(author_ids) & hot_accounts()


# --- Entry points: the post and relation services call these ---------------------------


def _send_on_commit(task_name: str, *args: object) -> None:
    """Queue a fan-out task after the caller's transaction commits (never for a rolled-back
    post). A broker that refuses is counted as degraded, not raised into the caller: the post is
    saved, and each follower's next cold rebuild or the read-time filter still shows the truth."""

    def send() -> None:
        from apps.social import tasks

        task = getattr(tasks, task_name)
        try:
            task.apply_async(args=list(args), queue=QUEUE)
        except Exception as exc:  # kombu's OperationalError, a refused socket
            degraded.degraded(f"social.{task_name}", exc, without="the broker")

    transaction.on_commit(send, robust=True)


def post_published(post_id: int) -> None:
    """A post was published (or a repost made): fan it out to its author's followers after commit."""
    _send_on_commit("timeline_fanout", post_id)


def post_removed(post_id: int) -> None:
    """A post was deleted: reads drop it at once (the read-time filter); this also takes its id
    out of the stored timelines after commit, so they do not keep a dead entry in their 800."""
    _send_on_commit("timeline_fanout_removal", post_id)


def follow_accepted(follower_id: int, followee_id: int) -> None:
    """A follow began (or its request was approved): the followee's recent posts are backfilled
    into the follower's home timeline after commit."""
    _send_on_commit("timeline_backfill", follower_id, followee_id)


def follow_ended(follower_id: int, followee_id: int) -> None:
    """An unfollow or a block: reads stop showing the posts at once (the read-time filter); this
    also purges them from the stored timeline after commit."""
    _send_on_commit("timeline_purge_author", follower_id, followee_id)


# --- The work the tasks do ---------------------------------------------------------------


def _batches(ids: Iterable[int], size: int) -> Iterator[list[int]]:
    batch: list[int] = []
    for i in ids:
        batch.append(i)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def recipient_ids(post: Post) -> Iterator[int]:
    """Whose stored home timeline gets ``post`` by fan-out, besides its author (see the module's
    docstring; reads.py's rebuild applies the same rule from the other side)."""
    if post.deleted_at is not None or post.visibility == Post.Visibility.AUDIENCE:
        return iter(())
    if hot_author_ids([post.author_id]):
        return iter(())
    followers = Follow.objects.filter(followee_id=post.author_id, state=Follow.State.ACCEPTED)
    if post.visibility == Post.Visibility.MENTIONED:
        followers = followers.filter(follower_id__in=Mention.objects.filter(post=post).values("user_id"))
    return followers.order_by("follower_id").values_list("follower_id", flat=True).iterator(chunk_size=2000)


def fanout_post(post_id: int) -> int:
    """Deliver a post to its author's own timeline and queue one delivery task per batch of
    followers; count a public post's hashtags for trends. Returns the number of batches."""
    from apps.social import tasks, trends

    post = Post.objects.filter(pk=post_id, deleted_at__isnull=True).first()
    if post is None:
        return 0
    deliver_post(post_id, [post.author_id])
    if post.visibility == Post.Visibility.PUBLIC and post.repost_of_id is None:
        trends.record_post(post)
        realtime_timelines.announce_public(post_id)
    batches = 0
    for batch in _batches(recipient_ids(post), fanout_batch_size()):
        tasks.timeline_deliver.apply_async(args=[post_id, batch], queue=QUEUE)
        batches += 1
    return batches


def deliver_post(post_id: int, user_ids: list[int]) -> int:
    """Add a post to these people's stored home timelines (those that exist), capped, and tell
    their open timeline pages. Returns how many stored timelines took it."""
    author_id = Post.objects.filter(pk=post_id, deleted_at__isnull=True).values_list("author_id", flat=True).first()
    if author_id is None:
        return 0
    written = timeline_store().add_to_many([home_key(user_id) for user_id in user_ids], [post_id])
    realtime_timelines.announce_home([user_id for user_id in user_ids if user_id != author_id], post_id)
    return written


def fanout_removal(post_id: int) -> int:
    """Queue the removal of a deleted post's id from its author's and followers' timelines."""
    from apps.social import tasks

    author_id = Post.objects.filter(pk=post_id).values_list("author_id", flat=True).first()
    if author_id is None:
        return 0
    followers = (
        Follow.objects.filter(followee_id=author_id, state=Follow.State.ACCEPTED)
        .order_by("follower_id")
        .values_list("follower_id", flat=True)
        .iterator(chunk_size=2000)
    )
    purge_post(post_id, [author_id])
    batches = 0
    for batch in _batches(followers, fanout_batch_size()):
        tasks.timeline_purge.apply_async(args=[post_id, batch], queue=QUEUE)
        batches += 1
    return batches


def purge_post(post_id: int, user_ids: list[int]) -> None:
    store = timeline_store()
    for user_id in user_ids:
        store.remove(home_key(user_id), [post_id])


def backfill_follow(follower_id: int, followee_id: int) -> int:
    """Put the followee's recent posts (those fan-out would have delivered) into the follower's
    stored timeline, if it exists and the follow still does. Returns how many ids were added."""
    from apps.social.timelines.reads import fanned_out_posts

    if not Follow.objects.filter(follower_id=follower_id, followee_id=followee_id, state="accepted").exists():
        return 0
    if hot_author_ids([followee_id]):
        return 0  # merged at read time
    ids = list(fanned_out_posts(follower_id, [followee_id]).values_list("id", flat=True)[: timeline_cap()])
    if ids and timeline_store().add(home_key(follower_id), ids):
        return len(ids)
    return 0


def purge_author(follower_id: int, followee_id: int) -> int:
    """Take the followee's posts out of the follower's stored timeline, unless they follow again."""
    if Follow.objects.filter(follower_id=follower_id, followee_id=followee_id, state="accepted").exists():
        return 0
    ids = list(
        Post.objects.filter(author_id=followee_id).order_by("-id").values_list("id", flat=True)[: timeline_cap() * 2]
    )
    timeline_store().remove(home_key(follower_id), ids)
    return len(ids)
