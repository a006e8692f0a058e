"""Refunds at once never pay back more than was captured: the order's row lock queues them
(PostgreSQL only: SQLite serialises writers anyway and has no row locks to test)."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from apps.commerce.models import Order, Payment, Refund
from apps.commerce.services import orders as services
from tests.commerce.factories import make_paid_order, make_product, variant_of

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's"),
]


def test_eight_refunds_at_once_take_only_what_was_captured(admin, customer, shop):
    order = make_paid_order(customer, [(variant_of(make_product(shop=shop, price="10.00", stock=10)), 4)])  # 40
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def refund() -> None:
        try:
            barrier.wait()
            services.order_refund(user=admin, order=order, amount="7.00")
            outcomes.append("refunded")
        except ValidationError as error:
            outcomes.append(error.code or "refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=refund) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes.count("refunded") == 5 and outcomes.count("over_refund") == 3
    order.refresh_from_db()
    assert order.refunded_total.amount == Decimal("35.00")
    assert Payment.objects.get(order=order).refunded.amount == Decimal("35.00")
    assert Refund.objects.filter(order=order, status=Refund.Status.SUCCEEDED).count() == 5
    assert Order.objects.get(pk=order.pk).status == Order.Status.PARTIALLY_REFUNDED
