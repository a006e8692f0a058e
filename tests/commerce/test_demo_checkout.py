"""Checkout's demo seed: shipping for every shop, tax rates, WELCOME10; idempotent."""

from __future__ import annotations

import pytest

from apps.commerce.demo_checkout import seed_checkout
from apps.commerce.models import ShippingMethod, TaxRate, Voucher
from tests.commerce.factories import ShopFactory

pytestmark = pytest.mark.django_db


def test_the_demo_seed_runs_twice_and_keeps_what_exists():
    shop = ShopFactory()
    said: list[str] = []
    seed_checkout(write=said.append)
    seed_checkout(write=said.append)
    assert ShippingMethod.objects.filter(shop=shop).count() == 3
    assert TaxRate.objects.get(country="FR").rate == 20
    assert Voucher.objects.get().code == "WELCOME10"
    assert said.count("Voucher WELCOME10: 10% off.") == 1
