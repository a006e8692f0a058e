"""Reads of the blog's comments: a post's thread as a viewer sees it, one comment of it, the
moderation queue, the bans, and comment counts for lists of posts.

The thread costs the same few queries whatever its size and depth: every comment the viewer may
see, with its author, in one query; the viewer's own reports in a second; the tree is built in
Python. Who sees what follows apps/blog/permissions.py (can_view_comment and friends).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString

from apps.blog import permissions, realtime
from apps.blog.comments.text import comment_html
from apps.blog.models import Comment, CommentBan, CommentFlag, Post

Status = Comment.Status
QUEUE_PAGE_SIZE = 25


@dataclass(eq=False)
class CommentNode:
    """One comment in a thread, what the viewer may do with it, and its replies."""

    comment: Comment
    children: list[CommentNode] = field(default_factory=list)
    mine: bool = False  # the viewer wrote it
    can_reply: bool = False
    can_edit: bool = False
    can_delete: bool = False
    can_flag: bool = False
    flagged: bool = False  # the viewer has reported it
    can_approve: bool = False
    can_reject: bool = False
    can_remove: bool = False

    @property
    def pk(self) -> int:
        return self.comment.pk

    @property
    def marker(self) -> str:
        """ "deleted" or "removed" when only the comment's place in the thread is left."""
        if self.comment.deleted_at is not None:
            return "deleted"
        if self.comment.status == Status.REMOVED:
            return "removed"
        return ""

    @property
    def awaiting_approval(self) -> bool:
        return self.comment.status == Status.PENDING

    @property
    def hidden(self) -> bool:
        return self.comment.status == Status.HIDDEN

    @property
    def edit_ends_at(self) -> datetime:
        return permissions.comment_edit_ends_at(self.comment)

    @property
    def moderation(self) -> list[tuple[str, str, bool]]:
        """The moderator's buttons: (decision, label, allowed)."""
        keep = "Keep" if self.comment.status == Status.APPROVED else "Approve"
        return [
            ("approve", keep, self.can_approve),
            ("reject", "Reject", self.can_reject),
            ("remove", "Remove", self.can_remove),
        ]

    @cached_property
    def body_html(self) -> SafeString:
        return comment_html(self.comment.body)

    @property
    def author_name(self) -> str:
        # Never the e-mail address: it is the account's login, not a public name.
        return self.comment.author.display_name or "A reader"


@dataclass(eq=False)
class CommentThread:
    """A post's comments as ``viewer`` sees them, and what ``viewer`` may do on the post."""

    post: Post
    roots: list[CommentNode]
    nodes: dict[int, CommentNode]
    count: int  # published comments (neither deleted nor removed)
    signed_in: bool
    can_comment: bool
    banned: bool
    can_moderate: bool

    @property
    def max_length(self) -> int:
        return settings.BLOG_COMMENT_MAX_LENGTH

    @property
    def socket_path(self) -> str:
        return realtime.post_comments_socket_path(self.post.pk)

    def __bool__(self) -> bool:
        # A thread is shown even when empty: the page's template tests it with {% if comments %}.
        return True


def _visible(viewer: Any, *, can_moderate: bool) -> Q:
    visible = Q(status__in=[Status.APPROVED, Status.REMOVED])
    if can_moderate:
        return visible | Q(status__in=[Status.PENDING, Status.HIDDEN])
    if viewer is not None and viewer.is_authenticated:
        return visible | Q(status__in=[Status.PENDING, Status.HIDDEN], author_id=viewer.pk)
    return visible


