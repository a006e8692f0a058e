"""Reading timelines: home (stored ids, hot accounts merged in from SQL, a cold timeline rebuilt),
public and hashtag pages; every page hydrated in one query, then re-checked by ``_visible_to``.

Stored ids are candidates, not answers: deletions, blocks, mutes, unfollows and visibility
changes made since a post was fanned out take effect on the next read because each page is
filtered against the current rows. Pages are cut by cursor (``max_id``: ids below it), so a page
never shifts when new posts arrive above it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from apps.social.models import Hashtag, Mention, Post
from apps.social.permissions import post_and_original_visible_q, restricted_author_q
from apps.social.relations import blocked_ids, following_ids, muted_ids
from apps.social.timelines.fanout import FOLLOWER_VISIBILITIES, home_key, hot_author_ids
from apps.social.timelines.store import timeline_cap, timeline_store, uses_redis

PAGE_SIZE = 20
# Stored ids read per page beyond its size: room for entries the filter drops.
OVERFETCH = 2


@dataclass(frozen=True)
class TimelinePage:
    posts: list[Post]
    # The cursor of the next (older) page; None at the end.
    next_max_id: int | None

    @property
    def newest_id(self) -> int | None:
        return self.posts[0].pk if self.posts else None


def _pk(user: Any) -> int | None:
    return user.pk if getattr(user, "is_authenticated", False) else None


def _hydrate(ids: Sequence[int], viewer: Any) -> list[Post]:
    """The posts of ``ids`` that ``viewer`` may read (the network's one rule,
    ``permissions.post_and_original_visible_q``), in that order: one query (authors and reposted
    originals joined), plus one for their images."""
    if not ids:
        return []
    rows = (
        Post.objects.filter(pk__in=ids)
        .filter(post_and_original_visible_q(viewer))
        .select_related("author__social_profile", "repost_of__author__social_profile")
        .prefetch_related("images", "repost_of__images")
    )
    by_id = {post.pk: post for post in rows}
    return [by_id[i] for i in ids if i in by_id]


def _visible_to(
    viewer: Any, posts: Iterable[Post], *, home: bool = False, following: set[int] | None = None
) -> list[Post]:
    """The posts ``viewer`` may see now, in order: the timelines' read-time check beside the
    visibility rule ``_hydrate`` applied in SQL. Not deleted; author not muted (nor blocked
    either way); a repost's original likewise. On ``home``, the author must still be followed (or
    be the viewer): an unfollow shows on the next read.
    """
    posts = list(posts)
    viewer_id = _pk(viewer)
    hidden = (blocked_ids(viewer) | muted_ids(viewer)) if viewer_id else set()
    if following is None:
        following = following_ids(viewer) if viewer_id else set()

    def readable(post: Post) -> bool:
        return post.deleted_at is None and post.author_id not in hidden

    shown = []
    for post in posts:
        if home and post.author_id != viewer_id and post.author_id not in following:
            continue
        if readable(post) and (post.repost_of is None or readable(post.repost_of)):
            shown.append(post)
    return shown


# --- Home ---------------------------------------------------------------------------------


def fanned_out_posts(user_id: int, author_ids: Iterable[int]) -> QuerySet[Post]:
    """The posts of these followed authors that fan-out delivers to ``user_id``'s home, newest
    first: the rebuild's half of fan-out's rule (fanout.recipient_ids is the other half)."""
    return (
        Post.objects.filter(author_id__in=list(author_ids), deleted_at__isnull=True)
        .filter(
            Q(visibility__in=FOLLOWER_VISIBILITIES)
            | Q(visibility=Post.Visibility.MENTIONED, id__in=Mention.objects.filter(user_id=user_id).values("post_id"))
        )
        .order_by("-id")
    )


def _delivered_ids(user: Any, authors: set[int], *, above: int | None = None) -> list[int]:
    """What fan-out would have put in ``user``'s home: their own posts and those of ``authors``
    (followed, not hot) by fan-out's rule, newest ``SOCIAL_TIMELINE_CAP`` (above ``above``). One query."""
    posts = Post.objects.filter(author_id=user.pk, deleted_at__isnull=True) | fanned_out_posts(user.pk, authors)
    if above is not None:
        posts = posts.filter(id__gt=above)
    return list(posts.order_by("-id").values_list("id", flat=True)[: timeline_cap()])


def rebuild_home(user: Any, *, following: set[int] | None = None, hot: set[int] | None = None) -> list[int]:
    """Build a cold (missing or evicted) home timeline from SQL and store it: the viewer's own
    posts and those fan-out would have delivered from the accounts they follow (hot accounts
    excepted: they are merged at read time), newest ``SOCIAL_TIMELINE_CAP``. One query."""
    following = following_ids(user) if following is None else following
    hot = hot_author_ids(following) if hot is None else hot
    newest = _delivered_ids(user, following - hot)
    timeline_store().replace(home_key(user.pk), newest)
    return newest


