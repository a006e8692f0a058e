"""The Stripe provider: Stripe Checkout (the hosted payment page) through the pinned stripe SDK.

- ``start`` creates a Checkout Session (mode "payment", one line "Order <number>") and sends the
  customer to its ``url``; the payment's reference is the session id (``cs_...``).
- ``confirm`` reads the session back (its PaymentIntent expanded) when the customer returns;
  ``capture`` and ``refund`` act on that PaymentIntent.
- ``parse_webhook`` checks the ``Stripe-Signature`` header with the SDK's own verification and
  maps Stripe's events onto the interface's kinds, always naming the payment by its session id.

Why the session id, and how a PaymentIntent's event finds it: Stripe creates the PaymentIntent
only when the customer pays on the hosted page, after ``start`` has returned, so the session id
cannot be written onto the intent. The intent carries ``metadata.order`` (set through
``payment_intent_data``), which tells our intents from others on the account, and the session
is found with one read, ``GET /v1/checkout/sessions?payment_intent=<id>``. A refund we create
carries ``metadata.checkout_session``, so its events need no read at all.

Idempotency: every POST carries an idempotency key derived from the caller's (``<key>-session``,
``<key>-capture``, ``<key>-expire``, ``<key>-refund``). Stripe refuses a key reused on another
endpoint or with other parameters, and the caller's Payment has one key for all its calls; the
suffixes keep a retried call idempotent and different calls apart. Because every call has its
key, the SDK's own retries (``max_network_retries=2``, on connection errors, 409 and 5xx) are safe.

Amounts travel in the currency's smallest unit as Stripe counts it: cents for EUR, yen for JPY
(zero-decimal), fils for KWD (three-decimal, last digit 0), and ISK in hundredths, whole krónur only.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from decimal import Decimal
from typing import Any
from urllib.parse import urljoin

import stripe
from django.conf import settings
from djmoney.money import Money

from apps.commerce.payments.base import (
    PaymentResult,
    PaymentStart,
    PaymentStatus,
    ProviderError,
    RefundResult,
    WebhookEvent,
    WebhookRejected,
)

SIGNATURE_HEADER = "Stripe-Signature"
WEBHOOK_TOLERANCE_SECONDS = 300
# The SDK retries connection errors, 409 and 5xx with backoff; safe because every POST has its key.
MAX_NETWORK_RETRIES = 2
# The SDK waits 80 s by default; a customer at checkout should not.
HTTP_TIMEOUT_SECONDS = 20

# https://docs.stripe.com/currencies#zero-decimal and #three-decimal
ZERO_DECIMAL_CURRENCIES = frozenset(
    {"BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"}
)
THREE_DECIMAL_CURRENCIES = frozenset({"BHD", "JOD", "KWD", "OMR", "TND"})
# Two-decimal in the API but charged in whole units only (Stripe's "special cases").
WHOLE_UNITS_ONLY = frozenset({"ISK"})

CAPTURED_EVENTS = frozenset({"checkout.session.completed", "checkout.session.async_payment_succeeded"})
FAILED_SESSION_EVENTS = frozenset({"checkout.session.async_payment_failed", "checkout.session.expired"})
PAID_SESSION_STATUSES = frozenset({"paid", "no_payment_required"})


def _exponent(currency: str) -> int:
    if currency in ZERO_DECIMAL_CURRENCIES:
        return 0
    if currency in THREE_DECIMAL_CURRENCIES:
        return 3
    return 2


def to_minor_units(money: Money) -> int:
    """``money`` as the integer Stripe expects (1234 for EUR 12.34, 1500 for JPY 1500); an amount
    Stripe cannot charge in that currency (JPY 10.5, KWD 5.125) raises ProviderError."""
    currency = str(money.currency).upper()
    minor = Decimal(money.amount).scaleb(_exponent(currency))
    step = 10 if currency in THREE_DECIMAL_CURRENCIES else 100 if currency in WHOLE_UNITS_ONLY else 1
    if minor != minor.to_integral_value() or int(minor) % step:
        raise ProviderError(f"Stripe cannot charge {money.amount} {currency}: the amount has too many decimals.")
    return int(minor)


def from_minor_units(amount: int, currency: str) -> Money:
    """The Money an amount in Stripe's smallest unit stands for (1234 EUR cents -> EUR 12.34)."""
    currency = currency.upper()
    return Money(Decimal(int(amount)).scaleb(-_exponent(currency)), currency)


