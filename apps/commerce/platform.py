"""The shop's hook: everything it contributes to the platform (see apps/core/platform/hooks.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from apps.commerce import bench, demo, permissions
from apps.commerce.demo_checkout import seed_checkout
from apps.commerce.demo_orders import seed_orders
from apps.commerce.notifications import KINDS
from apps.commerce.panels import PANELS
from apps.commerce.profile_section import shops_owned
from apps.commerce.sitemaps import SITEMAPS
from apps.commerce.slots import new_products
from apps.core.accounts import RoleName, Tool
from apps.core.blocks import Slot
from apps.core.platform import AppHook, DemoAccount, Mount, NavLink, Periodic, ProfileSection


def _customer(user: object) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _manager(user: object) -> bool:
    return permissions.can_open_shop(user) or permissions.is_shop_staff(user)


def seed_demo(*, write: Callable[[str], Any] = print) -> None:
    """The demo shops and their products, then their shipping, taxes and voucher, then the demo
    student's past orders (each step idempotent, each needing the one before)."""
    demo.seed_catalogue(write=write)
    seed_checkout(write=write)
    seed_orders(write=write)


hook = AppHook(
    pages=(Mount("shop/", "apps.commerce.urls"),),
    api=(Mount("shop/", "apps.commerce.api.urls"),),
    api_links={"shop": "api-shop-root", "shop_products": "api-shop-products", "shop_cart": "api-shop-cart"},
    header_items=("commerce/_mini_cart.html",),
    # The catalogue: its header link, sitemaps and the built-in home's promise.
    sitemaps=SITEMAPS,
    nav=(NavLink("Shop", "commerce:catalogue"),),
    home_intro="A shop of several makers' shops, with a catalogue to filter and search.",
    # No public call to action of its own: the blog's and "Create an account" must share one row
    # on a 390 px phone (tests/browser/test_pages_layout.py); the header's Shop link and the
    # home's "From the shop" cards (ending "Browse the whole shop") lead visitors here instead.
    home_actions=(NavLink("Manage your shop", "commerce:manage", show=permissions.can_open_shop),),
    tools=(
        Tool("The shop", "commerce:catalogue", "Every product of every shop, to filter and search."),
        Tool("Your orders", "commerce:orders", "What you bought, its status, invoices and downloads.", show=_customer),
        Tool(
            "Your shops and products",
            "commerce:manage",
            "Products, variants, stock and pictures; drafts and publishing.",
            show=permissions.can_open_shop,
        ),
        Tool("Add a product", "commerce:manage-product-create", "Start a new draft.", show=permissions.can_open_shop),
        Tool("Shop orders", "commerce:manage-orders", "Fulfil, refund and export your shops' orders.", show=_manager),
    ),
    # The slot brings its own heading, so an empty shop leaves no heading behind.
    demo_home=({"type": "slot", "name": "new_products", "options": {"limit": 4}},),
    # shopowner@test.com is core's; a second owner so two shops share one cart.
    demo_accounts=(DemoAccount(demo.MAKERS_EMAIL, demo.MAKERS_PASSWORD, RoleName.SHOP_OWNER, "Mo Maker"),),
    demo_seed=seed_demo,
    bench_seed=bench.seed,
    slots=(Slot("new_products", new_products, "The newest products of the shop."),),
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
    # Beat, every minute: checkouts whose stock reservation ran out give it back (tasks.py).
    periodic=(Periodic("commerce.release_expired", 60),),
    # A tab of people's profiles: the active shops they own (/@<handle>/shop/).
    profile_sections=(ProfileSection("shop", "Shop", shops_owned, order=30),),
)
