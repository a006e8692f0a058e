"""Reads of posts and profiles, with who may read what built in: the one read layer of the social
network's pages, API, timelines and sockets. Every list of posts starts from ``posts_visible_to``
and every single post from ``post_get_for_user``, both filtered by ``permissions.post_visible_q``
(the one rule, re-exported here); ``with_viewer_state`` then gives a page of posts what the
viewer did with them in three queries whatever its length, so a page's query count is flat.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.storage import default_storage
from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from apps.core.blocks import render_blocks
from apps.social import audiences
from apps.social.models import Bookmark, Follow, Like, Mention, Post, PostEdit, PostImage, Profile
from apps.social.permissions import post_and_original_visible_q, post_visible_q
from apps.social.relations import blocked_between, blocked_ids, muted_ids

__all__ = [
    "bookmarks_for",
    "post_get_for_user",
    "post_history",
    "post_likers",
    "post_replies",
    "post_reposters",
    "post_thread",
    "posts_context",
    "post_visible_q",
    "posts_visible_to",
    "profile_get",
    "profile_posts",
    "with_viewer_state",
]

V = Post.Visibility
PROFILE_TABS = ("posts", "replies", "media")


def _cards(queryset: QuerySet[Post]) -> QuerySet[Post]:
    """What a post's card shows, joined or prefetched once for the page."""
    images = Prefetch("images", queryset=PostImage.objects.order_by("position"))
    original_images = Prefetch("repost_of__images", queryset=PostImage.objects.order_by("position"))
    return queryset.select_related(
        "author__social_profile", "repost_of__author__social_profile", "reply_to__author__social_profile"
    ).prefetch_related(images, original_images)


def posts_visible_to(viewer: Any, *, hide_muted: bool = True) -> QuerySet[Post]:
    """Live posts (not deleted) ``viewer`` may read, reposts only of originals they may read too,
    newest first, ready for cards. ``hide_muted``: leave out people the viewer muted (lists do;
    a post's own page and its author's profile do not)."""
    posts = Post.objects.filter(post_and_original_visible_q(viewer), deleted_at__isnull=True)
    posts = posts.exclude(repost_of__deleted_at__isnull=False)
    if hide_muted and (muted := muted_ids(viewer)):
        posts = posts.exclude(author_id__in=muted).exclude(repost_of__author_id__in=muted)
    return _cards(posts).order_by("-created_at", "-pk")


def post_get_for_user(viewer: Any, pk: int) -> Post | None:
    """The post ``pk`` if ``viewer`` may read it (a deleted one too: its tombstone), else None,
    so a page answers 404 alike for a post that is missing and one not shared with them."""
    return _cards(Post.objects.filter(post_and_original_visible_q(viewer))).filter(pk=pk).first()


@dataclass
class ThreadEntry:
    post: Post
    depth: int
    focused: bool = False


def post_thread(viewer: Any, post: Post) -> list[ThreadEntry]:
    """The whole thread ``post`` belongs to as ``viewer`` may read it, in reading order (each reply
    under its parent, oldest first), with each entry's depth. One query whatever its size; a
    deleted post stays as a tombstone so its replies keep their place; a reply the viewer may not
    read is left out with its own replies."""
    root_id = post.root_id or post.pk
    rows = list(_cards(Post.objects.filter(Q(pk=root_id) | Q(root_id=root_id)).filter(post_visible_q(viewer))))
    children: dict[int | None, list[Post]] = {}
    ids = {row.pk for row in rows}
    for row in sorted(rows, key=lambda r: (r.created_at, r.pk)):
        parent = row.reply_to_id if row.pk != root_id else None
        if parent is not None and parent not in ids:
            continue
        children.setdefault(parent, []).append(row)
    ordered: list[ThreadEntry] = []

    def walk(parent: int | None, depth: int) -> None:
        for child in children.get(parent, []):
            ordered.append(ThreadEntry(child, min(depth, 6), focused=child.pk == post.pk))
            walk(child.pk, depth + 1)

    walk(None, 0)
    if not any(entry.focused for entry in ordered):
        # The post's own parent is hidden from the viewer: the thread starts at the post itself.
        ordered = [ThreadEntry(row, 0, focused=True) for row in rows if row.pk == post.pk] or [
            ThreadEntry(post, 0, focused=True)
        ]
        walk(post.pk, 1)
    return ordered


