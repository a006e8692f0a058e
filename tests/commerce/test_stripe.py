"""The Stripe provider against a loopback server speaking Stripe's API (tests/commerce/stripe_server.py):
the real stripe SDK over real HTTP, never the network."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from djmoney.money import Money

from apps.commerce import payments
from apps.commerce.payments import PaymentStatus, ProviderError
from apps.commerce.payments.stripe import StripeProvider, from_minor_units, to_minor_units
from apps.commerce.payments.testprovider import TestProvider
from tests.commerce.stripe_server import SECRET_KEY, StripeServer, stripe_configured


@pytest.fixture
def stripe_api(settings) -> Iterator[StripeServer]:
    with stripe_configured(settings) as server:
        yield server


def start(amount: Money | None = None, *, key: str = "pay-1", order: str = "1001"):
    return StripeProvider().start(
        amount=amount or Money("12.34", "EUR"),
        order_number=order,
        idempotency_key=key,
        return_url="/shop/checkout/return/",
    )


def test_the_provider_is_stripe_when_a_secret_key_is_set(settings):
    settings.STRIPE_SECRET_KEY = ""
    assert isinstance(payments.provider(), TestProvider)
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    assert isinstance(payments.provider(), StripeProvider)
    assert payments.provider().name == "stripe"
    assert isinstance(payments.provider_named("stripe"), StripeProvider)


def test_without_a_secret_key_a_stripe_call_is_a_clear_provider_error(settings):
    settings.STRIPE_SECRET_KEY = ""
    with pytest.raises(ProviderError, match="STRIPE_SECRET_KEY"):
        StripeProvider().confirm(reference="cs_test_x", idempotency_key="k", data={})


@pytest.mark.parametrize(
    ("amount", "minor"),
    [
        (Money("12.34", "EUR"), 1234),
        (Money("0.50", "USD"), 50),
        (Money("1500", "JPY"), 1500),
        (Money("25000", "KRW"), 25000),
        (Money("5.120", "KWD"), 5120),
        (Money("990", "ISK"), 99000),
    ],
)
def test_amounts_go_in_the_currencys_smallest_unit(amount, minor):
    assert to_minor_units(amount) == minor
    assert from_minor_units(minor, str(amount.currency).lower()) == amount


@pytest.mark.parametrize("amount", [Money("10.5", "JPY"), Money("5.125", "KWD"), Money("1.005", "EUR")])
def test_an_amount_stripe_cannot_charge_is_refused_before_any_call(stripe_api, amount):
    with pytest.raises(ProviderError, match="too many decimals"):
        start(amount)
    assert stripe_api.requests == []


def test_start_creates_a_checkout_session_for_the_order(stripe_api):
    started = start()

    assert started.status == PaymentStatus.PENDING
    assert started.reference.startswith("cs_test_")
    assert started.redirect_url == stripe_api.sessions[started.reference]["url"]
    [call] = stripe_api.requests
    assert (call.method, call.path, call.authorization) == ("POST", "/v1/checkout/sessions", f"Bearer {SECRET_KEY}")
    assert call.idempotency_key == "pay-1-session"
    form = call.form
    assert form["mode"] == "payment"
    assert form["line_items"] == [
        {
            "quantity": "1",
            "price_data": {"currency": "eur", "unit_amount": "1234", "product_data": {"name": "Order 1001"}},
        }
    ]
    # Stripe needs absolute URLs; {CHECKOUT_SESSION_ID} is Stripe's to fill in.
    assert form["success_url"] == "https://shop.example/shop/checkout/return/?session_id={CHECKOUT_SESSION_ID}"
    assert form["cancel_url"] == "https://shop.example/shop/checkout/return/?cancelled=1"
    assert form["metadata"] == {"order": "1001"}
    assert form["payment_intent_data"] == {"metadata": {"order": "1001"}}
    assert form["client_reference_id"] == "1001"
    assert json.loads(json.dumps(started.raw))["object"] == "checkout.session"  # PaymentEvent.data keeps it


def test_a_zero_decimal_currency_is_sent_in_whole_units(stripe_api):
    started = start(Money("1500", "JPY"))
    assert stripe_api.requests[0].form["line_items"][0]["price_data"] == {
        "currency": "jpy",
        "unit_amount": "1500",
        "product_data": {"name": "Order 1001"},
    }
    stripe_api.pay(started.reference)
    confirmed = StripeProvider().confirm(reference=started.reference, idempotency_key="pay-1", data={})
    assert confirmed.amount == Money("1500", "JPY")


def test_a_retried_start_with_the_same_key_makes_one_session(stripe_api):
    first, again = start(), start()

    assert first.reference == again.reference
    assert len(stripe_api.sessions) == 1
    assert [r.idempotency_key for r in stripe_api.posts()] == ["pay-1-session", "pay-1-session"]
    assert start(key="pay-2").reference != first.reference
    assert len(stripe_api.sessions) == 2


def test_a_server_error_is_retried_by_the_sdk_with_the_same_key_and_charges_once(stripe_api):
    stripe_api.fail_next("server_error")

    started = start()

    assert [r.idempotency_key for r in stripe_api.posts()] == ["pay-1-session", "pay-1-session"]
    assert list(stripe_api.sessions) == [started.reference]


def test_stripe_failing_on_every_try_is_a_provider_error(stripe_api):
    stripe_api.fail_next("server_error", times=3)

    with pytest.raises(ProviderError, match=r"Stripe failed to start the payment \(HTTP 500\)"):
        start()

    assert len(stripe_api.posts()) == 3  # the first try and max_network_retries=2
    assert stripe_api.sessions == {}


def test_a_rate_limit_is_a_provider_error(stripe_api):
    stripe_api.fail_next("rate_limit")
    with pytest.raises(ProviderError, match="limiting requests"):
        start()


def test_stripe_out_of_reach_is_a_provider_error(settings):
    with StripeServer() as server:
        url = server.url
    settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE = SECRET_KEY, url
    with pytest.raises(ProviderError, match="could not be reached"):
        start()


def test_a_refused_secret_key_is_a_provider_error(stripe_api, settings):
    settings.STRIPE_SECRET_KEY = "sk_test_wrong"
    with pytest.raises(ProviderError, match="secret key"):
        start()


def test_confirm_is_pending_until_the_customer_pays(stripe_api):
    started = start()
    assert StripeProvider().confirm(reference=started.reference, idempotency_key="pay-1", data={}).status == (
        PaymentStatus.PENDING
    )

    stripe_api.pay(started.reference)
    confirmed = StripeProvider().confirm(reference=started.reference, idempotency_key="pay-1", data={})

    assert (confirmed.reference, confirmed.status, confirmed.amount) == (
        started.reference,
        PaymentStatus.CAPTURED,
        Money("12.34", "EUR"),
    )
    read = stripe_api.requests[-1]
    assert (read.method, read.query) == ("GET", {"expand": ["payment_intent"]})
    assert json.loads(json.dumps(confirmed.raw))["payment_intent"]["status"] == "succeeded"


@pytest.mark.parametrize(
    ("outcome", "status"),
    [
        ("requires_action", PaymentStatus.REQUIRES_ACTION),
        ("canceled", PaymentStatus.CANCELLED),
    ],
)
def test_confirm_maps_the_payment_intents_status(stripe_api, outcome, status):
    started = start()
    stripe_api.pay(started.reference, outcome)
    assert StripeProvider().confirm(reference=started.reference, idempotency_key="k", data={}).status == status


def test_a_declined_card_fails_with_stripes_message_and_closes_the_payment_page(stripe_api):
    started = start()
    stripe_api.pay(started.reference, "declined")

    confirmed = StripeProvider().confirm(reference=started.reference, idempotency_key="pay-1", data={})

    assert confirmed.status == PaymentStatus.FAILED
    assert confirmed.message == "Your card has insufficient funds."
    # Final at Stripe too: the customer cannot go back and pay an order the shop cancelled.
    assert stripe_api.sessions[started.reference]["status"] == "expired"
    [expire] = stripe_api.posts("/expire")
    assert expire.idempotency_key == "pay-1-expire"


def test_an_expired_payment_page_is_a_failure(stripe_api):
    started = start()
    stripe_api.expire(started.reference)
    confirmed = StripeProvider().confirm(reference=started.reference, idempotency_key="k", data={})
    assert (confirmed.status, confirmed.message) == (
        PaymentStatus.FAILED,
        "The payment page expired before the payment was made.",
    )


def test_capture_takes_an_authorised_payment_once(stripe_api):
    started = start()
    stripe_api.pay(started.reference, capture="manual")
    provider = StripeProvider()
    assert provider.confirm(reference=started.reference, idempotency_key="k", data={}).status == (
        PaymentStatus.AUTHORIZED
    )

    captured = provider.capture(reference=started.reference, amount=Money("12.34", "EUR"), idempotency_key="pay-1")
    again = provider.capture(reference=started.reference, amount=Money("12.34", "EUR"), idempotency_key="pay-1")

    assert (captured.status, captured.amount) == (PaymentStatus.CAPTURED, Money("12.34", "EUR"))
    assert again.status == PaymentStatus.CAPTURED
    [capture] = stripe_api.posts("/capture")  # the retry found it captured and called nothing
    assert capture.form == {"amount_to_capture": "1234"}
    assert capture.idempotency_key == "pay-1-capture"


def test_capturing_an_automatically_captured_payment_calls_nothing(stripe_api):
    started = start()
    stripe_api.pay(started.reference)
    captured = StripeProvider().capture(reference=started.reference, amount=Money("12.34", "EUR"), idempotency_key="k")
    assert captured.status == PaymentStatus.CAPTURED
    assert stripe_api.posts("/capture") == []


def test_a_card_declined_at_capture_is_a_failed_result_with_its_message(stripe_api):
    started = start()
    stripe_api.pay(started.reference, capture="manual")
    stripe_api.fail_next("card_declined", path="/capture")

    result = StripeProvider().capture(reference=started.reference, amount=Money("12.34", "EUR"), idempotency_key="k")

    assert (result.status, result.message) == (PaymentStatus.FAILED, "Your card has insufficient funds.")


def test_refunds_in_part_carry_the_amount_in_minor_units_and_their_keys(stripe_api):
    started = start()
    stripe_api.pay(started.reference)
    provider = StripeProvider()

    first = provider.refund(
        reference=started.reference, amount=Money("2.34", "EUR"), idempotency_key="refund-1", reason="Scratched"
    )
    replayed = provider.refund(
        reference=started.reference, amount=Money("2.34", "EUR"), idempotency_key="refund-1", reason="Scratched"
    )
    second = provider.refund(reference=started.reference, amount=Money("10.00", "EUR"), idempotency_key="refund-2")

    assert (first.succeeded, first.amount, first.reference) == (True, Money("2.34", "EUR"), replayed.reference)
    assert second.succeeded and second.reference != first.reference
    assert len(stripe_api.refunds) == 2
    calls = stripe_api.posts("/v1/refunds")
    intent = stripe_api.sessions[started.reference]["payment_intent"]
    assert calls[0].form == {
        "payment_intent": intent,
        "amount": "234",
        "metadata": {"checkout_session": started.reference, "order": "1001", "reason": "Scratched"},
    }
    assert [c.idempotency_key for c in calls] == ["refund-1-refund", "refund-1-refund", "refund-2-refund"]


def test_a_refund_over_what_is_left_is_refused_as_a_provider_error(stripe_api):
    started = start()
    stripe_api.pay(started.reference)
    with pytest.raises(ProviderError, match="greater than unrefunded amount"):
        StripeProvider().refund(reference=started.reference, amount=Money("20.00", "EUR"), idempotency_key="r")
    assert stripe_api.refunds == {}


def test_a_pending_refund_is_not_yet_succeeded(stripe_api):
    started = start()
    stripe_api.pay(started.reference)
    stripe_api.refund_status = "pending"
    result = StripeProvider().refund(reference=started.reference, amount=Money("1.00", "EUR"), idempotency_key="r")
    assert (result.succeeded, result.message) == (False, "Stripe is processing the refund.")


def test_a_payment_never_made_has_nothing_to_refund(stripe_api):
    started = start()
    result = StripeProvider().refund(reference=started.reference, amount=Money("1.00", "EUR"), idempotency_key="r")
    assert not result.succeeded
    assert stripe_api.posts("/v1/refunds") == []


def test_a_key_reused_with_other_parameters_is_refused(stripe_api):
    start(key="same")
    with pytest.raises(ProviderError, match="idempotent requests"):
        start(Money("99.00", "EUR"), key="same")
