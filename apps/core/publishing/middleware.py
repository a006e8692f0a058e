from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from apps.core.publishing.services import publish_due

logger = logging.getLogger(__name__)

TURN_KEY = "publishing:due-check"


def _claim_turn() -> bool:
    # With the cache down the site still serves pages; schedules wait for the cache or for cron.
    try:
        return bool(cache.add(TURN_KEY, 1, timeout=settings.PUBLISH_CHECK_SECONDS))
    except Exception as exc:
        logger.warning("schedule check skipped: the cache is unavailable (%s)", exc)
        return False


class ScheduledPublishingMiddleware:
    """Applies due schedules while the site serves requests, without a loop of its own.

    At most once per PUBLISH_CHECK_SECONDS across every process (a cache key claims the turn),
    before the request is handled, so a page scheduled for 09:00 is live for the first visitor
    after 09:00 even when no cron runs `publish_scheduled`.
    """

    # Probes and files must stay cheap and must not depend on the database.
    skipped_prefixes = ("/healthz", "/readyz", "/static/", "/media/", "/favicon.ico")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(self.skipped_prefixes) and _claim_turn():
            try:
                publish_due()
            except Exception:
                logger.exception("applying due schedules failed; the next check will retry")
                cache.delete(TURN_KEY)
        return self.get_response(request)
