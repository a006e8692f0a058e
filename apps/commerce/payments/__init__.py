"""Payment providers (see base.py for the interface)."""

from __future__ import annotations

from apps.commerce.payments.base import (
    PaymentProvider,
    PaymentResult,
    PaymentStart,
    PaymentStatus,
    ProviderError,
    RefundResult,
    WebhookEvent,
    WebhookRejected,
)

__all__ = [
    "PaymentProvider",
    "PaymentResult",
    "PaymentStart",
    "PaymentStatus",
    "ProviderError",
    "RefundResult",
    "WebhookEvent",
    "WebhookRejected",
    "provider",
    "provider_named",
]


def provider_named(name: str) -> PaymentProvider:
    """The provider a Payment row names (``test`` or ``stripe``)."""
    if name == "test":
        from apps.commerce.payments.testprovider import TestProvider

        return TestProvider()
    if name == "stripe":
        from apps.commerce.payments.stripe import StripeProvider

        return StripeProvider()
    raise LookupError(f"no payment provider named {name!r}")


def provider() -> PaymentProvider:
    """The provider new payments use: Stripe when STRIPE_SECRET_KEY is set, else the test provider."""
    from django.conf import settings

    return provider_named("stripe" if settings.STRIPE_SECRET_KEY else "test")