@functools.lru_cache(maxsize=4)
def _client(secret_key: str, api_base: str) -> stripe.StripeClient:
    # One client per key and base: the SDK keeps a requests session per thread, reused across calls.
    return stripe.StripeClient(
        secret_key,
        base_addresses={"api": api_base} if api_base else None,
        max_network_retries=MAX_NETWORK_RETRIES,
        http_client=stripe.new_default_http_client(timeout=HTTP_TIMEOUT_SECONDS),
    )


def _message(error: stripe.StripeError) -> str:
    return error.user_message or "Stripe gave no reason."


@contextmanager
def _stripe_errors(action: str) -> Iterator[None]:
    """Turn Stripe's failures (other than a card's decline, which callers answer as FAILED) into
    ProviderError with a message a shop owner or a log reader can act on."""
    try:
        yield
    except stripe.CardError:
        raise
    except stripe.APIConnectionError as error:
        raise ProviderError(f"Stripe could not be reached to {action}: {_message(error)}") from error
    except stripe.RateLimitError as error:
        raise ProviderError(f"Stripe is limiting requests; could not {action}. Try again shortly.") from error
    except stripe.AuthenticationError as error:
        raise ProviderError(f"Stripe refused the secret key (STRIPE_SECRET_KEY) to {action}.") from error
    except stripe.APIError as error:
        raise ProviderError(f"Stripe failed to {action} (HTTP {error.http_status}): {_message(error)}") from error
    except stripe.StripeError as error:
        raise ProviderError(f"Stripe refused to {action} (HTTP {error.http_status}): {_message(error)}") from error


def _call(action: str, request: Callable[[], Any]) -> dict[str, Any]:
    """One call to Stripe, its answer as plain JSON-ready data (PaymentEvent.data keeps it)."""
    with _stripe_errors(action):
        return request().to_dict(for_json=True)


def _intent_outcome(intent: dict[str, Any], session_status: str | None) -> tuple[PaymentStatus, str]:
    status = intent.get("status")
    if status == "succeeded":
        return PaymentStatus.CAPTURED, ""
    if status == "requires_capture":
        return PaymentStatus.AUTHORIZED, ""
    if status == "requires_action":
        return PaymentStatus.REQUIRES_ACTION, "Your bank asks you to confirm the payment."
    if status == "canceled":
        reason = intent.get("cancellation_reason") or "cancelled"
        return PaymentStatus.CANCELLED, f"The payment was cancelled ({reason})."
    if status == "requires_payment_method":
        error = intent.get("last_payment_error") or {}
        if error:
            return PaymentStatus.FAILED, error.get("message") or "Your payment was declined."
        if session_status == "expired":
            return PaymentStatus.FAILED, "The payment page expired before the payment was made."
    return PaymentStatus.PENDING, ""  # processing, requires_confirmation, not yet attempted


def _session_outcome(session: dict[str, Any]) -> PaymentResult:
    """What a Checkout Session (with or without its PaymentIntent expanded) says of the payment."""
    intent = session.get("payment_intent")
    amount = None
    if session.get("amount_total") is not None and session.get("currency"):
        amount = from_minor_units(session["amount_total"], session["currency"])
    if isinstance(intent, dict):
        status, message = _intent_outcome(intent, session.get("status"))
        if status == PaymentStatus.CAPTURED and intent.get("amount_received"):
            amount = from_minor_units(intent["amount_received"], intent["currency"])
    elif session.get("status") == "expired":
        status, message = PaymentStatus.FAILED, "The payment page expired before the payment was made."
    elif session.get("status") == "complete" and session.get("payment_status") in PAID_SESSION_STATUSES:
        status, message = PaymentStatus.CAPTURED, ""
    else:
        status, message = PaymentStatus.PENDING, ""
    return PaymentResult(session["id"], status, amount, message, raw=session)


