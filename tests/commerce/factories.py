"""Shop factories: shops, product types, products with variants and stock.

``make_product(shop=..., live=True, stock=10)`` makes a product through the rows directly (its
publication through the engine is the catalogue's business, tested there); ``variant_of``
gives its first variant.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import factory
from djmoney.money import Money

from apps.commerce.models import Product, ProductType, ProductVariant, Shop, Stock
from tests.core.factories import UserFactory

_counter = iter(range(1, 10**9))


class ShopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shop

    owner = factory.LazyFunction(lambda: UserFactory(roles=["shop_owner"]))
    name = factory.Sequence(lambda n: f"Shop {n}")
    slug = factory.Sequence(lambda n: f"shop-{n}")
    currency = "EUR"
    contact_email = factory.Sequence(lambda n: f"shop{n}@example.com")


class ProductTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductType
        django_get_or_create = ("slug",)

    name = factory.LazyAttribute(lambda o: o.slug.title())
    slug = "goods"
    kind = ProductType.Kind.PHYSICAL


def make_product(
    *,
    shop: Shop | None = None,
    live: bool = True,
    price: str | Decimal = "10.00",
    stock: int = 10,
    variants: int = 1,
    kind: str = ProductType.Kind.PHYSICAL,
    weight_grams: int = 500,
    **fields: Any,
) -> Product:
    """A product of ``shop`` (a new one by default) with ``variants`` variants, each priced
    ``price`` in the shop's currency and with ``stock`` on hand."""
    number = next(_counter)
    shop = shop or ShopFactory()
    product_type = fields.pop("product_type", None) or ProductTypeFactory(slug=kind, kind=kind)
    product = Product.objects.create(
        shop=shop,
        product_type=product_type,
        name=fields.pop("name", f"Product {number}"),
        slug=fields.pop("slug", f"product-{number}"),
        live=live,
        **fields,
    )
    for index in range(variants):
        variant = ProductVariant.objects.create(
            product=product,
            sku=f"SKU-{number}-{index}",
            name=f"Variant {index + 1}" if variants > 1 else "",
            price=Money(Decimal(price), shop.currency),
            weight_grams=weight_grams,
            position=index,
        )
        Stock.objects.create(variant=variant, quantity=stock)
    product.min_price = Money(Decimal(price), shop.currency)
    product.save(update_fields=["min_price", "min_price_currency"])
    return product


def variant_of(product: Product, index: int = 0) -> ProductVariant:
    return product.variants.order_by("position", "pk")[index]
