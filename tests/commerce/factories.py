"""Shop factories: shops, product types, products with variants and stock.

``make_product(shop=..., live=True, stock=10)`` makes a product through the rows directly (its
publication through the engine is the catalogue's business, tested there); ``variant_of``
gives its first variant; ``make_paid_order(customer, [(variant, 2), ...])`` an order as a
captured payment leaves it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import factory
from djmoney.money import Money

from apps.commerce.models import (
    Attribute,
    AttributeValue,
    Order,
    Product,
    ProductType,
    ProductVariant,
    Shop,
    Stock,
)
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


def make_paid_order(
    customer: Any,
    items: list[tuple[ProductVariant, int]],
    *,
    shipping: str | Decimal = "0.00",
    number: str | None = None,
    paid_at: Any = None,
) -> Order:
    """A paid order of ``customer`` for ``items`` ((variant, quantity) pairs), made from rows as a
    captured checkout leaves it: one part per shop, its lines, a captured test-provider payment
    (its reference signed as the test provider signs one), and the stock reserved then allocated
    under the real row locks, so the counts are what a sale leaves. No event is published: the
    tests that want the paid order's effects publish ``OrderPaid`` themselves."""
    from django.core import signing
    from django.db import transaction
    from django.utils import timezone

    from apps.commerce import stock
    from apps.commerce.models import OrderLine, OrderShop, Payment
    from apps.commerce.payments import testprovider

    paid_at = paid_at or timezone.now()
    currency = items[0][0].price.currency.code
    by_shop: dict[int, list[tuple[ProductVariant, int]]] = {}
    for variant, quantity in items:
        by_shop.setdefault(variant.product.shop_id, []).append((variant, quantity))
    subtotal = sum((variant.price.amount * quantity for variant, quantity in items), Decimal(0))
    shipping_each = Decimal(shipping)
    shipping_total = shipping_each * len(by_shop)
    total = subtotal + shipping_total
    number = number or f"T{next(_counter):07d}"
    with transaction.atomic():
        counts = {variant.pk: quantity for variant, quantity in items}
        stock.reserve(counts)
        stock.allocate(counts)
        order = Order.objects.create(
            number=number,
            user=customer,
            email=customer.email,
            status=Order.Status.PAID,
            currency=currency,
            subtotal=Money(subtotal, currency),
            shipping_total=Money(shipping_total, currency),
            discount_total=Money(0, currency),
            tax_total=Money(0, currency),
            total=Money(total, currency),
            refunded_total=Money(0, currency),
            shipping_address={"name": "Cass Customer", "line1": "1 Main St", "city": "Tallinn", "country": "EE"},
            created_at=paid_at,
            paid_at=paid_at,
        )
        for variants in by_shop.values():
            part = OrderShop.objects.create(
                order=order,
                shop=variants[0][0].product.shop,
                shipping_name="Post" if shipping_each else "",
                shipping_price=Money(shipping_each, currency),
                subtotal=Money(sum((v.price.amount * q for v, q in variants), Decimal(0)), currency),
            )
            for variant, quantity in variants:
                product = variant.product
                OrderLine.objects.create(
                    order=order,
                    part=part,
                    variant=variant,
                    product_name=product.name,
                    variant_name=variant.name,
                    sku=variant.sku,
                    is_digital=product.product_type.kind == ProductType.Kind.DIGITAL,
                    reference_app=product.reference_app,
                    reference_kind=product.reference_kind,
                    reference_id=product.reference_id,
                    quantity=quantity,
                    unit_price=variant.price,
                    total=Money(variant.price.amount * quantity, currency),
                )
        key = f"pay-{order.number}"
        reference = signing.dumps(
            {"order": order.number, "amount": str(total), "currency": currency, "key": key},
            salt=testprovider.SALT,
            compress=True,
        )
        Payment.objects.create(
            order=order,
            provider="test",
            reference=reference,
            status=Payment.Status.CAPTURED,
            amount=Money(total, currency),
            captured=Money(total, currency),
            idempotency_key=key,
        )
    return order


def paid_event(order: Order) -> Any:
    """``commerce.order_paid`` for ``order`` with all its lines, as checkout publishes it on capture."""
    from apps.commerce.events import OrderLineInfo, OrderPaid

    lines = OrderLineInfo.all_of(order)
    return OrderPaid(
        order_id=order.pk,
        number=order.number,
        user_id=order.user_id,
        total=str(order.total.amount),
        currency=order.currency,
        lines=lines,
        actor_id=order.user_id,
    )


def make_two_colour_tee(*, shop: Shop, name: str, **fields: Any) -> tuple[Product, ProductVariant]:
    """A "Shirt" type whose variants differ by colour, and a tee of ``shop`` in black (its first
    variant) and white (the second, named "White", returned with it); ``fields`` go to
    ``make_product``."""
    colour = Attribute.objects.create(name="Colour", slug="colour")
    black = AttributeValue.objects.create(attribute=colour, name="Black", slug="black", position=0)
    white = AttributeValue.objects.create(attribute=colour, name="White", slug="white", position=1)
    shirts = ProductType.objects.create(name="Shirt", slug="shirt")
    shirts.variant_attributes.add(colour)
    tee = make_product(shop=shop, name=name, variants=2, product_type=shirts, **fields)
    variant_of(tee).options.add(black)
    white_tee = variant_of(tee, 1)
    white_tee.options.add(white)
    white_tee.name = "White"
    white_tee.save()
    return tee, white_tee
