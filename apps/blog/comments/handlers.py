"""The comments' reactions to their own events: readers' cached pages must show the change."""

from __future__ import annotations

from apps.blog.comments import services
from apps.blog.selectors import NAMESPACE
from apps.core import events, pagecache

# Every event that can change what a signed-out reader sees in a thread (a new published comment,
# an approval, an edit, a deletion, a removal, a comment hidden by reports, a ban's rejections).
VISIBLE_CHANGES = (
    services.CommentCreated,
    services.CommentEdited,
    services.CommentDeleted,
    services.CommentFlagged,
    services.CommentApproved,
    services.CommentRejected,
    services.CommentRemoved,
    services.CommenterBanned,
)


def forget_cached_threads(event: events.DomainEvent) -> None:
    pagecache.invalidate(NAMESPACE)


def connect() -> None:
    for event_type in VISIBLE_CHANGES:
        events.subscribe(event_type)(forget_cached_threads)
