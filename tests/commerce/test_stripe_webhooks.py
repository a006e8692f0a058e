"""Stripe's webhooks: signed locally exactly as Stripe signs them, verified by the SDK, mapped onto
the provider interface's kinds with the payment named by its session id (what start() returned)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from djmoney.money import Money

from apps.commerce.payments import PaymentStatus, ProviderError, WebhookRejected
from apps.commerce.payments.stripe import StripeProvider
from tests.commerce.stripe_server import StripeServer, sign, stripe_configured


@pytest.fixture
def stripe_api(settings) -> Iterator[StripeServer]:
    with stripe_configured(settings) as server:
        yield server


@pytest.fixture
def paid(stripe_api) -> str:
    """A session the customer paid (EUR 12.34); its id is the payment's reference."""
    started = StripeProvider().start(
        amount=Money("12.34", "EUR"), order_number="1001", idempotency_key="pay-1", return_url="/back/"
    )
    stripe_api.pay(started.reference)
    return started.reference


def parse(body: bytes, **signing):
    return StripeProvider().parse_webhook(body=body, headers={"Stripe-Signature": sign(body, **signing)})


def test_a_completed_checkout_session_is_a_captured_payment(stripe_api, paid):
    body = stripe_api.event("checkout.session.completed", stripe_api.sessions[paid])

    event = parse(body)

    assert (event.kind, event.reference, event.status, event.amount) == (
        "payment.captured",
        paid,
        PaymentStatus.CAPTURED,
        Money("12.34", "EUR"),
    )
    assert event.event_id == json.loads(body)["id"]
    assert event.raw["type"] == "checkout.session.completed"


def test_a_session_without_amounts_gives_an_event_without_an_amount(stripe_api, paid):
    # amount_total and currency are nullable in Stripe's schema (its own fixture has both null).
    session = {**stripe_api.sessions[paid], "amount_total": None, "currency": None}
    event = parse(stripe_api.event("checkout.session.completed", session))
    assert (event.kind, event.reference, event.amount) == ("payment.captured", paid, None)


def test_a_completed_session_still_awaiting_a_delayed_payment_is_ignored_until_it_arrives(stripe_api, paid):
    session = {**stripe_api.sessions[paid], "payment_status": "unpaid"}
    assert parse(stripe_api.event("checkout.session.completed", session)).kind == "ignored"

    arrived = parse(stripe_api.event("checkout.session.async_payment_succeeded", stripe_api.sessions[paid]))
    assert (arrived.kind, arrived.reference) == ("payment.captured", paid)


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("checkout.session.async_payment_failed", "The payment failed."),
        ("checkout.session.expired", "The payment page expired before the payment was made."),
    ],
)
def test_a_failed_or_expired_session_is_a_failed_payment(stripe_api, kind, message):
    started = StripeProvider().start(
        amount=Money("5.00", "EUR"), order_number="1002", idempotency_key="pay-2", return_url="/back/"
    )
    stripe_api.expire(started.reference)
    event = parse(stripe_api.event(kind, stripe_api.sessions[started.reference]))
    assert (event.kind, event.reference, event.status, event.message) == (
        "payment.failed",
        started.reference,
        PaymentStatus.FAILED,
        message,
    )


def test_a_succeeded_payment_intent_names_its_checkout_session(stripe_api, paid):
    intent = stripe_api.intents[stripe_api.sessions[paid]["payment_intent"]]

    event = parse(stripe_api.event("payment_intent.succeeded", intent))

    assert (event.kind, event.reference, event.amount) == ("payment.captured", paid, Money("12.34", "EUR"))
    lookup = stripe_api.requests[-1]
    assert (lookup.method, lookup.path, lookup.query) == (
        "GET",
        "/v1/checkout/sessions",
        {"payment_intent": intent["id"], "limit": "1"},
    )


def test_a_declined_payment_intent_fails_only_once_the_customer_can_no_longer_retry(stripe_api):
    started = StripeProvider().start(
        amount=Money("5.00", "EUR"), order_number="1003", idempotency_key="pay-3", return_url="/back/"
    )
    intent = stripe_api.pay(started.reference, "declined")
    body = stripe_api.event("payment_intent.payment_failed", intent)

    # On Stripe's page the customer may still try another card.
    while_open = parse(body)
    assert (while_open.kind, while_open.message) == ("ignored", "Your card has insufficient funds.")

    stripe_api.expire(started.reference)
    final = parse(body)
    assert (final.kind, final.reference, final.status, final.message) == (
        "payment.failed",
        started.reference,
        PaymentStatus.FAILED,
        "Your card has insufficient funds.",
    )


def test_a_payment_intent_of_something_else_on_the_account_is_ignored_without_a_call(stripe_api):
    intent = {"id": "pi_test_other", "object": "payment_intent", "metadata": {}, "status": "succeeded"}
    event = parse(stripe_api.event("payment_intent.succeeded", intent))
    assert event.kind == "ignored"
    assert stripe_api.requests == []


