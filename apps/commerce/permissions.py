"""Who may do what in the shop: one policy for pages, the API, the admin and the services.

A shop owner (role ``shop_owner``) runs only the shops they own: their products, stock,
shipping, vouchers, the parts of orders with their lines, and those orders' customers as far as
those parts go. Admins (and super admins) run every shop. A customer sees their own orders.
The policy takes loaded objects and reads only their fields (no queries but ``has_role``'s
cached roles), so models and selectors may ask it anywhere.
"""

from __future__ import annotations

from typing import Any

from apps.core.accounts import RoleName, has_role


def _active(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def is_shop_staff(user: Any) -> bool:
    """Admins and above: every shop, every order."""
    return has_role(user, RoleName.ADMIN)


def can_open_shop(user: Any) -> bool:
    """Shop owners open shops of their own; admins open them for anyone."""
    return has_role(user, RoleName.SHOP_OWNER)


def owns_shop(user: Any, shop: Any) -> bool:
    return _active(user) and shop.owner_id == user.pk and has_role(user, RoleName.SHOP_OWNER)


def can_manage_shop(user: Any, shop: Any) -> bool:
    """Products, stock, shipping, vouchers and the orders of ``shop``: its owner and staff."""
    return is_shop_staff(user) or owns_shop(user, shop)


def can_view_product(user: Any, product: Any) -> bool:
    """A live product of an active shop is public; anything else only to whoever manages it."""
    if product.live and product.shop.is_active:
        return True
    return can_manage_shop(user, product.shop)


def can_buy(user: Any) -> bool:
    """Anyone may fill a cart; checking out needs an account (the order lives on it)."""
    return _active(user)


def can_view_order(user: Any, order: Any) -> bool:
    """The customer who placed it and staff (a shop owner sees their part: ``can_manage_part``)."""
    return is_shop_staff(user) or (_active(user) and order.user_id == user.pk)


def can_manage_part(user: Any, part: Any) -> bool:
    """One shop's part of an order (fulfil, cancel, refund): that shop's owner and staff."""
    return can_manage_shop(user, part.shop)


def can_request_return(user: Any, order: Any) -> bool:
    return _active(user) and order.user_id == user.pk


def can_manage_catalogue(user: Any) -> bool:
    """Categories, collections, product types and attributes are the platform's: staff keep them."""
    return is_shop_staff(user)
