"""The payment provider interface: what checkout, refunds and webhooks ask of a provider.

A provider is chosen by ``apps.commerce.payments.provider()`` (Stripe when ``STRIPE_SECRET_KEY``
is set, else the built-in test provider) and named on each Payment row, so a payment is always
finished, captured and refunded by the provider that started it. Every call carries an
idempotency key (the Payment's or the Refund's own), so a call retried after a timeout never
charges or refunds twice. Providers speak money as ``Money`` and never touch the database:
the services in apps/commerce/services/ record what they answer (Payment, PaymentEvent).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from djmoney.money import Money


class PaymentStatus(StrEnum):
    """What a provider says of a payment (the Payment row's status takes these values)."""

    PENDING = "pending"
    REQUIRES_ACTION = "requires_action"  # the customer must do something more (3-D Secure)
    AUTHORIZED = "authorized"  # held, not yet captured
    CAPTURED = "captured"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class PaymentStart:
    """The answer to ``start``: the provider's id of the payment and where the customer goes."""

    reference: str
    status: PaymentStatus
    # A page the customer is sent to (the test provider's payment page, Stripe's hosted step), or "".
    redirect_url: str = ""
    client_secret: str = ""
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PaymentResult:
    reference: str
    status: PaymentStatus
    amount: Money | None = None
    message: str = ""
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RefundResult:
    reference: str
    succeeded: bool
    amount: Money
    message: str = ""
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class WebhookEvent:
    """A provider's notification, verified and parsed: ``event_id`` is unique per provider, so a
    replayed webhook is recognised (PaymentEvent.provider_event_id)."""

    event_id: str
    kind: str  # "payment.captured", "payment.failed", "payment.requires_action", "refund.succeeded", ...
    reference: str  # the payment's provider id
    status: PaymentStatus | None = None
    amount: Money | None = None
    message: str = ""
    raw: dict[str, Any] = field(default_factory=dict)


class WebhookRejected(Exception):
    """A webhook that failed its signature check or could not be read: answered 400, changes nothing."""


class ProviderError(Exception):
    """The provider could not be reached or refused the call for a reason of its own (not a decline)."""


class PaymentProvider(Protocol):
    name: str

    def start(self, *, amount: Money, order_number: str, idempotency_key: str, return_url: str) -> PaymentStart:
        """Create the payment at the provider."""

    def confirm(self, *, reference: str, idempotency_key: str, data: dict[str, Any]) -> PaymentResult:
        """Finish a payment the customer acted on (the test page's choice, Stripe's return)."""

    def capture(self, *, reference: str, amount: Money, idempotency_key: str) -> PaymentResult:
        """Take an authorised amount."""

    def refund(self, *, reference: str, amount: Money, idempotency_key: str, reason: str = "") -> RefundResult:
        """Give back ``amount`` (at most what was captured, less earlier refunds)."""

    def parse_webhook(self, *, body: bytes, headers: dict[str, str]) -> WebhookEvent:
        """Verify a webhook's signature and read it, or raise WebhookRejected."""