def _node(comment: Comment, viewer: Any, post: Post, flagged: set[int], now: datetime) -> CommentNode:
    return CommentNode(
        comment=comment,
        mine=permissions.is_comment_author(viewer, comment),
        can_reply=permissions.can_reply_to_comment(viewer, comment, post),
        can_edit=permissions.can_edit_comment(viewer, comment, now),
        can_delete=permissions.can_delete_comment(viewer, comment),
        can_flag=permissions.can_flag_comment(viewer, comment) and comment.pk not in flagged,
        flagged=comment.pk in flagged,
        can_approve=permissions.can_approve_comment(viewer, comment),
        can_reject=permissions.can_reject_comment(viewer, comment),
        can_remove=permissions.can_remove_comment(viewer, comment),
    )


def _prune(nodes: list[CommentNode]) -> list[CommentNode]:
    # A deleted or removed comment stays only as the place its remaining replies hang from.
    kept = []
    for node in nodes:
        node.children = _prune(node.children)
        if not node.marker or node.children:
            kept.append(node)
    return kept


def comment_thread_for(*, post: Post, viewer: Any) -> CommentThread:
    """``post``'s comments as a tree, as ``viewer`` (a user, or None/anonymous) sees them:
    published ones, the viewer's own waiting or hidden ones (all of those for moderators), and
    deleted or removed ones that still have replies, as markers. Oldest first at every level."""
    can_moderate = permissions.can_moderate_comments(viewer)
    signed_in = bool(viewer is not None and viewer.is_authenticated)
    rows: list[Comment] = []
    if post.live:
        query = Comment.objects.filter(post=post).filter(_visible(viewer, can_moderate=can_moderate))
        rows = list(query.select_related("author").order_by("created_at", "pk"))
    flagged: set[int] = set()
    if rows and signed_in:
        flags = CommentFlag.objects.filter(user=viewer, comment__post=post)
        flagged = set(flags.values_list("comment_id", flat=True))
    now = timezone.now()
    for comment in rows:
        comment.post = post  # every row's post is this one: no query when a template asks
    nodes = {comment.pk: _node(comment, viewer, post, flagged, now) for comment in rows}
    roots = []
    for comment in rows:
        if comment.parent_id is None:
            roots.append(nodes[comment.pk])
        elif comment.parent_id in nodes:
            nodes[comment.parent_id].children.append(nodes[comment.pk])
    roots = _prune(roots)
    return CommentThread(
        post=post,
        roots=roots,
        nodes={node.pk: node for node in _walk(roots)},
        count=sum(1 for c in rows if c.status == Status.APPROVED and c.deleted_at is None),
        signed_in=signed_in,
        can_comment=permissions.can_comment(viewer, post),
        banned=permissions.is_comment_banned(viewer),
        can_moderate=can_moderate,
    )


def _walk(nodes: list[CommentNode]) -> Iterable[CommentNode]:
    for node in nodes:
        yield node
        yield from _walk(node.children)


def comment_get(*, pk: int) -> Comment | None:
    """The comment ``pk`` with its post, whoever may see it (views check can_view_comment)."""
    return Comment.objects.select_related("post").filter(pk=pk).first()


def comment_node_for(*, comment: Comment, viewer: Any) -> CommentNode | None:
    """``comment`` with its replies as ``viewer`` sees it in the thread; None when it shows
    nothing to them (not theirs to see, or a deleted comment without replies)."""
    if not permissions.can_view_comment(viewer, comment):
        return None
    return comment_thread_for(post=comment.post, viewer=viewer).nodes.get(comment.pk)


def post_get_commentable(*, slug: str) -> Post | None:
    """The live post at ``slug``: comments are written on published posts only."""
    return Post.objects.filter(slug=slug, live=True).first()


def post_is_commentable(*, post_id: int) -> bool:
    """Whether the post exists and is published (its thread may be listened to)."""
    return Post.objects.filter(pk=post_id, live=True).exists()


def comment_counts(post_ids: Iterable[int]) -> dict[int, int]:
    """Published comments per post (one query for a whole list of cards); 0 for posts without."""
    ids = list(post_ids)
    counts = dict.fromkeys(ids, 0)
    rows = (
        Comment.objects.filter(post_id__in=ids, status=Status.APPROVED, deleted_at__isnull=True)
        .values("post_id")
        .annotate(n=Count("pk"))
        .values_list("post_id", "n")
    )
    counts.update(rows)
    return counts


