"""Helpers of the cart, checkout and payment tests: a customer's cart, an address, a checkout
walked to the test provider's page."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from djmoney.money import Money

from apps.commerce.models import Address, Cart, CartLine, Checkout, ShippingMethod, TaxRate
from apps.commerce.services import checkout as checkouts

ADDRESS = {
    "name": "Cass Customer",
    "line1": "1 Rue de la Paix",
    "line2": "",
    "city": "Paris",
    "postal_code": "75002",
    "region": "",
    "country": "FR",
    "phone": "",
}


def fill_cart(user: Any, *variants: Any, quantity: int = 1) -> Cart:
    cart, _ = Cart.objects.get_or_create(user=user)
    for variant in variants:
        CartLine.objects.update_or_create(cart=cart, variant=variant, defaults={"quantity": quantity})
    return cart


def save_address(user: Any, **fields: Any) -> Address:
    return Address.objects.create(user=user, is_default=True, **{**ADDRESS, **fields})


def flat_shipping(shop: Any, price: str = "5.00", **fields: Any) -> ShippingMethod:
    return ShippingMethod.objects.create(
        shop=shop, name=fields.pop("name", "Post"), price=Money(Decimal(price), shop.currency), **fields
    )


def french_vat(rate: str = "20.00") -> TaxRate:
    return TaxRate.objects.get_or_create(country="FR", defaults={"rate": Decimal(rate)})[0]


def ready_checkout(user: Any, *variants: Any, quantity: int = 1) -> Checkout:
    """A started checkout of ``variants`` with the customer's saved address (and a shipping
    method of 5.00 for each shop that has none)."""
    fill_cart(user, *variants, quantity=quantity)
    for variant in variants:
        shop = variant.product.shop
        if not ShippingMethod.objects.filter(shop=shop).exists():
            flat_shipping(shop)
    if not Address.objects.filter(user=user).exists():
        save_address(user)
    return checkouts.checkout_start(user=user)


def pay_reference(url: str) -> str:
    return re.search(r"/shop/pay/([^/]+)/", url).group(1)
