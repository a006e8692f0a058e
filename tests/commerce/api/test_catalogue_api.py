"""The public catalogue over the API: the catalogue page's filters, money as strings, drafts
hidden from all but their managers, flat query counts."""

from __future__ import annotations

import pytest

from apps.commerce.services.catalogue import forget_catalogue_pages
from tests.commerce.api.conftest import API, error_of
from tests.commerce.factories import make_product, variant_of

pytestmark = pytest.mark.django_db

PRODUCTS = f"{API}products/"


def test_anyone_lists_live_products_with_prices_as_decimal_strings(api_as, shop):
    make_product(shop=shop, name="Blue mug", price="12.50")
    make_product(shop=shop, name="Hidden draft", live=False)

    body = api_as(None).get(PRODUCTS).json()

    assert body["count"] == 1 and body["pages"] == 1 and body["next"] is None
    card = body["results"][0]
    assert card["name"] == "Blue mug"
    assert card["price"] == {"amount": "12.50", "currency": "EUR"}
    assert card["available"] is True and card["shop"]["slug"] == "olives"


def test_the_list_filters_by_shop_price_search_and_stock_and_sorts(api_as, shop, other_shop):
    make_product(shop=shop, name="Cheap cup", price="3.00")
    make_product(shop=shop, name="Dear vase", price="90.00", stock=0)
    make_product(shop=other_shop, name="Other cup", price="5.00")
    client = api_as(None)

    def names(**params: object) -> list[str]:
        return [card["name"] for card in client.get(PRODUCTS, params).json()["results"]]

    assert names(shop="olives", sort="price_asc") == ["Cheap cup", "Dear vase"]
    assert names(max_price="10", sort="name") == ["Cheap cup", "Other cup"]
    assert names(in_stock="true", shop="olives") == ["Cheap cup"]
    assert names(q="cup", sort="name") == ["Cheap cup", "Other cup"]


def test_a_malformed_filter_is_a_400_and_a_page_past_the_end_a_404(api_as, shop):
    make_product(shop=shop)
    client = api_as(None)

    assert error_of(client.get(PRODUCTS, {"sort": "bogus"}), 400)["fields"]["sort"]
    assert error_of(client.get(PRODUCTS, {"min_price": "9", "max_price": "1"}), 400)["fields"]["max_price"]
    assert error_of(client.get(PRODUCTS, {"attr": "no-colon"}), 400)["fields"]
    error_of(client.get(PRODUCTS, {"page": "7"}), 404)


def test_the_list_costs_the_same_queries_for_three_products_or_thirty(api_as, shop, django_assert_max_num_queries):
    for _ in range(3):
        make_product(shop=shop)
    client = api_as(None)
    with django_assert_max_num_queries(8):
        assert client.get(PRODUCTS, {"q": "product"}).status_code == 200
    for _ in range(27):
        make_product(shop=shop)
    with django_assert_max_num_queries(8):
        assert len(client.get(PRODUCTS, {"q": "product", "page_size": 40}).json()["results"]) == 30


def test_a_product_by_slug_has_its_variants_prices_and_availability(api_as, shop, django_assert_max_num_queries):
    product = make_product(shop=shop, slug="tee", variants=3, price="20.00", stock=4)
    with django_assert_max_num_queries(8):
        body = api_as(None).get(f"{PRODUCTS}tee/").json()

    assert body["name"] == product.name and body["live"] is True
    assert [v["sku"] for v in body["variants"]] == [v.sku for v in product.variants.order_by("position")]
    assert body["variants"][0]["price"] == {"amount": "20.00", "currency": "EUR"}
    assert body["variants"][0]["available"] == 4


def test_a_draft_is_404_to_everyone_but_those_who_manage_it(api_as, people, shop):
    make_product(shop=shop, slug="secret", live=False)
    answers = {who: api_as(user).get(f"{PRODUCTS}secret/").status_code for who, user in people.items()}

    assert answers == {
        "owner": 200,
        "admin": 200,
        "other_owner": 404,
        "customer": 404,
        "other_customer": 404,
        "anonymous": 404,
    }


def test_categories_collections_and_shops_are_public_lists(api_as, shop):
    from apps.commerce.models import Category, Collection

    parent = Category.objects.create(name="Home", slug="home")
    Category.objects.create(name="Kitchen", slug="kitchen", parent=parent)
    Collection.objects.create(name="Summer", slug="summer")
    Collection.objects.create(name="Hidden", slug="hidden", is_published=False)
    client = api_as(None)

    assert client.get(f"{API}categories/").json() == [
        {"name": "Home", "slug": "home", "description": "", "children": [{"name": "Kitchen", "slug": "kitchen"}]}
    ]
    assert [c["slug"] for c in client.get(f"{API}collections/").json()["results"]] == ["summer"]
    assert [s["slug"] for s in client.get(f"{API}shops/").json()["results"]] == ["olives"]


def test_the_root_links_the_shop_api(api_as):
    links = api_as(None).get(API).json()["links"]
    assert links["products"].endswith("/api/v1/shop/products/")


def test_a_variant_fetched_is_the_one_the_card_shows(api_as, shop):
    product = make_product(shop=shop, price="7.00")
    card = api_as(None).get(PRODUCTS).json()["results"][0]
    assert card["id"] == product.pk and variant_of(product).price.amount == 7


def test_a_warm_landing_list_is_served_from_the_cache_without_sql(
    api_as, shop, settings, django_assert_max_num_queries
):
    settings.PAGE_CACHE_SECONDS = 60
    make_product(shop=shop, name="Kept mug")
    client = api_as(None)
    first = client.get(PRODUCTS, {"shop": "olives"})

    with django_assert_max_num_queries(0):
        again = client.get(PRODUCTS, {"shop": "olives"})

    assert again.json() == first.json() and again["Content-Type"] == "application/json"
    make_product(shop=shop, name="New mug")
    forget_catalogue_pages()  # what every catalogue service does after a write (the factory writes rows)
    assert client.get(PRODUCTS, {"shop": "olives"}).json()["count"] == 2