class StripeProvider:
    """Payments through Stripe Checkout; chosen by ``payments.provider()`` when STRIPE_SECRET_KEY is set."""

    name = "stripe"

    @property
    def client(self) -> stripe.StripeClient:
        if not settings.STRIPE_SECRET_KEY:
            raise ProviderError("Stripe is not configured: STRIPE_SECRET_KEY is not set.")
        return _client(settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE)

    def _session(self, reference: str, *, expand_intent: bool = True) -> dict[str, Any]:
        params = {"expand": ["payment_intent"]} if expand_intent else {}
        return _call("read the payment", lambda: self.client.v1.checkout.sessions.retrieve(reference, params))

    def start(self, *, amount: Money, order_number: str, idempotency_key: str, return_url: str) -> PaymentStart:
        """Create a Checkout Session for the order's total; the customer is sent to its page.
        Stripe only takes absolute URLs, so a path is joined to SITE_URL."""
        back = urljoin(settings.SITE_URL, return_url)
        joiner = "&" if "?" in back else "?"
        params: dict[str, Any] = {
            "mode": "payment",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": str(amount.currency).lower(),
                        "unit_amount": to_minor_units(amount),
                        "product_data": {"name": f"Order {order_number}"},
                    },
                }
            ],
            # Stripe fills in {CHECKOUT_SESSION_ID}; it must stay unencoded.
            "success_url": f"{back}{joiner}session_id={{CHECKOUT_SESSION_ID}}",
            "cancel_url": f"{back}{joiner}cancelled=1",
            "client_reference_id": order_number,
            "metadata": {"order": order_number},
            "payment_intent_data": {"metadata": {"order": order_number}},
        }
        # No expires_at: it would differ between a call and its retry, and Stripe answers a key
        # reused with other parameters with an error. Sessions expire after Stripe's 24 hours.
        options = {"idempotency_key": f"{idempotency_key}-session"}
        try:
            session = _call("start the payment", lambda: self.client.v1.checkout.sessions.create(params, options))
        except stripe.CardError as error:
            return PaymentStart("", PaymentStatus.FAILED, raw={"message": _message(error)})
        return PaymentStart(session["id"], PaymentStatus.PENDING, redirect_url=session["url"] or "", raw=session)

    def confirm(self, *, reference: str, idempotency_key: str, data: dict[str, Any]) -> PaymentResult:
        """Read the session back when the customer returns (``data`` is ignored: the reference
        comes from our own Payment row, the query string could be anything). A failure is made
        final: a still-open session is expired, so the customer cannot pay a cancelled order."""
        try:
            session = self._session(reference)
            result = _session_outcome(session)
            if result.status == PaymentStatus.FAILED and session.get("status") == "open":
                # Refused if it completed meanwhile, or Stripe is away: the fresh read below tells.
                with suppress(ProviderError):
                    _call(
                        "close the payment page",
                        lambda: self.client.v1.checkout.sessions.expire(
                            reference, options={"idempotency_key": f"{idempotency_key}-expire"}
                        ),
                    )
                result = _session_outcome(self._session(reference))
        except stripe.CardError as error:
            return PaymentResult(reference, PaymentStatus.FAILED, message=_message(error))
        return result

    def capture(self, *, reference: str, amount: Money, idempotency_key: str) -> PaymentResult:
        """Capture an authorised PaymentIntent. Checkout captures automatically, so an intent that
        already succeeded answers CAPTURED without a call (also what a retried capture finds)."""
        try:
            session = self._session(reference)
            intent = session.get("payment_intent")
            if not isinstance(intent, dict) or intent.get("status") != "requires_capture":
                return _session_outcome(session)
            captured = _call(
                "capture the payment",
                lambda: self.client.v1.payment_intents.capture(
                    intent["id"],
                    {"amount_to_capture": to_minor_units(amount)},
                    {"idempotency_key": f"{idempotency_key}-capture"},
                ),
            )
        except stripe.CardError as error:
            return PaymentResult(reference, PaymentStatus.FAILED, message=_message(error), raw=error.json_body or {})
        status, message = _intent_outcome(captured, session.get("status"))
        received = captured.get("amount_received")
        taken = from_minor_units(received, captured["currency"]) if received else None
        return PaymentResult(reference, status, taken, message, raw=captured)

    def refund(self, *, reference: str, amount: Money, idempotency_key: str, reason: str = "") -> RefundResult:
        """Refund ``amount`` of the session's PaymentIntent. Only a refund Stripe reports as
        succeeded answers ``succeeded``; a pending one (some payment methods) is finished by the
        ``refund.updated`` webhook."""
        metadata = {"checkout_session": reference}
        try:
            session = self._session(reference, expand_intent=False)
            intent = session.get("payment_intent")
            if not intent:
                return RefundResult("", False, amount, "There is no payment at Stripe to refund.")
            if (session.get("metadata") or {}).get("order"):
                metadata["order"] = session["metadata"]["order"]
            if reason:
                metadata["reason"] = reason[:500]  # Stripe's limit for a metadata value
            params = {"payment_intent": intent, "amount": to_minor_units(amount), "metadata": metadata}
            refund = _call(
                "refund the payment",
                lambda: self.client.v1.refunds.create(params, {"idempotency_key": f"{idempotency_key}-refund"}),
            )
        except stripe.CardError as error:
            return RefundResult("", False, amount, _message(error), raw=error.json_body or {})
        status = refund.get("status")
        message = {
            "succeeded": "",
            "pending": "Stripe is processing the refund.",
            "requires_action": "Stripe needs the customer's details to send the refund.",
        }.get(status, refund.get("failure_reason") or f"Stripe did not refund ({status}).")
        refunded = from_minor_units(refund["amount"], refund["currency"])
        return RefundResult(refund["id"], status == "succeeded", refunded, message, raw=refund)

    def parse_webhook(self, *, body: bytes, headers: dict[str, str]) -> WebhookEvent:
        """Verify the ``Stripe-Signature`` header (HMAC-SHA256 with STRIPE_WEBHOOK_SECRET, at most
        five minutes old) and map the event; an event of no concern to a payment is ``ignored``."""
        header = next((v for k, v in headers.items() if k.lower() == SIGNATURE_HEADER.lower()), "")
        secret = settings.STRIPE_WEBHOOK_SECRET
        if not secret:
            raise WebhookRejected("STRIPE_WEBHOOK_SECRET is not set, so no Stripe webhook can be verified.")
        if not header:
            raise WebhookRejected("The webhook has no Stripe-Signature header.")
        try:
            event = self.client.construct_event(body, header, secret, tolerance=WEBHOOK_TOLERANCE_SECONDS)
            event = event.to_dict(for_json=True)
            obj, event_id, kind = event["data"]["object"], str(event["id"]), str(event["type"])
        except stripe.SignatureVerificationError as error:
            raise WebhookRejected(f"The webhook's signature is not valid: {_message(error)}") from None
        except (ValueError, KeyError, TypeError):
            raise WebhookRejected("The webhook's body is not a Stripe event.") from None
        return self._event_of(event_id, kind, obj, event)

    def _event_of(self, event_id: str, kind: str, obj: dict[str, Any], event: dict[str, Any]) -> WebhookEvent:
        if kind.startswith("checkout.session."):
            return _session_event(event_id, kind, obj, event)
        if kind in ("payment_intent.succeeded", "payment_intent.payment_failed"):
            return self._intent_event(event_id, kind, obj, event)
        if kind == "charge.refunded":
            session = self._session_of_intent(obj.get("payment_intent"))
            if session is None:
                return WebhookEvent(event_id, "ignored", "", message="Not a payment of this shop.", raw=event)
            total = from_minor_units(obj["amount_refunded"], obj["currency"])
            return WebhookEvent(
                event_id,
                "refund.succeeded",
                session["id"],
                amount=total,
                message=f"{total} refunded in all.",
                raw=event,
            )
        if kind == "refund.updated" and obj.get("status") == "succeeded":
            reference = (obj.get("metadata") or {}).get("checkout_session", "")
            if not reference:
                session = self._session_of_intent(obj.get("payment_intent"))
                reference = session["id"] if session else ""
            if not reference:
                return WebhookEvent(event_id, "ignored", "", message="Not a payment of this shop.", raw=event)
            amount = from_minor_units(obj["amount"], obj["currency"])
            return WebhookEvent(event_id, "refund.succeeded", reference, amount=amount, message=obj["id"], raw=event)
        return WebhookEvent(event_id, "ignored", "", message=f"Stripe's {kind} changes no payment.", raw=event)

    def _intent_event(self, event_id: str, kind: str, intent: dict[str, Any], event: dict[str, Any]) -> WebhookEvent:
        # An intent without our metadata belongs to something else on the account: no read needed.
        session = self._session_of_intent(intent.get("id")) if (intent.get("metadata") or {}).get("order") else None
        if session is None:
            return WebhookEvent(event_id, "ignored", "", message="Not a payment of this shop.", raw=event)
        if kind == "payment_intent.succeeded":
            amount = from_minor_units(intent["amount_received"] or intent["amount"], intent["currency"])
            return WebhookEvent(event_id, "payment.captured", session["id"], PaymentStatus.CAPTURED, amount, raw=event)
        message = (intent.get("last_payment_error") or {}).get("message") or "The payment was declined."
        if session.get("status") == "open":
            # On Stripe's page the customer may still try another card: not final until the
            # session completes or expires (checkout.session.expired).
            return WebhookEvent(event_id, "ignored", session["id"], message=message, raw=event)
        return WebhookEvent(event_id, "payment.failed", session["id"], PaymentStatus.FAILED, message=message, raw=event)

    def _session_of_intent(self, intent_id: Any) -> dict[str, Any] | None:
        if not intent_id or not isinstance(intent_id, str):
            return None
        found = _call(
            "find the payment's checkout session",
            lambda: self.client.v1.checkout.sessions.list({"payment_intent": intent_id, "limit": 1}),
        )
        return found["data"][0] if found.get("data") else None


