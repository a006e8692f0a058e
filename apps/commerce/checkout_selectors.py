"""Reads of checkouts and of the orders they made, for the checkout's own pages (the order
history and order pages are the orders area's)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from apps.commerce import permissions, pricing
from apps.commerce.models import Address, Checkout, Order, Payment, ProductVariant, ShippingMethod, TaxRate
from apps.commerce.services.cart import VARIANT_RELATED, describe
from apps.core.platform import registry

OPEN_STATES = (Checkout.State.OPEN, Checkout.State.EXPIRED)


def checkout_get_current(*, user: Any) -> Checkout | None:
    """The customer's checkout in progress (open, or expired and not yet paid for), newest first."""
    if not permissions.can_buy(user):
        return None
    return (
        Checkout.objects.filter(user=user, state__in=OPEN_STATES, order__isnull=True)
        .select_related("voucher")
        .order_by("-created_at", "-pk")
        .first()
    )


def checkout_get_for_user(*, user: Any, token: Any) -> Checkout | None:
    """One of the customer's checkouts by its token, in any state (a completed one answers its
    order again); None when it is not theirs or does not exist."""
    if not permissions.can_buy(user):
        return None
    return Checkout.objects.filter(user=user, token=token).select_related("voucher").first()


def checkout_variants(checkout: Checkout) -> dict[int, ProductVariant]:
    """The variants of the checkout's lines with their products, shops and stock: one query."""
    ids = [line["variant"] for line in checkout.lines]
    return ProductVariant.objects.select_related(*VARIANT_RELATED).in_bulk(ids)


def checkout_parts(checkout: Checkout, variants: dict[int, ProductVariant]) -> list[pricing.PricedPart]:
    """The checkout's lines at their frozen prices, grouped by shop (in the order added)."""
    parts: dict[int, pricing.PricedPart] = {}
    for line in checkout.lines:
        variant = variants.get(line["variant"])
        if variant is None:
            continue
        product = variant.product
        part = parts.setdefault(product.shop_id, pricing.PricedPart(product.shop_id, product.shop.name, []))
        part.lines.append(
            pricing.PricedLine(
                variant_id=variant.pk,
                product_id=product.pk,
                shop_id=product.shop_id,
                name=describe(variant),
                product_name=product.name,
                variant_name=variant.name,
                sku=variant.sku,
                kind=product.product_type.kind,
                quantity=int(line["quantity"]),
                unit_price=Decimal(line["unit_price"]),
                weight_grams=variant.weight_grams,
            )
        )
    return list(parts.values())


def tax_rate_for(country: str) -> Decimal:
    if not country:
        return Decimal(0)
    return TaxRate.objects.filter(country=country).values_list("rate", flat=True).first() or Decimal(0)


def checkout_totals(
    checkout: Checkout, variants: dict[int, ProductVariant] | None = None, *, with_voucher: bool = True
) -> pricing.Totals:
    """What the checkout costs now: shipping per shop part, discount, tax and total (a flat
    number of queries: variants, shipping methods, the tax rate, the voucher's limits)."""
    variants = checkout_variants(checkout) if variants is None else variants
    parts = checkout_parts(checkout, variants)
    country = str(checkout.shipping_address.get("country", ""))
    methods = ShippingMethod.objects.filter(shop_id__in=[part.shop_id for part in parts], is_active=True)
    voucher = checkout.voucher if with_voucher else None
    shop_ids, product_ids = voucher_limits(voucher)
    return pricing.price(
        currency=checkout.currency,
        parts=parts,
        methods=methods if any(part.ships for part in parts) else [],
        choices={str(k): int(v) for k, v in checkout.shipping_choices.items() if str(v).isdigit()},
        country=country,
        tax_rate=tax_rate_for(country),
        voucher=voucher,
        voucher_shop_ids=shop_ids,
        voucher_product_ids=product_ids,
    )


def voucher_limits(voucher: Any) -> tuple[set[int], set[int]]:
    if voucher is None:
        return set(), set()
    return (
        set(voucher.shops.values_list("pk", flat=True)),
        set(voucher.products.values_list("pk", flat=True)),
    )


def address_list_for_user(*, user: Any) -> list[Address]:
    return list(Address.objects.filter(user=user)[:20]) if permissions.can_buy(user) else []


def order_get_for_customer(*, user: Any, token: Any) -> Order | None:
    """An order its customer (or staff) may see, by its token; None otherwise."""
    order = Order.objects.filter(token=token).prefetch_related("parts__shop", "lines").first()
    if order is None or not permissions.can_view_order(user, order):
        return None
    return order


def order_openings(order: Order) -> list[tuple[str, str]]:
    """(name, address) of what an order's lines bought from other apps that the buyer can open
    now (a course's place: its page), as those apps' sellable kinds say (``SellableKind.url_of``)."""
    kinds = registry().sellables
    found = []
    for line in order.lines.all():
        kind = kinds.get((line.reference_app, line.reference_kind)) if line.reference_app else None
        url = kind.url_of(line.reference_id) if kind is not None and kind.url_of is not None else None
        if url:
            found.append((line.product_name, url))
    return found


def payment_get_for_customer(*, user: Any, reference: str) -> Payment | None:
    """The payment behind a test provider page, for the customer who owes it (or staff)."""
    payment = Payment.objects.select_related("order").filter(provider="test", reference=reference).first()
    if payment is None or not permissions.can_view_order(user, payment.order):
        return None
    return payment
