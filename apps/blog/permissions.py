"""Who may do what on the blog: one policy for pages, the API and the engine.

Answers come from roles (``apps.core.accounts.permissions.has_role``, cached per user object) and
ownership (a field comparison), so asking costs no query once a user's roles are loaded. The
policy takes objects already loaded (and reads only their fields): it imports no model and runs
no query, so apps/blog/models.py can hand the engine's questions to it (``Post.allows_draft_by``)
without an import circle, and reads stay in apps/blog/selectors.py.

Each action on a post has one refusal reason (``post_action_refusal``): the services check it
once and raise it as PermissionDenied, and the pages and the API answer that reason (403).
A blog author writes and submits their own posts; a blog admin (and every role above it:
admin, super admin) edits, reviews, publishes and schedules any post and moderates comments.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from apps.blog.roles import BLOG_ADMIN, BLOG_AUTHOR
from apps.core.accounts import has_role


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


class PostAction(StrEnum):
    """What someone does to a post (through apps/blog/services.py)."""

    EDIT = "edit"  # save a draft
    SUBMIT = "submit"
    REVIEW = "review"  # request changes
    PUBLISH = "publish"
    SCHEDULE = "schedule"  # and cancel a schedule
    UNPUBLISH = "unpublish"


_REFUSALS = {
    PostAction.EDIT: "You may not edit this post.",
    PostAction.SUBMIT: "You may not submit this post.",
    PostAction.REVIEW: "You may not review posts: only blog admins do.",
    PostAction.PUBLISH: "You may not publish posts: only blog admins do.",
    PostAction.SCHEDULE: "You may not schedule posts: only blog admins do.",
    PostAction.UNPUBLISH: "You may not unpublish posts: only blog admins do.",
}


def post_action_refusal(user: Any, post: Any, action: PostAction | str) -> str | None:
    """Why ``user`` may not do ``action`` to ``post``, or None if they may. Only who may act:
    whether the post's state allows it (already submitted, nothing to publish) is the service's
    ValidationError."""
    action = PostAction(action)
    if action in (PostAction.EDIT, PostAction.SUBMIT):
        allowed = can_edit_post(user, post)
    elif action is PostAction.REVIEW:
        allowed = can_review(user)
    else:
        allowed = can_publish_post(user, post)
    return None if allowed else _REFUSALS[action]


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
    """Approving, rejecting and removing comments on posts: blog admins and above (core's comment
    engine asks this through the posts' registration, apps/blog/comments)."""
    return has_role(user, BLOG_ADMIN)