def _image_urls(images: Iterable[PostImage]) -> None:
    for image in images:
        image.url = image.image.url if image.image else ""
        image.card_url = default_storage.url(image.renditions["480"]) if "480" in image.renditions else image.url
        image.large_url = default_storage.url(image.renditions["960"]) if "960" in image.renditions else image.url
        sizes = {int(width): default_storage.url(name) for width, name in image.renditions.items()}
        sizes[image.width] = image.url
        image.srcset = ", ".join(f"{url} {width}w" for width, url in sorted(sizes.items()) if width)


def _avatar_url(user: Any) -> str:
    return user.avatar.url if user.avatar else ""


def with_viewer_state(posts: Sequence[Post], viewer: Any) -> Sequence[Post]:
    """Give each post (and a repost's original) what the viewer did with it (``liked``,
    ``bookmarked``, ``reposted``), what they may do (``may_interact``, ``may_repost``,
    ``may_change``, ``may_report``), its images' URLs, its audience's label and its long body rendered. Three
    queries for a signed-in viewer, none for a visitor."""
    shown = [post.repost_of if post.repost_of_id else post for post in posts]
    ids = {post.pk for post in shown}
    signed_in = getattr(viewer, "is_authenticated", False)
    liked = bookmarked = reposted = set()
    if signed_in and ids:
        liked = set(Like.objects.filter(user=viewer, post_id__in=ids).values_list("post_id", flat=True))
        bookmarked = set(Bookmark.objects.filter(user=viewer, post_id__in=ids).values_list("post_id", flat=True))
        reposted = set(
            Post.objects.filter(author=viewer, repost_of_id__in=ids, deleted_at__isnull=True).values_list(
                "repost_of_id", flat=True
            )
        )
    for post in {id(p): p for p in [*posts, *shown]}.values():
        live = not post.is_deleted and post.repost_of_id is None
        post.liked, post.bookmarked, post.reposted = post.pk in liked, post.pk in bookmarked, post.pk in reposted
        post.may_interact = bool(signed_in and live)
        post.may_repost = post.may_interact and post.visibility == V.PUBLIC
        post.may_change = bool(signed_in and live and post.author_id == viewer.pk)
        post.may_report = bool(signed_in and not post.is_deleted and post.author_id != viewer.pk)
        post.may_delete = bool(
            signed_in and not post.is_deleted and (post.author_id == viewer.pk or getattr(viewer, "is_staff", False))
        )
        post.author.avatar_url = _avatar_url(post.author)
        post.audience_label = audiences.audience_label(post.audience) if post.audience else ""
        post.body_html = render_blocks(post.body) if post.body else ""
        _image_urls(post.images.all())
    return posts


def post_history(post: Post) -> list[PostEdit]:
    """The post's earlier versions, newest first (the "edited" link's page)."""
    return list(PostEdit.objects.filter(post=post).order_by("-replaced_at", "-pk"))


def _count(model: Any, **filters: Any) -> Subquery:
    rows = model.objects.filter(**filters).order_by().values(next(iter(filters))).annotate(n=Count("pk"))
    return Coalesce(Subquery(rows.values("n")[:1], output_field=IntegerField()), Value(0))


def profile_get(handle: str) -> Profile | None:
    """The profile of an active member by handle, whatever its case, with its counts (posts,
    followers, following) in the same query; None when there is none."""
    user = OuterRef("user_id")
    profile = (
        Profile.objects.select_related("user")
        .filter(handle__iexact=handle, user__is_active=True)
        .annotate(
            post_count=_count(Post, author_id=user, deleted_at__isnull=True, repost_of__isnull=True),
            follower_count=_count(Follow, followee_id=user, state=Follow.State.ACCEPTED),
            following_count=_count(Follow, follower_id=user, state=Follow.State.ACCEPTED),
        )
        .first()
    )
    if profile is not None:
        profile.user.avatar_url = _avatar_url(profile.user)
    return profile


def profile_posts(viewer: Any, profile: Profile, tab: str = "posts") -> QuerySet[Post]:
    """The posts of ``profile`` that ``viewer`` may read, for a tab: ``posts`` (their posts and
    reposts), ``replies`` (their replies), ``media`` (posts with images). Nothing when a block
    stands between them. Mutes do not hide: the viewer came to this person's page."""
    if blocked_between(viewer, profile.user):
        return Post.objects.none()
    posts = posts_visible_to(viewer, hide_muted=False).filter(author_id=profile.user_id)
    if tab == "replies":
        return posts.filter(reply_to__isnull=False)
    if tab == "media":
        return posts.filter(Exists(PostImage.objects.filter(post=OuterRef("pk"))))
    return posts.filter(reply_to__isnull=True)


