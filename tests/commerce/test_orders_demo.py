"""The demo's past orders: made for the demo student on the demo shop, idempotent, at their stages."""

from __future__ import annotations

import pytest

from apps.commerce.demo_orders import seed_orders
from apps.commerce.models import Order
from apps.core.platform import events
from tests.commerce.factories import ShopFactory, make_product
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_seed_orders_makes_a_few_past_orders_once():
    student = UserFactory(email="student@test.com", roles=["student"])
    shop = ShopFactory(owner=UserFactory(email="shopowner@test.com", roles=["shop_owner"]))
    for _ in range(3):
        make_product(shop=shop, stock=20)
    said: list[str] = []

    seed_orders(write=said.append)
    seed_orders(write=said.append)
    events.deliver_pending()

    orders = {order.number: order for order in Order.objects.filter(user=student)}
    assert sorted(orders) == ["DEMO-1001", "DEMO-1002", "DEMO-1003"]
    assert orders["DEMO-1001"].status == Order.Status.FULFILLED
    assert orders["DEMO-1002"].status == Order.Status.PARTIALLY_REFUNDED
    assert orders["DEMO-1003"].status == Order.Status.PAID
    assert said[-1].startswith("demo orders: 0 made")
    assert student.notifications.filter(kind="commerce.order_paid").exists()


def test_seed_orders_waits_for_the_demo_shop():
    said: list[str] = []
    seed_orders(write=said.append)
    assert "skipped" in said[0]
