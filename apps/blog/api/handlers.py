"""The API's reactions to domain events (subscribed in BlogConfig.ready, so every process that
publishes, the scheduler included, retires what the API cached)."""

from __future__ import annotations

from apps.blog.api import selectors
from apps.blog.models import Post
from apps.core.platform import events
from apps.core.publishing import ContentPublished, ContentUnpublished


def forget_live_reads(event: ContentPublished | ContentUnpublished) -> None:
    """A post went live, changed or came down: cached lists and posts are retired at once."""
    if event.model == Post.content_label():
        selectors.live_reads_forget()


def connect() -> None:
    for event_type in (ContentPublished, ContentUnpublished):
        events.subscribe(event_type)(forget_live_reads)
