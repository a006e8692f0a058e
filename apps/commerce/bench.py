"""The shop's data for ``make bench`` (bench/README.md): the demo catalogue plus thirty live
products (three variants, a picture and a description each) written and published through the
catalogue's services, so the product page and the catalogue are measured with realistic
content. Idempotent: products that exist are kept."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from apps.commerce import demo
from apps.commerce.models import Product, ProductType, ProductVariant, Shop
from apps.commerce.services import catalogue as services
from apps.core.models import User

PRODUCTS = 30
MEASURED = "linen-t-shirt"
ADDED = "bench-product-01"
CATALOGUE_API = "/api/v1/shop/products/"
_COLOURS = list(demo.COLOURS.values())


def _bench_product(number: int, *, shop: Shop, owner: User, product_type: ProductType) -> None:
    slug = f"bench-product-{number:02}"
    data = services.ProductInput(
        name=f"Benchmark product {number:02}",
        slug=slug,
        description=[
            {"type": "rich_text", "html": "<p>A product of the benchmark: <strong>three</strong> variants.</p>" * 3},
            {"type": "heading", "text": "Details", "level": 2},
            {"type": "rich_text", "html": "<ul><li>Sturdy</li><li>Repairable</li><li>Sent in two days</li></ul>"},
        ],
        seo_description="A product written for the benchmark.",
    )
    product = services.product_create(actor=owner, shop=shop, product_type=product_type, data=data)
    for position in range(3):
        services.variant_create(
            actor=owner,
            product=product,
            data=services.VariantInput(
                sku=f"BENCH-{number:02}-{position}", name=f"Size {position + 1}", price=Decimal(10 + number + position)
            ),
            quantity=50,
        )
    picture = demo.product_picture(_COLOURS[number % len(_COLOURS)], slug, shape=number)
    services.product_image_add(actor=owner, product=product, file=picture, alt=f"Benchmark product {number}")
    services.product_publish(actor=owner, product=product)


def seed() -> dict[str, str]:
    """The demo catalogue (if not there yet) and thirty bench products in Shay's Shop; returns
    the addresses to measure."""
    demo.seed_catalogue(write=lambda line: None)
    owner = User.objects.get(email=demo.SHOP_OWNER_EMAIL)
    shop = Shop.objects.get(slug="shays-shop")
    product_type = ProductType.objects.get(slug="homeware")
    for number in range(1, PRODUCTS + 1):
        if not Product.objects.filter(slug=f"bench-product-{number:02}").exists():
            _bench_product(number, shop=shop, owner=owner, product_type=product_type)
    # Add to cart: a new visitor's first add (a session cart), of a variant with stock to spare.
    variant = ProductVariant.objects.filter(product__slug=ADDED, is_active=True).order_by("position", "pk").first()
    return {
        "product": f"/shop/products/{MEASURED}/",
        "catalogue": "/shop/",
        "catalogue_api": CATALOGUE_API,
        "cart_add": reverse("commerce:cart-add"),
        "cart_add_form": f"variant={variant.pk}&quantity=1",
    }
