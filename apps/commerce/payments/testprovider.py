"""The built-in test provider: payments with no account anywhere, so `make run` sells end to end.

The customer is sent to the site's own payment page (``commerce:test-pay``), which offers
"Approve", "Decline" and "Requires action" (a second step, like 3-D Secure). It keeps no state
of its own: a payment's reference is signed with the site's key and carries the amount, so the
page cannot be pointed at another amount, and confirm/capture/refund answer from the reference
and the request alone. Its webhooks are signed with HMAC-SHA256 over the raw body (header
``X-Test-Signature: t=<unix time>,v1=<hex>``), checked like Stripe's, within a 5-minute window.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

from django.conf import settings
from django.core import signing
from django.urls import reverse
from djmoney.money import Money

from apps.commerce.payments.base import (
    PaymentResult,
    PaymentStart,
    PaymentStatus,
    RefundResult,
    WebhookEvent,
    WebhookRejected,
)

SALT = "commerce.testprovider"
SIGNATURE_HEADER = "X-Test-Signature"
WEBHOOK_TOLERANCE_SECONDS = 300
# What the payment page's buttons send as ``data["outcome"]``.
APPROVE, DECLINE, REQUIRE_ACTION, COMPLETE_ACTION = "approve", "decline", "requires_action", "complete_action"


def webhook_secret() -> bytes:
    return hashlib.sha256(f"{SALT}.webhook.{settings.SECRET_KEY}".encode()).digest()


def sign_webhook(body: bytes, *, at: int | None = None) -> str:
    """The signature header's value for ``body`` (what the provider would send; tests use it)."""
    at = int(time.time()) if at is None else at
    digest = hmac.new(webhook_secret(), f"{at}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={at},v1={digest}"


def read_reference(reference: str) -> dict[str, Any]:
    """What a reference carries (order number, amount, currency); raises signing.BadSignature."""
    return signing.loads(reference, salt=SALT)


class TestProvider:
    name = "test"

    def start(self, *, amount: Money, order_number: str, idempotency_key: str, return_url: str) -> PaymentStart:
        # The idempotency key is in the reference: the same key always gives the same payment.
        reference = signing.dumps(
            {
                "order": order_number,
                "amount": str(amount.amount),
                "currency": str(amount.currency),
                "key": idempotency_key,
            },
            salt=SALT,
            compress=True,
        )
        url = reverse("commerce:test-pay", args=[reference])
        return PaymentStart(reference=reference, status=PaymentStatus.PENDING, redirect_url=url)

    def confirm(self, *, reference: str, idempotency_key: str, data: dict[str, Any]) -> PaymentResult:
        carried = read_reference(reference)
        amount = Money(carried["amount"], carried["currency"])
        outcome = data.get("outcome")
        if outcome in (APPROVE, COMPLETE_ACTION):
            return PaymentResult(reference, PaymentStatus.CAPTURED, amount)
        if outcome == REQUIRE_ACTION:
            return PaymentResult(reference, PaymentStatus.REQUIRES_ACTION, amount, "Your bank asks you to confirm.")
        return PaymentResult(reference, PaymentStatus.FAILED, amount, "Your card was declined (test provider).")

    def capture(self, *, reference: str, amount: Money, idempotency_key: str) -> PaymentResult:
        read_reference(reference)
        return PaymentResult(reference, PaymentStatus.CAPTURED, amount)

    def refund(self, *, reference: str, amount: Money, idempotency_key: str, reason: str = "") -> RefundResult:
        read_reference(reference)
        return RefundResult(f"test-refund-{idempotency_key}", True, amount)

    def parse_webhook(self, *, body: bytes, headers: dict[str, str]) -> WebhookEvent:
        header = {k.lower(): v for k, v in headers.items()}.get(SIGNATURE_HEADER.lower(), "")
        parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
        try:
            at = int(parts.get("t", ""))
        except ValueError:
            raise WebhookRejected("The webhook has no valid signature.") from None
        expected = hmac.new(webhook_secret(), f"{at}.".encode() + body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, parts.get("v1", "")):
            raise WebhookRejected("The webhook's signature does not match.")
        if abs(time.time() - at) > WEBHOOK_TOLERANCE_SECONDS:
            raise WebhookRejected("The webhook's signature is too old.")
        try:
            payload = json.loads(body)
            event_id, kind, reference = payload["id"], payload["type"], payload["reference"]
        except (ValueError, KeyError, TypeError):
            raise WebhookRejected("The webhook's body is not a test provider event.") from None
        status = PaymentStatus(payload["status"]) if payload.get("status") in set(PaymentStatus) else None
        amount = (
            Money(payload["amount"], payload["currency"]) if "amount" in payload and "currency" in payload else None
        )
        return WebhookEvent(str(event_id), str(kind), str(reference), status, amount, raw=payload)
