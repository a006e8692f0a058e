"""Customers' own orders and shop management over the API: the permission matrix over every
endpoint (401 anonymous, 403 neither owner nor admin, 404 what is not theirs), fulfil, cancel,
refund and stock through the services, bad input a 400 that changes nothing, flat queries."""

from __future__ import annotations

import pytest

from apps.commerce.models import Fulfilment, OrderShop, Product, Stock
from tests.commerce.api.conftest import API, error_of
from tests.commerce.factories import ProductTypeFactory, make_paid_order, make_product, variant_of

pytestmark = pytest.mark.django_db

MANAGE = f"{API}manage/"


@pytest.fixture
def order(customer, shop, other_shop):
    """A paid order of the customer with a part from each shop."""
    mine = variant_of(make_product(shop=shop, price="10.00", stock=5))
    theirs = variant_of(make_product(shop=other_shop, price="20.00", stock=5))
    return make_paid_order(customer, [(mine, 2), (theirs, 1)])


def _part(order, shop) -> OrderShop:
    return order.parts.get(shop=shop)


def test_a_customer_lists_and_reads_their_own_orders_only(api_as, people, order):
    answers = {who: api_as(user).get(f"{API}orders/{order.number}/").status_code for who, user in people.items()}
    assert answers == {
        "customer": 200,
        "admin": 200,
        "owner": 404,
        "other_owner": 404,
        "other_customer": 404,
        "anonymous": 401,
    }
    listed = api_as(people["customer"]).get(f"{API}orders/").json()
    assert [o["number"] for o in listed["results"]] == [order.number]
    assert api_as(people["other_customer"]).get(f"{API}orders/").json()["count"] == 0


def test_an_order_page_costs_the_same_queries_for_any_number_of_lines(
    api_as, customer, shop, django_assert_max_num_queries
):
    small = make_paid_order(customer, [(variant_of(make_product(shop=shop)), 1)])
    big = make_paid_order(customer, [(variant_of(make_product(shop=shop)), 1) for _ in range(8)])
    client = api_as(customer)
    for order in (small, big):
        with django_assert_max_num_queries(9):
            body = client.get(f"{API}orders/{order.number}/").json()
        assert body["total"]["amount"] == str(order.total.amount)
    with django_assert_max_num_queries(6):
        assert client.get(f"{API}orders/").json()["count"] == 2


def _matrix(api_as, people, method, url, data=None):
    return {who: getattr(api_as(user), method)(url, data).status_code for who, user in people.items()}


def test_the_management_lists_answer_by_role(api_as, people, order):
    for url in (f"{MANAGE}shops/", f"{MANAGE}products/", f"{MANAGE}orders/"):
        answers = _matrix(api_as, people, "get", url)
        assert answers == {
            "owner": 200,
            "other_owner": 200,
            "admin": 200,
            "customer": 403,
            "other_customer": 403,
            "anonymous": 401,
        }, url


def test_an_owner_sees_only_their_shops_parts_and_products(api_as, owner, admin, order, shop):
    parts = api_as(owner).get(f"{MANAGE}orders/").json()["results"]
    assert [(p["number"], p["shop"]["slug"]) for p in parts] == [(order.number, "olives")]
    assert {p["shop"]["slug"] for p in api_as(admin).get(f"{MANAGE}orders/").json()["results"]} == {"olives", "ottos"}
    products = api_as(owner).get(f"{MANAGE}products/").json()["results"]
    assert {p["shop"]["slug"] for p in products} == {"olives"}


def test_every_object_endpoint_of_another_shop_is_404(api_as, people, order, shop):
    part = _part(order, shop)
    product = part.lines.first().variant.product
    variant = variant_of(product)
    calls = [
        ("get", f"{MANAGE}orders/{part.pk}/", None),
        ("post", f"{MANAGE}orders/{part.pk}/fulfil/", {"lines": [{"line": part.lines.first().pk, "quantity": 1}]}),
        ("post", f"{MANAGE}orders/{part.pk}/cancel/", {}),
        ("post", f"{MANAGE}orders/{part.pk}/refund/", {"amount": "1.00"}),
        ("get", f"{MANAGE}products/{product.pk}/", None),
        ("patch", f"{MANAGE}products/{product.pk}/", {"based_on": 0, "name": "X"}),
        ("post", f"{MANAGE}products/{product.pk}/variants/", {"sku": "N-1", "price": "1.00"}),
        ("put", f"{MANAGE}variants/{variant.pk}/stock/", {"quantity": 50}),
    ]
    for method, url, data in calls:
        answers = {
            who: getattr(api_as(people[who]), method)(url, data).status_code
            for who in ("other_owner", "customer", "anonymous")
        }
        assert answers == {"other_owner": 404, "customer": 403, "anonymous": 401}, (method, url)
    assert not Fulfilment.objects.exists()
    assert Stock.objects.get(variant=variant).quantity == 5
    assert part.order.refunded_total.amount == 0


