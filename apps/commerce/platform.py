"""The shop's hook: everything it contributes to the platform (see apps/core/platform/hooks.py)."""

from __future__ import annotations

from apps.commerce.sitemaps import SITEMAPS
from apps.core.platform import AppHook, Mount, NavLink

hook = AppHook(
    pages=(Mount("shop/", "apps.commerce.urls"),),
    # The catalogue: its header link, sitemaps and the built-in home's promise.
    sitemaps=SITEMAPS,
    nav=(NavLink("Shop", "commerce:catalogue"),),
    home_intro="A shop of several makers' shops, with a catalogue to filter and search.",
    home_actions=(NavLink("Browse the shop", "commerce:catalogue"),),
    robots_disallow=(
        "/shop/cart/",
        "/shop/checkout/",
        "/shop/orders/",
        "/shop/pay/",
        "/shop/downloads/",
        "/shop/manage/",
    ),
)
