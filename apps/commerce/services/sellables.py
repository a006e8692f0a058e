"""Sellables: things other apps offer for sale through the shop (a course seat, a stream ticket).

An app declares what kinds it sells in its hook (``AppHook.sellables``: ``SellableKind(kind,
label)``) and calls ``sellable_offer`` with a reference to its thing (its app label, the kind, the
thing's id), a price and a quantity limit: the shop makes a product of type "sellable" with one
variant whose stock is the limit, so the same cart, checkout, stock locks and payment sell it.
On payment ``commerce.order_paid`` carries each line's reference and the owning app fulfils its
lines in its own subscriber; ``commerce.order_refunded`` names the lines and quantities it
undoes. The shop never asks what a reference means and imports no other app.

A sellable's content (its title, its description) is the owning app's, so the product goes live
at once rather than through the publishing engine's drafts; ``sellable_withdraw`` takes it off
sale while its past orders keep it.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from djmoney.money import Money

from apps.commerce import stock
from apps.commerce.models import OrderLine, Product, ProductType, ProductVariant, Refund, Shop, Stock
from apps.commerce.services.catalogue import forget_catalogue_pages
from apps.core.platform import registry


def _declared(app: str, kind: str) -> None:
    if (app, kind) not in registry().sellables:
        raise ValidationError(f"No app declares the sellable kind {app}.{kind}.", code="undeclared_sellable")


def _price(price: Money | Decimal | str, shop: Shop) -> Money:
    money = price if isinstance(price, Money) else Money(Decimal(str(price)), shop.currency)
    if money.amount < 0:
        raise ValidationError("A price cannot be negative.", code="negative_price")
    return money


def sellable_get(*, app: str, kind: str, ref_id: str | int) -> Product | None:
    """The product that sells ``app``'s ``kind`` number ``ref_id``, if it was ever offered."""
    return (
        Product.objects.filter(reference_app=app, reference_kind=kind, reference_id=str(ref_id))
        .select_related("shop")
        .first()
    )


def sellable_offer(
    *,
    app: str,
    kind: str,
    ref_id: str | int,
    title: str,
    price: Money | Decimal | str,
    quantity_limit: int,
    shop: Shop,
) -> Product:
    """Put ``app``'s thing on sale in ``shop``: a live product with one variant and stock of
    ``quantity_limit``. Refuses a kind no app declared; offering the same thing again updates it."""
    _declared(app, kind)
    if quantity_limit < 0:
        raise ValidationError("The quantity limit cannot be negative.", code="negative_limit")
    offered = sellable_get(app=app, kind=kind, ref_id=ref_id)
    if offered is not None:
        with transaction.atomic():
            product = sellable_update(
                app=app, kind=kind, ref_id=ref_id, title=title, price=price, quantity_limit=quantity_limit
            )
            if not offered.live:  # withdrawn before: on sale again
                Product.objects.filter(pk=product.pk).update(live=True)
                ProductVariant.objects.filter(product=product).update(is_active=True)
                product.live = True
        return product
    money = _price(price, shop)
    product_type, _ = ProductType.objects.get_or_create(
        slug="sellable", defaults={"name": "Sold for another app", "kind": ProductType.Kind.SELLABLE}
    )
    now = timezone.now()
    reference = f"{app}-{kind}-{ref_id}"
    with transaction.atomic():
        product = Product.objects.create(
            shop=shop,
            product_type=product_type,
            name=title[:200],
            slug=slugify(f"{title[:60]}-{reference}")[:100],
            reference_app=app,
            reference_kind=kind,
            reference_id=str(ref_id),
            live=True,
            first_published_at=now,
            last_published_at=now,
            min_price=money,
        )
        variant = ProductVariant.objects.create(product=product, sku=reference[:64], price=money, weight_grams=0)
        Stock.objects.create(variant=variant, quantity=quantity_limit)
        forget_catalogue_pages()  # the shop's lists show what is new
    return product


def sellable_update(
    *,
    app: str,
    kind: str,
    ref_id: str | int,
    title: str | None = None,
    price: Money | Decimal | str | None = None,
    quantity_limit: int | None = None,
) -> Product:
    """Change an offered thing's title, price or quantity limit. The limit never drops below what
    is sold and held (a ValidationError says how many)."""
    _declared(app, kind)
    product = sellable_get(app=app, kind=kind, ref_id=ref_id)
    if product is None:
        raise ValidationError("That thing is not on sale.", code="not_offered")
    with transaction.atomic():
        variant = product.variants.get()
        if title is not None:
            product.name = title[:200]
        if price is not None:
            money = _price(price, product.shop)
            variant.price = money
            variant.save(update_fields=["price"])
            product.min_price = money
        if quantity_limit is not None:
            # The quantity is the limit itself (nothing is ever shipped): set under the row's lock.
            try:
                stock.set_on_hand(variant.pk, quantity_limit)
            except stock.BelowCommitted as refused:
                raise ValidationError(
                    f"{refused.committed} are already sold or held: the limit cannot go below that.",
                    code="limit_below_sold",
                ) from None
        product.save(update_fields=["name", "min_price"])
        forget_catalogue_pages()  # its page and the cart's copy of its variant show the change
    return product


def sellable_withdraw(*, app: str, kind: str, ref_id: str | int) -> Product | None:
    """Take an offered thing off sale (its orders keep their lines); None if never offered."""
    product = sellable_get(app=app, kind=kind, ref_id=ref_id)
    if product is None:
        return None
    with transaction.atomic():
        Product.objects.filter(pk=product.pk).update(live=False)
        ProductVariant.objects.filter(product=product).update(is_active=False)
        forget_catalogue_pages()  # no cart takes it from a cached copy
    product.refresh_from_db()
    return product


def sellable_line_refund(*, app: str, line_id: int, quantity: int, reason: str) -> Refund:
    """The owning app gives back ``quantity`` units of a paid line of its own sellable that it
    cannot honour (a cohort found full when the payment arrived): the shop's refund service pays
    them back through the provider, frees their stock and publishes ``commerce.order_refunded``
    as for any refund, with ``reason`` on the order's history for the customer and the shop.

    No person acts (the refund's author is the platform), so it is limited to lines whose
    reference names ``app``: an app refunds only what it sold. A ValidationError otherwise, or
    when nothing of the line is left to refund."""
    from apps.commerce.services import orders

    line = OrderLine.objects.select_related("order", "part").filter(pk=line_id).first()
    if line is None or line.reference_app != app:
        raise ValidationError("That order line is not one of this app's sellables.", code="not_ours")
    if not reason.strip():
        raise ValidationError("Say why the line is refunded.", code="reason_required")
    return orders.refund_line_for_app(line=line, quantity=quantity, reason=reason)
