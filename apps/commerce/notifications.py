"""The shop's notifications: its kinds (declared in its hook) and the durable subscribers that send
them, one per event and audience, each inside one transaction (so its effects commit together
with the delivered-events ledger on the worker).

- to the customer: ``commerce.order_paid``, ``order_fulfilled``, ``order_refunded``,
  ``order_cancelled``, ``return_answered``;
- to each shop owner with lines in the order: ``commerce.new_order``, ``return_requested``;
- to a shop's owner after a sale: ``commerce.low_stock``, once per fall of a variant's available
  count to the shop's threshold (``Stock.low_alerted_at``; cleared when it rises above it again).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from apps.commerce import events as shop_events
from apps.commerce import permissions
from apps.commerce.models import Order, OrderLine, OrderShop, ReturnRequest, Stock
from apps.core.notifications import Email, NotificationKind, notify
from apps.core.platform import events

ORDER_PAID = "commerce.order_paid"
NEW_ORDER = "commerce.new_order"
ORDER_FULFILLED = "commerce.order_fulfilled"
ORDER_REFUNDED = "commerce.order_refunded"
ORDER_CANCELLED = "commerce.order_cancelled"
RETURN_REQUESTED = "commerce.return_requested"
RETURN_ANSWERED = "commerce.return_answered"
LOW_STOCK = "commerce.low_stock"

KINDS = (
    NotificationKind(
        name=ORDER_PAID,
        label="Your orders paid",
        description="Your payment went through and the shop has your order.",
        template="Order {target} is paid",
        email=Email.INSTANT,
    ),
    NotificationKind(
        name=ORDER_FULFILLED,
        label="Your orders sent",
        description="A shop sent (part of) your order.",
        template="{actors} sent items of your order {target}",
        template_many="{actors} sent {count} parcels of your order {target}",
        email=Email.INSTANT,
    ),
    NotificationKind(
        name=ORDER_REFUNDED,
        label="Refunds",
        description="Money of an order went back to you.",
        template="{actors} refunded part of your order {target}",
        template_many="{actors} made {count} refunds on your order {target}",
        email=Email.INSTANT,
    ),
    NotificationKind(
        name=ORDER_CANCELLED,
        label="Your orders cancelled",
        description="An order of yours was cancelled (and refunded).",
        template="Order {target} was cancelled and refunded",
        email=Email.INSTANT,
    ),
    NotificationKind(
        name=RETURN_ANSWERED,
        label="Answers to your returns",
        description="A shop accepted or declined a return you asked for.",
        template="{actors} answered your return of order {target}",
        email=Email.INSTANT,
    ),
    NotificationKind(
        name=NEW_ORDER,
        label="New orders",
        description="For shop owners: a paid order holds items of your shop.",
        template="{actors} placed order {target}",
        template_many="{count} new orders, the latest {target}",
        email=Email.INSTANT,
        audience=permissions.can_open_shop,
    ),
    NotificationKind(
        name=RETURN_REQUESTED,
        label="Return requests",
        description="For shop owners: a customer asks to send items back.",
        template="{actors} asks to return items of order {target}",
        email=Email.INSTANT,
        audience=permissions.can_open_shop,
    ),
    NotificationKind(
        name=LOW_STOCK,
        label="Low stock",
        description="For shop owners: a product's stock fell to your shop's threshold.",
        template="“{target}” runs low",
        email=Email.DAILY,
        audience=permissions.can_open_shop,
    ),
)


def _order(order_id: int) -> Order | None:
    return Order.objects.filter(pk=order_id).only("pk", "number", "user_id").first()


def _tell_customer(order_id: int, kind: str, actor_id: int | None) -> None:
    order = _order(order_id)
    if order is None or order.user_id is None:
        return
    notify(
        recipient_id=order.user_id,
        kind=kind,
        group=f"order:{order.pk}",
        target_url=order.get_absolute_url(),
        target_label=f"#{order.number}",
        actor_id=actor_id,
    )


def _owners_of(order_id: int, shop_ids: Iterable[int] | None = None) -> list[int]:
    parts = OrderShop.objects.filter(order_id=order_id)
    if shop_ids is not None:
        parts = parts.filter(shop_id__in=list(shop_ids))
    return sorted(set(parts.values_list("shop__owner_id", flat=True)))


@events.subscribe(shop_events.OrderPaid)
def on_order_paid_tell_customer(event: shop_events.OrderPaid) -> None:
    """The customer hears their order is paid (the payment was theirs: no actor, or they would
    not be told of their own act)."""
    _tell_customer(event.order_id, ORDER_PAID, None)


@events.subscribe(shop_events.OrderPaid)
def on_order_paid_tell_owners(event: shop_events.OrderPaid) -> None:
    """Every shop owner with lines in the order hears of it, together."""
    order = _order(event.order_id)
    if order is None:
        return
    url = reverse("commerce:manage-order", args=[order.number])
    with transaction.atomic():
        for owner_id in _owners_of(order.pk):
            notify(
                recipient_id=owner_id,
                kind=NEW_ORDER,
                group="orders:new",
                target_url=url,
                target_label=f"#{order.number}",
                actor_id=order.user_id,
            )


@events.subscribe(shop_events.OrderPaid)
def on_order_paid_check_stock(event: shop_events.OrderPaid) -> None:
    """A sale may take a variant down to its shop's threshold: its owner hears once."""
    variant_ids = OrderLine.objects.filter(order_id=event.order_id, variant__isnull=False).values_list(
        "variant_id", flat=True
    )
    review_low_stock(list(variant_ids))


