"""The shop's hook: everything it contributes to the platform (see apps/core/platform/hooks.py)."""

from __future__ import annotations

from apps.commerce import permissions
from apps.commerce.notifications import KINDS
from apps.commerce.panels import PANELS
from apps.core.accounts import Tool
from apps.core.platform import AppHook, Mount


def _customer(user: object) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _manager(user: object) -> bool:
    return permissions.can_open_shop(user) or permissions.is_shop_staff(user)


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
    # --- Orders and after (apps/commerce/notifications.py, panels.py) ---
    notification_kinds=KINDS,
    panels=PANELS,
    tools=(
        Tool("Your orders", "commerce:orders", "What you bought, its status, invoices and downloads.", show=_customer),
        Tool("Shop orders", "commerce:manage-orders", "Fulfil, refund and export your shops' orders.", show=_manager),
    ),
)
