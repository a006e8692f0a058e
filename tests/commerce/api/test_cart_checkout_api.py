"""The cart (a visitor's session, a customer's account) and the checkout over the API, with the
completion's Idempotency-Key: the same key replays the first answer, another body gets 422."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from apps.commerce.models import Address, CartLine, Checkout, Order, Payment
from tests.commerce.api.conftest import API, error_of
from tests.commerce.factories import make_product, variant_of
from tests.commerce.shopping import ADDRESS, fill_cart, flat_shipping, ready_checkout, save_address

pytestmark = pytest.mark.django_db

CART, LINES = f"{API}cart/", f"{API}cart/lines/"
CHECKOUT, COMPLETE = f"{API}checkout/", f"{API}checkout/complete/"


def test_a_visitor_fills_a_session_cart_and_is_told_when_stock_caps_it(api_as, shop):
    variant = variant_of(make_product(shop=shop, price="4.50", stock=2))
    client = api_as(None)

    body = client.post(LINES, {"variant": variant.pk, "quantity": 3}).json()

    assert body["count"] == 2 and body["subtotal"] == {"amount": "9.00", "currency": "EUR"}
    assert body["messages"] == [f"Only 2 left of {variant.product.name}; your cart now has 2."]
    assert client.get(CART).json()["lines"][0]["variant_id"] == variant.pk  # kept in the session
    assert not CartLine.objects.exists()


def test_a_customer_changes_and_removes_lines_of_the_account_cart(api_as, customer, shop):
    variant = variant_of(make_product(shop=shop, stock=9))
    client = api_as(customer)
    client.post(LINES, {"variant": variant.pk})

    assert client.patch(f"{LINES}{variant.pk}/", {"quantity": 5}).json()["count"] == 5
    assert CartLine.objects.get(cart__user=customer).quantity == 5
    assert client.delete(f"{LINES}{variant.pk}/").json()["lines"] == []
    error_of(client.delete(f"{LINES}{variant.pk}/"), 404)


def test_bad_cart_input_is_a_400_that_changes_nothing(api_as, customer, shop):
    draft = variant_of(make_product(shop=shop, live=False))
    client = api_as(customer)

    assert error_of(client.post(LINES, {"variant": draft.pk}), 400)["message"].endswith("is not for sale.")
    assert error_of(client.post(LINES, {"variant": "x"}), 400)["fields"]["variant"]
    assert error_of(client.post(LINES, {"variant": draft.pk, "quantity": 0}), 400)["fields"]["quantity"]
    assert error_of(client.post(LINES, {"variant": 2**62}), 400)
    assert not CartLine.objects.exists()


def test_the_checkout_is_for_signed_in_customers(api_as):
    client = api_as(None)
    for method, url in [("get", CHECKOUT), ("post", CHECKOUT), ("put", f"{CHECKOUT}address/"), ("post", COMPLETE)]:
        error_of(getattr(client, method)(url), 401)


def test_a_customer_checks_out_and_gets_where_to_pay(api_as, customer, shop):
    variant = variant_of(make_product(shop=shop, price="10.00", stock=3))
    method = flat_shipping(shop, "5.00")
    fill_cart(customer, variant, quantity=2)
    client = api_as(customer)

    started = client.post(CHECKOUT)
    assert started.status_code == 201, started.content
    assert started.json()["subtotal"] == {"amount": "20.00", "currency": "EUR"}
    address = {**ADDRESS, "save_to_account": True}
    assert client.put(f"{CHECKOUT}address/", address).json()["shipping_address"]["city"] == "Paris"
    assert Address.objects.filter(user=customer).count() == 1
    shipped = client.put(f"{CHECKOUT}shipping/", {"shop": shop.pk, "method": method.pk}).json()
    assert shipped["parts"][0]["method"]["id"] == method.pk

    done = client.post(COMPLETE, HTTP_IDEMPOTENCY_KEY="first-try")

    assert done.status_code == 201, done.content
    order = Order.objects.get()
    body = done.json()
    assert body["number"] == order.number and body["status"] == "unpaid"
    assert "/shop/pay/" in body["redirect_url"]
    assert body["total"]["amount"] == str(order.total.amount)


def test_completion_needs_an_idempotency_key_and_replays_it(api_as, customer, shop):
    ready_checkout(customer, variant_of(make_product(shop=shop, stock=5)))
    client = api_as(customer)

    error_of(client.post(COMPLETE), 400)
    first = client.post(COMPLETE, HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(COMPLETE, HTTP_IDEMPOTENCY_KEY="k-1")
    other = client.post(COMPLETE, {"note": "different"}, HTTP_IDEMPOTENCY_KEY="k-1")

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    error_of(other, 422)
    assert Order.objects.count() == 1 and Payment.objects.count() == 1


def test_completing_a_completed_checkout_by_its_token_names_the_same_order(api_as, customer, other_customer, shop):
    checkout = ready_checkout(customer, variant_of(make_product(shop=shop)))
    client = api_as(customer)
    body = {"checkout": str(checkout.token)}

    first = client.post(COMPLETE, body, HTTP_IDEMPOTENCY_KEY="a").json()
    later = client.post(COMPLETE, body, HTTP_IDEMPOTENCY_KEY="b").json()

    assert later["number"] == first["number"] and Order.objects.count() == 1
    error_of(api_as(other_customer).post(COMPLETE, body, HTTP_IDEMPOTENCY_KEY="c"), 404)
    assert error_of(client.post(COMPLETE, {"checkout": "nope"}, HTTP_IDEMPOTENCY_KEY="d"), 400)["fields"]["checkout"]


def test_a_bad_voucher_or_address_is_a_400_that_changes_nothing(api_as, customer, shop):
    checkout = ready_checkout(customer, variant_of(make_product(shop=shop)))
    client = api_as(customer)

    assert "no voucher" in error_of(client.put(f"{CHECKOUT}voucher/", {"code": "NOPE"}), 400)["message"]
    assert error_of(client.put(f"{CHECKOUT}address/", {**ADDRESS, "country": "XX"}), 400)["fields"]["country"]
    error_of(client.put(f"{CHECKOUT}shipping/", {"shop": shop.pk, "method": 999}), 400)
    checkout.refresh_from_db()
    assert checkout.voucher is None and checkout.shipping_address["country"] == "FR"


def test_another_customer_never_reaches_a_checkout(api_as, customer, other_customer, shop):
    ready_checkout(customer, variant_of(make_product(shop=shop)))
    save_address(other_customer)

    error_of(api_as(other_customer).get(CHECKOUT), 404)
    error_of(api_as(other_customer).post(COMPLETE, HTTP_IDEMPOTENCY_KEY="x"), 404)
    assert Checkout.objects.get().user == customer


@pytest.mark.django_db(transaction=True)
def test_concurrent_completions_with_one_key_make_one_order_one_charge_and_one_answer(api_as, customer, shop):
    ready_checkout(customer, variant_of(make_product(shop=shop, stock=5)))

    def complete(_: int) -> tuple[int, bytes]:
        response = api_as(customer).post(COMPLETE, HTTP_IDEMPOTENCY_KEY="together")
        return response.status_code, response.content

    # In-process: fewer threads than the database pool's connections (test_api_races.py: fifty over HTTP).
    with ThreadPoolExecutor(max_workers=5) as pool:
        answers = list(pool.map(complete, range(15)))

    assert {status for status, _ in answers} == {201}
    assert len({content for _, content in answers}) == 1
    assert Order.objects.count() == 1 and Payment.objects.count() == 1
