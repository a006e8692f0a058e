"""Channel-layer group names and broadcasts for the blog. Group names live only here."""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

# Close code for a socket asking about a post that does not exist or is not published
# (4000-4999 are the application's own; core's 4401 means "sign in first").
CLOSE_NOT_FOUND = 4404


def post_comments_group(post_id: int) -> str:
    """Every socket reading the comments of one post, on any process."""
    return f"blog.post.{post_id}.comments"


def post_comments_socket_path(post_id: int) -> str:
    """Where a post's readers open their socket (apps/blog/routing.py serves it)."""
    return f"/ws/blog/posts/{post_id}/comments/"


def broadcast_comment_created(*, post_id: int, comment_id: int, parent_id: int | None) -> None:
    """Tell the post's readers that a comment is now published, once the transaction commits.

    Readers fetch the comment's fragment themselves (as they see it: their own buttons, no
    secrets in the broadcast). A channel layer that is down loses the broadcast, nothing else:
    readers see the comment when they next load the page.
    """
    message = {"type": "comment.created", "comment_id": comment_id, "parent_id": parent_id}

    def send() -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        try:
            async_to_sync(layer.group_send)(post_comments_group(post_id), message)
        except Exception as exc:  # Redis away: the write stands, the live update is lost
            logger.warning("could not broadcast comment %s on post %s: %r", comment_id, post_id, exc)

    transaction.on_commit(send, robust=True)
