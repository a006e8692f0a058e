"""The shop's hook: everything it contributes to the platform (see apps/core/platform/hooks.py)."""

from __future__ import annotations

from apps.core.platform import AppHook, Mount

hook = AppHook(
    pages=(Mount("shop/", "apps.commerce.urls"),),
    header_items=("commerce/_mini_cart.html",),
    robots_disallow=(
        "/shop/cart/",
        "/shop/checkout/",
        "/shop/orders/",
        "/shop/pay/",
        "/shop/downloads/",
        "/shop/manage/",
    ),
)