def posts_with_comment_counts(posts: QuerySet[Post]) -> QuerySet[Post]:
    """``posts`` annotated with ``comment_count`` (published comments), in the same query."""
    published = Q(comments__status=Status.APPROVED, comments__deleted_at__isnull=True)
    return posts.annotate(comment_count=Count("comments", filter=published))


@dataclass(eq=False)
class QueueRow:
    """A comment in the moderation queue, why it is there, and what the moderator may do."""

    comment: Comment
    banned: bool  # its author is banned from commenting
    can_approve: bool
    can_reject: bool
    can_remove: bool
    can_ban: bool

    @property
    def reason(self) -> str:
        comment = self.comment
        if comment.deleted_at is not None:
            return "Deleted by its author"
        if comment.status == Status.PENDING:
            return "First comment, waiting for approval"
        reports = f"{comment.flag_count} report{'' if comment.flag_count == 1 else 's'}"
        if comment.status == Status.HIDDEN:
            return f"Hidden after {reports}"
        if comment.status == Status.APPROVED and comment.unreviewed_flags > 0:
            return f"Published, {reports}"
        return comment.get_status_display()

    @property
    def waiting(self) -> bool:
        return self.can_approve or self.can_reject

    @cached_property
    def body_html(self) -> SafeString:
        return comment_html(self.comment.body)

    @property
    def author_name(self) -> str:
        return self.comment.author.display_name or self.comment.author.email


def _queue_query() -> QuerySet[Comment]:
    related = ("author", "author__blog_comment_ban", "post", "parent__author")
    # can_ban asks whether the author is a moderator: their roles, prefetched in one query.
    return Comment.objects.select_related(*related).prefetch_related("author__roles")


def _queue_row(comment: Comment, viewer: Any) -> QueueRow:
    try:
        banned = comment.author.blog_comment_ban is not None
    except CommentBan.DoesNotExist:
        banned = False
    return QueueRow(
        comment=comment,
        banned=banned,
        can_approve=permissions.can_approve_comment(viewer, comment),
        can_reject=permissions.can_reject_comment(viewer, comment),
        can_remove=permissions.can_remove_comment(viewer, comment),
        can_ban=not banned and permissions.can_ban_commenter(viewer, comment.author),
    )


def moderation_queue(*, viewer: Any, page: int | str = 1) -> Page:
    """Comments waiting for a moderator, oldest first, as QueueRows: first comments waiting for
    approval, comments hidden after reports, and published ones reported since a moderator last
    looked. Three queries whatever the page holds: the count, the rows (with their authors,
    bans, posts and parents) and the authors' roles."""
    waiting = Q(status__in=[Status.PENDING, Status.HIDDEN]) | Q(
        status=Status.APPROVED, flag_count__gt=F("reviewed_flag_count")
    )
    query = _queue_query().filter(waiting, deleted_at__isnull=True).order_by("created_at", "pk")
    result = Paginator(query, QUEUE_PAGE_SIZE).get_page(page)
    result.object_list = [_queue_row(comment, viewer) for comment in result.object_list]
    return result


def queue_row_get(*, pk: int, viewer: Any) -> QueueRow | None:
    """One comment as the moderation queue shows it (after a moderator acted on it)."""
    comment = _queue_query().filter(pk=pk).first()
    return _queue_row(comment, viewer) if comment is not None else None


def comment_bans() -> QuerySet[CommentBan]:
    """Readers banned from commenting, most recent first, with who banned them."""
    return CommentBan.objects.select_related("user", "banned_by").order_by("-created_at", "-pk")


def comment_ban_get(*, user_id: int) -> CommentBan | None:
    return comment_bans().filter(user_id=user_id).first()
