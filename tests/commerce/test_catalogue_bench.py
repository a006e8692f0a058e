"""The shop's bench seed: the demo catalogue and thirty bench products, once; the measured pages
answer as the bench expects (cached for visitors without cookies, fresh with one)."""

from __future__ import annotations

import pytest
from django.test import Client

from apps.commerce import bench
from apps.commerce.models import Product, ProductVariant
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_bench_seed_writes_thirty_live_products_once():
    UserFactory(email="admin@freelancer.dev", roles=["admin"])
    UserFactory(email="shopowner@test.com", roles=["shop_owner"])
    UserFactory(email="makers@test.com", roles=["shop_owner"])
    urls = bench.seed()
    count = Product.objects.count()
    assert (
        bench.seed()
        == urls
        == {
            "product": "/shop/products/linen-t-shirt/",
            "catalogue": "/shop/",
            "catalogue_api": "/api/v1/shop/products/",
            "cart_add": "/shop/cart/add/",
            "cart_add_form": urls["cart_add_form"],
        }
    )
    assert (
        Product.objects.count() == count
        and Product.objects.filter(slug__startswith="bench-product-", live=True).count() == 30
    )
    client = Client()
    assert [client.get(urls["product"])["X-Page-Cache"] for _ in range(2)] == ["miss", "hit"]
    assert [client.get(urls["catalogue"])["X-Page-Cache"] for _ in range(2)] == ["miss", "hit"]
    assert client.get(urls["catalogue_api"]).json()["count"] >= 30
    variant = ProductVariant.objects.get(pk=int(urls["cart_add_form"].split("&")[0].removeprefix("variant=")))
    assert variant.product.slug == "bench-product-01" and variant.stock.available == 50
    with_cookie = client.get(urls["product"], headers={"Cookie": "bench=1"})
    assert with_cookie.status_code == 200 and with_cookie["X-Page-Cache"] == "bypass"
