"""Payment outcomes: captured, declined, requires action; webhooks verified, deduplicated and
applied once; reservations released on expiry and on failure."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.commerce.models import Cart, CartLine, Checkout, Order, Payment, PaymentEvent, Reservation, Stock, Voucher
from apps.commerce.payments.testprovider import sign_webhook
from apps.commerce.services import checkout as checkouts
from apps.commerce.services import payments
from apps.commerce.tasks import release_expired
from apps.core.models import OutboxEvent
from tests.commerce.factories import make_product, variant_of
from tests.commerce.shopping import ready_checkout

pytestmark = pytest.mark.django_db


def _placed(customer, *variants, voucher: str = ""):
    checkout = ready_checkout(customer, *variants)
    if voucher:
        checkouts.checkout_apply_voucher(user=customer, checkout=checkout, code=voucher)
    completion = checkouts.checkout_complete(user=customer, checkout=checkout)
    return completion, Payment.objects.get(order=completion.order)


def _stock(variant) -> Stock:
    return Stock.objects.get(variant=variant)


def _webhook(client, payload: dict, *, signature: str | None = None):
    body = json.dumps(payload).encode()
    return client.post(
        "/shop/payments/webhook/test/",
        body,
        content_type="application/json",
        HTTP_X_TEST_SIGNATURE=signature if signature is not None else sign_webhook(body),
    )


def test_approval_allocates_the_stock_pays_the_order_and_publishes_it_with_every_line(client, customer):
    first, second = variant_of(make_product(stock=4)), variant_of(make_product(stock=4))
    completion, payment = _placed(customer, first, second)
    client.force_login(customer)
    response = client.post(completion.redirect_url, {"outcome": "approve"})
    assert response["Location"] == f"/shop/checkout/done/{completion.order.token}/"
    order = Order.objects.get()
    assert order.status == Order.Status.PAID and order.paid_at is not None
    assert [(_stock(v).reserved, _stock(v).allocated) for v in (first, second)] == [(0, 1), (0, 1)]
    assert not Reservation.objects.exists() and not CartLine.objects.exists()
    event = OutboxEvent.objects.get(name="commerce.order_paid")
    assert event.payload["number"] == order.number
    assert sorted(line["sku"] for line in event.payload["lines"]) == sorted([first.sku, second.sku])
    assert Checkout.objects.get().state == Checkout.State.COMPLETED


def test_a_declined_payment_gives_everything_back_and_keeps_the_cart(client, customer):
    Voucher.objects.create(code="TEN", value=10, usage_limit=5)
    variant = variant_of(make_product(stock=3))
    completion, payment = _placed(customer, variant, voucher="TEN")
    assert Voucher.objects.get().used == 1
    client.force_login(customer)
    response = client.post(completion.redirect_url, {"outcome": "decline"}, follow=True)
    assert b"Your payment was declined: Your card was declined (test provider). Nothing was charged" in response.content
    order = Order.objects.get()
    assert order.status == Order.Status.CANCELLED
    assert order.events.filter(kind="payment_failed").exists()
    assert _stock(variant).reserved == 0 and _stock(variant).allocated == 0
    assert Voucher.objects.get().used == 0
    assert Voucher.objects.get().uses.count() == 0
    assert CartLine.objects.filter(cart=Cart.objects.get(user=customer)).count() == 1
    payment.refresh_from_db()
    assert payment.status == Payment.Status.FAILED
    # The page then says the payment is over instead of offering the buttons again.
    page = client.get(completion.redirect_url)
    assert b"Approve" not in page.content and b"Nothing was charged" in page.content


def test_requires_action_then_complete_authentication(client, customer):
    completion, payment = _placed(customer, variant_of(make_product()))
    client.force_login(customer)
    response = client.post(completion.redirect_url, {"outcome": "requires_action"})
    assert response["Location"] == completion.redirect_url
    page = client.get(completion.redirect_url)
    assert b"Complete authentication" in page.content
    assert Order.objects.get().status == Order.Status.UNPAID
    response = client.post(completion.redirect_url, {"outcome": "complete_action"})
    assert response["Location"].startswith("/shop/checkout/done/")
    assert Order.objects.get().status == Order.Status.PAID


def test_a_bad_outcome_or_a_forged_reference_changes_nothing(client, customer):
    completion, payment = _placed(customer, variant_of(make_product()))
    client.force_login(customer)
    assert client.post(completion.redirect_url, {"outcome": "steal"}).status_code == 422
    assert client.get("/shop/pay/forged/").status_code == 404
    assert client.get(completion.redirect_url, {"x": 1}).status_code == 200
    assert client.put(completion.redirect_url).status_code == 405
    assert Order.objects.get().status == Order.Status.UNPAID


def test_a_webhook_with_a_bad_signature_is_400_and_changes_nothing(client, customer):
    completion, payment = _placed(customer, variant_of(make_product()))
    payload = {"id": "evt_1", "type": "payment.captured", "reference": payment.reference, "status": "captured"}
    response = _webhook(client, payload, signature=f"t={int(time.time())},v1=deadbeef")
    assert response.status_code == 400 and response.json()["error"] == "bad_signature"
    assert Order.objects.get().status == Order.Status.UNPAID
    assert not PaymentEvent.objects.filter(provider_event_id__isnull=False).exists()
    assert _webhook(client, payload, signature="").status_code == 400


def test_a_captured_webhook_pays_once_and_its_replay_changes_nothing(client, customer):
    variant = variant_of(make_product(stock=2))
    completion, payment = _placed(customer, variant)
    payload = {"id": "evt_9", "type": "payment.captured", "reference": payment.reference, "status": "captured"}
    first = _webhook(client, payload)
    assert first.status_code == 200 and first.json()["outcome"] == "applied"
    paid_at = Order.objects.get().paid_at
    replay = _webhook(client, payload)
    assert replay.status_code == 200 and replay.json()["outcome"] == "replayed"
    assert Order.objects.get().paid_at == paid_at and _stock(variant).allocated == 1
    assert PaymentEvent.objects.filter(provider_event_id="test:evt_9").count() == 1
    assert OutboxEvent.objects.filter(name="commerce.order_paid").count() == 1
    # A later, different failure event about a captured payment changes nothing either.
    failed = {"id": "evt_10", "type": "payment.failed", "reference": payment.reference, "status": "failed"}
    assert _webhook(client, failed).json()["outcome"] == "applied"
    assert Order.objects.get().status == Order.Status.PAID


def test_webhooks_for_unknown_payments_or_providers(client):
    payload = {"id": "evt_x", "type": "payment.captured", "reference": "nobody", "status": "captured"}
    assert _webhook(client, payload).json()["outcome"] == "ignored"
    for unknown in ("paypal", "stripe"):  # stripe: its provider comes with its own module
        response = client.post(f"/shop/payments/webhook/{unknown}/", b"{}", content_type="application/json")
        assert response.status_code in (400, 404)
    assert client.get("/shop/payments/webhook/test/").status_code == 405


def test_expiry_while_paying_cancels_the_order_and_a_late_capture_takes_the_stock_again(client, customer):
    variant = variant_of(make_product(stock=1))
    completion, payment = _placed(customer, variant)
    Checkout.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    assert release_expired() == 1
    order = Order.objects.get()
    assert order.status == Order.Status.CANCELLED and _stock(variant).reserved == 0
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CANCELLED
    payload = {"id": "evt_late", "type": "payment.captured", "reference": payment.reference, "status": "captured"}
    assert _webhook(client, payload).json()["outcome"] == "applied"
    order.refresh_from_db()
    assert order.status == Order.Status.PAID and _stock(variant).allocated == 1


def test_a_late_capture_of_stock_sold_since_is_refunded(client, customer, other_customer):
    variant = variant_of(make_product(stock=1))
    completion, payment = _placed(customer, variant)
    Checkout.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    release_expired()
    ready_checkout(other_customer, variant)
    payload = {"id": "evt_late2", "type": "payment.captured", "reference": payment.reference, "status": "captured"}
    _webhook(client, payload)
    order = Order.objects.get(pk=completion.order.pk)
    assert order.status == Order.Status.REFUNDED and _stock(variant).reserved == 1
    assert order.events.filter(kind="refunded").exists()


def test_releasing_twice_releases_once(customer):
    variant = variant_of(make_product(stock=2))
    ready_checkout(customer, variant, quantity=2)
    assert payments.checkouts_release_expired() == 0  # not expired yet
    later = timezone.now() + timedelta(hours=1)
    assert payments.checkouts_release_expired(now=later) == 1
    assert payments.checkouts_release_expired(now=later) == 0
    assert _stock(variant).reserved == 0 and _stock(variant).available == 2


def test_staff_may_look_at_a_payment_page_but_only_the_customer_pays(client, customer, admin):
    completion, payment = _placed(customer, variant_of(make_product()))
    client.force_login(admin)
    assert client.get(completion.redirect_url).status_code == 200
    assert client.post(completion.redirect_url, {"outcome": "approve"}).status_code == 403
    assert Order.objects.get().status == Order.Status.UNPAID


def test_a_sellable_needs_no_shipping_and_its_reference_travels_with_order_paid(client, customer):
    seat = make_product(
        name="Course seat", kind="sellable", reference_app="hookapp", reference_kind="seat", reference_id="42"
    )
    completion, payment = _placed(customer, variant_of(seat))
    assert completion.order.shipping_total.amount == 0
    line = completion.order.lines.get()
    assert (line.reference_app, line.reference_kind, line.reference_id) == ("hookapp", "seat", "42")
    client.force_login(customer)
    client.post(completion.redirect_url, {"outcome": "approve"})
    [paid_line] = OutboxEvent.objects.get(name="commerce.order_paid").payload["lines"]
    assert (paid_line["reference_app"], paid_line["reference_id"], paid_line["quantity"]) == ("hookapp", "42", 1)