def test_a_refunded_charge_is_a_refund_with_the_total_refunded(stripe_api, paid):
    provider = StripeProvider()
    provider.refund(reference=paid, amount=Money("2.00", "EUR"), idempotency_key="r1")
    provider.refund(reference=paid, amount=Money("3.00", "EUR"), idempotency_key="r2")
    charge = stripe_api.charges[stripe_api.intents[stripe_api.sessions[paid]["payment_intent"]]["latest_charge"]]

    event = parse(stripe_api.event("charge.refunded", charge))

    assert (event.kind, event.reference, event.amount) == ("refund.succeeded", paid, Money("5.00", "EUR"))


def test_a_refund_that_succeeds_later_is_a_refund_found_by_its_metadata(stripe_api, paid):
    stripe_api.refund_status = "pending"
    pending = StripeProvider().refund(reference=paid, amount=Money("2.00", "EUR"), idempotency_key="r1")
    refund = stripe_api.refunds[pending.reference]
    assert parse(stripe_api.event("refund.updated", refund)).kind == "ignored"
    calls = len(stripe_api.requests)

    event = parse(stripe_api.event("refund.updated", {**refund, "status": "succeeded"}))

    assert (event.kind, event.reference, event.amount, event.message) == (
        "refund.succeeded",
        paid,
        Money("2.00", "EUR"),
        refund["id"],
    )
    assert len(stripe_api.requests) == calls  # metadata.checkout_session named it: no lookup


def test_an_event_of_no_concern_to_a_payment_is_ignored(stripe_api):
    event = parse(stripe_api.event("customer.created", {"id": "cus_test_1", "object": "customer"}))
    assert (event.kind, event.status) == ("ignored", None)


def test_stripe_away_while_a_payment_intent_event_is_read_is_a_provider_error(stripe_api, paid):
    intent = stripe_api.intents[stripe_api.sessions[paid]["payment_intent"]]
    stripe_api.fail_next("server_error", times=3)
    with pytest.raises(ProviderError):  # the caller answers 5xx and Stripe sends the webhook again
        parse(stripe_api.event("payment_intent.succeeded", intent))


def test_a_signature_among_several_is_enough(stripe_api, paid):
    # Stripe signs with each secret of an endpoint while one is being rolled.
    body = stripe_api.event("checkout.session.completed", stripe_api.sessions[paid])
    header = sign(body) + "," + sign(body, secret="whsec_old").split(",")[1]
    assert StripeProvider().parse_webhook(body=body, headers={"stripe-signature": header}).kind == "payment.captured"


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param(lambda body: {"Stripe-Signature": sign(body, secret="whsec_someone_else")}, id="other-secret"),
        pytest.param(lambda body: {"Stripe-Signature": sign(body + b" ")}, id="tampered-body"),
        pytest.param(lambda body: {"Stripe-Signature": sign(body, at=int(time.time()) - 301)}, id="too-old"),
        pytest.param(lambda body: {"Stripe-Signature": "t=soon,v1=abc"}, id="garbled"),
        pytest.param(lambda body: {"Stripe-Signature": sign(body).replace("v1=", "v0=")}, id="other-scheme"),
        pytest.param(lambda body: {"Stripe-Signature": ""}, id="empty"),
        pytest.param(lambda body: {}, id="missing"),
    ],
)
def test_a_webhook_without_a_good_recent_signature_is_rejected(stripe_api, paid, headers):
    body = stripe_api.event("checkout.session.completed", stripe_api.sessions[paid])
    with pytest.raises(WebhookRejected):
        StripeProvider().parse_webhook(body=body, headers=headers(body))


def test_a_signature_within_five_minutes_is_accepted(stripe_api, paid):
    body = stripe_api.event("checkout.session.completed", stripe_api.sessions[paid])
    assert parse(body, at=int(time.time()) - 290).kind == "payment.captured"


@pytest.mark.parametrize("body", [b"not json", b'{"object": "event"}', b"\xff\xfe"])
def test_a_signed_body_that_is_not_a_stripe_event_is_rejected(stripe_api, body):
    with pytest.raises(WebhookRejected):
        parse(body)


def test_without_a_webhook_secret_every_webhook_is_rejected(stripe_api, paid, settings):
    body = stripe_api.event("checkout.session.completed", stripe_api.sessions[paid])
    settings.STRIPE_WEBHOOK_SECRET = ""
    with pytest.raises(WebhookRejected, match="STRIPE_WEBHOOK_SECRET"):
        parse(body)


@pytest.mark.django_db
def test_the_webhook_endpoint_answers_503_while_stripe_cannot_be_asked_and_changes_nothing(stripe_api, paid, client):
    from apps.commerce.models import PaymentEvent

    intent = stripe_api.intents[stripe_api.sessions[paid]["payment_intent"]]
    stripe_api.fail_next("server_error", times=3)
    body = stripe_api.event("payment_intent.succeeded", intent)
    response = client.post(
        "/shop/payments/webhook/stripe/", body, content_type="application/json", HTTP_STRIPE_SIGNATURE=sign(body)
    )
    assert response.status_code == 503 and response.json()["error"] == "provider_unavailable"
    assert response["Retry-After"] == "60" and not PaymentEvent.objects.exists()
