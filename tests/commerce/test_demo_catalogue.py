"""The demo catalogue: two shops through the services, twice without duplicates, and pages that
render its pictures, variants and digital file."""

from __future__ import annotations

import json
import re

import pytest

from apps.commerce.demo import MAKERS_EMAIL, SHOP_OWNER_EMAIL, STAFF_EMAIL, seed_catalogue
from apps.commerce.models import Collection, DigitalAsset, Product, ProductImage, ProductVariant, Shop, Stock
from apps.commerce.selectors.catalogue import CatalogueFilters, product_list
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_people(db):
    UserFactory(email=STAFF_EMAIL, roles=["admin"])
    UserFactory(email=SHOP_OWNER_EMAIL, roles=["shop_owner"])
    UserFactory(email=MAKERS_EMAIL, roles=["shop_owner"])


def _counts() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in (Shop, Product, ProductVariant, Stock, ProductImage, DigitalAsset))


def test_the_demo_catalogue_seeds_two_shops_once(demo_people):
    lines: list[str] = []
    seed_catalogue(write=lines.append)
    first = _counts()
    seed_catalogue(write=lines.append)
    assert _counts() == first
    shays, makers = Shop.objects.get(slug="shays-shop"), Shop.objects.get(slug="makers-market")
    assert shays.owner.email == SHOP_OWNER_EMAIL and makers.owner.email == MAKERS_EMAIL
    assert shays.products.filter(live=True).count() == 12 and makers.products.filter(live=True).count() == 4
    assert ProductVariant.objects.filter(product__slug="linen-t-shirt").count() == 6
    assert Stock.objects.get(variant__product__slug="espresso-cup-pair").quantity == 2
    (asset,) = DigitalAsset.objects.all()
    assert asset.variant.product.slug == "small-makers-guide" and asset.file.read(4) == b"%PDF"
    assert Collection.objects.get(slug="gifts").products.count() == 5
    assert all(p.min_price is not None for p in Product.objects.all())
    assert not any("created" in line or "exists" in line for line in lines)  # seed_demo's own words


def test_demo_pages_render_pictures_variants_and_data(demo_people, client):
    seed_catalogue(write=lambda line: None)
    catalogue = client.get("/shop/?category=clothing").content.decode()
    assert "Linen T-shirt" in catalogue and "Stoneware mug" not in catalogue and ".webp" in catalogue
    page = client.get("/shop/products/linen-t-shirt/")
    body = page.content.decode()
    assert page.status_code == 200 and "S / Natural" in body and "€24.00" in body and "<del>" in body
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', body, re.S).group(1))
    assert len(data["offers"]) == 6 and data["brand"]["name"] == "Shay's Shop" and data["image"]
    assert "Only 2 left" in client.get("/shop/products/espresso-cup-pair/").content.decode()
    assert "Makers&#x27; Market" in client.get("/shop/s/makers-market/").content.decode()
    found = product_list(user=None, filters=CatalogueFilters(attributes={"colour": ("black",), "size": ("m",)}))
    assert [p.slug for p in found.products] == ["linen-t-shirt"]
