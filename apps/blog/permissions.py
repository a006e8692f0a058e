"""Who may do what on the blog: one policy for pages, the API, comments and the engine.

Answers come from roles (``apps.core.permissions.has_role``, cached per user object) and
ownership (a field comparison), so asking costs no query once a user's roles are loaded.
A blog author writes and submits their own posts; a blog admin (and every role above it:
admin, super admin) edits, reviews, publishes and schedules any post and moderates comments.
"""

from __future__ import annotations

from typing import Any

from apps.blog.roles import BLOG_ADMIN, BLOG_AUTHOR
from apps.core.permissions import has_role

_BAN_CACHE_ATTR = "_blog_comment_banned"


def _active(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def _owns(user: Any, post: Any) -> bool:
    return _active(user) and post.author_id == user.pk


def can_view_post(user: Any, post: Any) -> bool:
    """Everyone sees a live post; a post that is not live exists only for those who may edit it."""
    return bool(post.live) or can_edit_post(user, post)


def can_create_post(user: Any) -> bool:
    """Blog authors (and blog admins and above) start new posts."""
    return has_role(user, BLOG_AUTHOR)


def can_edit_post(user: Any, post: Any) -> bool:
    """Blog admins edit any post; a blog author edits their own (a post without an author yet is
    one they are creating)."""
    if has_role(user, BLOG_ADMIN):
        return True
    if not has_role(user, BLOG_AUTHOR):
        return False
    return post.author_id is None or _owns(user, post)


def can_submit_post(user: Any, post: Any) -> bool:
    """An editor of the post asks for review when there is something to publish and it is not
    already waiting."""
    has_news = post.has_unpublished_changes or not post.live
    return can_edit_post(user, post) and has_news and post.review_state != post.ReviewState.SUBMITTED


def can_publish_post(user: Any, post: Any) -> bool:
    """Publishing, scheduling and taking down: blog admins and above, never authors alone."""
    return has_role(user, BLOG_ADMIN)


def can_review(user: Any) -> bool:
    """The review queue: blog admins read it, publish from it and request changes."""
    return has_role(user, BLOG_ADMIN)


def can_manage_categories(user: Any) -> bool:
    """Categories are the blog's sections: blog admins keep the list."""
    return has_role(user, BLOG_ADMIN)


def can_create_tags(user: Any) -> bool:
    """Tags are free labels: whoever writes posts may add new ones."""
    return has_role(user, BLOG_AUTHOR)


def can_moderate_comments(user: Any) -> bool:
    """Approving, rejecting and removing comments, and banning commenters: blog admins and above."""
    return has_role(user, BLOG_ADMIN)


def is_comment_banned(user: Any) -> bool:
    """Whether ``user`` is banned from commenting (one query, then remembered on the user object)."""
    if not _active(user):
        return False
    banned = getattr(user, _BAN_CACHE_ATTR, None)
    if banned is None:
        from apps.blog.models import CommentBan

        banned = CommentBan.objects.filter(user_id=user.pk).exists()
        setattr(user, _BAN_CACHE_ATTR, banned)
    return banned


def can_comment(user: Any, post: Any = None) -> bool:
    """Signed-in, active readers who are not banned comment on live posts."""
    if not _active(user) or (post is not None and not post.live):
        return False
    return not is_comment_banned(user)


def forget_comment_ban(user: Any) -> None:
    """Drop the remembered answer of ``is_comment_banned`` after a ban or an unban."""
    if user is not None and hasattr(user, _BAN_CACHE_ATTR):
        delattr(user, _BAN_CACHE_ATTR)


# --- Comments, one by one ---------------------------------------------------------------------
# A comment's status (Comment.Status) decides who sees it: approved ones every reader of the live
# post; pending ones (a first comment) and hidden ones (reported past the threshold) their author
# and moderators; rejected ones nobody. A removed or deleted comment stays as a marker while
# replies hang from it.


def is_comment_author(user: Any, comment: Any) -> bool:
    """Whether ``user`` (signed in and active) wrote ``comment``."""
    return _active(user) and comment.author_id == user.pk


def can_view_comment(user: Any, comment: Any, post: Any = None) -> bool:
    """Whether ``user`` sees ``comment`` (or its "deleted"/"removed" marker) in the post's thread."""
    post = post if post is not None else comment.post
    if not post.live:
        return False
    status = comment.Status
    if comment.status in (status.APPROVED, status.REMOVED):
        return True
    if comment.status in (status.PENDING, status.HIDDEN):
        return is_comment_author(user, comment) or can_moderate_comments(user)
    return False


def can_reply_to_comment(user: Any, comment: Any, post: Any = None) -> bool:
    """Readers who may comment reply to comments they see that are still there (approved, or a
    pending one they see: their own, or any for moderators)."""
    post = post if post is not None else comment.post
    if comment.deleted_at is not None or comment.status not in (comment.Status.APPROVED, comment.Status.PENDING):
        return False
    return can_comment(user, post) and can_view_comment(user, comment, post)


def comment_edit_ends_at(comment: Any) -> Any:
    """When the author's chance to edit ``comment`` ends (BLOG_COMMENT_EDIT_WINDOW after writing it)."""
    from datetime import timedelta

    from django.conf import settings

    return comment.created_at + timedelta(seconds=settings.BLOG_COMMENT_EDIT_WINDOW)


def can_edit_comment(user: Any, comment: Any, now: Any = None) -> bool:
    """Its author, not banned, for BLOG_COMMENT_EDIT_WINDOW after writing it, while it is still
    there and not hidden after reports."""
    from django.utils import timezone

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
    """Moderators publish a waiting or hidden comment, or keep a reported one."""
    if not can_moderate_comments(user) or comment.deleted_at is not None:
        return False
    status = comment.Status
    reported = comment.status == status.APPROVED and comment.flag_count > comment.reviewed_flag_count
    return comment.status in (status.PENDING, status.HIDDEN) or reported


def can_reject_comment(user: Any, comment: Any) -> bool:
    """Moderators turn down a comment waiting for approval or hidden after reports."""
    if not can_moderate_comments(user) or comment.deleted_at is not None:
        return False
    return comment.status in (comment.Status.PENDING, comment.Status.HIDDEN)


def can_remove_comment(user: Any, comment: Any) -> bool:
    """Moderators take down a published (or hidden) comment; its replies stay under a marker."""
    if not can_moderate_comments(user) or comment.deleted_at is not None:
        return False
    return comment.status in (comment.Status.APPROVED, comment.Status.HIDDEN)


def can_ban_commenter(user: Any, commenter: Any) -> bool:
    """Moderators ban readers from commenting; never themselves nor another moderator."""
    if not can_moderate_comments(user) or commenter is None or commenter.pk == user.pk:
        return False
    return not can_moderate_comments(commenter)
