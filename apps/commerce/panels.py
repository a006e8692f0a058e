"""The shop owner's home (core's "shop" dashboard, /dashboard/shop/): sales today, this week and
this month with a chart of the last 14 days, the orders to fulfil, low stock and top products.
An owner sees their shops; staff every shop. Each panel costs a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, ExpressionWrapper, F, IntegerField, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone

from apps.commerce import permissions, reviews
from apps.commerce.models import Order, OrderLine, OrderShop, Shop, Stock
from apps.core.accounts import Panel

SOLD = (Order.Status.PAID, Order.Status.PARTIALLY_FULFILLED, Order.Status.FULFILLED, Order.Status.PARTIALLY_REFUNDED)
TO_FULFIL = (OrderShop.Status.UNFULFILLED, OrderShop.Status.PARTIALLY_FULFILLED)
CHART_DAYS = 14


def _shops(user: Any) -> QuerySet[Shop]:
    if permissions.is_shop_staff(user):
        return Shop.objects.all()
    return Shop.objects.filter(owner=user)


def _sold_parts(user: Any) -> QuerySet[OrderShop]:
    return OrderShop.objects.filter(shop__in=_shops(user), order__status__in=SOLD).exclude(
        status=OrderShop.Status.CANCELLED
    )


def _sales(user: Any) -> dict[str, Any]:
    now = timezone.localtime()
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    week = today - timedelta(days=today.weekday())
    month = today.replace(day=1)
    since = min(month, today - timedelta(days=CHART_DAYS - 1))
    parts = _sold_parts(user).filter(order__paid_at__gte=since)
    totals = parts.values("order__currency").annotate(
        today=Sum("subtotal", filter=Q(order__paid_at__gte=today)),
        week=Sum("subtotal", filter=Q(order__paid_at__gte=week)),
        month=Sum("subtotal", filter=Q(order__paid_at__gte=month)),
        orders_today=Count("order", filter=Q(order__paid_at__gte=today), distinct=True),
    )
    by_currency = {row["order__currency"]: row for row in totals}
    # The chart speaks one currency: the one most sold in this month (the default when none).
    currency = max(by_currency, key=lambda c: by_currency[c]["month"] or 0, default=None)
    daily: dict[Any, Decimal] = defaultdict(Decimal)
    if currency:
        rows = (
            parts.filter(order__currency=currency, order__paid_at__gte=today - timedelta(days=CHART_DAYS - 1))
            .annotate(day=TruncDate("order__paid_at"))
            .values("day")
            .annotate(total=Sum("subtotal"))
        )
        daily.update({row["day"]: row["total"] for row in rows})
    days = [(today - timedelta(days=back)).date() for back in range(CHART_DAYS - 1, -1, -1)]
    chart = [(f"{day:%d}", float(daily.get(day, 0))) for day in days]
    row = by_currency.get(currency, {}) if currency else {}

    def money(value: Decimal | None) -> str:
        return f"{currency or ''} {value or Decimal(0):,.2f}".strip()

    return {
        "currency": currency,
        "today": money(row.get("today")),
        "week": money(row.get("week")),
        "month": money(row.get("month")),
        "orders_today": row.get("orders_today", 0),
        "chart": chart,
        "others": sorted(c for c in by_currency if c != currency),
    }


def _to_fulfil(user: Any) -> dict[str, Any]:
    waiting = _sold_parts(user).filter(status__in=TO_FULFIL).select_related("order", "shop")
    rows = list(waiting.order_by("order__paid_at", "pk")[:6])
    count = waiting.count() if len(rows) == 6 else len(rows)
    url = reverse("commerce:manage-orders") + "?status=unfulfilled"
    return {"rows": rows[:5], "count": count, "tiles": [{"label": "Orders to fulfil", "count": count, "url": url}]}


def _low_stock(user: Any) -> dict[str, Any]:
    available = ExpressionWrapper(F("quantity") - F("allocated") - F("reserved"), output_field=IntegerField())
    rows = list(
        Stock.objects.filter(variant__product__shop__in=_shops(user), variant__is_active=True)
        .exclude(variant__product__reference_app__gt="")
        .annotate(left=available)
        .filter(left__lte=F("variant__product__shop__low_stock_threshold"))
        .select_related("variant__product__shop")
        .order_by("left", "variant_id")[:10]
    )
    return {"rows": rows, "tiles": [{"label": "Variants low on stock", "count": len(rows), "url": ""}] if rows else []}


def _top_products(user: Any) -> dict[str, Any]:
    since = timezone.now() - timedelta(days=30)
    rows = list(
        OrderLine.objects.filter(part__shop__in=_shops(user), order__status__in=SOLD, order__paid_at__gte=since)
        .values("product_name")
        .annotate(sold=Sum(F("quantity") - F("quantity_refunded")), revenue=Sum("total"))
        .order_by("-sold", "product_name")[:5]
    )
    return {"rows": rows}


def _recent_reviews(user: Any) -> dict[str, Any]:
    return {"rows": reviews.reviews_recent_for(user=user)}


def _review_queue(user: Any) -> dict[str, Any]:
    count = reviews.reviews_pending_count()
    url = reverse("commerce:review-queue")
    return {"count": count, "url": url, "tiles": [{"label": "Product reviews to moderate", "count": count, "url": url}]}


# Listed by the shop's hook (apps/commerce/platform.py).
PANELS: tuple[Panel, ...] = (
    Panel("shop-sales", "Sales", "commerce/panels/_sales.html", frozenset({"shop"}), _sales, order=10),
    Panel(
        "shop-to-fulfil",
        "Orders to fulfil",
        "commerce/panels/_to_fulfil.html",
        frozenset({"shop"}),
        _to_fulfil,
        order=11,
    ),
    Panel("shop-low-stock", "Low stock", "commerce/panels/_low_stock.html", frozenset({"shop"}), _low_stock, order=12),
    Panel(
        "shop-top-products",
        "Top products (30 days)",
        "commerce/panels/_top_products.html",
        frozenset({"shop"}),
        _top_products,
        order=13,
    ),
    Panel(
        "shop-reviews",
        "Recent reviews",
        "commerce/panels/_reviews.html",
        frozenset({"shop"}),
        _recent_reviews,
        order=14,
    ),
    Panel(
        "shop-review-queue",
        "Product reviews to moderate",
        "commerce/panels/_review_queue.html",
        frozenset({"admin"}),
        _review_queue,
        order=30,
        show=permissions.is_shop_staff,
    ),
)
