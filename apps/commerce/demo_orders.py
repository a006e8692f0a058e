"""Demo data after payment: a few past orders by student@test.com on the demo shop (the
catalogue's demo makes shopowner@test.com's shop and its products first), at different stages:
one sent with a tracking number, one partly refunded, one paid and waiting to be sent.

Made from rows as a captured checkout leaves them (stock reserved then allocated under the real
locks, a captured test-provider payment) and moved on by this module's own services; ``OrderPaid``
is published for each, so the notifications and download grants follow as on the live site.
Idempotent: an order number that exists is left alone.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core import signing
from django.db import transaction
from django.utils import timezone
from djmoney.money import Money

from apps.commerce import events as shop_events
from apps.commerce import stock
from apps.commerce.models import Order, OrderLine, OrderShop, Payment, ProductType, ProductVariant, Shop, Stock
from apps.commerce.payments import testprovider
from apps.commerce.services import orders as services
from apps.core.models import User
from apps.core.platform import events

CUSTOMER = "student@test.com"
OWNER = "shopowner@test.com"
SHIPPING = Decimal("4.90")


def _variants(shop: Shop) -> list[ProductVariant]:
    """Live variants with a few units to spare, physical first (the almost-sold-out one left be)."""
    rows = (
        Stock.objects.filter(variant__product__shop=shop, variant__product__live=True, variant__is_active=True)
        .exclude(variant__product__reference_app__gt="")
        .select_related("variant__product__product_type")
        .order_by("variant__product__product_type__kind", "variant_id")
    )
    return [row.variant for row in rows if row.available >= 5]


def _place(number: str, customer: User, shop: Shop, items: list[tuple[ProductVariant, int]], days_ago: int) -> Order:
    """One paid order of ``items``, placed ``days_ago`` days ago."""
    when = timezone.now() - timedelta(days=days_ago, hours=2)
    currency = shop.currency
    subtotal = sum((variant.price.amount * quantity for variant, quantity in items), Decimal(0))
    physical = any(v.product.product_type.kind == ProductType.Kind.PHYSICAL for v, _ in items)
    shipping = SHIPPING if physical else Decimal(0)
    total = subtotal + shipping
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
            shipping_total=Money(shipping, currency),
            discount_total=Money(0, currency),
            tax_total=Money(0, currency),
            total=Money(total, currency),
            shipping_address={
                "name": "Stu Student",
                "line1": "12 Campus Road",
                "city": "Tartu",
                "postal_code": "50090",
                "country": "EE",
            },
            created_at=when,
            paid_at=when,
        )
        part = OrderShop.objects.create(
            order=order,
            shop=shop,
            shipping_name="Standard post" if physical else "",
            shipping_price=Money(shipping, currency),
            subtotal=Money(subtotal, currency),
        )
        for variant, quantity in items:
            product = variant.product
            OrderLine.objects.create(
                order=order,
                part=part,
                variant=variant,
                product_name=product.name,
                variant_name=variant.name,
                sku=variant.sku,
                is_digital=product.product_type.kind == ProductType.Kind.DIGITAL,
                quantity=quantity,
                unit_price=variant.price,
                total=Money(variant.price.amount * quantity, currency),
            )
        key = f"demo-pay-{number}"
        # What the test provider's start() signs for this payment (its page is checkout's).
        reference = signing.dumps(
            {"order": number, "amount": str(total), "currency": currency, "key": key},
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
        order.events.create(kind="paid", message=f"Paid {Money(total, currency)} (test provider).", created_at=when)
        events.publish(
            shop_events.OrderPaid(
                order_id=order.pk,
                number=order.number,
                user_id=customer.pk,
                total=str(total),
                currency=currency,
                lines=shop_events.OrderLineInfo.all_of(order),
                actor_id=customer.pk,
            )
        )
    return order


def seed_orders(*, write: Callable[[str], Any] = print) -> None:
    """A few past orders by the demo student on the demo shop, each at its own stage."""
    customer = User.objects.filter(email=CUSTOMER).first()
    shop = Shop.objects.filter(owner__email=OWNER).order_by("pk").first()
    if customer is None or shop is None:
        write("demo orders: no demo student or demo shop yet; skipped")
        return
    variants = _variants(shop)
    if len(variants) < 3:
        write("demo orders: the demo shop has too few products in stock; skipped")
        return
    owner = shop.owner
    plans = [
        ("DEMO-1001", [(variants[0], 1), (variants[1], 2)], 20),
        ("DEMO-1002", [(variants[2], 1)], 9),
        ("DEMO-1003", [(variants[1], 1)], 1),
    ]
    made = 0
    for number, items, days_ago in plans:
        if Order.objects.filter(number=number).exists():
            continue
        order = _place(number, customer, shop, items, days_ago)
        made += 1
        part = order.parts.get()
        lines = {line.pk: line.quantity for line in part.lines.all()}
        if number == "DEMO-1001":
            services.part_fulfil(user=owner, part=part, lines=lines, tracking_number="EE123456789", carrier="Omniva")
        elif number == "DEMO-1002":
            services.part_fulfil(user=owner, part=part, lines=lines, tracking_number="EE987654321", carrier="Omniva")
            line = part.lines.get()
            services.order_refund(
                user=owner, order=order, part=part, amount=str(line.total.amount / 2), reason="Arrived scratched"
            )
    write(f"demo orders: {made} made for {CUSTOMER} on {shop.name}")