def test_the_owner_fulfils_their_part_with_a_tracking_number(api_as, owner, order, shop):
    part = _part(order, shop)
    line = part.lines.get()

    response = api_as(owner).post(
        f"{MANAGE}orders/{part.pk}/fulfil/", {"lines": [{"line": line.pk, "quantity": 2}], "tracking_number": "TR-9"}
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "fulfilled" and body["fulfilments"][0]["tracking_number"] == "TR-9"
    assert body["lines"][0]["quantity_fulfilled"] == 2


def test_fulfilling_more_than_is_left_is_a_400_that_sends_nothing(api_as, owner, order, shop):
    part = _part(order, shop)
    line = part.lines.get()
    client = api_as(owner)

    error_of(client.post(f"{MANAGE}orders/{part.pk}/fulfil/", {"lines": [{"line": line.pk, "quantity": 3}]}), 400)
    error_of(client.post(f"{MANAGE}orders/{part.pk}/fulfil/", {"lines": []}), 400)
    error_of(client.post(f"{MANAGE}orders/{part.pk}/fulfil/", {"lines": "nope"}), 400)
    assert not Fulfilment.objects.exists()


def test_the_owner_refunds_part_of_their_part_and_cancels_the_other(
    api_as, owner, other_owner, order, shop, other_shop
):
    part = _part(order, shop)
    line = part.lines.get()

    refunded = api_as(owner).post(f"{MANAGE}orders/{part.pk}/refund/", {"lines": [{"line": line.pk, "quantity": 1}]})
    assert refunded.status_code == 200, refunded.content
    assert refunded.json()["status"] == "succeeded" and refunded.json()["amount"]["amount"] == "10.00"
    error_of(api_as(owner).post(f"{MANAGE}orders/{part.pk}/refund/", {"amount": "500.00"}), 400)

    other = _part(order, other_shop)
    cancelled = api_as(other_owner).post(f"{MANAGE}orders/{other.pk}/cancel/", {"reason": "Out of stock"})
    assert cancelled.status_code == 200, cancelled.content
    assert cancelled.json()["status"] == "cancelled"


def test_the_owner_sets_stock_but_never_below_what_is_sold(api_as, owner, order, shop):
    variant = _part(order, shop).lines.get().variant
    client = api_as(owner)

    assert client.put(f"{MANAGE}variants/{variant.pk}/stock/", {"quantity": 12}).json()["stock"]["quantity"] == 12
    assert error_of(client.put(f"{MANAGE}variants/{variant.pk}/stock/", {"quantity": 1}), 400)["fields"]["quantity"]
    assert error_of(client.put(f"{MANAGE}variants/{variant.pk}/stock/", {"quantity": -1}), 400)
    assert Stock.objects.get(variant=variant).quantity == 12


def test_the_owner_creates_a_draft_adds_a_variant_and_saves_a_revision(api_as, owner, shop, other_shop):
    product_type = ProductTypeFactory()
    client = api_as(owner)

    created = client.post(f"{MANAGE}products/", {"shop": shop.pk, "product_type": product_type.pk, "name": "Jug"})
    assert created.status_code == 201, created.content
    product = created.json()
    assert product["live"] is False and product["shop"]["id"] == shop.pk
    variant = client.post(
        f"{MANAGE}products/{product['id']}/variants/", {"sku": "JUG-1", "price": "8.00", "quantity": 4}
    )
    assert variant.status_code == 201, variant.content
    assert variant.json()["stock"]["quantity"] == 4
    saved = client.patch(
        f"{MANAGE}products/{product['id']}/", {"based_on": product["latest_revision"], "name": "Big jug"}
    )
    assert saved.status_code == 200, saved.content
    stale = client.patch(f"{MANAGE}products/{product['id']}/", {"based_on": product["latest_revision"], "name": "Old"})
    error_of(stale, 409)

    refused = client.post(f"{MANAGE}products/", {"shop": other_shop.pk, "product_type": product_type.pk, "name": "No"})
    assert error_of(refused, 400)["fields"]["shop"]
    assert Product.objects.count() == 1


def test_the_managed_lists_cost_flat_queries(api_as, owner, customer, shop, django_assert_max_num_queries):
    client = api_as(owner)
    for count in (1, 6):
        for _ in range(count):
            make_paid_order(customer, [(variant_of(make_product(shop=shop, variants=2)), 1)])
        with django_assert_max_num_queries(8):
            assert client.get(f"{MANAGE}products/").status_code == 200
        with django_assert_max_num_queries(8):
            assert client.get(f"{MANAGE}orders/").status_code == 200
