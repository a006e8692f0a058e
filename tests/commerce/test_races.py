"""The races, with real HTTP against a production-mode server on PostgreSQL (acceptance 1 and
2): 200 buyers for 10 units, 50 checkouts for a voucher of 5 uses, 50 completions with one
idempotency key, and its replay after the key was pruned.

Each buyer is a signed-in customer (a session written to the database, which the server reads:
cached_db sessions) with their own cookies; the threads are released together (tests.utils.race).
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.cached_db import SessionStore
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from apps.commerce.models import Order, Payment, Stock, Voucher
from apps.commerce.services import checkout as checkouts
from apps.core.models import IdempotencyKey
from apps.core.platform import idempotency
from tests.commerce.factories import make_product, variant_of
from tests.commerce.shopping import fill_cart, flat_shipping, ready_checkout, save_address
from tests.core.factories import UserFactory
from tests.faults.conftest import production_env  # noqa: F401 (the fixture)
from tests.utils import daphne_server, race

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the races run on PostgreSQL (CI does)")

TIMEOUT = 60
SERVER_SECRET = "fault-suite-secret-key-not-for-production-0123456789abcdef"  # production_env's


@pytest.fixture
def race_env(production_env):  # noqa: F811
    # Two hundred requests at once queue for the pool's connections instead of timing out.
    assert production_env["SECRET_KEY"] == SERVER_SECRET
    return {**production_env, "DB_POOL_MAX_SIZE": "20", "DB_POOL_TIMEOUT": "60", "IDEMPOTENCY_WAIT_SECONDS": "60"}


def signed_in(user: Any) -> requests.Session:
    """A browser's cookies for ``user``: a session in the database (signed with the server's
    key, as are its auth hash) and a CSRF cookie."""
    with override_settings(SECRET_KEY=SERVER_SECRET):
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.save()
    csrf = secrets.token_hex(16)
    session = requests.Session()
    session.cookies.set("sessionid", store.session_key)
    session.cookies.set("csrftoken", csrf)
    session.headers["X-CSRFToken"] = csrf
    return session


def complete_form(browser: requests.Session, url: str) -> dict[str, str]:
    response = browser.get(url + "/shop/checkout/", timeout=TIMEOUT)
    page = response.text
    assert 'action="/shop/checkout/complete/"' in page, (response.status_code, response.url, page[-3000:])
    form = page[page.index('action="/shop/checkout/complete/"') :]
    return {
        "checkout": re.search(r'name="checkout" value="([^"]+)"', form).group(1),
        "_idempotency": re.search(r'name="_idempotency" value="([^"]+)"', form).group(1),
    }


def test_two_hundred_buyers_for_ten_units_make_ten_paid_orders(race_env, tmp_path: Path):
    product = make_product(name="Limited print", stock=10)
    variant = variant_of(product)
    flat_shipping(product.shop)
    buyers = [UserFactory() for _ in range(200)]
    browsers = []
    for buyer in buyers:
        save_address(buyer)
        fill_cart(buyer, variant)
        browsers.append(signed_in(buyer))

    with daphne_server(race_env, tmp_path / "daphne.log") as url:

        def buy(index: int) -> str:
            browser = browsers[index]
            start = browser.post(url + "/shop/checkout/start/", timeout=TIMEOUT, allow_redirects=False)
            if start.headers.get("Location") != "/shop/checkout/":
                return browser.get(url + start.headers["Location"], timeout=TIMEOUT).text
            paying = browser.post(
                url + "/shop/checkout/complete/", complete_form(browser, url), timeout=TIMEOUT, allow_redirects=False
            )
            done = browser.post(
                url + paying.headers["Location"], {"outcome": "approve"}, timeout=TIMEOUT, allow_redirects=False
            )
            return done.headers["Location"]

        answers = race(buy, len(browsers))

    failures = [a for a in answers if isinstance(a, BaseException)]
    assert not failures, failures[:3]
    paid = [a for a in answers if a.startswith("/shop/checkout/done/")]
    told = [a for a in answers if "Limited print has just sold out" in a or "Limited print is sold out" in a]
    assert len(paid) == 10 and len(told) == 190, [a[:200] for a in answers if a not in paid and a not in told][:2]
    assert Order.objects.filter(status=Order.Status.PAID).count() == 10
    row = Stock.objects.get(variant=variant)
    assert (row.quantity, row.allocated, row.reserved, row.available) == (10, 10, 0, 0)


def test_fifty_checkouts_for_a_voucher_of_five_uses_discount_exactly_five(race_env, tmp_path: Path):
    Voucher.objects.create(code="FIVE", value=10, usage_limit=5)
    variant = variant_of(make_product(stock=100))
    buyers = [UserFactory() for _ in range(50)]
    browsers = []
    for buyer in buyers:
        checkout = ready_checkout(buyer, variant)
        checkouts.checkout_apply_voucher(user=buyer, checkout=checkout, code="FIVE")
        browsers.append(signed_in(buyer))

    with daphne_server(race_env, tmp_path / "daphne.log") as url:
        forms = [complete_form(browser, url) for browser in browsers]

        def complete(index: int) -> requests.Response:
            return browsers[index].post(url + "/shop/checkout/complete/", forms[index], timeout=TIMEOUT)

        answers = race(complete, len(browsers))

    failures = [a for a in answers if isinstance(a, BaseException)]
    assert not failures, failures[:3]
    assert all(a.status_code == 200 for a in answers), {a.status_code for a in answers}
    told = [a for a in answers if "The voucher FIVE has been used up" in a.text]
    assert len(told) == 45
    assert Order.objects.filter(voucher__code="FIVE", discount_total__gt=0).count() == 5
    assert Order.objects.count() == 5 and Voucher.objects.get().used == 5


def test_fifty_completions_with_one_key_make_one_order_one_charge_and_one_answer(race_env, tmp_path: Path):
    buyer = UserFactory()
    ready_checkout(buyer, variant_of(make_product()))
    browser = signed_in(buyer)
    with daphne_server(race_env, tmp_path / "daphne.log") as url:
        form = complete_form(browser, url)
        cookies, headers = browser.cookies.get_dict(), dict(browser.headers)

        def complete(_: int) -> requests.Response:
            return requests.post(
                url + "/shop/checkout/complete/",
                form,
                cookies=cookies,
                headers=headers,
                timeout=TIMEOUT,
                allow_redirects=False,
            )

        answers = race(complete, 50)
        failures = [a for a in answers if isinstance(a, BaseException)]
        assert not failures, failures[:3]
        first = answers[0]
        assert {(a.status_code, a.headers["Location"]) for a in answers} == {(302, first.headers["Location"])}
        assert sum(a.headers.get("Idempotent-Replayed") == "true" for a in answers) == 49
        assert Order.objects.count() == 1 and Payment.objects.count() == 1

        # A day later the key is gone (pruned); the checkout's one order still answers the same.
        assert idempotency.prune(now=timezone.now() + timedelta(hours=25)) == 1
        assert not IdempotencyKey.objects.exists()
        replay = complete(0)
    assert (replay.status_code, replay.headers["Location"]) == (302, first.headers["Location"])
    assert "Idempotent-Replayed" not in replay.headers
    assert Order.objects.count() == 1 and Payment.objects.count() == 1
