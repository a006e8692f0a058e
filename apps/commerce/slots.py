"""The shop's block slot: the newest products as cards, for the home page (or any body)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string

from apps.commerce.selectors.catalogue import for_cards, live_products, with_card_urls


def new_products(request: HttpRequest | None, options: Mapping[str, Any]) -> str:
    """The newest live products (``options.limit``, 4 by default, at most 12); nothing when none."""
    limit = options.get("limit", 4)
    limit = limit if isinstance(limit, int) and not isinstance(limit, bool) and 1 <= limit <= 12 else 4
    products = with_card_urls(list(for_cards(live_products().order_by("-first_published_at", "-pk"))[:limit]))
    if not products:
        return ""
    return render_to_string("commerce/_new_products.html", {"products": products}, request=request)
