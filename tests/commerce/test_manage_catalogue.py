"""Shop owners run their shops on the site: the permission matrix over every manage page and
action, then each flow (shop, product draft and publish, variants, stock, pictures, file)."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image

from apps.commerce import stock
from apps.commerce.models import DigitalAsset, Product, ProductImage, ProductType, ProductVariant, Shop, Stock
from apps.core.publishing import selectors as publishing_selectors
from tests.commerce.factories import make_product, variant_of

pytestmark = pytest.mark.django_db


def _picture(name: str = "p.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "#2f5bea").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def product(shop):
    return make_product(shop=shop, name="Teapot", stock=5, variants=2)


@pytest.fixture
def digital_type():
    return ProductType.objects.get_or_create(slug="ebook", defaults={"name": "E-book", "kind": "digital"})[0]


# Who may reach each page or action of ``shop``'s product: (method, url, data).
def _actions(product, shop):
    variant, image = variant_of(product), ProductImage.objects.filter(product=product).first()
    actions = {
        "home": ("get", "/shop/manage/", None),
        "shop-edit": ("get", f"/shop/manage/shops/{shop.pk}/", None),
        "shop-save": ("post", f"/shop/manage/shops/{shop.pk}/", {"name": "Renamed", "currency": "EUR"}),
        "product-new": ("get", "/shop/manage/products/new/", None),
        "product-edit": ("get", f"/shop/manage/products/{product.pk}/", None),
        "product-save": ("post", f"/shop/manage/products/{product.pk}/", {"name": "Hacked", "based_on": 0}),
        "publish": ("post", f"/shop/manage/products/{product.pk}/publish/", {}),
        "unpublish": ("post", f"/shop/manage/products/{product.pk}/unpublish/", {}),
        "schedule": ("post", f"/shop/manage/products/{product.pk}/schedule/", {"go_live_at": ""}),
        "variant-new": ("get", f"/shop/manage/products/{product.pk}/variants/new/", None),
        "variant-edit": ("get", f"/shop/manage/variants/{variant.pk}/", None),
        "stock": ("post", f"/shop/manage/variants/{variant.pk}/stock/", {"quantity": 1}),
        "image-add": ("post", f"/shop/manage/products/{product.pk}/images/", {"alt": "x"}),
        "image-delete": ("post", f"/shop/manage/images/{image.pk}/delete/", {}),
        "file": ("post", f"/shop/manage/variants/{variant.pk}/file/", {}),
    }
    return actions


# Pages any shop owner may open (their own list, new forms), and actions on one shop's things.
OWN_LIST = {"home", "product-new"}
EXPECTED = {
    "owner": lambda action: 200 if action in OWN_LIST or action.endswith(("edit", "new")) else 302,
    "admin": lambda action: 200 if action in OWN_LIST or action.endswith(("edit", "new")) else 302,
    "other_owner": lambda action: 200 if action in OWN_LIST else 403,
    "customer": lambda action: 403,
    "other_customer": lambda action: 403,
    "anonymous": lambda action: "login",
}


@pytest.mark.parametrize("who", list(EXPECTED))
def test_the_permission_matrix_over_every_manage_page_and_action(client_for, people, shop, product, who):
    ProductImage.objects.create(product=product, image=SimpleUploadedFile("a.png", _picture().read()), alt="a")
    client = client_for(people[who])
    before = (Product.objects.get(pk=product.pk).name, Shop.objects.get(pk=shop.pk).name)
    for action, (method, url, data) in _actions(product, shop).items():
        response = getattr(client, method)(url, data) if data is not None else client.get(url)
        expected = EXPECTED[who](action)
        if expected == "login":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], action
        else:
            assert response.status_code == expected, (who, action, response.status_code)
    if who not in ("owner", "admin"):
        assert (Product.objects.get(pk=product.pk).name, Shop.objects.get(pk=shop.pk).name) == before
        assert ProductImage.objects.filter(product=product).count() == 1


def test_missing_things_are_404_and_wrong_methods_405(client_for, owner):
    client = client_for(owner)
    for url in ("/shop/manage/shops/999999/", "/shop/manage/products/999999/", "/shop/manage/variants/999999/"):
        assert client.get(url).status_code == 404
    assert client.post("/shop/manage/images/999999/delete/").status_code == 404
    assert client.post("/shop/manage/").status_code == 405
    assert client.get("/shop/manage/variants/1/stock/").status_code == 405


def test_an_owner_opens_a_shop_and_the_list_shows_only_theirs(client_for, owner, other_shop):
    client = client_for(owner)
    response = client.post(
        "/shop/manage/shops/new/",
        {"name": "Olive's Second", "currency": "GBP", "policies": "Returns in 30 days.", "logo": _picture()},
    )
    assert response.status_code == 302
    shop = Shop.objects.get(name="Olive's Second")
    assert (shop.owner, shop.slug, shop.currency, bool(shop.logo)) == (owner, "olives-second", "GBP", True)
    listed = client.get("/shop/manage/").content.decode()
    assert "Olive&#x27;s Second" in listed and "Otto" not in listed


def test_a_shop_cannot_take_an_address_the_shop_uses(client_for, owner):
    response = client_for(owner).post("/shop/manage/shops/new/", {"name": "Cart", "slug": "cart", "currency": "EUR"})
    assert response.status_code == 422 and not Shop.objects.filter(slug="cart").exists()


def test_a_product_goes_from_draft_to_live_through_the_engine(client_for, owner, shop, client):
    goods = ProductType.objects.create(name="Goods", slug="goods-x")
    manager = client_for(owner)
    created = manager.post(
        "/shop/manage/products/new/",
        {
            "shop": shop.pk,
            "product_type": goods.pk,
            "name": "Blue jug",
            "description": '[{"type": "rich_text", "html": "<p>A <strong>blue</strong> jug.</p><script>x</script>"}]',
            "based_on": 0,
        },
    )
    product = Product.objects.get(name="Blue jug")
    assert created.status_code == 302 and not product.live and product.slug == "blue-jug"
    assert client.get("/shop/products/blue-jug/").status_code == 404  # a draft: strangers see nothing
    refused = manager.post(f"/shop/manage/products/{product.pk}/publish/", follow=True)
    assert "Add a variant" in refused.content.decode() and not Product.objects.get(pk=product.pk).live
    manager.post(
        f"/shop/manage/products/{product.pk}/variants/new/",
        {"sku": "JUG-1", "price": "12.50", "weight_grams": 800, "is_active": "on", "quantity": 4},
    )
    saved = manager.post(
        f"/shop/manage/products/{product.pk}/",
        {"name": "Blue jug, large", "description": "[]", "based_on": 1, "_publish": "1"},
    )
    product.refresh_from_db()
    assert saved.status_code == 302 and product.live and product.name == "Blue jug, large"
    assert product.min_price.amount == Decimal("12.50") and product.latest_revision == 2
    assert [r["number"] for r in publishing_selectors.revision_list(product)] == [2, 1]
    page = client.get("/shop/products/blue-jug/").content.decode()
    assert "Blue jug, large" in page and "€12.50" in page
    jug = {"variant": variant_of(product).pk}
    assert client.post("/shop/cart/add/", jug, headers={"HX-Request": "true"}).status_code == 200
    manager.post(f"/shop/manage/products/{product.pk}/unpublish/")
    assert client.get("/shop/products/blue-jug/").status_code == 404
    client.cookies.clear()  # a visitor whose cart never held it: refused, though the cart kept a copy
    refused = client.post("/shop/cart/add/", jug, headers={"HX-Request": "true"})
    assert refused.status_code == 422 and "is not for sale" in refused.content.decode()


def test_a_stale_product_form_is_told_and_keeps_what_was_typed(client_for, owner, admin, product):
    # The admin saved revision 1 after the owner opened the product at revision 0.
    client_for(admin).post(
        f"/shop/manage/products/{product.pk}/", {"name": "Theirs", "description": "[]", "based_on": 0}
    )
    response = client_for(owner).post(
        f"/shop/manage/products/{product.pk}/", {"name": "Mine now", "description": "[]", "based_on": 0}
    )
    assert response.status_code == 422 and "Someone saved this product" in response.content.decode()
    assert 'value="Mine now"' in response.content.decode()


def test_bad_product_input_is_a_form_error(client_for, owner, product):
    client = client_for(owner)
    response = client.post(f"/shop/manage/products/{product.pk}/", {"name": "", "description": "{oops", "based_on": 0})
    assert response.status_code == 422 and Product.objects.get(pk=product.pk).name == "Teapot"


def test_variant_edit_refuses_a_taken_sku_and_a_compare_at_below_price(client_for, owner, product):
    client = client_for(owner)
    first, second = variant_of(product), variant_of(product, 1)
    taken = client.post(f"/shop/manage/variants/{second.pk}/", {"sku": first.sku, "price": "5", "weight_grams": 0})
    assert taken.status_code == 422 and "Another variant has this SKU" in taken.content.decode()
    low = client.post(
        f"/shop/manage/variants/{second.pk}/",
        {"sku": second.sku, "price": "5", "compare_at_price": "4", "weight_grams": 0, "is_active": "on"},
    )
    assert low.status_code == 422 and ProductVariant.objects.get(pk=second.pk).compare_at_price is None
    cheaper = client.post(
        f"/shop/manage/variants/{second.pk}/",
        {"sku": second.sku, "price": "3.00", "compare_at_price": "6", "weight_grams": 0, "is_active": "on"},
    )
    assert cheaper.status_code == 302 and Product.objects.get(pk=product.pk).min_price.amount == Decimal("3.00")


def test_stock_cannot_go_below_what_is_sold_or_held(client_for, owner, product):
    variant = variant_of(product)
    with transaction.atomic():
        stock.reserve({variant.pk: 2})
        stock.allocate({variant.pk: 1})
        stock.reserve({variant.pk: 1})
    client = client_for(owner)
    refused = client.post(f"/shop/manage/variants/{variant.pk}/stock/", {"quantity": 1}, follow=True)
    assert "cannot go below 3" in refused.content.decode() and Stock.objects.get(variant=variant).quantity == 5
    assert client.post(f"/shop/manage/variants/{variant.pk}/stock/", {"quantity": -2}).status_code == 302
    assert Stock.objects.get(variant=variant).quantity == 5
    client.post(f"/shop/manage/variants/{variant.pk}/stock/", {"quantity": 3})
    row = Stock.objects.get(variant=variant)
    assert (row.quantity, row.available) == (3, 0)


def test_set_on_hand_makes_a_missing_stock_row():
    product = make_product(stock=1)
    variant = variant_of(product)
    Stock.objects.filter(variant=variant).delete()
    with transaction.atomic():
        assert stock.set_on_hand(variant.pk, 7).quantity == 7
    assert Stock.objects.get(variant=variant).quantity == 7


def test_pictures_are_checked_stored_clean_and_removable(client_for, owner, product, client):
    manager = client_for(owner)
    not_an_image = SimpleUploadedFile("evil.png", b"<?php echo 1; ?>", content_type="image/png")
    refused = manager.post(
        f"/shop/manage/products/{product.pk}/images/", {"image": not_an_image, "alt": "x"}, follow=True
    )
    assert "PNG, JPEG, GIF or WebP" in refused.content.decode() and not ProductImage.objects.exists()
    manager.post(f"/shop/manage/products/{product.pk}/images/", {"image": _picture(), "alt": "The teapot"})
    (image,) = ProductImage.objects.all()
    assert (image.alt, image.width, image.height) == ("The teapot", 64, 48) and image.image.name.endswith(".png")
    page = client.get(product.get_absolute_url()).content.decode()
    assert 'alt="The teapot"' in page and ".webp" in page  # the large rendition
    manager.post(f"/shop/manage/images/{image.pk}/delete/")
    assert not ProductImage.objects.exists()


def test_a_digital_product_takes_its_file(client_for, owner, shop, digital_type):
    product = make_product(shop=shop, product_type=digital_type)
    variant = variant_of(product)
    upload = SimpleUploadedFile("guide.pdf", b"%PDF-1.4 demo", content_type="application/pdf")
    response = client_for(owner).post(
        f"/shop/manage/variants/{variant.pk}/file/", {"file": upload, "max_downloads": 3, "link_hours": 24}
    )
    asset = DigitalAsset.objects.get(variant=variant)
    assert response.status_code == 302 and (asset.filename, asset.max_downloads, asset.file.read()) == (
        "guide.pdf",
        3,
        b"%PDF-1.4 demo",
    )


def test_a_physical_product_takes_no_file(client_for, owner, product):
    variant = variant_of(product)
    upload = SimpleUploadedFile("guide.pdf", b"%PDF", content_type="application/pdf")
    response = client_for(owner).post(
        f"/shop/manage/variants/{variant.pk}/file/", {"file": upload, "max_downloads": 3, "link_hours": 24}, follow=True
    )
    assert "Only digital products" in response.content.decode() and not DigitalAsset.objects.exists()


def test_the_manage_list_has_a_flat_query_count(client_for, owner, shop):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(owner)
    make_product(shop=shop, variants=2)
    client.get("/shop/manage/")

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            client.get("/shop/manage/")
        return len(captured)

    few = count()
    for _ in range(15):
        make_product(shop=shop, variants=3, live=False)
    assert count() == few


def test_a_product_is_scheduled_published_by_the_engine_and_listed_in_its_history(client_for, owner, product, client):
    from datetime import timedelta

    from django.utils import timezone

    from apps.core.publishing import services as publishing

    Product.objects.filter(pk=product.pk).update(live=False)
    manager = client_for(owner)
    manager.post(f"/shop/manage/products/{product.pk}/", {"name": "Teapot, later", "description": "[]", "based_on": 0})
    when = timezone.now() + timedelta(hours=2)
    response = manager.post(
        f"/shop/manage/products/{product.pk}/schedule/", {"go_live_at": when.strftime("%Y-%m-%dT%H:%M")}, follow=True
    )
    body = response.content.decode()
    assert "Scheduled for" in body and "Revision 1" in body and "Scheduled</span>" in body
    product.refresh_from_db()
    assert product.go_live_at is not None and product.scheduled_revision == 1 and not product.live
    assert client.get(product.get_absolute_url()).status_code == 404
    publishing.publish_due(now=when + timedelta(minutes=1))
    product.refresh_from_db()
    assert product.live and product.name == "Teapot, later"
    assert client.get(product.get_absolute_url()).status_code == 200


def test_a_past_schedule_is_refused_with_a_message(client_for, owner, product):
    response = client_for(owner).post(
        f"/shop/manage/products/{product.pk}/schedule/", {"go_live_at": "2001-01-01T09:00"}, follow=True
    )
    assert "must be in the future" in response.content.decode()
    assert Product.objects.get(pk=product.pk).go_live_at is None


def test_the_manage_list_names_each_product_by_its_newest_draft(client_for, owner, product):
    client = client_for(owner)
    client.post(f"/shop/manage/products/{product.pk}/", {"name": "Teapot, renamed", "description": "[]", "based_on": 0})
    assert "Teapot, renamed" in client.get("/shop/manage/").content.decode()
    assert Product.objects.get(pk=product.pk).name == "Teapot"  # the live row waits for publishing
