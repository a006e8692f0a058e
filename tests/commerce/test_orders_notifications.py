"""Each step of an order tells the people it concerns through the notification centre, delivered
by the durable subscribers of the shop's events."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.files.base import ContentFile

from apps.commerce import events as shop_events
from apps.commerce.models import DigitalAsset, DownloadGrant, Stock
from apps.commerce.services import orders as services
from apps.core.models import Notification
from apps.core.platform import events
from tests.commerce.factories import make_paid_order, make_product, variant_of
from tests.utils import wait_until

pytestmark = pytest.mark.django_db


def _paid(order):
    events.publish(
        shop_events.OrderPaid(
            order_id=order.pk,
            number=order.number,
            user_id=order.user_id,
            total=str(order.total.amount),
            currency=order.currency,
            actor_id=order.user_id,
        )
    )
    events.deliver_pending()


def _kinds(user):
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_a_paid_order_tells_the_customer_and_each_shop_owner(customer, owner, other_owner, shop, other_shop):
    order = make_paid_order(
        customer,
        [(variant_of(make_product(shop=shop, stock=50)), 1), (variant_of(make_product(shop=other_shop, stock=50)), 1)],
    )
    _paid(order)

    assert _kinds(customer) == ["commerce.order_paid"]
    assert _kinds(owner) == ["commerce.new_order"] and _kinds(other_owner) == ["commerce.new_order"]
    note = Notification.objects.get(recipient=customer)
    assert note.target_url == f"/shop/orders/{order.number}/"


def test_fulfilment_refund_and_return_answers_tell_the_customer(customer, owner, shop):
    line_variant = variant_of(make_product(shop=shop, stock=50))
    order = make_paid_order(customer, [(line_variant, 2)])
    line = order.lines.get()
    services.part_fulfil(user=owner, part=line.part, lines={line.pk: 2}, tracking_number="T")
    request = services.return_request_create(user=customer, order=order, part=line.part, lines={line.pk: 1}, reason="r")
    events.deliver_pending()
    assert "commerce.return_requested" in _kinds(owner)

    services.return_request_approve(user=owner, request=request)
    events.deliver_pending()

    assert {"commerce.order_fulfilled", "commerce.order_refunded", "commerce.return_answered"} <= set(_kinds(customer))


def test_low_stock_tells_the_owner_once_per_fall(customer, owner, shop):
    shop.low_stock_threshold = 3
    shop.save()
    variant = variant_of(make_product(shop=shop, stock=6))
    _paid(make_paid_order(customer, [(variant, 2)]))  # 4 left: above the threshold
    assert "commerce.low_stock" not in _kinds(owner)

    _paid(make_paid_order(customer, [(variant, 1)]))  # 3 left: low
    _paid(make_paid_order(customer, [(variant, 1)]))  # 2 left: still the same fall
    assert _kinds(owner).count("commerce.low_stock") == 1
    assert Stock.objects.get(variant=variant).low_alerted_at is not None


def test_a_paid_digital_line_gets_its_download_grant_once(customer, shop, settings):
    variant = variant_of(make_product(shop=shop, kind="digital", stock=100))
    asset = DigitalAsset(variant=variant, filename="book.pdf", max_downloads=3)
    asset.file.save("book.pdf", ContentFile(b"%PDF-1.4 book"), save=True)
    order = make_paid_order(customer, [(variant, 1)])

    _paid(order)
    _paid(order)  # a second delivery (another event) finds the grant there

    grant = DownloadGrant.objects.get(line__order=order)
    assert (grant.asset, grant.max_downloads, grant.downloads) == (asset, 3, 0)


@pytest.mark.django_db(transaction=True)
def test_a_fulfilment_reaches_the_customer_from_a_real_worker(celery_worker, customer, owner, shop):
    # End to end: the service commits, the outbox's worker delivers the event to the subscriber,
    # the notification is written and its email leaves from the worker.
    order = make_paid_order(customer, [(variant_of(make_product(shop=shop, stock=5)), 1)])
    line = order.lines.get()

    services.part_fulfil(user=owner, part=line.part, lines={line.pk: 1}, tracking_number="W-1")

    assert wait_until(lambda: Notification.objects.filter(recipient=customer, kind="commerce.order_fulfilled").exists())
    assert wait_until(lambda: any(m.to == [customer.email] for m in mail.outbox))
    email = next(m for m in mail.outbox if m.to == [customer.email])
    assert f"#{order.number}" in email.body
