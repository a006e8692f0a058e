"""Who may do what with comments, on every kind: one policy for pages, consumers and services.

Seeing a thread, and so commenting on it when signed in, follows the object's kind
registration (``can_view``); moderating follows the kind's ``can_moderate``, so core never names
a domain's roles. Bans are platform-wide: a banned reader writes, edits and reports nowhere.

A comment's status decides who sees it: approved ones every reader of the object; pending ones (a
first comment) and hidden ones (reported past the threshold) their author and the kind's
moderators; rejected ones nobody. A removed or deleted comment stays as a marker while replies
hang from it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from apps.core.comments.registry import commentable, commentables

_BAN_CACHE_ATTR = "_comment_banned"


def _active(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


# --- Moderators --------------------------------------------------------------------------------


def can_moderate_kind(user: Any, kind: str) -> bool:
    """Whether ``user`` moderates the comments of ``kind`` (its registration says)."""
    entry = commentable(kind)
    return bool(entry is not None and _active(user) and entry.can_moderate(user))


def moderated_kinds(user: Any) -> list[str]:
    """The kinds whose comments ``user`` moderates (no query once their roles are loaded)."""
    return [entry.kind for entry in commentables() if can_moderate_kind(user, entry.kind)]


def can_moderate_comments(user: Any) -> bool:
    """Whether ``user`` moderates any kind: they open the moderation queue and ban readers."""
    return bool(moderated_kinds(user))


def can_moderate_comment(user: Any, comment: Any) -> bool:
    return can_moderate_kind(user, comment.target_kind)


# --- Bans ----------------------------------------------------------------------------------------


def is_comment_banned(user: Any) -> bool:
    """Whether ``user`` is banned from commenting (one query, then remembered on the user object)."""
    if not _active(user):
        return False
    banned = getattr(user, _BAN_CACHE_ATTR, None)
    if banned is None:
        from apps.core.comments.models import CommentBan

        banned = CommentBan.objects.filter(user_id=user.pk).exists()
        setattr(user, _BAN_CACHE_ATTR, banned)
    return banned


def forget_comment_ban(user: Any) -> None:
    """Drop the remembered answer of ``is_comment_banned`` after a ban or an unban."""
    if user is not None and hasattr(user, _BAN_CACHE_ATTR):
        delattr(user, _BAN_CACHE_ATTR)


def can_ban_commenter(user: Any, commenter: Any) -> bool:
    """Moderators (of any kind) ban readers from commenting; never themselves nor a moderator."""
    if not can_moderate_comments(user) or commenter is None or commenter.pk == user.pk:
        return False
    return not can_moderate_comments(commenter)


def can_unban_commenter(user: Any) -> bool:
    return can_moderate_comments(user)


# --- Threads -------------------------------------------------------------------------------------


def can_view_thread(user: Any, kind: str, target: Any) -> bool:
    """Whether ``user`` sees the thread of ``target`` (an object of ``kind``)."""
    entry = commentable(kind)
    return bool(entry is not None and target is not None and entry.can_view(user, target))


def can_comment(user: Any, kind: str, target: Any) -> bool:
    """Signed-in, active readers who are not banned comment on objects whose thread they see."""
    if not _active(user) or not can_view_thread(user, kind, target):
        return False
    return not is_comment_banned(user)


def comment_refusal(user: Any, kind: str, target: Any) -> str:
    """Why ``user`` may not comment on ``target`` (ask after ``can_comment`` said no)."""
    if not _active(user):
        return "Sign in to comment."
    if is_comment_banned(user):
        return "You have been banned from commenting."
    if not can_view_thread(user, kind, target):
        return "Comments are not open here."
    return "You may not comment here."


# --- Comments, one by one -------------------------------------------------------------------------


def is_comment_author(user: Any, comment: Any) -> bool:
    """Whether ``user`` (signed in and active) wrote ``comment``."""
    return _active(user) and comment.author_id == user.pk


def can_view_comment(user: Any, comment: Any, target: Any = None) -> bool:
    """Whether ``user`` sees ``comment`` (or its "deleted"/"removed" marker) in its thread."""
    target = target if target is not None else comment.target
    if not can_view_thread(user, comment.target_kind, target):
        return False
    status = comment.Status
    if comment.status in (status.APPROVED, status.REMOVED):
        return True
    if comment.status in (status.PENDING, status.HIDDEN):
        return is_comment_author(user, comment) or can_moderate_comment(user, comment)
    return False


def can_reply_to_comment(user: Any, comment: Any, target: Any = None) -> bool:
    """Readers who may comment reply to comments they see that are still there (approved, or a
    pending one they see: their own, or any for moderators)."""
    target = target if target is not None else comment.target
    if comment.deleted_at is not None or comment.status not in (comment.Status.APPROVED, comment.Status.PENDING):
        return False
    return can_comment(user, comment.target_kind, target) and can_view_comment(user, comment, target)


def comment_edit_ends_at(comment: Any) -> datetime:
    """When the author's chance to edit ``comment`` ends (COMMENT_EDIT_WINDOW after writing it)."""
    return comment.created_at + timedelta(seconds=settings.COMMENT_EDIT_WINDOW)


def can_edit_comment(user: Any, comment: Any, now: datetime | None = None) -> bool:
    """Its author, not banned, for COMMENT_EDIT_WINDOW after writing it, while it is still there
    and not hidden after reports."""
    if not is_comment_author(user, comment) or comment.deleted_at is not None or is_comment_banned(user):
        return False
    if comment.status not in (comment.Status.APPROVED, comment.Status.PENDING):
        return False
    return (now or timezone.now()) < comment_edit_ends_at(comment)


def can_delete_comment(user: Any, comment: Any) -> bool:
    """Its author deletes it at any time (banned or not); moderators remove instead."""
    if not is_comment_author(user, comment) or comment.deleted_at is not None:
        return False
    return comment.status in (comment.Status.APPROVED, comment.Status.PENDING, comment.Status.HIDDEN)


def can_flag_comment(user: Any, comment: Any) -> bool:
    """Signed-in readers who may comment report a published comment of someone else (once:
    the database keeps one report per reader and comment)."""
    if not _active(user) or comment.author_id == user.pk or is_comment_banned(user):
        return False
    return comment.status == comment.Status.APPROVED and comment.deleted_at is None


def can_approve_comment(user: Any, comment: Any) -> bool:
    """The kind's moderators publish a waiting or hidden comment, or keep a reported one."""
    if not can_moderate_comment(user, comment) or comment.deleted_at is not None:
        return False
    status = comment.Status
    reported = comment.status == status.APPROVED and comment.flag_count > comment.reviewed_flag_count
    return comment.status in (status.PENDING, status.HIDDEN) or reported


def can_reject_comment(user: Any, comment: Any) -> bool:
    """The kind's moderators turn down a comment waiting for approval or hidden after reports."""
    if not can_moderate_comment(user, comment) or comment.deleted_at is not None:
        return False
    return comment.status in (comment.Status.PENDING, comment.Status.HIDDEN)


def can_remove_comment(user: Any, comment: Any) -> bool:
    """The kind's moderators take down a published (or hidden) comment; replies stay under a marker."""
    if not can_moderate_comment(user, comment) or comment.deleted_at is not None:
        return False
    return comment.status in (comment.Status.APPROVED, comment.Status.HIDDEN)
