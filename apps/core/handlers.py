"""Core's reactions to domain events (subscribed in CoreConfig.ready)."""

from __future__ import annotations

import logging

from django.core.cache import cache

from apps.core import events
from apps.core.publishing.services import ContentPublished, ContentUnpublished
from apps.core.selectors import FOOTER_PAGES_KEY

logger = logging.getLogger(__name__)


def forget_footer_pages(event: ContentPublished | ContentUnpublished) -> None:
    if event.model == "core.sitepage":
        cache.delete(FOOTER_PAGES_KEY)


def connect() -> None:
    events.subscribe(ContentPublished)(forget_footer_pages)
    events.subscribe(ContentUnpublished)(forget_footer_pages)
