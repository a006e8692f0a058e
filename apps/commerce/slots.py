"""The shop's block slot: the newest products as cards, for the home page (or any body)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string

from apps.commerce.selectors.catalogue import (
    LIST_CACHE_SECONDS,
    NAMESPACE,
    for_cards,
    live_products,
    with_card_urls,
)
from apps.core.platform import pagecache


def new_products(request: HttpRequest | None, options: Mapping[str, Any]) -> str:
    """The newest live products (``options.limit``, 4 by default, at most 12); nothing when none.

    The cards read the same for every visitor, so they are rendered once (without the request)
    and kept until the next catalogue write, their "sold out" badges at most LIST_CACHE_SECONDS
    old, like the catalogue's own lists."""
    limit = options.get("limit", 4)
    limit = limit if isinstance(limit, int) and not isinstance(limit, bool) and 1 <= limit <= 12 else 4

    def load() -> str:
        products = with_card_urls(list(for_cards(live_products().order_by("-first_published_at", "-pk"))[:limit]))
        return render_to_string("commerce/_new_products.html", {"products": products}) if products else ""

    return pagecache.cached(NAMESPACE, f"new-products:{limit}", load, max_seconds=LIST_CACHE_SECONDS)
