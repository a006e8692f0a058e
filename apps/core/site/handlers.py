"""Core's reactions to domain events (connected in CoreConfig.ready), after commit in the
committing process: the cached reads it drops are this process's, read by the very next request."""

from __future__ import annotations

from django.core.cache import cache

from apps.core.platform import events
from apps.core.platform.degraded import degraded
from apps.core.publishing.services import ContentPublished, ContentUnpublished, ThemeActivated
from apps.core.site.selectors import ACTIVE_THEME_KEY, FOOTER_PAGES_KEY, SITE_COMPONENTS_KEY

# Which cached site-wide read each kind of publishable content feeds.
SITE_CACHE_KEYS = {
    "core.sitepage": FOOTER_PAGES_KEY,
    "core.theme": ACTIVE_THEME_KEY,
    "core.sitecomponent": SITE_COMPONENTS_KEY,
}


def forget_cached_site_content(event: ContentPublished | ContentUnpublished | ThemeActivated) -> None:
    """What visitors see changed: drop the cached read that shows it."""
    key = SITE_CACHE_KEYS.get(event.model)
    if key is None:
        return
    try:
        cache.delete(key)
    except Exception as exc:  # the write has committed; a cache that is down serves nothing stale
        degraded("site_cache_invalidate", exc)


def connect() -> None:
    for event_type in (ContentPublished, ContentUnpublished, ThemeActivated):
        events.after_commit(event_type)(forget_cached_site_content)
