"""Pricing: shipping per shop part, vouchers, tax, rounding (no floats, half up)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from djmoney.money import Money

from apps.commerce import pricing
from apps.commerce.models import ShippingMethod, Voucher
from tests.commerce.factories import ShopFactory

pytestmark = pytest.mark.django_db

D = Decimal


def line(*, price: str = "10.00", quantity: int = 1, shop_id: int = 1, product_id: int = 1, kind: str = "physical"):
    return pricing.PricedLine(
        variant_id=product_id,
        product_id=product_id,
        shop_id=shop_id,
        name=f"Item {product_id}",
        variant_name="",
        sku=f"S{product_id}",
        kind=kind,
        quantity=quantity,
        unit_price=D(price),
        weight_grams=500,
    )


def test_cents_round_half_up():
    assert pricing.cents(D("2.345")) == D("2.35")
    assert pricing.cents(D("2.344")) == D("2.34")
    assert pricing.cents(D("0.005")) == D("0.01")


def test_included_tax_is_the_part_of_the_gross_and_added_tax_comes_on_top():
    assert pricing.tax_of(D("120.00"), D("20"), included=True) == D("20.00")
    assert pricing.tax_of(D("100.00"), D("20"), included=False) == D("20.00")
    assert pricing.tax_of(D("9.99"), D("7"), included=True) == D("0.65")


def test_shipping_flat_weight_bands_free_above_and_countries():
    shop = ShopFactory()
    flat = ShippingMethod(shop=shop, name="Flat", price=Money("4.90", "EUR"), countries=["FR", "DE"])
    band = ShippingMethod(
        shop=shop, name="Heavy", kind="weight", price=Money("9", "EUR"), min_weight_grams=1000, max_weight_grams=5000
    )
    free = ShippingMethod(shop=shop, name="Free", price=Money("3", "EUR"), free_above=Money("50", "EUR"))
    assert pricing.shipping_price(flat, subtotal=D(10), weight_grams=100, country="FR") == D("4.90")
    assert pricing.shipping_price(flat, subtotal=D(10), weight_grams=100, country="US") is None
    assert pricing.shipping_price(band, subtotal=D(10), weight_grams=999, country="FR") is None
    assert pricing.shipping_price(band, subtotal=D(10), weight_grams=1000, country="FR") == D("9.00")
    assert pricing.shipping_price(free, subtotal=D("49.99"), weight_grams=1, country="FR") == D("3.00")
    assert pricing.shipping_price(free, subtotal=D("50.00"), weight_grams=1, country="FR") == D("0")


def test_a_part_of_only_digital_lines_needs_no_shipping():
    shop = ShopFactory()
    method = ShippingMethod.objects.create(shop=shop, name="Post", price=Money("5", "EUR"))
    part = pricing.PricedPart(shop.pk, shop.name, [line(kind="digital", shop_id=shop.pk)])
    totals = pricing.price(
        currency="EUR", parts=[part], methods=[method], choices={}, country="FR", tax_rate=D(0), included=True
    )
    assert (totals.shipping, part.method, totals.total) == (D(0), None, D("10.00"))


def test_a_percentage_voucher_on_one_shop_and_tax_added_on_top():
    shop = ShopFactory()
    voucher = Voucher(code="TEN", kind="percentage", value=D("10"))
    parts = [
        pricing.PricedPart(1, "A", [line(price="19.99", quantity=3, shop_id=1)]),
        pricing.PricedPart(2, "B", [line(price="5.00", shop_id=2, product_id=2)]),
    ]
    totals = pricing.price(
        currency="EUR",
        parts=parts,
        methods=[],
        choices={},
        country="FR",
        tax_rate=D("20"),
        voucher=voucher,
        voucher_shop_ids={1},
        included=False,
    )
    assert totals.subtotal == D("64.97")
    assert totals.discount == D("6.00")  # 10 % of 59.97, rounded half up
    assert totals.tax == D("11.79")  # 20 % of 53.97 (10.79) + 20 % of 5.00
    assert totals.total == D("70.76")
    assert shop  # the factory's shop exists; the parts use plain ids


def test_a_fixed_voucher_is_spread_over_lines_and_never_exceeds_them():
    voucher = Voucher(code="FIVE", kind="fixed", value=D("5"))
    lines = [line(price="1.00"), line(price="2.00", product_id=2)]
    assert pricing.apply_voucher(voucher, lines) == D("3.00")
    assert [x.discount for x in lines] == [D("1.00"), D("2.00")]
    lines = [line(price="10.00"), line(price="20.00", product_id=2)]
    assert pricing.apply_voucher(voucher, lines) == D("5.00")
    assert sum(x.discount for x in lines) == D("5.00")


def test_voucher_problems_say_why():
    now = timezone.now()
    lines = [line(price="10.00")]

    def problem(**fields):
        voucher = Voucher(code="X", kind="percentage", value=D("10"), **fields)
        return pricing.voucher_problem(voucher, lines=lines, currency="EUR", now=now, customer_uses=1)

    assert problem() == ""
    assert "not valid yet" in problem(starts_at=now + timedelta(days=1))
    assert "expired" in problem(ends_at=now)
    assert "used up" in problem(usage_limit=3, used=3)
    assert "already used" in problem(per_customer_limit=1)
    assert "at least" in problem(min_spend=Money("20", "EUR"))
    assert "is for purchases in USD" in problem(currency="USD", min_spend=Money("1", "USD"))
    voucher = Voucher(code="X", kind="percentage", value=D("10"))
    assert "does not apply" in pricing.voucher_problem(
        voucher, lines=lines, currency="EUR", now=now, customer_uses=0, product_ids={99}
    )
