"""The catalogue in the Django admin: staff see every list and form; stock goes through
set_on_hand; publishing goes through the engine; shop owners and customers are kept out."""

from __future__ import annotations

import pytest

from apps.commerce.models import Attribute, Category, Collection, Product, ProductType, Stock
from tests.commerce.factories import make_product, variant_of

pytestmark = pytest.mark.django_db


def test_staff_open_every_catalogue_list_and_form(client_for, admin, shop):
    product = make_product(shop=shop, variants=2)
    category = Category.objects.create(name="Kitchen", slug="kitchen")
    collection = Collection.objects.create(name="Gifts", slug="gifts")
    attribute = Attribute.objects.create(name="Colour", slug="colour")
    product_type = ProductType.objects.get(pk=product.product_type_id)
    client = client_for(admin)
    for name, obj in (
        ("shop", shop),
        ("product", product),
        ("category", category),
        ("collection", collection),
        ("attribute", attribute),
        ("producttype", product_type),
    ):
        assert client.get(f"/admin/commerce/{name}/").status_code == 200, name
        assert client.get(f"/admin/commerce/{name}/{obj.pk}/change/").status_code == 200, name
    page = client.get(f"/admin/commerce/product/{product.pk}/change/").content.decode()
    assert variant_of(product).sku in page and "On hand" in page and "Edit the content on the site" in page


def test_the_admin_sets_stock_through_set_on_hand_and_publishes_through_the_engine(client_for, admin, shop):
    product = make_product(shop=shop, stock=4, live=False)
    variant = variant_of(product)
    client = client_for(admin)
    data = {
        "shop": shop.pk,
        "product_type": product.product_type_id,
        "reference_app": "",
        "reference_kind": "",
        "reference_id": "",
        "variants-TOTAL_FORMS": 1,
        "variants-INITIAL_FORMS": 1,
        "variants-0-id": variant.pk,
        "variants-0-product": product.pk,
        "variants-0-sku": variant.sku,
        "variants-0-name": "",
        "variants-0-price_0": "11.00",
        "variants-0-price_1": "EUR",
        "variants-0-compare_at_price_0": "",
        "variants-0-compare_at_price_1": "EUR",
        "variants-0-weight_grams": 100,
        "variants-0-position": 0,
        "variants-0-is_active": "on",
        "variants-0-on_hand": 9,
        "images-TOTAL_FORMS": 0,
        "images-INITIAL_FORMS": 0,
    }
    response = client.post(f"/admin/commerce/product/{product.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Stock.objects.get(variant=variant).quantity == 9
    assert Product.objects.get(pk=product.pk).min_price.amount == 11
    client.post("/admin/commerce/product/", {"action": "publish", "_selected_action": [product.pk]})
    assert Product.objects.get(pk=product.pk).live


@pytest.mark.parametrize("who", ["owner", "customer", "anonymous"])
def test_non_staff_are_kept_out_of_the_admin(client_for, people, shop, who):
    response = client_for(people[who]).get("/admin/commerce/product/")
    assert response.status_code == 302 and "login" in response["Location"]
