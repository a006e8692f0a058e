"""The blog's reactions to domain events (subscribed in BlogConfig.ready)."""

from __future__ import annotations

from typing import Any

from apps.blog import selectors
from apps.blog.services import CategoryCreated
from apps.core import events
from apps.core.publishing.services import ContentPublished, ContentUnpublished

POST_LABEL = "blog.post"


def forget_live_reads_on_publication(event: ContentPublished | ContentUnpublished) -> None:
    """A post went live, changed or came down: every cached visitor read of the blog is retired
    (lists, pages, feeds, counts), so readers see it at once."""
    if event.model == POST_LABEL:
        selectors.forget_live_reads()


def forget_live_reads_on_category(event: Any) -> None:
    selectors.forget_live_reads()


def connect() -> None:
    for event_type in (ContentPublished, ContentUnpublished):
        events.subscribe(event_type)(forget_live_reads_on_publication)
    events.subscribe(CategoryCreated)(forget_live_reads_on_category)
