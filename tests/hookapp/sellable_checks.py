"""Run by tests/commerce/test_sellables.py in a process of its own with the tiny app installed
(``--ds=tests.hookapp.settings``): the app declares a "ticket" sellable in its hook, the shop sells
it like any product, and the app's own subscribers issue the tickets on ``commerce.order_paid``
and take them back on ``commerce.order_refunded``. Not collected by the main suite."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.commerce.models import Product, Stock
from apps.commerce.services import cart as carts
from apps.commerce.services import orders, sellables
from apps.core.platform import events, registry
from tests.commerce.factories import ShopFactory, make_paid_order, paid_event, variant_of
from tests.hookapp import tickets


@pytest.fixture
def shop(user_with_role):
    return ShopFactory(owner=user_with_role("shop_owner"))


@pytest.fixture
def customer(user_with_role):
    return user_with_role(None)


@pytest.fixture
def admin(user_with_role):
    return user_with_role("admin")


@pytest.fixture(autouse=True)
def _no_tickets():
    tickets.tickets().delete_many({})
    yield
    tickets.tickets().delete_many({})


def test_the_hook_declares_the_ticket_kind():
    assert ("hookapp", "ticket") in registry().sellables


def test_an_undeclared_kind_is_refused(shop):
    with pytest.raises(ValidationError, match="No app declares"):
        sellables.sellable_offer(
            app="hookapp", kind="seat", ref_id=1, title="x", price="1", quantity_limit=1, shop=shop
        )
    assert not Product.objects.exists()


def test_a_ticket_is_sold_issued_and_taken_back(shop, customer, admin, db):
    product = sellables.sellable_offer(
        app="hookapp", kind="ticket", ref_id=7, title="The hook show", price="15.00", quantity_limit=3, shop=shop
    )
    variant = variant_of(product)
    assert (product.reference_app, product.reference_kind, product.reference_id) == ("hookapp", "ticket", "7")
    assert Stock.objects.get(variant=variant).quantity == 3 and product.live

    order = make_paid_order(customer, [(variant, 2)])
    events.publish(paid_event(order))
    events.deliver_pending()

    line = order.lines.get()
    issued = tickets.tickets().find_one({"_id": f"{order.pk}:{line.pk}"})
    assert issued["quantity"] == 2 and issued["holder"] == customer.pk and issued["thing"] == "7"
    assert Stock.objects.get(variant=variant).available == 1

    orders.order_refund(user=admin, order=order, lines={line.pk: 1})
    events.deliver_pending()
    events.deliver_pending()  # nothing new: the refund was undone once
    assert tickets.tickets().find_one({"_id": f"{order.pk}:{line.pk}"})["quantity"] == 1
    assert Stock.objects.get(variant=variant).available == 2  # a ticket refunded is for sale again


def test_the_limit_never_drops_below_what_is_sold(shop, customer, db):
    product = sellables.sellable_offer(
        app="hookapp", kind="ticket", ref_id=8, title="Matinee", price="5", quantity_limit=4, shop=shop
    )
    make_paid_order(customer, [(variant_of(product), 3)])
    with pytest.raises(ValidationError, match="3 are already sold"):
        sellables.sellable_update(app="hookapp", kind="ticket", ref_id=8, quantity_limit=2)
    updated = sellables.sellable_update(app="hookapp", kind="ticket", ref_id=8, quantity_limit=5, price="6.50")
    assert variant_of(updated).price.amount == Decimal("6.50")
    assert Stock.objects.get(variant=variant_of(updated)).available == 2
    session: dict = {}
    carts.cart_add(user=None, session=session, variant_id=variant_of(updated).pk)  # the cart keeps a copy
    withdrawn = sellables.sellable_withdraw(app="hookapp", kind="ticket", ref_id=8)
    assert not withdrawn.live and not variant_of(withdrawn).is_active
    with pytest.raises(ValidationError, match="is not for sale"):
        carts.cart_add(user=None, session={}, variant_id=variant_of(withdrawn).pk)
