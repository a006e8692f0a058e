"""Reads of orders: a customer's own, and the parts a shop owner (or staff) manages.

Each page's query count is flat: lines, parts, shops, events and download grants come in
prefetches, never per row.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from apps.commerce import permissions
from apps.commerce.models import Fulfilment, Order, OrderEvent, OrderLine, OrderShop, ReturnRequest


def order_list_for_customer(*, user: Any) -> QuerySet[Order]:
    """The customer's orders, newest first, with their parts' shops (for the history page)."""
    if not getattr(user, "is_authenticated", False):
        return Order.objects.none()
    return (
        Order.objects.filter(user=user)
        .exclude(status=Order.Status.UNPAID)
        .prefetch_related(Prefetch("parts", queryset=OrderShop.objects.select_related("shop")))
        .order_by("-created_at", "-pk")
    )


def _lines() -> Prefetch:
    return Prefetch(
        "lines",
        queryset=OrderLine.objects.select_related("download__asset", "variant__product").order_by("pk"),
    )


def order_get_for_user(*, user: Any, number: str) -> Order | None:
    """The order ``number`` with everything its page shows, if ``user`` may see it whole (its
    customer, staff); None otherwise (the view answers 404: an order's existence is private)."""
    order = (
        Order.objects.filter(number=number)
        .prefetch_related(
            Prefetch(
                "parts",
                queryset=OrderShop.objects.select_related("shop")
                .prefetch_related(_lines(), "fulfilments", "returns")
                .order_by("shop__name"),
            ),
            Prefetch("events", queryset=OrderEvent.objects.filter(internal=False).select_related("shop")),
        )
        .first()
    )
    if order is None or not permissions.can_view_order(user, order):
        return None
    return order


def parts_for_manager(*, user: Any) -> QuerySet[OrderShop]:
    """The order parts ``user`` manages: their shops' (staff: every shop's), paid orders only."""
    parts = OrderShop.objects.select_related("order", "shop").exclude(order__status=Order.Status.UNPAID)
    if permissions.is_shop_staff(user):
        return parts
    if not permissions.can_open_shop(user):
        return parts.none()
    return parts.filter(shop__owner=user, shop__owner__is_active=True)


def part_get_for_manager(*, user: Any, pk: int) -> OrderShop | None:
    """One order part ``user`` manages, with its lines and fulfilments; None otherwise (the API
    answers 404: another shop's part does not exist for an owner)."""
    return (
        parts_for_manager(user=user)
        .filter(pk=pk)
        .prefetch_related(_lines(), Prefetch("fulfilments", queryset=Fulfilment.objects.order_by("created_at", "pk")))
        .first()
    )


def _day_start(day: date, *, end: bool = False) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.max if end else time.min))


def part_list_for_manager(
    *,
    user: Any,
    status: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    search: str = "",
) -> QuerySet[OrderShop]:
    """The manage page's list: filtered by part status, the order's date range and a search by
    order number or customer email, newest first."""
    parts = parts_for_manager(user=user)
    if status:
        parts = parts.filter(status=status)
    if date_from:
        parts = parts.filter(order__created_at__gte=_day_start(date_from))
    if date_to:
        parts = parts.filter(order__created_at__lte=_day_start(date_to, end=True))
    if search := search.strip():
        parts = parts.filter(Q(order__number__icontains=search) | Q(order__email__icontains=search))
    return parts.order_by("-order__created_at", "-pk")


def managed_parts_of(*, user: Any, number: str) -> tuple[Order | None, list[OrderShop]]:
    """The order ``number`` and the parts of it ``user`` manages (none: the view answers 404)."""
    parts = list(
        parts_for_manager(user=user)
        .filter(order__number=number)
        .prefetch_related(
            _lines(),
            "fulfilments__lines",
            Prefetch("returns", queryset=ReturnRequest.objects.select_related("user").order_by("-created_at")),
        )
        .order_by("shop__name")
    )
    if not parts:
        return None, []
    order = parts[0].order
    shop_ids = {part.shop_id for part in parts}
    order.managed_events = [
        event
        for event in OrderEvent.objects.filter(order=order).select_related("shop", "actor")
        if event.shop_id is None or event.shop_id in shop_ids
    ]
    return order, parts
