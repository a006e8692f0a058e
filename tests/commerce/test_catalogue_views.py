"""The catalogue's pages: lists with filters swapped in place, shop homes, product pages with
their structured data, drafts kept from strangers, flat query counts, the page cache."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from djmoney.money import Money

from apps.commerce.models import Attribute, AttributeValue, Category, Collection
from tests.commerce.factories import make_product, variant_of

pytestmark = pytest.mark.django_db


def _json_ld(html: str) -> dict:
    (found,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(found)


def test_catalogue_lists_live_products_with_prices(client, shop):
    make_product(shop=shop, name="Linen shirt", price="24.00")
    make_product(shop=shop, name="Hidden draft", live=False)
    response = client.get("/shop/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Linen shirt" in body and "€24.00" in body and "Hidden draft" not in body


def test_a_filter_change_from_htmx_gets_only_the_results(client, shop):
    make_product(shop=shop, name="Cheap", price="5.00")
    make_product(shop=shop, name="Dear", price="50.00")
    response = client.get("/shop/?max_price=10", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="results"')
    assert "Cheap" in body and "Dear" not in body and "<html" not in body
    assert 'id="facets"' in body  # the sidebar's facets follow the result (out of band)
    full = client.get("/shop/?max_price=10").content.decode()
    assert "<html" in full and 'hx-push-url="true"' in full and "Dear" not in full


def test_bad_filter_values_are_ignored_never_a_500(client, shop):
    make_product(shop=shop, name="Mug")
    for query in ("min_price=abc", "max_price=-3", "sort=evil", "attr=%3Cscript%3E", "page=zzz", "q=" + "x" * 500):
        response = client.get(f"/shop/?{query}")
        assert response.status_code == 200, query
    assert "Mug" in client.get("/shop/?min_price=abc").content.decode()


def test_attribute_facets_filter_and_count(client, shop):
    colour = Attribute.objects.create(name="Colour", slug="colour")
    red = AttributeValue.objects.create(attribute=colour, name="Red", slug="red")
    variant_of(make_product(shop=shop, name="Red mug")).options.add(red)
    make_product(shop=shop, name="Plain mug")
    body = client.get("/shop/?attr=colour:red").content.decode()
    assert "Red mug" in body and "Plain mug" not in body
    assert 'value="colour:red" checked' in body and "(1)" in body


def test_category_collection_and_shop_pages(client, shop, other_shop):
    category = Category.objects.create(name="Kitchen", slug="kitchen")
    mug = make_product(shop=shop, name="Mug", category=category)
    make_product(shop=other_shop, name="Coat")
    Collection.objects.create(name="Gifts", slug="gifts").products.add(mug)
    shop.policies, shop.description = "Ships in 2 days.", "Odd things, lovingly made."
    shop.save()
    assert "Mug" in client.get("/shop/category/kitchen/").content.decode()
    assert "Coat" not in client.get("/shop/collection/gifts/").content.decode()
    home = client.get("/shop/s/olives/").content.decode()
    assert "Ships in 2 days." in home and "lovingly made" in home and "Mug" in home and "Coat" not in home
    for missing in ("/shop/category/nope/", "/shop/collection/nope/", "/shop/s/nope/", "/shop/products/nope/"):
        assert client.get(missing).status_code == 404


def test_product_page_shows_price_availability_and_the_cart_form(client_for, shop, customer):
    product = make_product(shop=shop, name="Teapot", price="30.00", stock=2, variants=2)
    variant = variant_of(product)
    variant.compare_at_price = Money(Decimal("40.00"), "EUR")
    variant.save()
    body = client_for(customer).get(product.get_absolute_url()).content.decode()
    assert "Teapot" in body and "€30.00" in body and "<del>" in body and "Only 2 left" in body
    assert 'action="/shop/cart/add/"' in body or 'name="variant"' in body
    assert "csrfmiddlewaretoken" in body and 'name="quantity"' in body


def test_out_of_stock_says_so(client, shop):
    product = make_product(shop=shop, name="Gone", stock=0)
    body = client.get(product.get_absolute_url()).content.decode()
    assert "Out of stock" in body and "Add to cart" not in body


def test_structured_data_describes_the_product_and_its_offers(client, shop):
    product = make_product(
        shop=shop,
        name="Teapot",
        price="30.00",
        stock=3,
        seo_description="A round teapot.",
        rating_average=Decimal("4.50"),
        rating_count=2,
    )
    data = _json_ld(client.get(product.get_absolute_url()).content.decode())
    assert data["@type"] == "Product" and data["name"] == "Teapot" and data["description"] == "A round teapot."
    assert data["brand"] == {"@type": "Brand", "name": "Olive's Oddments"}
    (offer,) = data["offers"]
    assert offer == {
        "@type": "Offer",
        "sku": variant_of(product).sku,
        "price": "30.00",
        "priceCurrency": "EUR",
        "availability": "https://schema.org/InStock",
        "url": "http://testserver" + product.get_absolute_url(),
    }
    assert data["aggregateRating"] == {"@type": "AggregateRating", "ratingValue": "4.50", "reviewCount": 2}


def test_structured_data_cannot_close_its_script(client, shop):
    product = make_product(shop=shop, name="</script><script>alert(1)</script>")
    html = client.get(product.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html
    assert _json_ld(html)["name"] == "</script><script>alert(1)</script>"


def test_product_page_has_canonical_and_open_graph(client, shop):
    product = make_product(shop=shop, name="Teapot")
    html = client.get(product.get_absolute_url()).content.decode()
    assert f'<link rel="canonical" href="http://testserver{product.get_absolute_url()}">' in html
    assert '<meta property="og:type" content="product">' in html and "<title>Teapot" in html


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("owner", 200),
        ("admin", 200),
        ("other_owner", 404),
        ("customer", 404),
        ("other_customer", 404),
        ("anonymous", 404),
    ],
)
def test_a_draft_product_is_shown_only_to_its_managers(client_for, people, shop, who, status):
    product = make_product(shop=shop, name="Secret", live=False)
    response = client_for(people[who]).get(product.get_absolute_url())
    assert response.status_code == status
    if status == 200:
        assert response["Cache-Control"] == "private, no-store" and "noindex" in response.content.decode()


def test_variant_picker_swaps_the_buy_box(client, shop):
    product = make_product(shop=shop, name="Shirt", variants=2, stock=4)
    second = variant_of(product, 1)
    response = client.get(f"{product.get_absolute_url()}?variant={second.pk}", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="buy-box"') and f'value="{second.pk}" selected' in body
    assert "csrfmiddlewaretoken" in body


def test_visitors_without_cookies_share_cached_pages(client, shop):
    product = make_product(shop=shop, name="Teapot")
    first, second = client.get(product.get_absolute_url()), client.get(product.get_absolute_url())
    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit")
    assert (
        b"csrfmiddlewaretoken" not in second.content and b"buy=1" in second.content or b'name="buy"' in second.content
    )
    assert [client.get("/shop/")["X-Page-Cache"] for _ in range(2)] == ["miss", "hit"]
    # The no-JavaScript path to the real form: fresh, with a token, never kept.
    buying = client.get(f"{product.get_absolute_url()}?buy=1")
    assert b"csrfmiddlewaretoken" in buying.content and buying["X-Page-Cache"] == "miss"


def test_a_catalogue_change_makes_cached_pages_stale(client, shop, owner):
    from apps.commerce.services import catalogue as services

    product = make_product(shop=shop, name="Teapot", stock=5)
    client.get(product.get_absolute_url())
    assert client.get(product.get_absolute_url())["X-Page-Cache"] == "hit"
    services.stock_set(actor=owner, variant=variant_of(product), quantity=1)
    again = client.get(product.get_absolute_url())
    assert again["X-Page-Cache"] == "miss" and "Only 1 left" in again.content.decode()


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_list_and_product_pages_have_flat_query_counts(client_for, shop, customer, django_assert_max_num_queries):
    client = client_for(customer)
    for _ in range(3):
        make_product(shop=shop, variants=3)
    product = make_product(shop=shop, variants=2)
    client.get("/shop/")  # the session and the chrome's cached reads, once
    few_list, few_product = _queries(client, "/shop/"), _queries(client, product.get_absolute_url())
    for _ in range(20):
        make_product(shop=shop, variants=3)
    many = make_product(shop=shop, variants=8)
    assert _queries(client, "/shop/") == few_list
    assert _queries(client, many.get_absolute_url()) == few_product
    with django_assert_max_num_queries(14):
        client.get("/shop/")


def test_sitemap_lists_live_products_categories_and_shops(client, shop):
    category = Category.objects.create(name="Kitchen", slug="kitchen")
    live = make_product(shop=shop, name="Mug", category=category)
    draft = make_product(shop=shop, name="Draft", live=False)
    xml = client.get("/sitemap.xml").content.decode()
    if "<sitemapindex" in xml:
        xml = "".join(
            client.get(loc.replace("http://testserver", "")).content.decode()
            for loc in re.findall(r"<loc>(.*?)</loc>", xml)
        )
    assert live.get_absolute_url() in xml and draft.get_absolute_url() not in xml
    assert "/shop/category/kitchen/" in xml and "/shop/s/olives/" in xml


def test_wrong_method_is_405(client, shop):
    product = make_product(shop=shop)
    assert client.post("/shop/").status_code == 405
    assert client.post(product.get_absolute_url()).status_code == 405


def test_a_lost_picture_file_does_not_take_the_pages_down(client, shop, owner):
    import io

    from django.core.files.storage import default_storage
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from apps.commerce.services import catalogue as services

    product = make_product(shop=shop, name="Teapot")
    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), "#b3261e").save(buffer, format="PNG")
    upload = SimpleUploadedFile("teapot.png", buffer.getvalue(), content_type="image/png")
    image = services.product_image_add(actor=owner, product=product, file=upload, alt="Red teapot")
    default_storage.delete(image.image.name)
    assert client.get(product.get_absolute_url()).status_code == 200
    assert client.get("/shop/").status_code == 200


def test_the_cached_product_reads_stock_fresh_after_every_sale(client_for, customer, shop):
    from django.db import transaction

    from apps.commerce import stock

    product = make_product(shop=shop, name="Teapot", stock=4)
    client = client_for(customer)
    assert "Only 4 left" in client.get(product.get_absolute_url()).content.decode()
    with transaction.atomic():
        stock.reserve({variant_of(product).pk: 3})  # a checkout elsewhere: no catalogue write
    assert "Only 1 left" in client.get(product.get_absolute_url()).content.decode()
    # Warm, the product and its counts both come from the cache: the page reads nothing of the
    # shop from SQL (the header's mini-cart reads the customer's cart: that query is the cart's).
    with CaptureQueriesContext(connection) as captured:
        client.get(product.get_absolute_url())
    commerce = [
        q["sql"] for q in captured.captured_queries if "commerce_" in q["sql"] and "commerce_cart" not in q["sql"]
    ]
    assert commerce == []


def test_shown_counts_are_dropped_again_when_the_change_commits(django_capture_on_commit_callbacks, shop):
    """A page read between a stock change and its commit would keep the counts from before it:
    the cached counts are dropped at the change and again once it commits."""
    from django.db import transaction

    from apps.commerce import stock

    product = make_product(shop=shop, stock=4)
    variant_id = variant_of(product).pk
    assert stock.shown_available([variant_id]) == {variant_id: 4}
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        stock.reserve({variant_id: 3})
        # Another process reading before the commit sees (and keeps) the old counts...
        stock._cache().set(stock._shown_key(variant_id), (0, 4, 0, 0))
    # ...until the commit drops them.
    assert stock.shown_available([variant_id]) == {variant_id: 1}


def test_shown_counts_fall_back_to_the_database_when_the_cache_is_down(shop, monkeypatch):
    from apps.commerce import stock

    product = make_product(shop=shop, stock=2)

    class Down:
        def get_many(self, keys):
            raise ConnectionError("cache down")

    monkeypatch.setattr(stock, "_cache", lambda: Down())
    variant_id = variant_of(product).pk
    assert stock.shown_available([variant_id]) == {variant_id: 2}


def test_landing_lists_are_kept_until_the_catalogue_changes(client_for, customer, owner, shop):
    from apps.commerce.services import catalogue as services

    product = make_product(shop=shop, name="Teapot", price="10.00")
    client = client_for(customer)
    client.get("/shop/")
    with CaptureQueriesContext(connection) as captured:
        assert "€10.00" in client.get("/shop/").content.decode()
    assert not [q for q in captured.captured_queries if "commerce_product" in q["sql"]]
    services.variant_update(
        actor=owner,
        variant=variant_of(product),
        data=services.VariantInput(sku=variant_of(product).sku, price=Decimal("8.00")),
    )
    assert "€8.00" in client.get("/shop/").content.decode()
    # Searches are never kept.
    with CaptureQueriesContext(connection) as captured:
        client.get("/shop/?q=teapot")
    assert [q for q in captured.captured_queries if "commerce_product" in q["sql"]]


def test_a_description_with_a_slot_renders_for_each_reader(client, client_for, customer, shop):
    """Parts that read the same for everyone are kept; a slot (here the sign-up prompt) renders
    per reader, so such a description is never kept rendered."""
    body = [
        {"type": "paragraph", "id": "p1", "text": [{"text": "A round teapot."}]},
        {"type": "slot", "id": "s1", "name": "signup_prompt", "options": {}},
    ]
    product = make_product(shop=shop, name="Teapot", description=body)
    url = product.get_absolute_url()
    client.cookies["bench"] = "1"  # a cookie: past the whole-page cache, to the fragments
    first, again = client.get(url).content.decode(), client.get(url).content.decode()
    assert "signup-prompt" in first and "signup-prompt" in again
    assert "signup-prompt" not in client_for(customer).get(url).content.decode()
