from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from apps.core.publishing.services import publish_due

logger = logging.getLogger(__name__)

TURN_KEY = "publishing:due-check"
# Each process asks the cache for the turn at most this often: the cache key already limits the
# check to once per PUBLISH_CHECK_SECONDS across processes, and asking on every request cost a
# cache round trip per request (a network one with Redis).
LOCAL_INTERVAL = 1.0


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
        self.next_ask = 0.0

    def _my_turn(self) -> bool:
        now = time.monotonic()
        if now < self.next_ask:
            return False
        self.next_ask = now + min(LOCAL_INTERVAL, settings.PUBLISH_CHECK_SECONDS)
        return _claim_turn()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(self.skipped_prefixes) and self._my_turn():
            try:
                publish_due()
            except Exception:
                logger.exception("applying due schedules failed; the next check will retry")
                cache.delete(TURN_KEY)
        return self.get_response(request)