def _session_event(event_id: str, kind: str, session: dict[str, Any], event: dict[str, Any]) -> WebhookEvent:
    amount = None
    if session.get("amount_total") is not None and session.get("currency"):
        amount = from_minor_units(session["amount_total"], session["currency"])
    reference = str(session.get("id", ""))
    if kind in CAPTURED_EVENTS:
        if session.get("payment_status") not in PAID_SESSION_STATUSES:
            # A delayed method (SEPA debit ...): async_payment_succeeded or _failed follows.
            message = "The payment is on its way; Stripe reports when it arrives."
            return WebhookEvent(event_id, "ignored", reference, amount=amount, message=message, raw=event)
        return WebhookEvent(event_id, "payment.captured", reference, PaymentStatus.CAPTURED, amount, raw=event)
    if kind in FAILED_SESSION_EVENTS:
        message = (
            "The payment page expired before the payment was made."
            if kind == "checkout.session.expired"
            else "The payment failed."
        )
        return WebhookEvent(event_id, "payment.failed", reference, PaymentStatus.FAILED, amount, message, raw=event)
    return WebhookEvent(event_id, "ignored", reference, message=f"Stripe's {kind} changes no payment.", raw=event)


__all__ = ["StripeProvider", "from_minor_units", "to_minor_units"]
