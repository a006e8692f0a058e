"""Every write of comments, on any registered kind: writing, replying, editing, deleting,
reporting, and the moderators' approve, reject, remove, ban and unban.

Services take the acting user and plain values (never a request), ask
apps/core/comments/permissions.py,
lock the rows they change, and raise PermissionDenied (not allowed) or ValidationError (bad
input, or a state that no longer allows it) and change nothing when they refuse. Domain events
(the activity log) and the live thread's broadcast leave only when the transaction commits.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apps.core.accounts import security
from apps.core.comments import permissions, realtime
from apps.core.comments.models import Comment, CommentBan, CommentFlag
from apps.core.comments.registry import commentable_of
from apps.core.models import User
from apps.core.platform import events

Status = Comment.Status

# --- Events ---------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CommentCreated(events.DomainEvent):
    name: ClassVar[str] = "comments.comment_created"
    aggregate: ClassVar[str] = "comments.comment:{comment_id}"
    comment_id: int
    target_kind: str
    target_id: int
    parent_id: int | None
    status: str


@dataclass(frozen=True, kw_only=True)
class CommentEdited(events.DomainEvent):
    name: ClassVar[str] = "comments.comment_edited"
    aggregate: ClassVar[str] = "comments.comment:{comment_id}"
    comment_id: int
    target_kind: str
    target_id: int


@dataclass(frozen=True, kw_only=True)
class CommentDeleted(events.DomainEvent):
    name: ClassVar[str] = "comments.comment_deleted"
    aggregate: ClassVar[str] = "comments.comment:{comment_id}"
    comment_id: int
    target_kind: str
    target_id: int


@dataclass(frozen=True, kw_only=True)
class CommentFlagged(events.DomainEvent):
    name: ClassVar[str] = "comments.comment_flagged"
    aggregate: ClassVar[str] = "comments.comment:{comment_id}"
    comment_id: int
    target_kind: str
    target_id: int
    flag_count: int
    hidden: bool


@dataclass(frozen=True, kw_only=True)
class CommentApproved(events.DomainEvent):
    name: ClassVar[str] = "comments.comment_approved"
    aggregate: ClassVar[str] = "comments.comment:{comment_id}"
    comment_id: int
    target_kind: str
    target_id: int
    previous_status: str


@dataclass(frozen=True, kw_only=True)
class CommentRejected(events.DomainEvent):
    name: ClassVar[str] = "comments.comment_rejected"
    aggregate: ClassVar[str] = "comments.comment:{comment_id}"
    comment_id: int
    target_kind: str
    target_id: int


@dataclass(frozen=True, kw_only=True)
class CommentRemoved(events.DomainEvent):
    name: ClassVar[str] = "comments.comment_removed"
    aggregate: ClassVar[str] = "comments.comment:{comment_id}"
    comment_id: int
    target_kind: str
    target_id: int


@dataclass(frozen=True, kw_only=True)
class CommenterBanned(events.DomainEvent):
    name: ClassVar[str] = "comments.commenter_banned"
    aggregate: ClassVar[str] = "core.user:{user_id}"
    user_id: int
    reason: str
    rejected_comments: int


@dataclass(frozen=True, kw_only=True)
class CommenterUnbanned(events.DomainEvent):
    name: ClassVar[str] = "comments.commenter_unbanned"
    aggregate: ClassVar[str] = "core.user:{user_id}"
    user_id: int


# --- Text -----------------------------------------------------------------------------------

_BLANK_LINES = re.compile(r"\n{3,}")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")


def comment_body_clean(body: str) -> str:
    """The text to store: plain text with its line breaks (at most one blank line in a row),
    trimmed; refused when empty, too long or holding a NUL character."""
    text = _TRAILING_SPACE.sub("\n", str(body).replace("\r\n", "\n").replace("\r", "\n"))
    text = _BLANK_LINES.sub("\n\n", text).strip()
    if not text:
        raise ValidationError("Write something first: the comment is empty.", code="required")
    if "\x00" in text:
        raise ValidationError("The comment holds a character that cannot be stored.", code="null_characters")
    limit = settings.COMMENT_MAX_LENGTH
    if len(text) > limit:
        raise ValidationError(
            f"A comment may be at most {limit} characters long; this one has {len(text)}.", code="max_length"
        )
    return text


# --- Writing --------------------------------------------------------------------------------


class CommentRateLimited(ValidationError):
    """Too many comments in a short time; ``retry_after`` says in how many seconds to try again."""

    def __init__(self, retry_after: int) -> None:
        unit = "second" if retry_after == 1 else "seconds"
        super().__init__(
            f"You are commenting too fast. Please wait {retry_after} {unit} and try again.", code="rate_limited"
        )
        self.retry_after = retry_after


def _attach_point(parent: Comment) -> Comment | None:
    """Where a reply to ``parent`` hangs: ``parent`` itself, or, when it is at the deepest level
    (COMMENT_MAX_DEPTH), the nearest ancestor that leaves room for one more level."""
    deepest_parent = settings.COMMENT_MAX_DEPTH - 2
    node: Comment | None = parent
    while node is not None and node.depth > deepest_parent:
        node = node.parent
    return node


def _check_rate(author: User) -> None:
    window = settings.COMMENT_RATE_WINDOW
    key = str(author.pk)
    if security.rate_limited(scope="comment", key=key, limit=settings.COMMENT_RATE_LIMIT, window=window):
        # rate_limited counts in fixed windows: the next one starts at the next multiple.
        raise CommentRateLimited(retry_after=max(1, math.ceil(window - time.time() % window)))


def _publishes_at_once(author: User, kind: str, target: Any) -> bool:
    # A first comment waits for a moderator; once one is approved, the reader is trusted. The
    # kind may trust some authors on some objects from the start (a course's instructors).
    if permissions.can_moderate_kind(author, kind):
        return True
    trusts = commentable_of(target).trusts
    if trusts is not None and trusts(target, author):
        return True
    return Comment.objects.filter(author=author, status=Status.APPROVED).exists()


def comment_create(*, author: User, target: Any, body: str, parent: Comment | None = None) -> Comment:
    """A comment by ``author`` on ``target`` (an object of a registered kind), or a reply to
    ``parent`` (a comment on the same object).

    A reader's first comment waits for approval (seen by them and the kind's moderators only);
    later ones publish at once and are broadcast to the object's readers. Replies deeper than
    COMMENT_MAX_DEPTH join the deepest level. At most COMMENT_RATE_LIMIT comments per
    COMMENT_RATE_WINDOW seconds per reader (CommentRateLimited beyond).
    """
    kind = commentable_of(target).kind
    if not permissions.can_comment(author, kind, target):
        raise PermissionDenied(permissions.comment_refusal(author, kind, target))
    text = comment_body_clean(body)
    if parent is not None and (parent.target_kind, parent.target_id) != (kind, target.pk):
        raise ValidationError("That comment belongs to another thread.", code="wrong_thread")
    _check_rate(author)
    with transaction.atomic():
        if parent is not None:
            # Locked, so a reply cannot slip under a comment being deleted or removed.
            parent = Comment.objects.select_for_update().get(pk=parent.pk)
            if not permissions.can_reply_to_comment(author, parent, target):
                raise ValidationError("That comment can no longer be replied to.", code="closed")
            parent = _attach_point(parent)
        status = Status.APPROVED if _publishes_at_once(author, kind, target) else Status.PENDING
        comment = Comment.objects.create(
            target_kind=kind,
            target_id=target.pk,
            author=author,
            parent=parent,
            body=text,
            status=status,
            depth=parent.depth + 1 if parent is not None else 0,
        )
        comment.target = target
        event = CommentCreated(
            comment_id=comment.pk,
            target_kind=kind,
            target_id=target.pk,
            parent_id=comment.parent_id,
            status=status,
            actor_id=author.pk,
        )
        events.publish(event)
        if status == Status.APPROVED:
            realtime.broadcast_comment_created(comment)
    return comment


def comment_reply(*, author: User, parent: Comment, body: str) -> Comment:
    """``author``'s reply to ``parent``, on the same object (see ``comment_create``)."""
    return comment_create(author=author, target=parent.target, body=body, parent=parent)


