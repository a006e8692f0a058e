"""The shop owner's home: their sales, orders to fulfil, low stock and top products, in flat queries."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.commerce.factories import make_paid_order, make_product, variant_of

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_shop_dashboard_shows_the_owners_sales_and_work(owner, customer, shop, other_shop):
    mine = variant_of(make_product(shop=shop, price="12.50", stock=4, name="Teapot"))
    theirs = variant_of(make_product(shop=other_shop, price="99.00", stock=40, name="Kettle"))
    make_paid_order(customer, [(mine, 2), (theirs, 1)])

    response = _client(owner).get("/dashboard/shop/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "EUR 25.00" in html  # today, week and month: their part only
    assert "99.00" not in html and "Kettle" not in html
    assert "Teapot" in html  # top products and low stock (2 left of a threshold of 3)
    assert "2 left" in html and "Orders to fulfil" in html
    assert "<svg" in html  # the chart


def test_the_dashboard_query_count_does_not_grow_with_orders(owner, customer, shop, django_assert_max_num_queries):
    variants = [variant_of(make_product(shop=shop, stock=100)) for _ in range(3)]
    client = _client(owner)
    make_paid_order(customer, [(variants[0], 1)])
    with django_assert_max_num_queries(60) as few:
        client.get("/dashboard/shop/")
    for variant in variants:
        make_paid_order(customer, [(variant, 2)])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/dashboard/shop/").status_code == 200


def test_customers_do_not_open_the_shop_dashboard(customer):
    assert _client(customer).get("/dashboard/shop/").status_code in (403, 404)
