"""The built-in test provider: stateless references, outcomes, signed webhooks."""

from __future__ import annotations

import json
import time

import pytest
from django.core import signing

from apps.commerce.payments import PaymentStatus, WebhookRejected, provider
from apps.commerce.payments.testprovider import sign_webhook

# start() and the outcomes are tested with the payment page it sends customers to (test_checkout*).


def test_a_forged_reference_is_refused():
    with pytest.raises(signing.BadSignature):
        provider().confirm(reference="forged", idempotency_key="c", data={"outcome": "approve"})


def test_webhooks_are_checked_by_signature_and_age():
    body = json.dumps({"id": "evt_1", "type": "payment.captured", "reference": "r", "status": "captured"}).encode()
    event = provider().parse_webhook(body=body, headers={"X-Test-Signature": sign_webhook(body)})
    assert (event.event_id, event.kind, event.status) == ("evt_1", "payment.captured", PaymentStatus.CAPTURED)
    with pytest.raises(WebhookRejected):
        provider().parse_webhook(body=body + b" ", headers={"X-Test-Signature": sign_webhook(body)})
    with pytest.raises(WebhookRejected):
        provider().parse_webhook(
            body=body, headers={"X-Test-Signature": sign_webhook(body, at=int(time.time()) - 3600)}
        )
    with pytest.raises(WebhookRejected):
        provider().parse_webhook(body=body, headers={})