def _locked(comment: Comment) -> Comment:
    return Comment.objects.select_for_update().get(pk=comment.pk)


def _copy_state(comment: Comment, row: Comment) -> Comment:
    for name in ("body", "status", "edited_at", "deleted_at", "flag_count", "reviewed_flag_count"):
        setattr(comment, name, getattr(row, name))
    return comment


def comment_edit(*, comment: Comment, editor: User, body: str) -> Comment:
    """Its author rewrites ``comment`` within COMMENT_EDIT_WINDOW of writing it."""
    if not permissions.can_edit_comment(editor, comment):
        if permissions.is_comment_author(editor, comment) and comment.deleted_at is None:
            raise PermissionDenied("The time to edit this comment has passed.")
        raise PermissionDenied("You may not edit this comment.")
    text = comment_body_clean(body)
    with transaction.atomic():
        row = _locked(comment)
        if not permissions.can_edit_comment(editor, row):
            raise PermissionDenied("This comment can no longer be edited.")
        if row.body != text:
            row.body, row.edited_at = text, timezone.now()
            row.save(update_fields=["body", "edited_at"])
            events.publish(
                CommentEdited(
                    comment_id=row.pk, target_kind=row.target_kind, target_id=row.target_id, actor_id=editor.pk
                )
            )
    return _copy_state(comment, row)


