"""The API's checkout completion under a race, with real HTTP against a production-mode server
on PostgreSQL (acceptance 2, through /api/v1/shop/): fifty completions with one Idempotency-Key
and a bearer token make one order and one charge and get one answer, and the same completion a
day later (the key pruned) names the same order."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from apps.commerce.models import Order, Payment
from apps.core.models import IdempotencyKey
from apps.core.platform import idempotency
from tests.commerce.factories import make_product, variant_of
from tests.commerce.shopping import ready_checkout
from tests.commerce.test_races import TIMEOUT, race_env  # noqa: F401 (the fixture)
from tests.core.factories import UserFactory
from tests.faults.conftest import production_env  # noqa: F401 (the fixture)
from tests.utils import daphne_server, race

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the races run on PostgreSQL (CI does)")


PASSWORD = "race-password-0123"


def with_server_password(user: Any) -> None:
    """Give ``user`` a password hashed as the production-mode server checks it (the test settings'
    hasher is a fast one the server does not know)."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"]):
        user.password = make_password(PASSWORD)
    user.save(update_fields=["password"])


def test_fifty_api_completions_with_one_key_make_one_order_one_charge_and_one_answer(race_env, tmp_path: Path):  # noqa: F811
    buyer = UserFactory()
    with_server_password(buyer)
    checkout = ready_checkout(buyer, variant_of(make_product()))
    body = {"checkout": str(checkout.token)}
    with daphne_server(race_env, tmp_path / "daphne.log") as url:
        # The app signs in at the server, which signs the token with its own key.
        signed = requests.post(
            url + "/api/v1/auth/token/", json={"email": buyer.email, "password": PASSWORD}, timeout=TIMEOUT
        )
        assert signed.status_code == 200, signed.text
        headers = {"Authorization": f"Bearer {signed.json()['access']}", "Idempotency-Key": "one-attempt"}

        def complete(_: int) -> requests.Response:
            return requests.post(url + "/api/v1/shop/checkout/complete/", json=body, headers=headers, timeout=TIMEOUT)

        answers = race(complete, 50)
        failures = [a for a in answers if isinstance(a, BaseException)]
        assert not failures, failures[:3]
        assert {a.status_code for a in answers} == {201}, {a.text for a in answers}
        assert len({a.content for a in answers}) == 1
        assert sum(a.headers.get("Idempotent-Replayed") == "true" for a in answers) == 49
        assert Order.objects.count() == 1 and Payment.objects.count() == 1

        assert idempotency.prune(now=timezone.now() + timedelta(hours=25)) == 1
        assert not IdempotencyKey.objects.exists()
        replay = complete(0)
    assert replay.status_code == 201 and "Idempotent-Replayed" not in replay.headers
    assert replay.json()["number"] == answers[0].json()["number"]
    assert Order.objects.count() == 1 and Payment.objects.count() == 1