def bookmarks_for(user: Any) -> QuerySet[Post]:
    """The posts ``user`` bookmarked and may still read, most recently kept first."""
    kept = Bookmark.objects.filter(user=user, post=OuterRef("pk")).values("created_at")[:1]
    return (
        posts_visible_to(user, hide_muted=False)
        .filter(bookmarks__user=user)
        .annotate(kept_at=Subquery(kept))
        .order_by("-kept_at", "-pk")
    )


def post_replies(viewer: Any, post: Post) -> QuerySet[Post]:
    """The direct replies to ``post`` that ``viewer`` may read (the one rule, as the thread page
    reads them; mutes do not hide here either), ready for cards. A deleted reply stays as a
    tombstone only while replies of its own hang under it, so a thread keeps its shape. The
    caller orders (oldest first reads a thread)."""
    has_replies = Exists(Post.objects.filter(reply_to_id=OuterRef("pk")))
    rows = Post.objects.filter(reply_to_id=post.pk).filter(post_visible_q(viewer))
    return _cards(rows.filter(Q(deleted_at__isnull=True) | has_replies))


def post_likers(viewer: Any, post: Post) -> QuerySet[Like]:
    """Who liked ``post`` (its Like rows, with each person's profile), leaving out anyone on
    either side of a block with ``viewer`` and accounts gone or without a profile."""
    hidden = blocked_ids(viewer)
    likes = Like.objects.filter(post_id=post.pk, user__is_active=True, user__social_profile__isnull=False)
    return likes.exclude(user_id__in=hidden).select_related("user__social_profile")


def post_reposters(viewer: Any, post: Post) -> QuerySet[Post]:
    """The live reposts of ``post`` (each with its author's profile), as ``post_likers`` leaves
    people out."""
    hidden = blocked_ids(viewer)
    reposts = Post.objects.filter(
        repost_of_id=post.pk, deleted_at__isnull=True, author__is_active=True, author__social_profile__isnull=False
    )
    return reposts.exclude(author_id__in=hidden).select_related("author__social_profile")


@dataclass(frozen=True)
class PostsContext:
    """What cards beyond the posts' own rows show, read for a whole page at once."""

    # post id -> the handles it mentions
    mentions: dict[int, list[str]]
    # post id -> its live replies the viewer may read
    reply_counts: dict[int, int]
    # the parents (of replies on the page) the viewer may read
    visible_parents: set[int]


def posts_context(viewer: Any, posts: Sequence[Post]) -> PostsContext:
    """For ``posts`` (and a repost's original): whom each mentions, how many of its replies
    ``viewer`` may read (a count of all would tell of replies kept from them) and which of
    their parents they may read (a hidden parent is not named). Three queries whatever the
    page's length (plus the viewer's audience memberships), none for an empty page."""
    shown = [post.repost_of if post.repost_of_id and post.repost_of else post for post in posts]
    ids = {post.pk for post in [*posts, *shown]}
    parents = {post.reply_to_id for post in shown if post.reply_to_id}
    if not ids:
        return PostsContext({}, {}, set())
    mentions: dict[int, list[str]] = {}
    rows = Mention.objects.filter(post_id__in=ids, user__social_profile__isnull=False).order_by("pk")
    for post_id, handle in rows.values_list("post_id", "user__social_profile__handle"):
        mentions.setdefault(post_id, []).append(handle)
    groups = audiences.memberships(viewer) if getattr(viewer, "is_authenticated", False) else []
    replies = (
        Post.objects.filter(reply_to_id__in=ids, deleted_at__isnull=True)
        .filter(post_visible_q(viewer, groups=groups))
        .order_by()
        .values("reply_to_id")
        .annotate(n=Count("pk"))
    )
    counts = {row["reply_to_id"]: row["n"] for row in replies}
    visible: set[int] = set()
    if parents:
        readable = Post.objects.filter(pk__in=parents).filter(post_visible_q(viewer, groups=groups))
        visible = set(readable.values_list("pk", flat=True))
    return PostsContext(mentions, counts, visible)