def comment_delete(*, comment: Comment, actor: User) -> Comment:
    """Its author deletes ``comment``: the text is gone, the row stays so replies keep their
    place under a "comment deleted" marker."""
    if not permissions.can_delete_comment(actor, comment):
        raise PermissionDenied("You may not delete this comment.")
    with transaction.atomic():
        row = _locked(comment)
        if row.deleted_at is None:
            row.deleted_at, row.body = timezone.now(), ""
            row.save(update_fields=["deleted_at", "body"])
            events.publish(
                CommentDeleted(
                    comment_id=row.pk, target_kind=row.target_kind, target_id=row.target_id, actor_id=actor.pk
                )
            )
    return _copy_state(comment, row)


def comment_flag(*, comment: Comment, user: User) -> bool:
    """``user`` reports ``comment``; True when this is their first report of it (a second one
    changes nothing). Past COMMENT_FLAG_THRESHOLD reports since a moderator last looked,
    the comment is hidden until a moderator decides."""
    if not permissions.can_flag_comment(user, comment):
        raise PermissionDenied("You may not report this comment.")
    with transaction.atomic():
        row = _locked(comment)
        _, created = CommentFlag.objects.get_or_create(comment=row, user=user)
        if not created:
            return False
        Comment.objects.filter(pk=row.pk).update(flag_count=F("flag_count") + 1)
        row.refresh_from_db(fields=["flag_count"])
        hidden = row.status == Status.APPROVED and row.unreviewed_flags >= settings.COMMENT_FLAG_THRESHOLD
        if hidden:
            row.status = Status.HIDDEN
            row.save(update_fields=["status"])
        event = CommentFlagged(
            comment_id=row.pk,
            target_kind=row.target_kind,
            target_id=row.target_id,
            flag_count=row.flag_count,
            hidden=hidden,
            actor_id=user.pk,
        )
        events.publish(event)
    _copy_state(comment, row)
    return True


# --- Moderation -----------------------------------------------------------------------------


