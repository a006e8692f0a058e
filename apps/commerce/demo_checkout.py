"""Checkout's demo settings: shipping methods for every shop (run after the demo shops exist),
VAT rates for a few countries, and the voucher WELCOME10. Safe to run again (what exists is
kept)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from djmoney.money import Money

from apps.commerce.models import ShippingMethod, Shop, TaxRate, Voucher

TAX_RATES = {"FR": "20.00", "DE": "19.00", "NL": "21.00", "ES": "21.00", "IT": "22.00", "GB": "20.00", "US": "0.00"}


def _shipping_for(shop: Shop) -> list[dict[str, Any]]:
    money = lambda amount: Money(Decimal(amount), shop.currency)  # noqa: E731
    return [
        {"name": "Standard post", "kind": ShippingMethod.Kind.FLAT, "price": money("4.90"), "free_above": money("50")},
        {"name": "Express (1-2 days)", "kind": ShippingMethod.Kind.FLAT, "price": money("12.00"), "position": 1},
        {
            "name": "Heavy parcel",
            "kind": ShippingMethod.Kind.WEIGHT,
            "price": money("19.00"),
            "min_weight_grams": 5000,
            "position": 2,
        },
    ]


def seed_checkout(write: Callable[[str], Any] = print) -> None:
    """Shipping methods for the shops that have none, tax rates, and WELCOME10 (10 % off, twice
    per customer, 1000 uses)."""
    for shop in Shop.objects.filter(shipping_methods__isnull=True).distinct():
        for fields in _shipping_for(shop):
            ShippingMethod.objects.create(shop=shop, **fields)
        write(f"Shipping methods for {shop.name}.")
    for country, rate in TAX_RATES.items():
        _, created = TaxRate.objects.get_or_create(country=country, defaults={"rate": Decimal(rate)})
        if created:
            write(f"Tax rate {rate}% for {country}.")
    _, created = Voucher.objects.get_or_create(
        code="WELCOME10",
        defaults={"kind": Voucher.Kind.PERCENTAGE, "value": Decimal(10), "usage_limit": 1000, "per_customer_limit": 2},
    )
    if created:
        write("Voucher WELCOME10: 10% off.")