def _top_up_local(user: Any, authors: set[int]) -> None:
    """On the local store only: add what SQL has above the stored timeline's newest entry. The
    local store is one process's copy, and fan-out runs on a worker (another process) whose
    writes never reach it; this one indexed range (usually empty) keeps new posts from waiting
    for the copy to expire. Removals need no such help: the read-time filter drops them."""
    store = timeline_store()
    newest = store.range(home_key(user.pk), limit=1)
    fresh = _delivered_ids(user, authors, above=newest[0] if newest else 0)
    if fresh:
        store.add(home_key(user.pk), fresh)


def _home_candidates(
    user: Any, *, max_id: int | None, min_id: int | None, window: int, following: set[int]
) -> tuple[list[int], bool]:
    """Up to ``window`` ids for a page of home, newest first, and whether older ones remain:
    the stored timeline (rebuilt if cold) merged with the hot accounts' posts from one query."""
    store = timeline_store()
    hot = hot_author_ids(following)
    if not store.exists(home_key(user.pk)):
        rebuild_home(user, following=following, hot=hot)
    elif max_id is None and not uses_redis():
        _top_up_local(user, following - hot)
    ids = store.range(home_key(user.pk), max_id=max_id, min_id=min_id, limit=window)
    more = len(ids) == window
    if hot:
        merged = Post.objects.filter(author_id__in=hot, deleted_at__isnull=True)
        if max_id is not None:
            merged = merged.filter(id__lt=max_id)
        if min_id is not None:
            merged = merged.filter(id__gt=min_id)
        hot_ids = list(merged.order_by("-id").values_list("id", flat=True)[:window])
        more = more or len(hot_ids) == window
        ids = sorted(set(ids) | set(hot_ids), reverse=True)
        more = more or len(ids) > window
        ids = ids[:window]
    return ids, more


def home_timeline(user: Any, *, max_id: int | None = None, limit: int = PAGE_SIZE) -> TimelinePage:
    """A page of ``user``'s home timeline (the accounts they follow, and their own posts), newest
    first, below ``max_id``. Query count is flat: relations (4), the hot-account check and merge,
    the page's posts in one query and their images in one."""
    following = following_ids(user)
    window = limit * OVERFETCH
    ids, more = _home_candidates(user, max_id=max_id, min_id=None, window=window, following=following)
    shown = _visible_to(user, _hydrate(ids, user), home=True, following=following)
    if len(shown) > limit:
        return TimelinePage(shown[:limit], shown[limit - 1].pk)
    return TimelinePage(shown, ids[-1] if more and ids else None)


def home_new_count(user: Any, *, since_id: int, cap: int = 99) -> int:
    """How many posts newer than ``since_id`` the viewer's home would show now (at most ``cap``):
    the live "N new posts" bar's number, checked as a page read is."""
    following = following_ids(user)
    ids, _ = _home_candidates(user, max_id=None, min_id=since_id, window=cap, following=following)
    return len(_visible_to(user, _hydrate(ids, user), home=True, following=following))


# --- Public and hashtag pages -------------------------------------------------------------


def _public_posts(viewer: Any) -> QuerySet[Post]:
    """Public, not deleted, original posts and replies (reposts are not repeated here, as on
    Mastodon's public timelines), without those of people the viewer blocked, was blocked by
    or muted, and without held posts or those of silenced or suspended authors."""
    posts = Post.objects.filter(
        visibility=Post.Visibility.PUBLIC, deleted_at__isnull=True, repost_of__isnull=True, held_at__isnull=True
    ).exclude(restricted_author_q())  # silenced and suspended authors reach no public page
    if _pk(viewer):
        hidden = blocked_ids(viewer) | muted_ids(viewer)
        if hidden:
            posts = posts.exclude(author_id__in=hidden)
    return posts


def _page_of(posts: QuerySet[Post], *, max_id: int | None, limit: int) -> TimelinePage:
    if max_id is not None:
        posts = posts.filter(id__lt=max_id)
    rows = list(
        posts.select_related("author", "author__social_profile").prefetch_related("images").order_by("-id")[: limit + 1]
    )
    return TimelinePage(rows[:limit], rows[limit - 1].pk if len(rows) > limit else None)


def public_timeline(viewer: Any, *, max_id: int | None = None, limit: int = PAGE_SIZE) -> TimelinePage:
    """The whole network's public posts, newest first (anyone may read it)."""
    return _page_of(_public_posts(viewer), max_id=max_id, limit=limit)


def hashtag_get(name: str) -> Hashtag | None:
    """The hashtag called ``name`` (whatever its case), or None."""
    return Hashtag.objects.filter(name=name.lower().lstrip("#")).first()


def hashtag_timeline(
    viewer: Any, hashtag: Hashtag, *, max_id: int | None = None, limit: int = PAGE_SIZE
) -> TimelinePage:
    """The public posts carrying ``hashtag``, newest first."""
    return _page_of(_public_posts(viewer).filter(posthashtag__hashtag=hashtag), max_id=max_id, limit=limit)


def public_new_count(viewer: Any, *, since_id: int, cap: int = 99) -> int:
    """How many public posts newer than ``since_id`` the public timeline would show now."""
    return _public_posts(viewer).filter(id__gt=since_id).order_by("-id")[:cap].count()