def comment_approve(*, comment: Comment, moderator: User) -> Comment:
    """Publish a comment waiting for approval or hidden after reports, or keep a reported one
    (its reports so far are then settled). A newly visible comment is broadcast."""
    if not permissions.can_moderate_comment(moderator, comment):
        raise PermissionDenied("You may not moderate these comments.")
    with transaction.atomic():
        row = _locked(comment)
        if not permissions.can_approve_comment(moderator, row):
            raise ValidationError("This comment is not waiting for a decision.", code="not_waiting")
        previous = row.status
        row.status, row.reviewed_flag_count = Status.APPROVED, row.flag_count
        row.save(update_fields=["status", "reviewed_flag_count"])
        events.publish(
            CommentApproved(
                comment_id=row.pk,
                target_kind=row.target_kind,
                target_id=row.target_id,
                previous_status=previous,
                actor_id=moderator.pk,
            )
        )
        if previous != Status.APPROVED:
            realtime.broadcast_comment_created(row)
    return _copy_state(comment, row)


def comment_reject(*, comment: Comment, moderator: User) -> Comment:
    """Turn down a comment waiting for approval or hidden after reports: nobody sees it again."""
    if not permissions.can_moderate_comment(moderator, comment):
        raise PermissionDenied("You may not moderate these comments.")
    with transaction.atomic():
        row = _locked(comment)
        if not permissions.can_reject_comment(moderator, row):
            raise ValidationError("Only a comment waiting for approval or hidden can be rejected.", code="not_waiting")
        row.status, row.reviewed_flag_count = Status.REJECTED, row.flag_count
        row.save(update_fields=["status", "reviewed_flag_count"])
        events.publish(
            CommentRejected(
                comment_id=row.pk, target_kind=row.target_kind, target_id=row.target_id, actor_id=moderator.pk
            )
        )
    return _copy_state(comment, row)


def comment_remove(*, comment: Comment, moderator: User) -> Comment:
    """Take down a published (or hidden) comment; replies stay under a "comment removed" marker."""
    if not permissions.can_moderate_comment(moderator, comment):
        raise PermissionDenied("You may not moderate these comments.")
    with transaction.atomic():
        row = _locked(comment)
        if not permissions.can_remove_comment(moderator, row):
            raise ValidationError("Only a published comment can be removed.", code="not_published")
        row.status, row.reviewed_flag_count = Status.REMOVED, row.flag_count
        row.save(update_fields=["status", "reviewed_flag_count"])
        events.publish(
            CommentRemoved(
                comment_id=row.pk, target_kind=row.target_kind, target_id=row.target_id, actor_id=moderator.pk
            )
        )
    return _copy_state(comment, row)


def commenter_ban(*, user: User, moderator: User, reason: str = "") -> CommentBan:
    """Ban ``user`` from commenting anywhere on the platform (and from editing and reporting);
    their comments still waiting for a decision, on every kind, are rejected. Banning a banned
    user changes nothing."""
    if not permissions.can_ban_commenter(moderator, user):
        raise PermissionDenied("You may not ban this reader.")
    reason = reason.strip()
    if len(reason) > 1000:
        raise ValidationError("The reason may be at most 1000 characters.", code="max_length")
    with transaction.atomic():
        ban, created = CommentBan.objects.get_or_create(user=user, defaults={"banned_by": moderator, "reason": reason})
        if created:
            waiting = Comment.objects.filter(author=user, status__in=[Status.PENDING, Status.HIDDEN])
            rejected = waiting.update(status=Status.REJECTED, reviewed_flag_count=F("flag_count"))
            event = CommenterBanned(user_id=user.pk, reason=reason, rejected_comments=rejected, actor_id=moderator.pk)
            events.publish(event)
    permissions.forget_comment_ban(user)
    return ban


def commenter_unban(*, user: User, moderator: User) -> None:
    """Let a banned reader comment again."""
    if not permissions.can_unban_commenter(moderator):
        raise PermissionDenied("You may not moderate comments.")
    with transaction.atomic():
        deleted, _ = CommentBan.objects.filter(user=user).delete()
        if not deleted:
            raise ValidationError("This reader is not banned.", code="not_banned")
        events.publish(CommenterUnbanned(user_id=user.pk, actor_id=moderator.pk))
    permissions.forget_comment_ban(user)
