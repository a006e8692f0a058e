"""The comments' reactions to their own events: readers' cached pages must show the change.

They run after commit in the committing process (``events.after_commit``): its own page cache is
the one to drop, so the next request (of the writer, reading their own write) sees the change.
"""

from __future__ import annotations

from apps.core.comments import services
from apps.core.comments.registry import commentable, commentables
from apps.core.platform import events, pagecache

# Every event that can change what a signed-out reader sees in a thread (a new published comment,
# an approval, an edit, a deletion, a removal, a comment hidden by reports).
THREAD_CHANGES = (
    services.CommentCreated,
    services.CommentEdited,
    services.CommentDeleted,
    services.CommentFlagged,
    services.CommentApproved,
    services.CommentRejected,
    services.CommentRemoved,
)


def forget_cached_thread(event: services.CommentCreated) -> None:
    """The pages of the event's kind that show threads are stale."""
    entry = commentable(event.target_kind)
    if entry is not None and entry.cache_namespace:
        pagecache.invalidate(entry.cache_namespace)


def forget_every_cached_thread(event: events.DomainEvent) -> None:
    """A ban rejects waiting comments on any kind: every kind's thread pages are stale."""
    for namespace in {entry.cache_namespace for entry in commentables() if entry.cache_namespace}:
        pagecache.invalidate(namespace)


def connect() -> None:
    for event_type in THREAD_CHANGES:
        events.after_commit(event_type)(forget_cached_thread)
    events.after_commit(services.CommenterBanned)(forget_every_cached_thread)
