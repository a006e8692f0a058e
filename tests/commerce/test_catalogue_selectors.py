"""The catalogue's reads: live products of active shops, filters, search, sort, facets, and a
page whose query count does not grow with its length."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction

from apps.commerce import stock
from apps.commerce.models import Attribute, AttributeValue, Category, Collection, ProductType
from apps.commerce.selectors.catalogue import CatalogueFilters, product_get_for_user, product_list
from tests.commerce.factories import ShopFactory, make_product, variant_of

pytestmark = pytest.mark.django_db


def _names(page) -> list[str]:
    return [p.name for p in page.products]


def _attribute(name: str, *values: str) -> tuple[Attribute, dict[str, AttributeValue]]:
    attribute = Attribute.objects.create(name=name, slug=name.lower())
    made = {
        v: AttributeValue.objects.create(attribute=attribute, name=v, slug=v.lower(), position=n)
        for n, v in enumerate(values)
    }
    return attribute, made


def test_the_list_shows_live_products_of_active_shops_only(shop, owner):
    make_product(shop=shop, name="Live one")
    make_product(shop=shop, name="A draft", live=False)
    closed = ShopFactory(is_active=False)
    make_product(shop=closed, name="Closed shop's")
    page = product_list(user=owner, filters=CatalogueFilters())
    # Not even the owner sees their draft in the public list: drafts are on the manage pages.
    assert _names(page) == ["Live one"]


def test_category_includes_its_children(shop):
    clothes = Category.objects.create(name="Clothes", slug="clothes")
    shirts = Category.objects.create(name="Shirts", slug="shirts", parent=clothes)
    make_product(shop=shop, name="Shirt", category=shirts)
    make_product(shop=shop, name="Coat", category=clothes)
    make_product(shop=shop, name="Mug")
    assert sorted(_names(product_list(user=None, filters=CatalogueFilters(category="clothes")))) == ["Coat", "Shirt"]
    assert _names(product_list(user=None, filters=CatalogueFilters(category="shirts"))) == ["Shirt"]
    assert _names(product_list(user=None, filters=CatalogueFilters(category="nope"))) == []


def test_collection_and_shop_filters(shop, other_shop):
    mine = make_product(shop=shop, name="Mine")
    make_product(shop=other_shop, name="Theirs")
    gifts = Collection.objects.create(name="Gifts", slug="gifts")
    gifts.products.add(mine)
    assert _names(product_list(user=None, filters=CatalogueFilters(collection="gifts"))) == ["Mine"]
    assert _names(product_list(user=None, filters=CatalogueFilters(shop="ottos"))) == ["Theirs"]


def test_price_range_looks_at_every_variant(shop):
    cheap = make_product(shop=shop, name="Cheap", price="5.00")
    make_product(shop=shop, name="Dear", price="50.00")
    # A second variant of "Cheap" at 30 puts it in the 20-40 range too.
    variant = variant_of(cheap)
    variant.pk, variant.sku, variant.price = None, "CHEAP-2", variant.price * 6
    variant.save()
    found = product_list(user=None, filters=CatalogueFilters(min_price=Decimal(20), max_price=Decimal(40)))
    assert _names(found) == ["Cheap"]
    assert _names(product_list(user=None, filters=CatalogueFilters(min_price=Decimal(45)))) == ["Dear"]


def test_attributes_are_and_across_or_within(shop):
    colour, colours = _attribute("Colour", "Red", "Blue")
    size, sizes = _attribute("Size", "S", "L")
    red_small = make_product(shop=shop, name="Red small")
    red_small.attributes.add(colours["Red"])
    variant_of(red_small).options.add(sizes["S"])
    blue_large = make_product(shop=shop, name="Blue large")
    blue_large.attributes.add(colours["Blue"], sizes["L"])
    make_product(shop=shop, name="Plain")

    def found(**attributes):
        return sorted(_names(product_list(user=None, filters=CatalogueFilters(attributes=attributes))))

    assert found(colour=("red", "blue")) == ["Blue large", "Red small"]
    assert found(colour=("red", "blue"), size=("l",)) == ["Blue large"]
    assert found(colour=("red",), size=("l",)) == []
    assert found(colour=("green",)) == []


def test_in_stock_asks_the_stock_rows(shop):
    make_product(shop=shop, name="Plenty", stock=5)
    make_product(shop=shop, name="None", stock=0)
    held = make_product(shop=shop, name="All held", stock=2)
    with transaction.atomic():
        stock.reserve({variant_of(held).pk: 2})
    assert _names(product_list(user=None, filters=CatalogueFilters(in_stock=True))) == ["Plenty"]
    cards = {p.name: p.available for p in product_list(user=None, filters=CatalogueFilters()).products}
    assert cards == {"Plenty": True, "None": False, "All held": False}


def test_search_finds_words_in_name_or_description(shop):
    make_product(shop=shop, name="Linen T-shirt", seo_description="A light summer shirt")
    make_product(shop=shop, name="Ceramic mug", seo_description="Holds coffee")
    assert _names(product_list(user=None, filters=CatalogueFilters(q="mug"))) == ["Ceramic mug"]
    assert _names(product_list(user=None, filters=CatalogueFilters(q="summer"))) == ["Linen T-shirt"]
    assert _names(product_list(user=None, filters=CatalogueFilters(q="teapot"))) == []


def test_sorts(shop):
    make_product(shop=shop, name="B", price="20.00", rating_average=Decimal("4.5"), rating_count=2)
    make_product(shop=shop, name="A", price="30.00")
    make_product(shop=shop, name="C", price="10.00", rating_average=Decimal("3.0"), rating_count=1)

    def order(sort):
        return _names(product_list(user=None, filters=CatalogueFilters(sort=sort)))

    assert order("price_asc") == ["C", "B", "A"]
    assert order("price_desc") == ["A", "B", "C"]
    assert order("name") == ["A", "B", "C"]
    assert order("rating") == ["B", "C", "A"]
    assert order("bogus") == order("newest")


def test_facets_count_products_of_the_current_result(shop):
    colour, colours = _attribute("Colour", "Red", "Blue")
    for name, value in (("One", "Red"), ("Two", "Red"), ("Three", "Blue")):
        product = make_product(shop=shop, name=name)
        variant_of(product).options.add(colours[value])
    page = product_list(user=None, filters=CatalogueFilters(attributes={"colour": ("red",)}))
    (facet,) = page.facets
    assert (facet.slug, [(v.slug, v.count, v.selected) for v in facet.values]) == (
        "colour",
        [("red", 2, True)],
    )
    everything = product_list(user=None, filters=CatalogueFilters())
    assert [(v.slug, v.count) for v in everything.facets[0].values] == [("red", 2), ("blue", 1)]


def test_a_page_costs_the_same_queries_for_3_or_30_products(shop, django_assert_max_num_queries):
    colour, colours = _attribute("Colour", "Red")

    def fill(n):
        for _ in range(n):
            product = make_product(shop=shop, variants=2)
            product.attributes.add(colours["Red"])

    def count_queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            page = product_list(user=None, filters=CatalogueFilters(attributes={"colour": ("red",)}))
            for product in page.products:
                _ = (product.shop.name, product.image_list, product.active_variants, product.available)
        return len(captured)

    fill(3)
    few = count_queries()
    fill(27)
    assert count_queries() == few
    with django_assert_max_num_queries(8):
        page = product_list(user=None, filters=CatalogueFilters())
        [p.image_list for p in page.products]


def test_product_get_for_user_hides_drafts_from_strangers(shop, owner, other_owner, admin):
    draft = make_product(
        shop=shop, name="Secret", live=False, product_type=ProductType.objects.create(name="T", slug="t")
    )
    assert product_get_for_user(user=None, slug=draft.slug) is None
    assert product_get_for_user(user=other_owner, slug=draft.slug) is None
    assert product_get_for_user(user=owner, slug=draft.slug).pk == draft.pk
    assert product_get_for_user(user=admin, slug=draft.slug).pk == draft.pk
    assert product_get_for_user(user=None, slug="no-such") is None
