"""Core's reactions to domain events (subscribed in CoreConfig.ready)."""

from __future__ import annotations

import logging

from django.core.cache import cache

from apps.core import events
from apps.core.publishing.services import ContentPublished, ContentUnpublished, ThemeActivated
from apps.core.selectors import ACTIVE_THEME_KEY, FOOTER_PAGES_KEY, SITE_COMPONENTS_KEY

logger = logging.getLogger(__name__)


def forget_footer_pages(event: ContentPublished | ContentUnpublished) -> None:
    if event.model == "core.sitepage":
        cache.delete(FOOTER_PAGES_KEY)


def forget_active_theme(event: ContentPublished | ContentUnpublished | ThemeActivated) -> None:
    if event.model == "core.theme":
        cache.delete(ACTIVE_THEME_KEY)


def forget_site_components(event: ContentPublished | ContentUnpublished) -> None:
    if event.model == "core.sitecomponent":
        cache.delete(SITE_COMPONENTS_KEY)


def connect() -> None:
    for event_type in (ContentPublished, ContentUnpublished):
        events.subscribe(event_type)(forget_footer_pages)
        events.subscribe(event_type)(forget_active_theme)
        events.subscribe(event_type)(forget_site_components)
    events.subscribe(ThemeActivated)(forget_active_theme)
