"""Reads of comments on any registered kind: an object's thread as a viewer sees it, one comment
of it, the platform's moderation queue (filtered to the kinds the viewer moderates), the bans,
and comment counts for lists of objects.

The thread costs the same few queries whatever its size and depth: every comment the viewer may
see, with its author, in one query; the viewer's own reports in a second; the tree is built in
Python. Who sees what follows apps/core/comments/permissions.py (can_view_comment and friends).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString

from apps.core.api.fields import ID_MAX
from apps.core.comments import permissions, realtime
from apps.core.comments.models import Comment, CommentBan, CommentFlag
from apps.core.comments.registry import Commentable, commentable, commentable_of, commentables
from apps.core.comments.text import comment_html

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
    badge: str = ""  # what the kind's registration says of the author (author_badge)

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
    """An object's comments as ``viewer`` sees them, and what ``viewer`` may do on it."""

    target: Any
    kind: str
    roots: list[CommentNode]
    nodes: dict[int, CommentNode]
    count: int  # published comments (neither deleted nor removed)
    signed_in: bool
    can_comment: bool
    banned: bool
    can_moderate: bool

    @property
    def max_length(self) -> int:
        return settings.COMMENT_MAX_LENGTH

    @property
    def socket_path(self) -> str:
        return realtime.thread_socket_path(self.kind, self.target.pk)

    @property
    def create_url(self) -> str:
        return reverse("comments:create", args=[self.kind, self.target.pk])

    @property
    def target_url(self) -> str:
        entry = commentable(self.kind)
        return entry.url_of(self.target) if entry is not None else "/"

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


