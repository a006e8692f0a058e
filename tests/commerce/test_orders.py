"""After payment: fulfilment moves stock, lines and statuses; the timeline and the events follow."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.commerce.models import Order, OrderEvent, OrderShop, Stock
from apps.commerce.services import orders as services
from apps.core.models import OutboxEvent
from tests.commerce.factories import make_paid_order, make_product, variant_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(customer, shop, other_shop):
    mine = variant_of(make_product(shop=shop, price="10.00", stock=5))
    theirs = variant_of(make_product(shop=other_shop, price="4.00", stock=5))
    return make_paid_order(customer, [(mine, 3), (theirs, 1)], shipping="5.00")


def _part(order, shop):
    return order.parts.get(shop=shop)


def _stock(line):
    return Stock.objects.get(variant_id=line.variant_id)


def test_the_factory_leaves_the_stock_allocated(order):
    line = order.lines.order_by("pk").first()
    assert (_stock(line).allocated, _stock(line).available) == (3, 2)


def test_fulfilling_part_of_a_part_ships_stock_and_moves_the_statuses(order, owner, shop):
    part = _part(order, shop)
    line = part.lines.get()

    fulfilment = services.part_fulfil(user=owner, part=part, lines={line.pk: 2}, tracking_number="TR1", carrier="DHL")

    line.refresh_from_db()
    row = _stock(line)
    assert (line.quantity_fulfilled, row.quantity, row.allocated) == (2, 3, 1)
    assert fulfilment.lines.get().quantity == 2 and fulfilment.tracking_number == "TR1"
    assert OrderShop.objects.get(pk=part.pk).status == OrderShop.Status.PARTIALLY_FULFILLED
    assert Order.objects.get(pk=order.pk).status == Order.Status.PARTIALLY_FULFILLED
    assert OrderEvent.objects.filter(order=order, kind="fulfilled", shop=shop).exists()
    assert OutboxEvent.objects.filter(name="commerce.order_fulfilled").count() == 1


def test_the_order_is_fulfilled_once_every_part_is(order, owner, other_owner, shop, other_shop):
    for user, each in ((owner, shop), (other_owner, other_shop)):
        part = _part(order, each)
        services.part_fulfil(user=user, part=part, lines={line.pk: line.quantity for line in part.lines.all()})

    assert Order.objects.get(pk=order.pk).status == Order.Status.FULFILLED
    assert set(order.parts.values_list("status", flat=True)) == {OrderShop.Status.FULFILLED}


def test_fulfilling_more_than_is_left_is_refused_and_changes_nothing(order, owner, shop):
    part = _part(order, shop)
    line = part.lines.get()

    with pytest.raises(ValidationError, match="Only 3"):
        services.part_fulfil(user=owner, part=part, lines={line.pk: 4})
    with pytest.raises(ValidationError, match="not part of this order"):
        services.part_fulfil(user=owner, part=part, lines={999999: 1})
    with pytest.raises(ValidationError, match="whole numbers"):
        services.part_fulfil(user=owner, part=part, lines={line.pk: "two"})

    assert _stock(line).quantity == 5 and not part.fulfilments.exists()


def test_another_shops_owner_and_the_customer_cannot_fulfil(order, other_owner, customer, shop):
    part = _part(order, shop)
    line = part.lines.get()
    for user in (other_owner, customer):
        with pytest.raises(PermissionDenied):
            services.part_fulfil(user=user, part=part, lines={line.pk: 1})


def test_staff_fulfil_any_part(order, admin, shop):
    part = _part(order, shop)
    services.part_fulfil(user=admin, part=part, lines={part.lines.get().pk: 3})
    assert OrderShop.objects.get(pk=part.pk).status == OrderShop.Status.FULFILLED