@events.subscribe(shop_events.OrderRefunded)
def on_order_refunded(event: shop_events.OrderRefunded) -> None:
    """The customer hears of the refund; restocked variants may be out of the low zone again."""
    with transaction.atomic():
        _tell_customer(event.order_id, ORDER_REFUNDED, event.actor_id)
        line_ids = [line.line_id for line in event.lines]
        review_low_stock(
            list(OrderLine.objects.filter(pk__in=line_ids, variant__isnull=False).values_list("variant_id", flat=True))
        )


@events.subscribe(shop_events.OrderCancelled)
def on_order_cancelled(event: shop_events.OrderCancelled) -> None:
    _tell_customer(event.order_id, ORDER_CANCELLED, event.actor_id)


@events.subscribe(shop_events.OrderFulfilled)
def on_order_fulfilled(event: shop_events.OrderFulfilled) -> None:
    _tell_customer(event.order_id, ORDER_FULFILLED, event.actor_id)


@events.subscribe(shop_events.ReturnRequested)
def on_return_requested(event: shop_events.ReturnRequested) -> None:
    """The owner of the part asked about hears of the request."""
    request = ReturnRequest.objects.filter(pk=event.return_id).select_related("part__shop").first()
    if request is None:
        return
    notify(
        recipient_id=request.part.shop.owner_id,
        kind=RETURN_REQUESTED,
        group=f"return:{request.pk}",
        target_url=reverse("commerce:manage-order", args=[event.number]),
        target_label=f"#{event.number}",
        actor_id=event.actor_id,
    )


@events.subscribe(shop_events.ReturnAnswered)
def on_return_answered(event: shop_events.ReturnAnswered) -> None:
    _tell_customer(event.order_id, RETURN_ANSWERED, event.actor_id)


def review_low_stock(variant_ids: list[int]) -> int:
    """Tell each owner whose variant's available count is at or under the shop's threshold and
    was not yet told for this fall; forget the alert of variants back above it. The conditional
    UPDATE takes the alert, so two sales at once send one. Returns how many alerts went out."""
    if not variant_ids:
        return 0
    rows = Stock.objects.filter(variant_id__in=sorted(set(variant_ids))).select_related("variant__product__shop")
    sent = 0
    with transaction.atomic():
        for row in rows:
            shop = row.variant.product.shop
            low = row.available <= shop.low_stock_threshold
            if not low:
                if row.low_alerted_at is not None:
                    Stock.objects.filter(pk=row.pk).update(low_alerted_at=None)
                continue
            taken = Stock.objects.filter(pk=row.pk, low_alerted_at__isnull=True).update(low_alerted_at=timezone.now())
            if not taken:
                continue
            sent += 1
            notify(
                recipient_id=shop.owner_id,
                kind=LOW_STOCK,
                group=f"stock:{row.variant_id}",
                target_url=reverse("dashboard-page", args=["shop"]),
                target_label=f"{row.variant} ({row.available} left)",
            )
    return sent