def _node(comment: Comment, viewer: Any, target: Any, flagged: set[int], now: datetime, badge: str) -> CommentNode:
    return CommentNode(
        comment=comment,
        badge=badge,
        mine=permissions.is_comment_author(viewer, comment),
        can_reply=permissions.can_reply_to_comment(viewer, comment, target),
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


def comment_thread_for(*, target: Any, viewer: Any) -> CommentThread:
    """``target``'s comments as a tree, as ``viewer`` (a user, or None/anonymous) sees them:
    published ones, the viewer's own waiting or hidden ones (all of those for the kind's
    moderators), and deleted or removed ones that still have replies, as markers. Oldest first
    at every level. ``target`` may be an unsaved stand-in with the object's pk."""
    entry = commentable_of(target)
    kind = entry.kind
    can_moderate = permissions.can_moderate_kind(viewer, kind)
    signed_in = bool(viewer is not None and viewer.is_authenticated)
    rows: list[Comment] = []
    if permissions.can_view_thread(viewer, kind, target):
        query = Comment.objects.filter(target_kind=kind, target_id=target.pk)
        query = query.filter(_visible(viewer, can_moderate=can_moderate))
        rows = list(query.select_related("author").order_by("created_at", "pk"))
    flagged: set[int] = set()
    if rows and signed_in:
        flags = CommentFlag.objects.filter(user=viewer, comment__target_kind=kind, comment__target_id=target.pk)
        flagged = set(flags.values_list("comment_id", flat=True))
    now = timezone.now()
    for comment in rows:
        comment.target = target  # every row's object is this one: no query when a template asks
    badges: dict[int | None, str] = {}
    if entry.author_badge is not None:
        badges = {
            author_id: entry.author_badge(target, author)
            for author_id, author in {c.author_id: c.author for c in rows if c.author_id}.items()
        }
    nodes = {
        comment.pk: _node(comment, viewer, target, flagged, now, badges.get(comment.author_id, "")) for comment in rows
    }
    roots = []
    for comment in rows:
        if comment.parent_id is None:
            roots.append(nodes[comment.pk])
        elif comment.parent_id in nodes:
            nodes[comment.parent_id].children.append(nodes[comment.pk])
    roots = _prune(roots)
    return CommentThread(
        target=target,
        kind=kind,
        roots=roots,
        nodes={node.pk: node for node in _walk(roots)},
        count=sum(1 for c in rows if c.status == Status.APPROVED and c.deleted_at is None),
        signed_in=signed_in,
        can_comment=permissions.can_comment(viewer, kind, target),
        banned=permissions.is_comment_banned(viewer),
        can_moderate=can_moderate,
    )


def _walk(nodes: list[CommentNode]) -> Iterable[CommentNode]:
    for node in nodes:
        yield node
        yield from _walk(node.children)


def comment_get(*, pk: int) -> Comment | None:
    """The comment ``pk``, whoever may see it (views check can_view_comment); its object is
    loaded through its kind when first asked for."""
    if not 0 < pk <= ID_MAX:
        return None
    return Comment.objects.filter(pk=pk).first()


def comment_node_for(*, comment: Comment, viewer: Any) -> CommentNode | None:
    """``comment`` with its replies as ``viewer`` sees it in the thread; None when it shows
    nothing to them (not theirs to see, or a deleted comment without replies)."""
    if not permissions.can_view_comment(viewer, comment):
        return None
    return comment_thread_for(target=comment.target, viewer=viewer).nodes.get(comment.pk)


def thread_target_get(*, kind: str, target_id: int, viewer: Any) -> Any | None:
    """The object of ``kind`` at ``target_id`` when ``viewer`` may see its thread, else None."""
    entry = commentable(kind)
    target = entry.load(target_id) if entry is not None and 0 < target_id <= ID_MAX else None
    return target if permissions.can_view_thread(viewer, kind, target) else None


def thread_is_open(*, kind: str, target_id: int, viewer: Any) -> bool:
    """Whether the object exists and ``viewer`` may see its thread (and so listen to it)."""
    return thread_target_get(kind=kind, target_id=target_id, viewer=viewer) is not None


def comment_counts(*, kind: str, target_ids: Iterable[int]) -> dict[int, int]:
    """Published comments per object of ``kind`` (one query for a whole list of cards); 0 for
    objects without."""
    ids = list(target_ids)
    counts = dict.fromkeys(ids, 0)
    rows = (
        Comment.objects.filter(target_kind=kind, target_id__in=ids, status=Status.APPROVED, deleted_at__isnull=True)
        .values("target_id")
        .annotate(n=Count("pk"))
        .values_list("target_id", "n")
    )
    counts.update(rows)
    return counts


def with_comment_counts(objects: QuerySet[Any], *, kind: str) -> QuerySet[Any]:
    """``objects`` (of ``kind``) annotated with ``comment_count`` (published comments), in the
    same query."""
    published = (
        Comment.objects.filter(target_kind=kind, target_id=OuterRef("pk"), status=Status.APPROVED)
        .filter(deleted_at__isnull=True)
        .order_by()
        .values("target_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return objects.annotate(comment_count=Coalesce(Subquery(published), 0))


def comment_list_published(*, kind: str, target_id: int) -> QuerySet[Comment]:
    """The approved comments of one object, oldest first, flat (replies name their parent),
    with their authors (an API's list)."""
    return (
        Comment.objects.filter(target_kind=kind, target_id=target_id, status=Status.APPROVED)
        .select_related("author")
        .order_by("created_at", "pk")
    )


@dataclass(eq=False)
class QueueRow:
    """A comment in the moderation queue, why it is there, and what the moderator may do."""

    comment: Comment
    entry: Commentable | None  # its kind's registration
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

    @property
    def target_title(self) -> str:
        target = self.comment.target
        if self.entry is None or target is None:
            return "(gone)"
        return self.entry.title_of(target)

    @property
    def domain_label(self) -> str:
        return self.entry.label if self.entry is not None else self.comment.target_kind

    @cached_property
    def body_html(self) -> SafeString:
        return comment_html(self.comment.body)

    @property
    def author_name(self) -> str:
        return self.comment.author.display_name or self.comment.author.email


def _queue_query(query: QuerySet[Comment] | None = None) -> QuerySet[Comment]:
    related = ("author", "author__comment_ban", "parent__author")
    # can_ban asks whether the author is a moderator: their roles, prefetched in one query.
    return (
        (query if query is not None else Comment.objects.all())
        .select_related(*related)
        .prefetch_related("author__roles")
    )


def _attach_targets(comments: list[Comment]) -> None:
    """Load the objects of a page of comments: one query per kind on the page."""
    by_kind: dict[str, list[Comment]] = {}
    for comment in comments:
        by_kind.setdefault(comment.target_kind, []).append(comment)
    for kind, group in by_kind.items():
        entry = commentable(kind)
        found = entry.load_many([c.target_id for c in group]) if entry is not None else {}
        for comment in group:
            comment.target = found.get(comment.target_id)


def _queue_row(comment: Comment, viewer: Any) -> QueueRow:
    try:
        banned = comment.author.comment_ban is not None
    except CommentBan.DoesNotExist:
        banned = False
    return QueueRow(
        comment=comment,
        entry=commentable(comment.target_kind),
        banned=banned,
        can_approve=permissions.can_approve_comment(viewer, comment),
        can_reject=permissions.can_reject_comment(viewer, comment),
        can_remove=permissions.can_remove_comment(viewer, comment),
        can_ban=not banned and permissions.can_ban_commenter(viewer, comment.author),
    )


def queue_kinds(*, viewer: Any, domain: str = "", kind: str = "") -> list[str]:
    """The kinds whose comments ``viewer`` sees in the queue, narrowed to ``domain`` or ``kind``
    when given (an unknown or foreign filter narrows to nothing)."""
    kinds = permissions.moderated_kinds(viewer)
    if kind:
        kinds = [k for k in kinds if k == kind]
    if domain:
        kinds = [k for k in kinds if (entry := commentable(k)) is not None and entry.domain == domain]
    return kinds


def queue_filters(*, viewer: Any) -> list[tuple[str, str]]:
    """The domains ``viewer`` moderates, as (domain, label) pairs for the queue's filter."""
    seen: dict[str, str] = {}
    for entry in commentables():
        if permissions.can_moderate_kind(viewer, entry.kind):
            seen.setdefault(entry.domain, entry.label)
    return list(seen.items())


def _waiting(kinds: list[str]) -> QuerySet[Comment]:
    waiting = Q(status__in=[Status.PENDING, Status.HIDDEN]) | Q(
        status=Status.APPROVED, flag_count__gt=F("reviewed_flag_count")
    )
    return Comment.objects.filter(waiting, target_kind__in=kinds, deleted_at__isnull=True)


def moderation_queue(*, viewer: Any, page: int | str = 1, domain: str = "", kind: str = "") -> Page:
    """Comments waiting for a moderator, oldest first, as QueueRows, on the kinds ``viewer``
    moderates (narrowed to ``domain`` or ``kind``): first comments waiting for approval,
    comments hidden after reports, and published ones reported since a moderator last looked.
    Whatever the page holds: the count, the rows (with their authors, bans and parents), the
    authors' roles, and one query per kind for the objects."""
    kinds = queue_kinds(viewer=viewer, domain=domain, kind=kind)
    query = _queue_query(_waiting(kinds)).order_by("created_at", "pk")
    result = Paginator(query, QUEUE_PAGE_SIZE).get_page(page)
    comments = list(result.object_list)
    _attach_targets(comments)
    result.object_list = [_queue_row(comment, viewer) for comment in comments]
    return result


def moderation_waiting_count(*, viewer: Any, domain: str = "", kind: str = "") -> int:
    """How many comments wait for ``viewer``'s decision (the queue's count, the dashboard panel)."""
    kinds = queue_kinds(viewer=viewer, domain=domain, kind=kind)
    return _waiting(kinds).count() if kinds else 0


def queue_row_get(*, pk: int, viewer: Any) -> QueueRow | None:
    """One comment as the moderation queue shows it (after a moderator acted on it)."""
    comment = _queue_query().filter(pk=pk).first()
    if comment is None:
        return None
    _attach_targets([comment])
    return _queue_row(comment, viewer)


def comment_bans() -> QuerySet[CommentBan]:
    """Readers banned from commenting, most recent first, with who banned them."""
    return CommentBan.objects.select_related("user", "banned_by").order_by("-created_at", "-pk")


def comment_ban_get(*, user_id: int) -> CommentBan | None:
    """The ban of the reader ``user_id``, if they are banned."""
    if not 0 < user_id <= ID_MAX:
        return None
    return comment_bans().filter(user_id=user_id).first()
