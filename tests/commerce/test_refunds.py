"""Refunds through the provider: in part or in full, never above what is left, with stock put
back; cancellations; return requests from the customer answered by the owner."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from djmoney.money import Money

from apps.commerce.models import (
    Order,
    OrderEvent,
    OrderLine,
    OrderShop,
    Payment,
    PaymentEvent,
    Refund,
    ReturnRequest,
    Stock,
)
from apps.commerce.services import orders as services
from apps.core.models import OutboxEvent
from tests.commerce.factories import make_paid_order, make_product, variant_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(customer, shop, other_shop):
    mine = variant_of(make_product(shop=shop, price="10.00", stock=5))
    theirs = variant_of(make_product(shop=other_shop, price="4.00", stock=5))
    return make_paid_order(customer, [(mine, 3), (theirs, 1)], shipping="5.00")  # 30 + 4 + 2 x 5 = 44


def _line(order, shop):
    return order.lines.get(part__shop=shop)


def _stock(line):
    return Stock.objects.get(variant_id=line.variant_id)


def test_an_owner_refunds_lines_of_their_part_through_the_provider(order, owner, shop):
    line = _line(order, shop)
    part = line.part

    refund = services.order_refund(user=owner, order=order, part=part, lines={line.pk: 1}, reason="Scratched")

    assert refund.status == Refund.Status.SUCCEEDED and refund.amount.amount == Decimal("10.00")
    assert refund.reference.startswith("test-refund-refund-")
    payment = Payment.objects.get(order=order)
    assert payment.refunded.amount == Decimal("10.00") and payment.status == Payment.Status.PARTIALLY_REFUNDED
    assert PaymentEvent.objects.filter(payment=payment, kind="refund", success=True).count() == 1
    order.refresh_from_db()
    assert order.status == Order.Status.PARTIALLY_REFUNDED and order.refunded_total.amount == Decimal("10.00")
    line.refresh_from_db()
    assert line.quantity_refunded == 1
    assert (_stock(line).allocated, _stock(line).available) == (2, 3)  # unshipped: deallocated
    event = OutboxEvent.objects.get(name="commerce.order_refunded")
    assert event.payload["lines"][0]["line_id"] == line.pk and event.payload["lines"][0]["quantity"] == 1
    assert OrderEvent.objects.filter(order=order, kind="refunded").exists()


def test_a_shipped_unit_refunded_is_restocked_only_when_asked(order, owner, shop):
    line = _line(order, shop)
    services.part_fulfil(user=owner, part=line.part, lines={line.pk: 3})
    assert _stock(line).quantity == 2

    services.order_refund(user=owner, order=order, part=line.part, lines={line.pk: 1}, restock=False)
    assert _stock(line).quantity == 2
    services.order_refund(user=owner, order=order, part=line.part, lines={line.pk: 1}, restock=True)
    assert _stock(line).quantity == 3


def test_a_full_refund_by_staff_pays_back_everything_and_restores_stock(order, admin, shop, other_shop):
    refund = services.order_refund(user=admin, order=order, reason="Customer asked")

    assert refund.amount.amount == Decimal("44.00")
    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED
    assert set(order.parts.values_list("status", flat=True)) == {OrderShop.Status.REFUNDED}
    for each in (shop, other_shop):
        row = _stock(_line(order, each))
        assert (row.allocated, row.available) == (0, 5)
    assert Payment.objects.get(order=order).status == Payment.Status.REFUNDED
    assert OutboxEvent.objects.get(name="commerce.order_refunded").payload["full"] is True


def test_never_more_than_captured_less_refunded(order, admin):
    services.order_refund(user=admin, order=order, amount="40.00")

    with pytest.raises(ValidationError, match="At most EUR 4.00|At most €4.00"):
        services.order_refund(user=admin, order=order, amount="5.00")
    assert Refund.objects.filter(order=order).count() == 1


def test_an_owner_never_refunds_more_than_their_part(order, owner, shop):
    part = order.parts.get(shop=shop)  # 30 + 5 shipping
    with pytest.raises(ValidationError, match="At most"):
        services.order_refund(user=owner, order=order, part=part, amount="36.00")
    services.order_refund(user=owner, order=order, part=part, amount="35.00")
    assert Order.objects.get(pk=order.pk).refunded_total.amount == Decimal("35.00")


def test_an_owner_never_refunds_more_than_the_customer_paid_for_their_part(order, owner, shop):
    line = _line(order, shop)  # 3 x 10.00, a voucher took 3.00 off: paid 27 + 5 shipping
    OrderLine.objects.filter(pk=line.pk).update(discount=Money("3.00", "EUR"), total=Money("27.00", "EUR"))
    part = OrderShop.objects.get(pk=line.part_id)
    assert services.part_refundable(part) == Decimal("32.00")
    with pytest.raises(ValidationError, match="At most"):
        services.order_refund(user=owner, order=order, part=part, amount="32.01")
    assert services.order_refund(user=owner, order=order, part=part).amount.amount == Decimal("32.00")


def test_with_tax_added_on_top_a_refund_pays_back_the_tax_too(order, owner, shop):
    # Prices without tax (SHOP_PRICES_INCLUDE_TAX off): 3 x 10.00 + 20% and 5.00 shipping + 20%.
    Order.objects.filter(pk=order.pk).update(prices_include_tax=False)
    line = _line(order, shop)
    OrderLine.objects.filter(pk=line.pk).update(tax=Money("6.00", "EUR"), tax_rate=Decimal("20.00"))
    order.refresh_from_db()
    part = OrderShop.objects.get(pk=line.part_id)
    assert services.part_refundable(part) == Decimal("42.00")
    one = services.order_refund(user=owner, order=order, part=part, lines={line.pk: 1})
    assert one.amount.amount == Decimal("12.00")
    rest = services.order_refund(user=owner, order=order, part=part)
    assert rest.amount.amount == Decimal("30.00")  # 2 x 12.00 and the shipping's 6.00


def test_a_refund_of_zero_units_and_no_amount_refunds_everything_left_of_the_part(order, owner, shop):
    # The manage page's form posts every line's field with 0 and leaves the amount empty.
    line = _line(order, shop)
    refund = services.order_refund(user=owner, order=order, part=line.part, lines={str(line.pk): "0"}, amount="")
    assert refund.amount.amount == Decimal("35.00")  # 3 x 10 and the part's shipping
    line.refresh_from_db()
    assert line.quantity_refunded == 3


def test_bad_refund_input_is_refused_clearly(order, owner, shop):
    part = order.parts.get(shop=shop)
    line = _line(order, shop)
    for lines, amount, message in (
        ({line.pk: 4}, None, "Only 3"),
        (None, "lots", "must be a number"),
        (None, "-1", "nothing left"),
        (None, "NaN", "must be a number"),
    ):
        with pytest.raises(ValidationError, match=message):
            services.order_refund(user=owner, order=order, part=part, lines=lines, amount=amount)
    assert not Refund.objects.exists()


def test_who_may_refund(order, owner, other_owner, customer, shop):
    part = order.parts.get(shop=shop)
    for user in (other_owner, customer):
        with pytest.raises(PermissionDenied):
            services.order_refund(user=user, order=order, part=part)
    with pytest.raises(PermissionDenied):
        services.order_refund(user=owner, order=order)  # the whole order: staff only


def test_cancelling_an_unsent_part_refunds_it_and_frees_its_stock(order, owner, shop):
    part = order.parts.get(shop=shop)
    line = _line(order, shop)

    refund = services.part_cancel(user=owner, part=part)

    assert refund.amount.amount == Decimal("35.00")
    assert OrderShop.objects.get(pk=part.pk).status == OrderShop.Status.CANCELLED
    assert _stock(line).allocated == 0
    assert Order.objects.get(pk=order.pk).status == Order.Status.PARTIALLY_REFUNDED
    with pytest.raises(ValidationError, match="already cancelled"):
        services.part_cancel(user=owner, part=part)


def test_cancelling_every_part_cancels_the_order(order, owner, other_owner, shop, other_shop):
    services.part_cancel(user=owner, part=order.parts.get(shop=shop))
    services.part_cancel(user=other_owner, part=order.parts.get(shop=other_shop))

    assert Order.objects.get(pk=order.pk).status == Order.Status.CANCELLED
    assert OutboxEvent.objects.filter(name="commerce.order_refunded").count() == 2
    assert OutboxEvent.objects.filter(name="commerce.order_cancelled").count() == 1


def test_a_sent_part_cannot_be_cancelled(order, owner, shop):
    line = _line(order, shop)
    services.part_fulfil(user=owner, part=line.part, lines={line.pk: 1})
    with pytest.raises(ValidationError, match="refund its lines instead"):
        services.part_cancel(user=owner, part=line.part)


def test_a_return_of_delivered_units_is_asked_then_approved_into_a_refund(order, owner, customer, shop):
    line = _line(order, shop)
    services.part_fulfil(user=owner, part=line.part, lines={line.pk: 3})
    with pytest.raises(ValidationError, match="Only delivered units"):
        services.return_request_create(user=customer, order=order, part=line.part, lines={line.pk: 4}, reason="x")

    request = services.return_request_create(
        user=customer, order=order, part=line.part, lines={line.pk: 2}, reason="Too small"
    )
    assert OutboxEvent.objects.filter(name="commerce.return_requested").count() == 1
    with pytest.raises(ValidationError, match="already waits"):
        services.return_request_create(user=customer, order=order, part=line.part, lines={line.pk: 1}, reason="y")

    refund = services.return_request_approve(user=owner, request=request, response="Sorry!")

    assert refund.amount.amount == Decimal("20.00")
    assert ReturnRequest.objects.get(pk=request.pk).status == ReturnRequest.Status.REFUNDED
    assert _stock(line).quantity == 4  # 5 - 3 sent + 2 back
    with pytest.raises(ValidationError, match="already answered"):
        services.return_request_approve(user=owner, request=request)


def test_a_return_is_rejected_with_a_reason(order, owner, customer, other_customer, shop):
    line = _line(order, shop)
    services.part_fulfil(user=owner, part=line.part, lines={line.pk: 1})
    with pytest.raises(PermissionDenied):
        services.return_request_create(user=other_customer, order=order, part=line.part, lines={line.pk: 1}, reason="x")
    request = services.return_request_create(user=customer, order=order, part=line.part, lines={line.pk: 1}, reason="x")

    with pytest.raises(ValidationError, match="why"):
        services.return_request_reject(user=owner, request=request, response=" ")
    services.return_request_reject(user=owner, request=request, response="Worn")

    request.refresh_from_db()
    assert (request.status, request.response) == (ReturnRequest.Status.REJECTED, "Worn")
    assert not Refund.objects.exists()
